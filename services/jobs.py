"""The scheduled jobs: what each one does, running one under its lease, asking for a run, and their last runs.

Each job calls the same idempotent service as its CLI command (`flask registry expire-certificates`, …), so a
cron line and the scheduler can both run it; those services audit the changes they make. The lease
(graph/jobs.py) keeps two hosts from running one job at once; every run is recorded as a `JobRun`.
"""

from __future__ import annotations

import json
import logging
import threading
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from datetime import datetime, timedelta
from typing import Any

import neo4j

from graph import jobs as repo
from registry.audit import Actor
from registry.errors import Conflict, NotFound, RegistryError
from registry.jobs import (
    JOB_NAMES,
    JOBS,
    LEASE,
    RUNS_KEPT,
    Job,
    Lease,
    claimable,
    held,
    next_run,
    requested,
    slot_start,
)
from registry.masking import redact_text
from services import (
    audit,
    certificates,
    draws,
    integrity,
    misconduct,
    notification_events,
    notification_sender,
)
from services.context import Context, Page

log = logging.getLogger("registry.jobs")

# Who the scheduled runs' audit entries name as the actor.
SCHEDULER = Actor(kind="cli", role="admin", label="scheduler")


@dataclass(frozen=True)
class Outcome:
    """What a run did: counts by what they count, and a remark."""

    counts: dict[str, int]
    note: str | None = None


def _expire_certificates(ctx: Context, _now: datetime) -> Outcome:
    return Outcome({"expired": certificates.expire_due(ctx)})


def _end_sanctions(ctx: Context, _now: datetime) -> Outcome:
    return Outcome({"practitioners": misconduct.end_sanctions(ctx)})


def _lapse_invitations(ctx: Context, now: datetime) -> Outcome:
    return Outcome({"draws": draws.lapse_invitations(ctx, now=now)})


def _sign_audit_checkpoint(ctx: Context, _now: datetime) -> Outcome:
    # The day that just ended: the job runs after midnight (registry/jobs.py), "at the next day's start".
    signed = audit.checkpoint(ctx, ctx.today - timedelta(days=1))
    return Outcome({"head_seq": signed.seq}, note=f"checkpoint of {signed.day}, key {signed.key_id}")


def _integrity_scan(ctx: Context, _now: datetime) -> Outcome:
    result = integrity.scan(ctx)
    totals = {"found": 0, "created": 0, "refreshed": 0}
    for counts in result["counts"].values():
        for key in totals:
            totals[key] += counts[key]
    return Outcome(totals, note=f"scan {result['scan_id']}{' (resumed)' if result['resumed'] else ''}")


def _counted(found: dict[str, Any]) -> dict[str, int]:
    """The whole-number counts of a result (the sender's also holds counts by channel)."""
    return {key: value for key, value in found.items() if isinstance(value, int)}


def _certificate_expiry_notices(ctx: Context, _now: datetime) -> Outcome:
    return Outcome(_counted(notification_events.queue_expiry_notices(ctx, ctx.today)))


def _send_reminders(ctx: Context, now: datetime) -> Outcome:
    return Outcome(_counted(notification_events.queue_invitation_reminders(ctx, now)))


def _deliver_notifications(ctx: Context, _now: datetime) -> Outcome:
    # The sender reads the clock itself: its claims on deliveries must expire by real time, however long it sends.
    return Outcome(_counted(notification_sender.deliver_pending(ctx)))


# Each runs on the day and at the time the scheduler says (`ctx.today`, `now`), so a test can stand at any moment.
RUNNERS: dict[str, Callable[[Context, datetime], Outcome]] = {
    "sign_audit_checkpoint": _sign_audit_checkpoint,
    "expire_certificates": _expire_certificates,
    "end_sanctions": _end_sanctions,
    "integrity_scan": _integrity_scan,
    "certificate_expiry_notices": _certificate_expiry_notices,
    "lapse_invitations": _lapse_invitations,
    "send_reminders": _send_reminders,
    "deliver_notifications": _deliver_notifications,
}
assert set(RUNNERS) == set(JOB_NAMES), "every job in registry/jobs.py has a runner"


def _now() -> datetime:
    return datetime.now().astimezone()


def _job(name: str) -> Job:
    if name not in JOBS:
        raise NotFound(f"there is no job {name!r}; the jobs: {', '.join(JOB_NAMES)}", name=name)
    return JOBS[name]


