"""Misconduct records and sanctions in the graph: `(p:Practitioner)-[:HAS_RECORD]->(r:MisconductRecord)`,
`(r)-[:FROM_COMPLAINT]->(c:Complaint)`, `(r)-[:FOR_CERTIFICATE]->(cert:Certificate)`;
`(p)-[:SANCTIONED]->(s:Sanction {id, kind, from, until, lifted_on, reason})`.

Every function here takes the caller's transaction, so a service writes one use case in one transaction.
An overturned record is never deleted: an upheld appeal sets `effective: false` (graph/appeals.py); a sanction the
records no longer support is lifted, not removed.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import neo4j

from graph.cypher import cypher
from graph.records import native
from registry.misconduct import RecordFacts, Sanction

CREATE_RECORD = """
MATCH (p:Practitioner {id: $practitioner_id})
CREATE (p)-[:HAS_RECORD]->(r:MisconductRecord {id: $id, category: $category, points: $points,
                                              occurred_on: $occurred_on, recorded_on: $today,
                                              evidence: $evidence, note: $note, origin: $origin,
                                              effective: true, created_at: datetime(), entered_by: $entered_by})
WITH r
OPTIONAL MATCH (c:Complaint {id: $complaint_id})
FOREACH (_ IN CASE WHEN c IS NULL THEN [] ELSE [1] END | CREATE (r)-[:FROM_COMPLAINT]->(c))
WITH r
OPTIONAL MATCH (cert:Certificate {number: $certificate_number})
FOREACH (_ IN CASE WHEN cert IS NULL THEN [] ELSE [1] END | CREATE (r)-[:FOR_CERTIFICATE]->(cert))
"""

RECORD_VIEW = """
r {.id, .category, .points, .occurred_on, .recorded_on, .evidence, .note, .origin, .effective,
   .overturned_on, .created_at,
   practitioner_id: COLLECT { MATCH (p:Practitioner)-[:HAS_RECORD]->(r) RETURN p.id }[0],
   complaint_id: COLLECT { MATCH (r)-[:FROM_COMPLAINT]->(c:Complaint) RETURN c.id }[0],
   certificate_number: COLLECT { MATCH (r)-[:FOR_CERTIFICATE]->(c:Certificate) RETURN c.number }[0],
   appeal: COLLECT { MATCH (a:Appeal)-[:AGAINST]->(r) RETURN a {.id, .status} }[0]
}
"""

GET_RECORD = cypher("MATCH (r:MisconductRecord {id: $id}) RETURN", RECORD_VIEW, "AS record")

PRACTITIONER_RECORDS = cypher(
    """
