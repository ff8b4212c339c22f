"""Declarations for avoidance: (p)-[:DECLARED]->(d:Declaration)-[:CONCERNS]->(o:Organization) (docs/self-service.md).

The expert draw (issue 11) and `/match` read them; `DECLARED_CONFLICT` is the predicate they share.
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import neo4j

from graph.cypher import cypher
from graph.records import native
from registry.declarations import LOOKBACK_YEARS

# Whether practitioner `p` has a declaration that conflicts with organization $conflict_org_id on $today:
# begun, and ongoing or ended within the relationship's look-back ($lookback: relationship → years,
# registry.declarations.LOOKBACK_YEARS).
DECLARED_CONFLICT = """
EXISTS { MATCH (p)-[:DECLARED]->(d:Declaration)-[:CONCERNS]->(:Organization {id: $conflict_org_id})
         WHERE d.from <= $today
           AND (d.to IS NULL OR d.to >= $today - duration({years: coalesce($lookback[d.relationship], 0)})) }
"""

# The conflicting declarations themselves, for a reason a person can check.
# Declared relationships with the organization (graph/declarations.py's windows); the other conflicts are
# services/conflicts.py's, asked from the organization's side.
DECLARED = """
MATCH (p:Practitioner)-[:DECLARED]->(d:Declaration)-[:CONCERNS]->(o:Organization {id: $conflict_org_id})
WHERE d.from <= $today
  AND (d.to IS NULL OR d.to >= $today - duration({years: coalesce($lookback[d.relationship], 0)}))
WITH p, d, o ORDER BY d.from, d.id
RETURN p.id AS id, p.name AS name,
       collect({kind: 'declaration', rule: 'declaration', relationship: d.relationship, organization: o.name,
                since: d.from, until: d.to,
                path: [{from: {type: 'Practitioner', id: p.id, name: p.name}, rel: 'DECLARED',
                        to: {type: 'Organization', id: o.id, name: o.name}, since: d.from, until: d.to}]})
         AS conflicts
"""

DECLARATION_FIELDS = (
    "d {.id, .relationship, .from, .to, .entered_by, .created_at, organization: o {.id, .name, .kind}}"
)

CREATE = cypher(
    """
MATCH (p:Practitioner {id: $practitioner_id})
MATCH (o:Organization {id: $organization_id})
CREATE (p)-[:DECLARED]->(d:Declaration {id: $id, relationship: $relationship, from: $from, to: $to,
                                        entered_by: $entered_by, created_at: datetime()})-[:CONCERNS]->(o)
RETURN""",
    DECLARATION_FIELDS,
    "AS declaration",
)

LIST = cypher(
    """
MATCH (:Practitioner {id: $practitioner_id})-[:DECLARED]->(d:Declaration)-[:CONCERNS]->(o:Organization)
RETURN""",
    DECLARATION_FIELDS,
    "AS declaration",
    "ORDER BY d.from DESC, d.id",
)


def declaration_lookback(window_years: int | None = None) -> dict[str, int]:
    """The `$lookback` parameter: years each relationship conflicts after it ends; `window_years` replaces the
    default window of the relationships that have one (a relative's tie counts only while it lasts)."""
    if window_years is None:
        return dict(LOOKBACK_YEARS)
    return {name: window_years if years else 0 for name, years in LOOKBACK_YEARS.items()}


def create(
    tx: neo4j.ManagedTransaction,
    practitioner_id: str,
    organization_id: str,
    relationship: str,
    from_: date,
    to: date | None,
    entered_by: str,
) -> dict[str, Any]:
    """Store one declaration; the caller has checked the person and organization exist."""
    # `from` is a Python keyword, so it goes in the parameters dict.
    record = tx.run(
        CREATE, {"from": from_}, practitioner_id=practitioner_id, organization_id=organization_id,
        id=str(uuid.uuid4()), relationship=relationship, to=to, entered_by=entered_by,
    ).single()  # fmt: skip
    return native(record["declaration"])


def of_practitioner(tx: neo4j.ManagedTransaction, practitioner_id: str) -> list[dict[str, Any]]:
    """A person's declarations, newest first."""
    return [native(r["declaration"]) for r in tx.run(LIST, practitioner_id=practitioner_id)]


def declared(
    tx: neo4j.ManagedTransaction, conflict_org_id: str, today: date, lookback: dict[str, int]
) -> dict[str, dict[str, Any]]:
    """Who declared a relationship with the organization that still conflicts (DECLARED), by id:
    {id, name, conflicts}."""
    params = {"conflict_org_id": conflict_org_id, "today": today, "lookback": lookback}
    return {record["id"]: native(record.data()) for record in tx.run(DECLARED, params)}
