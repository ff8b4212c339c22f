"""Writing generated public-welfare activities (seed/activities.py) in bulk, in the shape of docs/activities.md:
an Activity with ORGANIZED_BY and its status history (CHANGED → ActivityStatusChange), and JOINED participation.
Each statement creates only what is not stored yet, so loading the same registry twice changes nothing."""

from __future__ import annotations

from typing import Any

import neo4j

from graph.activities import BUMP_CATALOGUE

CREATE_ACTIVITIES = """
UNWIND $activities AS row
MERGE (a:Activity {id: row.id})
ON CREATE SET a += row.props, a._new = true
WITH a, row WHERE a._new
REMOVE a._new
WITH a, row
CALL (a, row) { MATCH (o:Organization {id: row.organizer_id}) CREATE (a)-[:ORGANIZED_BY]->(o) }
CALL (a, row) {
  UNWIND row.changes AS change
  CREATE (a)-[:CHANGED]->(:ActivityStatusChange {`from`: change.from, to: change.to, reason: change.reason,
                                                 at: change.at})
}
RETURN count(a) AS created
"""

CREATE_JOINS = """
UNWIND $joins AS row
MATCH (p:Practitioner {id: row.practitioner_id}), (a:Activity {id: row.activity_id})
WHERE NOT EXISTS { (p)-[:JOINED]->(a) }
CREATE (p)-[j:JOINED]->(a)
SET j = row.props
RETURN count(j) AS created
"""


def create_activities(tx: neo4j.ManagedTransaction, activities: list[dict[str, Any]]) -> int:
    """Create the activities not stored yet (rows of id, organizer_id, props, changes); how many were created."""
    if not activities:
        return 0
    created = tx.run(CREATE_ACTIVITIES, activities=activities).single(strict=True)["created"]
    if created:  # the listing's catalogue is read again (graph/activities.py BUMP_CATALOGUE)
        tx.run(BUMP_CATALOGUE, ids=[row["id"] for row in activities]).consume()
    return created


def create_joins(tx: neo4j.ManagedTransaction, joins: list[dict[str, Any]]) -> int:
    """Create the participations not stored yet (rows of practitioner_id, activity_id, props)."""
    if not joins:
        return 0
    return tx.run(CREATE_JOINS, joins=joins).single(strict=True)["created"]
