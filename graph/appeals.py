"""Appeals in the graph: `(a:Appeal)-[:AGAINST]->(r:MisconductRecord | ev:Evaluation)`.

Every function here takes the caller's transaction, so a service writes one use case in one transaction.
"""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, LiteralString

import neo4j

from graph.cypher import cypher
from graph.records import native

APPEAL_SUBJECT: Mapping[str, LiteralString] = {
    "record": """
MATCH (p:Practitioner)-[:HAS_RECORD]->(x:MisconductRecord {id: $id})
RETURN 'record' AS kind, x.id AS id, p.id AS practitioner_id, x.recorded_on AS notified_on,
       x.effective AS effective, EXISTS { (:Appeal)-[:AGAINST]->(x) } AS appealed
""",
    "evaluation": """
MATCH (x:Evaluation {id: $id})-[:OF]->(p:Practitioner)
RETURN 'evaluation' AS kind, x.id AS id, p.id AS practitioner_id, x.created_on AS notified_on,
       x.effective AS effective, EXISTS { (:Appeal)-[:AGAINST]->(x) } AS appealed
""",
}

_CREATE_APPEAL = """
CREATE (a:Appeal {id: $id, subject: $subject, text: $text, status: 'pending', deadline: $deadline,
                  created_on: $today, created_at: datetime(), filed_by: $filed_by})
CREATE (a)-[:AGAINST]->(x)
"""
CREATE_APPEAL: Mapping[str, LiteralString] = {
    "record": cypher("MATCH (x:MisconductRecord {id: $subject_id})", _CREATE_APPEAL),
    "evaluation": cypher("MATCH (x:Evaluation {id: $subject_id})", _CREATE_APPEAL),
}

APPEAL_VIEW = """
a {.id, .subject, .text, .status, .deadline, .created_on, .created_at, .filed_by, .reason, .decided_on,
   .decided_by,
   record_id: COLLECT { MATCH (a)-[:AGAINST]->(r:MisconductRecord) RETURN r.id }[0],
   evaluation_id: COLLECT { MATCH (a)-[:AGAINST]->(ev:Evaluation) RETURN ev.id }[0],
   practitioner_id: COLLECT { MATCH (a)-[:AGAINST]->(:Evaluation)-[:OF]->(p:Practitioner) RETURN p.id
                              UNION MATCH (a)-[:AGAINST]->(:MisconductRecord)<-[:HAS_RECORD]-(p:Practitioner)
                              RETURN p.id }[0]
}
"""

GET_APPEAL = cypher("MATCH (a:Appeal {id: $id}) RETURN", APPEAL_VIEW, "AS appeal")

LIST_APPEALS = cypher(
    """
MATCH (a:Appeal)
WHERE ($status IS NULL OR a.status = $status)
WITH a ORDER BY a.created_at DESC, a.id
WITH collect(a) AS matches
RETURN size(matches) AS total, [a IN matches[$skip..$skip + $limit] |""",
    APPEAL_VIEW,
    "] AS items",
)

DECIDE_APPEAL = """
MATCH (a:Appeal {id: $id}) WHERE a.status = 'pending'
SET a.status = $status, a.reason = $reason, a.decided_on = $today, a.decided_at = datetime(), a.decided_by = $by
RETURN a.id AS id
"""


def appeal_subject(tx: neo4j.ManagedTransaction, kind: str, subject_id: str) -> dict[str, Any] | None:
    """The record or evaluation an appeal would be against, as the appeal rules read it."""
    record = tx.run(APPEAL_SUBJECT[kind], id=subject_id).single()
    return native(record.data()) if record else None


def create_appeal(tx: neo4j.ManagedTransaction, **props: Any) -> None:
    """File an appeal against a record or an evaluation (`subject` is "record" or "evaluation")."""
    tx.run(CREATE_APPEAL[props["subject"]], props).consume()


def get_appeal(tx: neo4j.ManagedTransaction, appeal_id: str) -> dict[str, Any] | None:
    """One appeal with its subject."""
    record = tx.run(GET_APPEAL, id=appeal_id).single()
    return native(record["appeal"]) if record else None


def list_appeals(
    tx: neo4j.ManagedTransaction, status: str | None, skip: int, limit: int
) -> tuple[list[dict[str, Any]], int]:
    """A page of appeals, newest first."""
    record = tx.run(LIST_APPEALS, status=status, skip=skip, limit=limit).single()
    return native(record["items"]), record["total"]


def decide_appeal(
    tx: neo4j.ManagedTransaction, appeal_id: str, status: str, reason: str, today: date, by: str
) -> bool:
    """Record the decision on a pending appeal (compare-and-set); whether it was still pending."""
    record = tx.run(DECIDE_APPEAL, id=appeal_id, status=status, reason=reason, today=today, by=by).single()
    return record is not None


# What an upheld appeal does to its subject: the effect goes, the node stays as history.
_OVERTURN = "SET x.effective = false, x.overturned_on = $today, x.overturned_by = $appeal_id"
OVERTURN: Mapping[str, LiteralString] = {
    "record": cypher("MATCH (x:MisconductRecord {id: $id})", _OVERTURN),
    "evaluation": cypher("MATCH (x:Evaluation {id: $id})", _OVERTURN),
}


def overturn(tx: neo4j.ManagedTransaction, kind: str, subject_id: str, appeal_id: str, today: date) -> None:
    """Remove a record's or an evaluation's effect after an upheld appeal, keeping it as history."""
    tx.run(OVERTURN[kind], id=subject_id, appeal_id=appeal_id, today=today).consume()
