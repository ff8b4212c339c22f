"""`flask --app wsgi registry ...`: administrative commands."""

from __future__ import annotations

import json
import sys
from datetime import date, datetime
from pathlib import Path

import click
from flask.cli import AppGroup

from adapters.spreadsheets import estimate_rows
from api import get_graph, get_settings
from api.auth import ROLES, hash_key, new_key
from graph import api_keys, certificates
from graph.pools import rederive_missing
from graph.reference import load_reference_data
from graph.schema import create_schema, describe_schema
from registry.errors import ImportFileError
from seed import import_file, synthetic
from services import imports
from services import synthetic as synthetic_service

registry_cli = AppGroup("registry", help="Carbon Manager Registry administration.")


@registry_cli.command("init-db")
def init_db() -> None:
    """Create the schema and load the reference data (idempotent)."""
    graph = get_graph()
    create_schema(graph)
    counters = load_reference_data(graph)
    schema = describe_schema(graph)
    derived = rederive_missing(graph, date.today())
    click.echo(
        f"schema: {len(schema['constraints'])} constraints, {len(schema['indexes'])} indexes; "
        f"reference data: {counters.nodes_created} nodes and {counters.relationships_created} relationships "
        f"created; {derived} practitioner(s) given search keys"
    )


@registry_cli.command("create-key")
@click.option("--role", required=True, type=click.Choice(ROLES), help="admin, government or client")
@click.option("--label", default="", help="who or what the key is for")
def create_key(role: str, label: str) -> None:
    """Create an API key; it is printed once (last line) and only its hash is stored."""
    key = new_key()
    record = api_keys.create_key(
        get_graph(), hash_key(key, get_settings().api_key_key), key[:12], role, label
    )
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


@registry_cli.command("import")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--batch-size", default=2000, show_default=True, help="rows written per transaction")
@click.option("--errors", "show_errors", default=20, show_default=True, help="how many row errors to print")
def import_command(path: str, batch_size: int, show_errors: int) -> None:
    """Import practitioners and certificates from a CSV or XLSX file (Chinese or English headers)."""
    total = estimate_rows(path)
    with click.progressbar(length=total, label="importing", show_pos=True, file=sys.stderr) as bar:
        try:
            report = imports.import_file(
                get_graph(), path, Path(path).name, id_card_key=get_settings().id_card_key, today=date.today(),
                batch_size=batch_size, progress=bar.update,
            )  # fmt: skip
        except ImportFileError as error:
            raise click.ClickException(str(error)) from None
    summary = report.to_dict()
    for error in summary["errors"][:show_errors]:
        click.echo(f"row {error['row']}, {error['column']}: {error['reason']} ({error['value']})", err=True)
    for warning in summary["warnings"]:
        click.echo(f"warning: {warning}", err=True)
    counts = {k: v for k, v in summary.items() if isinstance(v, int)}
    click.echo(json.dumps(counts, ensure_ascii=False))


@registry_cli.command("generate")
@click.option("--size", default=2000, show_default=True, help="number of practitioners")
@click.option("--seed", default=42, show_default=True)
@click.option(
    "--csv", "csv_path", default=None, help="write an import file here instead of loading the graph"
)
@click.option("--if-empty", is_flag=True, help="load only when the registry has no practitioners yet")
def generate_command(size: int, seed: int, csv_path: str | None, if_empty: bool) -> None:
    """Generate a synthetic registry (deterministic for a seed) and load it, or write it as an import CSV."""
    registry = synthetic.generate(size, seed=seed, today=date.today())
    if csv_path:
        rows = import_file.write_csv(csv_path, import_file.import_rows(registry))
        click.echo(f"wrote {rows} rows to {csv_path}")
        return
    graph = get_graph()
    if if_empty and synthetic_service.has_practitioners(graph):
        click.echo("the registry already has practitioners; nothing generated")
        return
    with click.progressbar(length=size, label=f"loading {size} practitioners", file=sys.stderr) as bar:
        counts = synthetic_service.load_synthetic(
            graph, registry, id_card_key=get_settings().id_card_key, today=date.today(), progress=bar.update
        )
    click.echo(json.dumps(counts))
