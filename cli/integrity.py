"""`flask --app wsgi registry integrity ...`: the anomaly queue's scan (issue 23 §4)."""

from __future__ import annotations

import sys

import click
from flask.cli import AppGroup

from interface.context import ctx
from services import integrity

integrity_cli = AppGroup("integrity", help="The anomaly queue for supervisors: scan the graph for findings.")


@integrity_cli.command("scan")
def scan() -> None:
    """Scan the graph for every kind of finding (idempotent; an interrupted scan resumes where it stopped)."""
    with click.progressbar(length=len(integrity.DETECTORS), label="finding kinds", file=sys.stderr) as bar:
        result = integrity.scan(ctx(), progress=bar.update)
    verb = "resumed" if result["resumed"] else "ran"
    click.echo(f"scan {result['scan_id']} {verb}:")
    for kind, counts in result["counts"].items():
        click.echo(
            f"  {kind}: {counts['found']} found, {counts['created']} new, {counts['refreshed']} refreshed, "
            f"{counts['decided']} decided already (left as they are)"
        )