def _claim(
    ctx: Context, name: str, owner: str, now: datetime, trigger: str, force: bool
) -> dict[str, Any] | None:
    job = _job(name)

    def work(tx: neo4j.ManagedTransaction) -> dict[str, Any] | None:
        lease = Lease.of(repo.lock_lease(tx, name, now))
        if held(lease, now, by=owner):
            if force:
                raise Conflict(
                    f"{name} is running on {lease.owner} until at least {lease.expires_at}", name=name
                )
            return None
        if not force and not claimable(job.schedule, lease, now, owner):
            return None
        run = {"id": str(uuid.uuid4()), "name": name, "owner": owner, "slot": slot_start(job.schedule, now)}
        abandoned = repo.take_lease(
            tx, name, owner=owner, now=now, expires_at=now + LEASE, run_id=run["id"], trigger=trigger,
            slot=run["slot"],
        )  # fmt: skip
        if abandoned:
            log.warning("job run abandoned", extra={"fields": {"job": name, "abandoned": abandoned}})
        return run

    return ctx.graph.write(work)


def _renewing(ctx: Context, run: dict[str, Any], stop: threading.Event) -> None:
    """Extend the lease every third of its length until `stop` (the job has ended)."""
    while not stop.wait(LEASE.total_seconds() / 3):
        try:
            if not ctx.graph.write(repo.renew, run["name"], run["owner"], _now() + LEASE):
                log.warning("job lease lost", extra={"fields": {"job": run["name"], "run": run["id"]}})
                return
        except (neo4j.exceptions.Neo4jError, neo4j.exceptions.DriverError):
            log.warning("job lease not renewed", extra={"fields": {"job": run["name"]}}, exc_info=True)


def _error_text(error: BaseException) -> str:
    """What went wrong, short; a domain error's detail, otherwise the exception's type and message."""
    text = error.detail if isinstance(error, RegistryError) else f"{type(error).__name__}: {error}"
    return redact_text(text)[:500]


def run(
    ctx: Context,
    name: str,
    *,
    owner: str,
    now: datetime | None = None,
    trigger: str = "schedule",
    force: bool = False,
) -> dict[str, Any] | None:
    """Run job `name` if it is due (or `force`: now, whatever its schedule) and nobody holds it; its run as
    recorded, or None when it was not due or another holder had it. A forced run another holds is a Conflict.
    The job's own error is recorded on the run, which is returned failed; the lease is released either way."""
    now = now or _now()
    claimed = _claim(ctx, name, owner, now, trigger, force)
    if claimed is None:
        return None
    stop = threading.Event()
    renewer = threading.Thread(target=_renewing, args=(ctx, claimed, stop), name=f"lease-{name}", daemon=True)
    renewer.start()
    status, outcome, error = "succeeded", Outcome({}), None
    try:
        outcome = RUNNERS[name](replace(ctx, today=now.date()), now)
    except Exception as failure:  # any failure is the run's to record, and the lease to release
        status, error = "failed", _error_text(failure)
        log.error("job failed", extra={"fields": {"job": name, "run": claimed["id"]}}, exc_info=True)
    finally:
        stop.set()
        renewer.join()
    finished = _now()
    ctx.graph.write(
        repo.finish, claimed, now=finished, status=status, counts=json.dumps(outcome.counts), note=outcome.note,
        error=error, keep=RUNS_KEPT,
    )  # fmt: skip
    log.info("job ran", extra={"fields": {"job": name, "status": status, **outcome.counts}})
    return {
        **claimed, "trigger": trigger, "started_at": now, "finished_at": finished, "status": status,
        "counts": outcome.counts, "note": outcome.note, "error": error,
    }  # fmt: skip


def request_run(ctx: Context, name: str) -> dict[str, Any]:
    """Ask the scheduler to run `name` at its next tick, whatever the schedule (audited); the job as listed."""
    _job(name)

    def work(tx: neo4j.ManagedTransaction) -> None:
        repo.request(tx, name, _now())
        audit.record(tx, ctx, "job", name, "request_run")

    ctx.graph.write(work)
    return overview(ctx, [name])[0]


def _present_run(stored: dict[str, Any] | None) -> dict[str, Any] | None:
    if stored is None:
        return None
    return {**stored, "counts": json.loads(stored["counts"]) if stored.get("counts") else {}}


def overview(ctx: Context, names: list[str] | None = None) -> list[dict[str, Any]]:
    """Every job (or those named) with its schedule, its next slot, its lease, last run and last failure."""
    now = _now()
    found = ctx.graph.read(repo.overview, list(names or JOB_NAMES))
    items = []
    for row in found:
        job = JOBS[row["name"]]
        lease = Lease.of(row["lease"])
        items.append(
            {
                "name": job.name,
                "schedule": str(job.schedule),
                "description": job.description,
                "next_run_at": next_run(job.schedule, now),
                "running": held(lease, now),
                "requested_at": lease.requested_at if requested(lease) else None,
                "last_run": _present_run(row["last_run"]),
                "last_failure": _present_run(row["last_failure"]),
            }
        )
    return items


def runs(ctx: Context, name: str, page: int, per_page: int) -> Page:
    """A page of a job's runs, newest first."""
    _job(name)
    items, total = ctx.graph.read(repo.runs, name, page, per_page)
    return Page([_present_run(item) for item in items], total)
