"""The scheduled jobs' leases and runs: one `JobLease` per job name, one `JobRun` per run.

A lease is taken in a write transaction that first writes the lease node (so concurrent claims queue on its lock
and each sees the one before it), then lets registry.jobs decide, then records the holder, its expiry and a new
`JobRun {status: 'running'}`. A holder renews while it runs; one that stops loses the lease when it expires, and
whoever takes it next marks that holder's unfinished run failed. Times are stored as Neo4j datetimes and handed
back as native, zone-aware ones; a run's counts are a JSON text (a property holds no map).
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import neo4j

from graph.cypher import cypher

LEASES = "MATCH (l:JobLease) RETURN l.name AS name, l {.*} AS lease"

# Writing the node takes its lock: a second claim waits here until the first commits, then reads what it wrote.
LOCK_LEASE = """
MERGE (l:JobLease {name: $name})
SET l.checked_at = $now
RETURN l {.*} AS lease
"""

# Runs left `running` by a holder whose lease expired: it stopped before it could say how the run ended.
ABANDON_RUNS = """
MATCH (r:JobRun {name: $name})
WHERE r.status = 'running' AND r.owner <> $owner
SET r.status = 'failed', r.finished_at = $now,
    r.error = 'abandoned: the lease expired before its holder finished (the process stopped)'
RETURN count(r) AS abandoned
"""

TAKE_LEASE = """
MATCH (l:JobLease {name: $name})
SET l.owner = $owner, l.expires_at = $expires_at, l.started_at = $now
CREATE (r:JobRun {id: $run_id, name: $name, owner: $owner, trigger: $trigger, slot: $slot,
                  started_at: $now, status: 'running'})
"""

RENEW = """
MATCH (l:JobLease {name: $name, owner: $owner})
SET l.expires_at = $expires_at
RETURN count(l) AS renewed
"""

FINISH_RUN = """
MATCH (r:JobRun {id: $run_id})
SET r.finished_at = $now, r.status = $status, r.counts = $counts, r.note = $note, r.error = $error
"""

# Only the holder releases; a lease another process took meanwhile (this one stalled past its expiry) stays.
RELEASE = """
MATCH (l:JobLease {name: $name, owner: $owner})
SET l.owner = null, l.expires_at = null,
    l.done_slot = CASE WHEN $succeeded THEN $slot ELSE l.done_slot END,
    l.failed_at = CASE WHEN $succeeded THEN null ELSE $now END
"""

PRUNE_RUNS = """
MATCH (r:JobRun {name: $name})
WITH r ORDER BY r.started_at DESC
SKIP $keep
DELETE r
"""

REQUEST = """
MERGE (l:JobLease {name: $name})
SET l.requested_at = $now
RETURN l {.*} AS lease
"""

_RUN = "r {.id, .name, .owner, .trigger, .slot, .started_at, .finished_at, .status, .counts, .note, .error}"

OVERVIEW = cypher(
    "UNWIND $names AS name",
    "OPTIONAL MATCH (l:JobLease {name: name})",
    "RETURN name, l {.*} AS lease,",
    "  COLLECT { MATCH (r:JobRun {name: name})",
    "            RETURN", _RUN, "AS run ORDER BY r.started_at DESC LIMIT 1 } AS last_run,",
    "  COLLECT { MATCH (r:JobRun {name: name}) WHERE r.status = 'failed'",
    "            RETURN", _RUN, "AS run ORDER BY r.started_at DESC LIMIT 1 } AS last_failure",
)  # fmt: skip

RUNS = cypher(
    "MATCH (r:JobRun {name: $name})",
    "WITH r ORDER BY r.started_at DESC SKIP $skip LIMIT $limit",
    "RETURN", _RUN, "AS run",
)  # fmt: skip

COUNT_RUNS = "MATCH (r:JobRun {name: $name}) RETURN count(r) AS total"


def _native(values: dict[str, Any] | None) -> dict[str, Any] | None:
    """Neo4j's temporal values as Python's."""
    if values is None:
        return None
    return {key: value.to_native() if hasattr(value, "to_native") else value for key, value in values.items()}


def leases(tx: neo4j.ManagedTransaction) -> dict[str, dict[str, Any]]:
    """Every job's stored lease by name."""
    return {r["name"]: _native(r["lease"]) or {} for r in tx.run(LEASES)}


def lock_lease(tx: neo4j.ManagedTransaction, name: str, now: datetime) -> dict[str, Any]:
    """The job's lease, created when missing and locked for the rest of `tx`."""
    return _native(tx.run(LOCK_LEASE, name=name, now=now).single(strict=True)["lease"]) or {}


def take_lease(
    tx: neo4j.ManagedTransaction,
    name: str,
    *,
    owner: str,
    now: datetime,
    expires_at: datetime,
    run_id: str,
    trigger: str,
    slot: datetime,
) -> int:
    """Hold the locked lease as `owner` until `expires_at` and start run `run_id`; how many abandoned runs of
    an earlier holder were marked failed."""
    abandoned = tx.run(ABANDON_RUNS, name=name, owner=owner, now=now).single(strict=True)["abandoned"]
    tx.run(
        TAKE_LEASE, name=name, owner=owner, now=now, expires_at=expires_at, run_id=run_id, trigger=trigger,
        slot=slot,
    ).consume()  # fmt: skip
    return abandoned


def renew(tx: neo4j.ManagedTransaction, name: str, owner: str, expires_at: datetime) -> bool:
    """Extend `owner`'s lease; False when it no longer holds it."""
    return tx.run(RENEW, name=name, owner=owner, expires_at=expires_at).single(strict=True)["renewed"] > 0


def finish(
    tx: neo4j.ManagedTransaction,
    run: dict[str, Any],
    *,
    now: datetime,
    status: str,
    counts: str,
    note: str | None,
    error: str | None,
    keep: int,
) -> None:
    """Record how run `run` ended, release its lease (its slot done when it succeeded) and drop old runs."""
    tx.run(
        FINISH_RUN, run_id=run["id"], now=now, status=status, counts=counts, note=note, error=error
    ).consume()
    tx.run(
        RELEASE,
        name=run["name"],
        owner=run["owner"],
        now=now,
        slot=run["slot"],
        succeeded=status == "succeeded",
    ).consume()
    tx.run(PRUNE_RUNS, name=run["name"], keep=keep).consume()


def request(tx: neo4j.ManagedTransaction, name: str, now: datetime) -> dict[str, Any]:
    """Ask for a run of `name` at the scheduler's next tick; the lease as it now is."""
    return _native(tx.run(REQUEST, name=name, now=now).single(strict=True)["lease"]) or {}


def overview(tx: neo4j.ManagedTransaction, names: list[str]) -> list[dict[str, Any]]:
    """Each job's lease, last run and last failure, in the order of `names`."""
    return [
        {
            "name": r["name"],
            "lease": _native(r["lease"]) or {},
            "last_run": _native(r["last_run"][0]) if r["last_run"] else None,
            "last_failure": _native(r["last_failure"][0]) if r["last_failure"] else None,
        }
        for r in tx.run(OVERVIEW, names=names)
    ]


def runs(
    tx: neo4j.ManagedTransaction, name: str, page: int, per_page: int
) -> tuple[list[dict[str, Any]], int]:
    """A page of a job's runs, newest first, and how many it has."""
    found = tx.run(RUNS, name=name, skip=(page - 1) * per_page, limit=per_page)
    items = [_native(r["run"]) or {} for r in found]
    return items, tx.run(COUNT_RUNS, name=name).single(strict=True)["total"]
