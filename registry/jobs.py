"""The scheduled jobs' rules: their names and schedules, the slot a schedule is in, and when a job may be claimed.

A schedule divides time into slots: a daily job's slot starts at its time of day, an hourly job's at its minute
past each hour, an every-N-minutes job's at each multiple of N minutes since midnight. A job is due once per slot:
when the slot it last finished well in is older than the current one. A failed run is tried again after
`RETRY_AFTER` in the same slot; a run asked for by an administrator (`requested_at`) runs at the next tick
whatever the slot. Times are the host's local, time-zone-aware ones (the registry's day is the host's day, as
`date.today()` everywhere else). services/scheduler.py runs the loop; graph/jobs.py stores the leases.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from datetime import datetime, time, timedelta
from typing import Any

DAILY, HOURLY, EVERY = "daily", "hourly", "every"

# How long a holder may keep a job before another host may take it: the runner renews the lease every third
# of this while the job runs, so only a holder that stopped (crashed, frozen, cut off) loses it.
LEASE = timedelta(minutes=5)
# A failed run is retried in the same slot after this, not at every tick.
RETRY_AFTER = timedelta(minutes=10)
# How often the scheduler looks for due jobs (the smallest useful every-N-minutes step is this).
TICK_SECONDS = 20.0
# Runs kept per job (older ones are deleted when a run finishes): a month of an hourly job.
RUNS_KEPT = 720

STATUSES = ("running", "succeeded", "failed")


@dataclass(frozen=True)
class Job:
    """A scheduled job: its name, when it runs and what it does."""

    name: str
    schedule: Schedule
    description: str


@dataclass(frozen=True)
class Schedule:
    """When a job runs: `daily` at `at`, `hourly` at minute `minute`, or `every` `minutes` minutes."""

    kind: str
    at: time | None = None
    minute: int = 0
    minutes: int = 0

    def __str__(self) -> str:
        if self.kind == DAILY:
            assert self.at is not None
            return f"daily at {self.at.strftime('%H:%M')}"
        if self.kind == HOURLY:
            return f"hourly at :{self.minute:02d}"
        return "every minute" if self.minutes == 1 else f"every {self.minutes} minutes"


def daily(at: str) -> Schedule:
    """Every day at `at` ("HH:MM", local time)."""
    return Schedule(DAILY, at=time.fromisoformat(at))


def hourly(minute: int = 0) -> Schedule:
    """Every hour at `minute` past."""
    if not 0 <= minute < 60:
        raise ValueError(f"minute {minute} is not 0–59")
    return Schedule(HOURLY, minute=minute)


def every(minutes: int) -> Schedule:
    """Every `minutes` minutes (a divisor of a day: 1, 5, 10, 15, 30, …), counted from midnight."""
    if minutes < 1 or (24 * 60) % minutes:
        raise ValueError(f"every {minutes} minutes does not divide a day")
    return Schedule(EVERY, minutes=minutes)


_TEXT = re.compile(r"^(?:daily at (\d\d:\d\d)|hourly at :(\d\d)|every (\d+ )?minutes?)$")


def parse(text: str) -> Schedule:
    """A schedule from how it is written (`daily at 02:30`, `hourly at :05`, `every 15 minutes`, `every minute`)."""
    found = _TEXT.match(text.strip())
    if not found:
        raise ValueError(f"{text!r} is not 'daily at HH:MM', 'hourly at :MM' nor 'every N minutes'")
    at, minute, minutes = found.groups()
    if at:
        return daily(at)
    return hourly(int(minute)) if minute else every(int(minutes or 1))


def slot_start(schedule: Schedule, now: datetime) -> datetime:
    """The start of the slot `now` is in: the latest scheduled instant at or before `now`."""
    midnight = now.replace(hour=0, minute=0, second=0, microsecond=0)
    if schedule.kind == DAILY:
        assert schedule.at is not None
        today = midnight.replace(hour=schedule.at.hour, minute=schedule.at.minute)
        return today if today <= now else today - timedelta(days=1)
    if schedule.kind == HOURLY:
        this_hour = now.replace(minute=schedule.minute, second=0, microsecond=0)
        return this_hour if this_hour <= now else this_hour - timedelta(hours=1)
    minutes = (now.hour * 60 + now.minute) // schedule.minutes * schedule.minutes
    return midnight + timedelta(minutes=minutes)


def next_run(schedule: Schedule, now: datetime) -> datetime:
    """The start of the slot after the one `now` is in."""
    start = slot_start(schedule, now)
    step = {DAILY: timedelta(days=1), HOURLY: timedelta(hours=1)}.get(schedule.kind)
    return start + (step or timedelta(minutes=schedule.minutes))


@dataclass(frozen=True)
class Lease:
    """A job's lease as stored: who holds it until when, when a run last started, the slot it last finished
    well, its last failure, and an administrator's request to run it now."""

    owner: str | None = None
    expires_at: datetime | None = None
    done_slot: datetime | None = None
    failed_at: datetime | None = None
    requested_at: datetime | None = None
    started_at: datetime | None = None

    @classmethod
    def of(cls, stored: dict[str, Any] | None) -> Lease:
        """The lease from its stored properties (None: a job that never ran)."""
        return cls(**{key: value for key, value in (stored or {}).items() if key in cls.__dataclass_fields__})


