"""Complaints in the graph: `(c:Complaint)-[:ABOUT]->(p | e)`, triaged by events `(c)-[:HAS_EVENT]->(:ComplaintEvent)`."""

from __future__ import annotations

from typing import Any

import neo4j

from graph.cypher import cypher
from graph.records import native

CREATE_COMPLAINT = """
OPTIONAL MATCH (p:Practitioner {id: $practitioner_id})
OPTIONAL MATCH (e:Engagement {id: $engagement_id})
WITH coalesce(p, e) AS about
WHERE about IS NOT NULL
CREATE (c:Complaint {id: $id, text: $text, status: 'received', created_at: datetime(), created_on: $today,
                     filed_by: $filed_by, filer_role: $filer_role, contact_email: $contact_email})
CREATE (c)-[:ABOUT]->(about)
CREATE (c)-[:HAS_EVENT]->(:ComplaintEvent {status: 'received', reason: 'filed', at: datetime(), by: $filed_by})
RETURN c.id AS id
"""

COMPLAINT_VIEW = """
c {.id, .text, .status, .created_at, .created_on, .filed_by, .filer_role,
   practitioner_id: COLLECT { MATCH (c)-[:ABOUT]->(p:Practitioner) RETURN p.id }[0],
   engagement_id: COLLECT { MATCH (c)-[:ABOUT]->(e:Engagement) RETURN e.id }[0],
   steps: COLLECT { MATCH (c)-[:HAS_EVENT]->(ev:ComplaintEvent)
                    WITH ev ORDER BY ev.at RETURN ev {.status, .reason, .at, .by} },
   record_id: COLLECT { MATCH (r:MisconductRecord)-[:FROM_COMPLAINT]->(c) RETURN r.id }[0]
}
"""

GET_COMPLAINT = cypher("MATCH (c:Complaint {id: $id}) RETURN", COMPLAINT_VIEW, "AS complaint")

LIST_COMPLAINTS = cypher(
    """
MATCH (c:Complaint)
WHERE ($status IS NULL OR c.status = $status)
  AND ($practitioner_id IS NULL OR EXISTS { (c)-[:ABOUT]->(:Practitioner {id: $practitioner_id}) })
WITH c ORDER BY c.created_at DESC, c.id
WITH collect(c) AS matches
RETURN size(matches) AS total, [c IN matches[$skip..$skip + $limit] |""",
    COMPLAINT_VIEW,
    "] AS items",
)

SET_COMPLAINT_STATUS = """
MATCH (c:Complaint {id: $id}) WHERE c.status = $current
SET c.status = $status, c.updated_at = datetime()
CREATE (c)-[:HAS_EVENT]->(:ComplaintEvent {status: $status, reason: $reason, at: datetime(), by: $by})
RETURN c.id AS id
"""

# Who an engagement complaint is about: its team (an upheld one may become a record for one of them).
ENGAGEMENT_TEAM = "MATCH (p:Practitioner)-[:WORKED_ON]->(:Engagement {id: $id}) RETURN collect(p.id) AS team"


def create_complaint(tx: neo4j.ManagedTransaction, **props: Any) -> bool:
    """File a complaint about a practitioner or an engagement; False if neither exists."""
    return tx.run(CREATE_COMPLAINT, props).single() is not None


def get_complaint(tx: neo4j.ManagedTransaction, complaint_id: str) -> dict[str, Any] | None:
    """One complaint with its steps."""
    record = tx.run(GET_COMPLAINT, id=complaint_id).single()
    return native(record["complaint"]) if record else None


def list_complaints(
    tx: neo4j.ManagedTransaction, filters: dict[str, Any], skip: int, limit: int
) -> tuple[list[dict[str, Any]], int]:
    """A page of complaints, newest first."""
    params = {"status": filters.get("status"), "practitioner_id": filters.get("practitioner_id")}
    record = tx.run(LIST_COMPLAINTS, params, skip=skip, limit=limit).single()
    return native(record["items"]), record["total"]


def set_complaint_status(
    tx: neo4j.ManagedTransaction, complaint_id: str, current: str, status: str, reason: str, by: str
) -> bool:
    """Move the complaint on from `current` (compare-and-set); whether it was still `current`."""
    record = tx.run(
        SET_COMPLAINT_STATUS, id=complaint_id, current=current, status=status, reason=reason, by=by
    ).single()
    return record is not None


def engagement_team(tx: neo4j.ManagedTransaction, engagement_id: str) -> list[str]:
    """Ids of the practitioners who worked on the engagement."""
    return list(tx.run(ENGAGEMENT_TEAM, id=engagement_id).single()["team"])
