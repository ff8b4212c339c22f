"""`flask --app wsgi registry audit ...`: the daily signed checkpoint of the audit chain and the full check."""

from __future__ import annotations

import sys
from datetime import date

import click
from flask.cli import AppGroup

from interface.context import ctx
from services import audit

audit_cli = AppGroup("audit", help="The audit chain: sign today's head, check the whole chain.")


@audit_cli.command("checkpoint")
@click.option(
    "--day", type=click.DateTime(formats=["%Y-%m-%d"]), default=None, help="the day (default today)"
)
def checkpoint(day: date | None) -> None:
    """Sign the chain's head as the day's checkpoint with the key outside Neo4j (run daily; idempotent)."""
    signed = audit.checkpoint(ctx(), day.date() if day else None)
    click.echo(f"checkpoint {signed.day}: entry {signed.seq}, hash {signed.hash[:16]}…, key {signed.key_id}")


@audit_cli.command("verify")
def verify() -> None:
    """Check the whole chain from its first entry and every signed checkpoint on the way (exit 1 on a break)."""
    context = ctx()
    with click.progressbar(length=audit.length(context), label="audit entries", file=sys.stderr) as bar:
        result = audit.verify_full(context, progress=bar.update)
    if result.verified:
        click.echo(f"verified: {result.entries} entries, every signed checkpoint matches")
        return
    click.echo(f"NOT verified: entry {result.first_bad_seq}: {result.problem}", err=True)
    sys.exit(1)
