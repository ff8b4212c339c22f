"""`flask --app wsgi registry ...`: administrative commands."""

from __future__ import annotations

from datetime import date, datetime

import click
from flask.cli import AppGroup

from api import get_graph, get_settings
from api.auth import ROLES, hash_key, new_key
from graph import api_keys, certificates
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


@registry_cli.command("create-key")
@click.option("--role", required=True, type=click.Choice(ROLES), help="admin, government or client")
@click.option("--label", default="", help="who or what the key is for")
def create_key(role: str, label: str) -> None:
    """Create an API key; it is printed once (last line) and only its hash is stored."""
    key = new_key()
    record = api_keys.create_key(get_graph(), hash_key(key, get_settings().secret_key), key[:12], role, label)
    click.echo(f"Created a {record['role']} key (prefix {record['prefix']}); it is shown only now:", err=True)
    click.echo(key)


@registry_cli.command("revoke-key")
@click.argument("prefix")
def revoke_key(prefix: str) -> None:
    """Revoke the key(s) whose first 12 characters are PREFIX."""
    click.echo(f"revoked {api_keys.revoke_key(get_graph(), prefix)} key(s)")


@registry_cli.command("list-keys")
def list_keys() -> None:
    """List keys by prefix, role and label (never the keys themselves)."""
    for key in api_keys.list_keys(get_graph()):
        state = "revoked" if key["revoked"] else "active"
        click.echo(f"{key['prefix']}  {key['role']:<10}  {state:<7}  {key['created_at']}  {key['label']}")


@registry_cli.command("expire-certificates")
@click.option("--as-of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, help="default: today")
def expire_certificates(as_of: datetime | None) -> None:
    """Mark valid certificates past their expires_on as expired and update pools (run daily from cron)."""
    today = as_of.date() if as_of else date.today()
    click.echo(
        f"expired {certificates.expire_due(get_graph(), today)} certificate(s) as of {today.isoformat()}"
    )
