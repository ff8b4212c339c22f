"""The scheduler's loop: every tick, run each job that is due and that no other host holds, one after another.

A loop of our own rather than APScheduler: the schedules are three kinds (registry/jobs.py), the state that
matters — which slot is done, who holds a job — has to live in Neo4j for two hosts to share it, and APScheduler 3
keeps its own job store, which "must never be shared between schedulers" (its user guide), so the lease would be
needed anyway.
docs/jobs.md says more. `flask registry scheduler` runs it; `make serve` starts that beside gunicorn.
"""

from __future__ import annotations

import logging
import os
import socket
import threading
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

import neo4j

from graph import jobs as repo
from registry.jobs import JOB_NAMES, JOBS, TICK_SECONDS, Lease, claimable, requested
from services import jobs
from services.context import Context

log = logging.getLogger("registry.scheduler")


def owner_name() -> str:
    """This process as a lease holder: host, process id and a random part (a restarted process is another)."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:8]}"


class Scheduler:
    """Runs the due jobs of `names` (all by default) at each `tick`, as `owner`."""

    def __init__(
        self,
        ctx: Context,
        *,
        owner: str | None = None,
        names: tuple[str, ...] = JOB_NAMES,
        tick_seconds: float = TICK_SECONDS,
    ) -> None:
        self.ctx = ctx
        self.owner = owner or owner_name()
        self.names = names
        self.tick_seconds = tick_seconds

    def tick(self, now: datetime | None = None) -> list[dict[str, Any]]:
        """Run every job that looks due now (the claim decides again under the lease's lock); the runs made.
        `now` stands for the clock in tests; otherwise each job starts at the time it really starts."""
        given, now = now, now or datetime.now().astimezone()
        leases = self.ctx.graph.read(repo.leases)
        ran = []
        for name in self.names:
            lease = Lease.of(leases.get(name))
            if claimable(JOBS[name].schedule, lease, now, self.owner):
                trigger = "request" if requested(lease) else "schedule"
                run = jobs.run(self.ctx, name, owner=self.owner, now=given, trigger=trigger)
                if run is not None:
                    ran.append(run)
        return ran

    def run_forever(self, stop: threading.Event, alive: Callable[[], bool] = lambda: True) -> None:
        """Tick until `stop` is set or `alive()` says the process that started this one is gone."""
        log.info("scheduler started", extra={"fields": {"owner": self.owner, "jobs": len(self.names)}})
        while not stop.is_set() and alive():
            try:
                self.tick()
            except (neo4j.exceptions.Neo4jError, neo4j.exceptions.DriverError):
                # The graph is down or busy: the next tick tries again (jobs.run has recorded what it could).
                log.warning("scheduler tick failed", exc_info=True)
            # In steps of a second, so that the scheduler follows its parent out within one.
            waited = 0.0
            while (
                waited < self.tick_seconds and not stop.wait(min(1.0, self.tick_seconds - waited)) and alive()
            ):
                waited += 1.0
        log.info("scheduler stopped", extra={"fields": {"owner": self.owner}})
