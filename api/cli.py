"""`flask --app wsgi registry ...`: administrative commands."""

from __future__ import annotations

import click
from flask.cli import AppGroup

from api import get_graph
from graph.reference import load_reference_data
from graph.schema import create_schema, describe_schema

registry_cli = AppGroup("registry", help="Carbon Manager Registry administration.")


@registry_cli.command("init-db")
def init_db() -> None:
    """Create the schema and load the reference data (idempotent)."""
    graph = get_graph()
    create_schema(graph)
    counters = load_reference_data(graph)
    schema = describe_schema(graph)
    click.echo(
        f"schema: {len(schema['constraints'])} constraints, {len(schema['indexes'])} indexes; "
        f"reference data: {counters.nodes_created} nodes and {counters.relationships_created} relationships created"
    )
