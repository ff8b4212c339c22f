"""`flask --app wsgi registry scheduler | run-job NAME | jobs`: the scheduled jobs, in the foreground or one at a time.

`make serve` starts `registry scheduler --with-parent` beside gunicorn (scripts/serve.sh); operators who prefer cron
keep the single commands (`expire-certificates`, `draw lapse`, …) or call `run-job NAME` from a crontab line.
"""

from __future__ import annotations

import contextlib
import fcntl
import hashlib
import os
import signal
import threading
from collections.abc import Iterator
from dataclasses import replace
from typing import IO

import click
from flask.cli import with_appcontext

from interface.context import ctx
from registry.errors import RegistryError
from registry.jobs import JOB_NAMES, TICK_SECONDS
from services import jobs
from services.scheduler import Scheduler, owner_name
from services.settings import ROOT


@contextlib.contextmanager
def _only_scheduler_here(uri: str) -> Iterator[IO[str] | None]:
    """This host's one scheduler for the graph at `uri` (a file lock under var/); None when one already runs."""
    folder = ROOT / "var"
    folder.mkdir(exist_ok=True)
    name = hashlib.sha256(uri.encode()).hexdigest()[:12]
    with open(folder / f"scheduler-{name}.lock", "w") as handle:
        try:
            fcntl.flock(handle, fcntl.LOCK_EX | fcntl.LOCK_NB)
        except BlockingIOError:
            yield None
            return
        handle.write(f"{os.getpid()}\n")
        handle.flush()
        yield handle


@click.command("scheduler")
@click.option("--tick", type=float, default=TICK_SECONDS, show_default=True, help="seconds between looks")
@click.option("--with-parent", is_flag=True, help="stop when the process that started this one stops")
@click.option(
    "--only", "only", multiple=True, type=click.Choice(JOB_NAMES), help="run only this job (repeatable)"
)
@with_appcontext
def scheduler_command(tick: float, with_parent: bool, only: tuple[str, ...]) -> None:
    """Run the scheduled jobs in the foreground until stopped (make serve starts it beside gunicorn)."""
    context = replace(ctx(), actor=jobs.SCHEDULER)
    with _only_scheduler_here(context.settings.neo4j_uri) as lock:
        if lock is None:
            click.echo("a scheduler for this registry already runs on this host; not starting another")
            return
        stop = threading.Event()
        for signum in (signal.SIGTERM, signal.SIGINT):
            signal.signal(signum, lambda *_: stop.set())
        parent = os.getppid()
        scheduler = Scheduler(context, owner=owner_name(), names=only or JOB_NAMES, tick_seconds=tick)
        click.echo(
            f"scheduler {scheduler.owner}: {len(scheduler.names)} jobs, a look every {tick:g} s", err=True
        )
        scheduler.run_forever(stop, alive=(lambda: os.getppid() == parent) if with_parent else lambda: True)


@click.command("run-job")
@click.argument("name", type=click.Choice(JOB_NAMES))
@click.option("--if-due", is_flag=True, help="only when its schedule says it is due (for a crontab line)")
@with_appcontext
def run_job_command(name: str, if_due: bool) -> None:
    """Run one scheduled job now under its lease and record the run (exit 1 when it fails)."""
    try:
        run = jobs.run(ctx(), name, owner=owner_name(), trigger="cli", force=not if_due)
    except RegistryError as error:
        raise click.ClickException(error.detail) from None
    if run is None:
        click.echo(f"{name}: not due, or another process holds it; nothing run")
        return
    counts = ", ".join(f"{key} {value}" for key, value in run["counts"].items())
    click.echo(
        f"{name}: {run['status']}; {counts or 'nothing counted'}{'; ' + run['note'] if run['note'] else ''}"
    )
    if run["status"] != "succeeded":
        click.echo(f"error: {run['error']}", err=True)
        raise SystemExit(1)


@click.command("jobs")
@with_appcontext
def jobs_command() -> None:
    """List the scheduled jobs: schedule, last run and its counts, last failure."""
    for job in jobs.overview(ctx()):
        last = job["last_run"]
        line = f"{job['name']:<28} {job['schedule']:<20} "
        if last is None:
            line += "never run"
        else:
            counts = ", ".join(f"{key} {value}" for key, value in last["counts"].items())
            line += f"{last['status']} {last['started_at']:%Y-%m-%d %H:%M} {counts}"
        failure = job["last_failure"]
        if failure and failure["id"] != (last or {}).get("id"):
            line += f"  (last failure {failure['started_at']:%Y-%m-%d %H:%M})"
        click.echo(line.rstrip())
