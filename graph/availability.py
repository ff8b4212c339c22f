"""Availability: (p)-[:UNAVAILABLE]->(a:Availability {id, from, to, reason}), dates inclusive (docs/self-service.md)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import neo4j

from graph.records import native
from registry.availability import Period

# Whether practitioner `p` declared themself unavailable on $day (the draw's panel date).
UNAVAILABLE_ON = "EXISTS { MATCH (p)-[:UNAVAILABLE]->(a:Availability) WHERE a.from <= $day AND a.to >= $day }"

# Taking the person's write lock first makes "check overlaps, then create" one step for concurrent requests.
LOCK_AND_LIST = """
MATCH (p:Practitioner {id: $practitioner_id})
SET p.availability_changed_at = datetime()
RETURN COLLECT { MATCH (p)-[:UNAVAILABLE]->(a:Availability) RETURN a {.id, .from, .to, .reason} ORDER BY a.from }
       AS periods
"""

LIST = """
MATCH (:Practitioner {id: $practitioner_id})-[:UNAVAILABLE]->(a:Availability)
RETURN a {.id, .from, .to, .reason} AS period ORDER BY a.from
"""

CREATE = """
MATCH (p:Practitioner {id: $practitioner_id})
CREATE (p)-[:UNAVAILABLE]->(a:Availability {id: $id, from: $from, to: $to, reason: $reason, created_at: datetime()})
RETURN a {.id, .from, .to, .reason} AS period
"""

DELETE = """
MATCH (:Practitioner {id: $practitioner_id})-[:UNAVAILABLE]->(a:Availability {id: $id})
WITH a, a {.id, .from, .to} AS period
DETACH DELETE a
RETURN period
"""


def _period(row: dict[str, Any]) -> Period:
    return Period(from_=row["from"], to=row["to"], id=row["id"], reason=row.get("reason"))


def lock_periods(tx: neo4j.ManagedTransaction, practitioner_id: str) -> list[Period] | None:
    """Lock the person's record and return their periods (None when no such practitioner)."""
    record = tx.run(LOCK_AND_LIST, practitioner_id=practitioner_id).single()
    return [_period(row) for row in native(record["periods"])] if record else None


def create(
    tx: neo4j.ManagedTransaction, practitioner_id: str, from_: date, to: date, reason: str | None
) -> dict[str, Any]:
    """Store one period; the caller has locked the person and checked it against the others."""
    # `from` is a Python keyword, so it goes in the parameters dict.
    record = tx.run(
        CREATE, {"from": from_}, practitioner_id=practitioner_id, id=str(uuid.uuid4()), to=to, reason=reason
    ).single()
    return native(record["period"])


def of_practitioner(tx: neo4j.ManagedTransaction, practitioner_id: str) -> list[dict[str, Any]]:
    """A person's periods, earliest first."""
    return [native(r["period"]) for r in tx.run(LIST, practitioner_id=practitioner_id)]


def delete(tx: neo4j.ManagedTransaction, practitioner_id: str, period_id: str) -> dict[str, Any] | None:
    """Remove one of the person's periods; the removed period, or None if they have none with that id."""
    record = tx.run(DELETE, practitioner_id=practitioner_id, id=period_id).single()
    return native(record["period"]) if record else None
