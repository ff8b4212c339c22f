"""`flask --app wsgi registry ...`: administrative commands."""

from __future__ import annotations

import json
import sys
from dataclasses import replace
from datetime import datetime
from pathlib import Path

import click
from flask.cli import AppGroup

from adapters.spreadsheets import estimate_rows
from cli.audit import audit_cli
from cli.draws import draw_cli
from cli.exams import exams_cli
from cli.integrity import integrity_cli
from cli.jobs import jobs_command, run_job_command, scheduler_command
from cli.notifications import queue_expiry_notices, send_notifications
from graph.schema import create_schema, describe_schema
from interface.context import ctx
from registry.errors import ImportFileError, RegistryError
from seed import import_file, synthetic
from seed import key_emitters as synthetic_key_emitters
from services import certificates, imports, key_emitters, keys, misconduct, reference, search
from services import synthetic as synthetic_service
from services.keys import ROLES
from services.synthetic_activities import load_activities

registry_cli = AppGroup("registry", help="Carbon Manager Registry administration.")
registry_cli.add_command(audit_cli)  # `registry audit ...`: signed checkpoints, the full check
registry_cli.add_command(draw_cli)  # `registry draw ...`: expert panel draws
registry_cli.add_command(exams_cli)  # `registry exams ...`: applications to certificates (cli/exams.py)
registry_cli.add_command(integrity_cli)  # `registry integrity scan`: the anomaly queue (cli/integrity.py)
# `registry scheduler`, `registry run-job NAME`, `registry jobs`: the scheduled jobs (cli/jobs.py)
registry_cli.add_command(scheduler_command)
registry_cli.add_command(run_job_command)
registry_cli.add_command(jobs_command)
registry_cli.add_command(send_notifications)  # the outbox's sender, once (cli/notifications.py)
registry_cli.add_command(queue_expiry_notices)


@registry_cli.command("init-db")
def init_db() -> None:
    """Create the schema and load the reference data (idempotent)."""
    context = ctx()
    create_schema(context.graph)
    counters = reference.load(context.graph)
    schema = describe_schema(context.graph)
    derived = search.derive_missing_keys(context)
    click.echo(
        f"schema: {len(schema['constraints'])} constraints, {len(schema['indexes'])} indexes; "
        f"reference data: {counters.nodes_created} nodes and {counters.relationships_created} relationships "
        f"created; {derived} practitioner(s) given search keys"
    )


@registry_cli.command("create-key")
@click.option(
    "--role", required=True, type=click.Choice(ROLES), help="admin, government, client or practitioner"
)
@click.option("--label", default="", help="who or what the key is for")
@click.option("--practitioner", "practitioner_id", default=None, help="a practitioner key's person (id)")
@click.option(
    "--organization",
    "organization_id",
    default=None,
    help="bind a client or government key to an organization (id)",
)
def create_key(role: str, label: str, practitioner_id: str | None, organization_id: str | None) -> None:
    """Create an API key; it is printed once (last line) and only its hash is stored."""
    try:
        key, record = keys.create(
            ctx(), role, label, practitioner_id=practitioner_id, organization_id=organization_id
        )
    except RegistryError as error:
        raise click.ClickException(_explain(error)) from None
    click.echo(f"Created a {record['role']} key (prefix {record['prefix']}); it is shown only now:", err=True)
    click.echo(key)


@registry_cli.command("revoke-key")
@click.argument("prefix")
def revoke_key(prefix: str) -> None:
    """Revoke the key(s) whose first 12 characters are PREFIX."""
    click.echo(f"revoked {keys.revoke(ctx(), prefix)} key(s)")


@registry_cli.command("list-keys")
def list_keys() -> None:
    """List keys by prefix, role, label and binding (never the keys themselves)."""
    for key in keys.list_all(ctx()):
        state = "revoked" if key["revoked"] else "active"
        binding = key.get("practitioner_id") or key.get("organization_id") or ""
        click.echo(
            f"{key['prefix']}  {key['role']:<12}  {state:<7}  {key['created_at']}  {key['label']}  {binding}".rstrip()
        )


@registry_cli.command("expire-certificates")
@click.option("--as-of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, help="default: today")
def expire_certificates(as_of: datetime | None) -> None:
    """Mark valid certificates past their expires_on as expired and update pools (run daily from cron)."""
    context = ctx()
    if as_of:
        context = replace(context, today=as_of.date())
    click.echo(f"expired {certificates.expire_due(context)} certificate(s) as of {context.today.isoformat()}")


@registry_cli.command("end-sanctions")
@click.option("--as-of", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, help="default: today")
def end_sanctions(as_of: datetime | None) -> None:
    """Let people whose suspension ended back into the pools their certificates give (run daily from cron)."""
    context = ctx()
    if as_of:
        context = replace(context, today=as_of.date())
    click.echo(
        f"re-derived {misconduct.end_sanctions(context)} practitioner(s) as of {context.today.isoformat()}"
    )


def _explain(error: RegistryError) -> str:
    """A domain error as one line for the terminal, with the field errors when there are any."""
    errors = getattr(error, "errors", None)
    if errors:
        return "; ".join(f"{field}: {' '.join(messages)}" for field, messages in errors.items())
    return error.detail


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
                ctx(), path, Path(path).name, batch_size=batch_size, progress=bar.update
            )
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
    context = ctx()
    registry = synthetic.generate(size, seed=seed, today=context.today)
    if csv_path:
        rows = import_file.write_csv(csv_path, import_file.import_rows(registry))
        click.echo(f"wrote {rows} rows to {csv_path}")
        return
    if if_empty and synthetic_service.has_practitioners(context):
        click.echo("the registry already has practitioners; nothing generated")
        return
    with click.progressbar(length=size, label=f"loading {size} practitioners", file=sys.stderr) as bar:
        counts = synthetic_service.load_synthetic(context, registry, progress=bar.update)
    counts |= load_activities(
        context, registry
    )  # public-welfare activities and sign-ups (seed/activities.py)
    click.echo(json.dumps(counts))


@registry_cli.command("import-key-emitters")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--year", type=int, default=None, help="the list's year, when the file has no 纳入年度 column")
def import_key_emitters_command(path: str, year: int | None) -> None:
    """Import one year's key emitter list (重点排放单位名录, CSV or XLSX); all rows or none."""
    try:
        summary = key_emitters.import_list(ctx(), path, Path(path).name, year)
    except RegistryError as error:
        raise click.ClickException(_explain(error)) from None
    except ImportFileError as error:
        raise click.ClickException(str(error)) from None
    click.echo(json.dumps(summary, ensure_ascii=False))


@registry_cli.command("write-key-emitter-list")
@click.argument("path", type=click.Path(dir_okay=False))
@click.option("--year", type=int, default=None, help="the list's year (default: this year)")
@click.option("--seed", default=42, show_default=True)
def write_key_emitter_list_command(path: str, year: int | None, seed: int) -> None:
    """Write a synthetic key emitter list as the Ministry publishes them (.csv or .xlsx), e.g. to try an import."""
    this_year = ctx().today.year
    year = year or this_year
    units = synthetic_key_emitters.generate_key_emitters(seed, latest_year=max(year, this_year))
    click.echo(
        f"wrote {synthetic_key_emitters.write_list(path, units, year)} units listed for {year} to {path}"
    )