MATCH (:Practitioner {id: $id})-[:HAS_RECORD]->(r:MisconductRecord)
WITH r ORDER BY r.occurred_on DESC, r.recorded_on DESC, r.id
WITH collect(r) AS matches
RETURN size(matches) AS total, [r IN matches[$skip..$skip + $limit] |""",
    RECORD_VIEW,
    "] AS items",
)

RECORD_FACTS = """
MATCH (:Practitioner {id: $id})-[:HAS_RECORD]->(r:MisconductRecord)
RETURN r {.id, .category, .occurred_on, .recorded_on, .points, .effective} AS record
"""

SANCTION_VIEW = "s {.id, .kind, .from, .until, .lifted_on, .reason, .lift_reason, .record_ids, .created_at}"

PRACTITIONER_SANCTIONS = cypher(
    "MATCH (:Practitioner {id: $id})-[:SANCTIONED]->(s:Sanction)",
    "RETURN",
    SANCTION_VIEW,
    "AS sanction ORDER BY s.from, s.until IS NULL, s.until, s.id",
)

CREATE_SANCTIONS = """
MATCH (p:Practitioner {id: $practitioner_id})
UNWIND $sanctions AS row
CREATE (p)-[:SANCTIONED]->(:Sanction {id: row.id, kind: row.kind, from: row.from, until: row.until,
                                      reason: row.reason, record_ids: row.record_ids, created_at: datetime()})
"""

LIFT_SANCTIONS = """
MATCH (:Practitioner {id: $practitioner_id})-[:SANCTIONED]->(s:Sanction)
WHERE s.id IN $ids AND s.lifted_on IS NULL
SET s.lifted_on = $today, s.lift_reason = $reason
"""


def create_record(tx: neo4j.ManagedTransaction, **props: Any) -> None:
    """Write one misconduct record (props as CREATE_RECORD names them; the links are optional)."""
    props.setdefault("complaint_id", None)
    props.setdefault("certificate_number", None)
    tx.run(CREATE_RECORD, props).consume()


def get_record(tx: neo4j.ManagedTransaction, record_id: str) -> dict[str, Any] | None:
    """One misconduct record with its practitioner, complaint, certificate and appeal."""
    record = tx.run(GET_RECORD, id=record_id).single()
    return native(record["record"]) if record else None


def practitioner_records(
    tx: neo4j.ManagedTransaction, practitioner_id: str, skip: int, limit: int
) -> tuple[list[dict[str, Any]], int]:
    """A page of a person's misconduct records, latest first, and their total."""
    record = tx.run(PRACTITIONER_RECORDS, id=practitioner_id, skip=skip, limit=limit).single()
    return native(record["items"]), record["total"]


def record_facts(tx: neo4j.ManagedTransaction, practitioner_id: str) -> list[RecordFacts]:
    """All of a person's records as the step-up rules read them."""
    return [RecordFacts(**native(r["record"])) for r in tx.run(RECORD_FACTS, id=practitioner_id)]


def _sanction(view: dict[str, Any]) -> Sanction:
    return Sanction(
        id=view["id"],
        kind=view["kind"],
        from_=view["from"],
        until=view.get("until"),
        reason=view.get("reason") or "",
        record_ids=tuple(view.get("record_ids") or ()),
        lifted_on=view.get("lifted_on"),
        lift_reason=view.get("lift_reason"),
    )


def sanctions(tx: neo4j.ManagedTransaction, practitioner_id: str) -> list[Sanction]:
    """All of a person's sanctions, lifted and ended ones included, oldest first."""
    return [_sanction(native(r["sanction"])) for r in tx.run(PRACTITIONER_SANCTIONS, id=practitioner_id)]


def create_sanctions(tx: neo4j.ManagedTransaction, practitioner_id: str, new: list[Sanction]) -> None:
    """Store derived sanctions."""
    rows = [
        {
            "id": s.id,
            "kind": s.kind,
            "from": s.from_,
            "until": s.until,
            "reason": s.reason,
            "record_ids": list(s.record_ids),
        }
        for s in new
    ]
    if rows:
        tx.run(CREATE_SANCTIONS, practitioner_id=practitioner_id, sanctions=rows).consume()


def lift_sanctions(
    tx: neo4j.ManagedTransaction, practitioner_id: str, ids: list[str], today: date, reason: str
) -> None:
    """Lift sanctions the records no longer support; they stay, with `lifted_on` and why."""
    if ids:
        tx.run(LIFT_SANCTIONS, practitioner_id=practitioner_id, ids=ids, today=today, reason=reason).consume()


# Sanctions that have ended (past `until`) or were lifted, whose end the pools have not yet seen.
_ENDED = """
(s.end_applied IS NULL
 AND ((s.until IS NOT NULL AND s.until < $today) OR (s.lifted_on IS NOT NULL AND s.lifted_on <= $today)))
"""

SANCTIONS_ENDED = cypher(
    "MATCH (p:Practitioner)-[:SANCTIONED]->(s:Sanction)",
    "WHERE",
    _ENDED,
    "RETURN collect(DISTINCT p.id) AS ids",
)

MARK_SANCTIONS_APPLIED = cypher(
    "UNWIND $ids AS id",
    "MATCH (:Practitioner {id: id})-[:SANCTIONED]->(s:Sanction)",
    "WHERE",
    _ENDED,
    "SET s.end_applied = true",
)


def sanctions_ended(tx: neo4j.ManagedTransaction, today: date) -> list[str]:
    """Ids of people with a sanction that ended or was lifted and that the pools have not yet seen end."""
    return list(tx.run(SANCTIONS_ENDED, today=today).single()["ids"])


def mark_sanctions_applied(tx: neo4j.ManagedTransaction, ids: list[str], today: date) -> None:
    """Note that the pools of these people have seen their ended sanctions."""
    tx.run(MARK_SANCTIONS_APPLIED, ids=ids, today=today).consume()
