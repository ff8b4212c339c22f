"""Employment history: every `(:Practitioner)-[:EMPLOYED_BY {since, until}]->(:Organization)` of a person, the
current one (no `until`) and the closed ones (issue 23)."""

from __future__ import annotations

from datetime import date
from typing import Any

import neo4j

from graph.records import native

# Every employment of the person, the current one first, then the latest start first.
EMPLOYMENTS = """
MATCH (:Practitioner {id: $id})-[e:EMPLOYED_BY]->(o:Organization)
RETURN {id: e.id, organization: o {.id, .name, .kind}, since: e.since, until: e.until, current: e.until IS NULL,
        recorded_at: e.recorded_at} AS employment
ORDER BY e.until IS NULL DESC, e.since DESC, coalesce(e.until, date('9999-12-31')) DESC, o.name, o.id
"""

# A new fact beside the others; an `id` and `recorded_at` tell it from the ones the employer field wrote.
ADD_EMPLOYMENT = """
MATCH (p:Practitioner {id: $id}), (o:Organization {id: $organization_id})
CREATE (p)-[:EMPLOYED_BY {id: $employment_id, since: $since, until: $until, recorded_at: datetime()}]->(o)
"""


# A corrected fact is kept under a type of its own, so every reader of EMPLOYED_BY (the profile, matching, draws)
# sees only the facts in force; `corrected_by` names the employment that replaced it.
SET_ASIDE = """
MATCH (p:Practitioner {id: $id})-[e:EMPLOYED_BY]->(o:Organization {id: $organization_id})
WHERE e.since = $since
WITH p, e, o ORDER BY e.until IS NULL DESC, e.until DESC LIMIT 1
CREATE (p)-[c:CORRECTED_EMPLOYMENT]->(o)
SET c = properties(e), c.corrected_at = datetime(), c.corrected_by = $employment_id
DELETE e
"""


def employments(tx: neo4j.ManagedTransaction, practitioner_id: str) -> list[dict[str, Any]]:
    """The person's employments, current first, then by start, latest first."""
    return [native(record["employment"]) for record in tx.run(EMPLOYMENTS, id=practitioner_id)]


def add(
    tx: neo4j.ManagedTransaction,
    practitioner_id: str,
    employment_id: str,
    organization_id: str,
    since: date,
    until: date | None,
) -> None:
    """Record one employment (both ends must exist)."""
    tx.run(
        ADD_EMPLOYMENT, id=practitioner_id, employment_id=employment_id, organization_id=organization_id,
        since=since, until=until,
    ).consume()  # fmt: skip


def set_aside(
    tx: neo4j.ManagedTransaction, practitioner_id: str, organization_id: str, since: date, employment_id: str
) -> None:
    """Keep the employment with this organization that started on `since` as a corrected fact, out of the
    history in force."""
    tx.run(
        SET_ASIDE,
        id=practitioner_id,
        organization_id=organization_id,
        since=since,
        employment_id=employment_id,
    ).consume()
