"""Groups of companies: `(:Organization)-[:CONTROLLED_BY {kind, share, since, until}]->(:Organization)` (issue 23).

A relation is never deleted: ending it sets `until` (and `end_reason`). Relations whose `until` is unset are in
force; only those take part in the rule against cycles of control (registry/groups.py).
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, LiteralString

import neo4j

from graph.cypher import cypher
from graph.records import native

RELATION_VIEW = """
{child: c {.id, .name, .kind}, parent: p {.id, .name, .kind}, kind: r.kind, share: r.share, since: r.since,
 until: r.until, end_reason: r.end_reason, recorded_at: r.recorded_at}
"""

# Control changes are rare administrative writes; one lock makes them take turns, so two relations entered at
# once can never close a cycle that neither saw.
LOCK_CONTROL = "MERGE (l:ControlLock {id: 'registry'}) SET l._lock = true REMOVE l._lock"

# The relations in force above the parent: every chain of control that leads up from it.
CONTROL_ABOVE = """
MATCH path = (:Organization {id: $id})-[:CONTROLLED_BY*1..50]->(:Organization)
WHERE all(r IN relationships(path) WHERE r.until IS NULL)
UNWIND relationships(path) AS r
RETURN DISTINCT startNode(r).id AS child, endNode(r).id AS parent
"""

ADD_RELATION = cypher(
    """
MATCH (c:Organization {id: $child_id}), (p:Organization {id: $parent_id})
CREATE (c)-[r:CONTROLLED_BY {kind: $kind, share: $share, since: $since, until: $until, recorded_at: datetime()}]->(p)
RETURN""",
    RELATION_VIEW,
    "AS relation",
)

# The relation in force between the two (at most one: a second is refused while the first lasts).
RELATION_IN_FORCE = cypher(
    """
MATCH (c:Organization {id: $child_id})-[r:CONTROLLED_BY]->(p:Organization {id: $parent_id})
WHERE r.until IS NULL
RETURN""",
    RELATION_VIEW,
    "AS relation",
)

END_RELATION = cypher(
    """
MATCH (c:Organization {id: $child_id})-[r:CONTROLLED_BY]->(p:Organization {id: $parent_id})
WHERE r.until IS NULL
SET r.until = $until, r.end_reason = $reason, r.ended_at = datetime()
RETURN""",
    RELATION_VIEW,
    "AS relation",
)


def _group_statement(reach: LiteralString) -> LiteralString:
    """The group of an organization: everyone reachable through CONTROLLED_BY in either direction within
    the steps `reach` matches (ended relations included, with their dates), and every relation among them."""
    return cypher(
        "MATCH (o:Organization {id: $id})",
        "CALL (o) {",
        reach,
        "  RETURN m, min(length(path)) AS distance",
        "}",
        "WITH o, m, distance ORDER BY distance, m.name, m.id",
        "WITH o, collect(CASE WHEN m IS NOT NULL THEN {node: m, distance: distance} END) AS found",
        "WITH o, found, [o] + [f IN found | f.node] AS nodes",
        "CALL (nodes) {",
        "  UNWIND nodes AS c",
        "  MATCH (c)-[r:CONTROLLED_BY]->(p:Organization) WHERE p IN nodes",
        "  WITH c, r, p ORDER BY p.name, p.id, c.name, c.id, r.since",
        "  RETURN collect(", RELATION_VIEW, ") AS relations",
        "}",
        "RETURN o {.id, .name, .kind} AS organization, relations,",
        "       [f IN found | {id: f.node.id, name: f.node.name, kind: f.node.kind, distance: f.distance}] AS members",
    )  # fmt: skip


# A variable-length bound cannot be a parameter: one statement per allowed depth (registry/groups.py's bounds).
GROUP: Mapping[int, LiteralString] = {
    1: _group_statement("OPTIONAL MATCH path = (o)-[:CONTROLLED_BY*1..1]-(m:Organization) WHERE m <> o"),
    2: _group_statement("OPTIONAL MATCH path = (o)-[:CONTROLLED_BY*1..2]-(m:Organization) WHERE m <> o"),
    3: _group_statement("OPTIONAL MATCH path = (o)-[:CONTROLLED_BY*1..3]-(m:Organization) WHERE m <> o"),
    4: _group_statement("OPTIONAL MATCH path = (o)-[:CONTROLLED_BY*1..4]-(m:Organization) WHERE m <> o"),
    5: _group_statement("OPTIONAL MATCH path = (o)-[:CONTROLLED_BY*1..5]-(m:Organization) WHERE m <> o"),
}


def lock(tx: neo4j.ManagedTransaction) -> None:
    """Take the lock every change to control relations takes."""
    tx.run(LOCK_CONTROL).consume()


def control_above(tx: neo4j.ManagedTransaction, organization_id: str) -> list[tuple[str, str]]:
    """The relations in force on the chains of control above the organization, as (child, parent) ids."""
    return [(r["child"], r["parent"]) for r in tx.run(CONTROL_ABOVE, id=organization_id)]


def in_force(tx: neo4j.ManagedTransaction, child_id: str, parent_id: str) -> dict[str, Any] | None:
    """The relation in force between the two, or None."""
    record = tx.run(RELATION_IN_FORCE, child_id=child_id, parent_id=parent_id).single()
    return native(record["relation"]) if record else None


def add(tx: neo4j.ManagedTransaction, child_id: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """Record the relation (both organizations must exist); its view."""
    record = tx.run(
        ADD_RELATION, child_id=child_id, parent_id=data["parent_id"], kind=data["kind"],
        share=data.get("share"), since=data["since"], until=data.get("until"),
    ).single()  # fmt: skip
    return native(record["relation"])


def end(
    tx: neo4j.ManagedTransaction, child_id: str, parent_id: str, until: date, reason: str | None
) -> dict[str, Any]:
    """Set `until` on the relation in force between the two; its view."""
    record = tx.run(END_RELATION, child_id=child_id, parent_id=parent_id, until=until, reason=reason).single()
    return native(record["relation"])


def group(tx: neo4j.ManagedTransaction, organization_id: str, depth: int) -> dict[str, Any] | None:
    """The organization's group within `depth` steps; None when the organization is unknown."""
    record = tx.run(GROUP[depth], id=organization_id).single()
    return native(record.data()) if record else None