def held(lease: Lease, now: datetime, by: str | None = None) -> bool:
    """Whether someone (other than `by`) holds the lease now; an expired lease is nobody's."""
    return (
        lease.owner is not None
        and lease.owner != by
        and lease.expires_at is not None
        and lease.expires_at > now
    )


def requested(lease: Lease) -> bool:
    """Whether an administrator asked for a run that has not started since."""
    return lease.requested_at is not None and (
        lease.started_at is None or lease.requested_at > lease.started_at
    )


def due(schedule: Schedule, lease: Lease, now: datetime) -> bool:
    """Whether the job should run now: asked for, or its slot not yet done well (and not failed just now)."""
    if requested(lease):
        return True
    if lease.done_slot is not None and lease.done_slot >= slot_start(schedule, now):
        return False
    return lease.failed_at is None or lease.failed_at + RETRY_AFTER <= now


def claimable(schedule: Schedule, lease: Lease, now: datetime, owner: str) -> bool:
    """Whether `owner` may take the job now: it is due and nobody else holds it."""
    return due(schedule, lease, now) and not held(lease, now, by=owner)


# The jobs, in the order they are listed. Daily ones run after midnight so that they see the new day; the audit
# checkpoint signs the day that just ended ("at the next day's start", services/audit.py); reminders and
# notifications need services/notifications.py (services/jobs.py says so in a run's note while it is missing).
_JOBS = (
    Job(
        "sign_audit_checkpoint",
        daily("00:05"),
        "sign the audit chain's head as the checkpoint of the day that ended",
    ),
    Job(
        "expire_certificates",
        daily("00:15"),
        "mark certificates past their expiry date expired, update the pools",
    ),
    Job("end_sanctions", daily("00:20"), "let people whose suspension ended back into their pools"),
    Job("integrity_scan", daily("02:30"), "scan the graph for anomalies (the integrity queue)"),
    Job(
        "certificate_expiry_notices",
        daily("08:00"),
        "queue notices of certificates expiring in 90 and 30 days",
    ),
    Job(
        "lapse_invitations", every(15), "lapse draw invitations past their deadline and call the next reserve"
    ),
    Job("send_reminders", hourly(10), "remind invited experts before their invitation's deadline"),
    Job(
        "deliver_notifications",
        every(1),
        "deliver queued notifications (e-mail, SMS) with retries and back-off",
    ),
)
JOBS: dict[str, Job] = {job.name: job for job in _JOBS}
JOB_NAMES: tuple[str, ...] = tuple(JOBS)
