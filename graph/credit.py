"""The credit record in the graph: evaluations, misconduct records, sanctions, and appeals (complaints: graph/complaints.py).

Shapes (CONVENTIONS.md):
`(ev:Evaluation)-[:OF]->(p:Practitioner)`, `(ev)-[:FOR_ENGAGEMENT]->(e:Engagement)`, `(ev)-[:BY]->(o:Organization)`;
`(p)-[:HAS_RECORD]->(r:MisconductRecord)`; `(p)-[:SANCTIONED]->(s:Sanction {id, kind, from, until, lifted_on,
reason})`; `(c:Complaint)-[:ABOUT]->(p | e)` with `(c)-[:HAS_EVENT]->(:ComplaintEvent)`;
`(a:Appeal)-[:AGAINST]->(r | ev)`.

Every function here takes the caller's transaction, so a service writes one use case in one transaction.
An overturned record or withdrawn evaluation is never deleted: it carries `effective: false` and the appeal.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import neo4j

from graph.records import native
from registry.misconduct import RecordFacts, Sanction

# --- Evaluations -----------------------------------------------------------------------------------------------

ENGAGEMENT_FACTS = """
MATCH (e:Engagement {id: $id})
RETURN e.id AS id, e.status AS status, e.kind AS work_type, e.end_on AS end_on,
       COLLECT { MATCH (e)-[:FOR_CLIENT]->(o:Organization) RETURN o.id }[0] AS client_id,
       COLLECT { MATCH (p:Practitioner)-[:WORKED_ON]->(e) RETURN p.id } AS team,
       EXISTS { MATCH (ev:Evaluation {pair: $pair}) } AS already_evaluated
"""

# `pair` (engagement|practitioner) is unique (graph/schema.py): two racing requests cannot both write.
CREATE_EVALUATION = """
MATCH (e:Engagement {id: $engagement_id})-[:FOR_CLIENT]->(o:Organization)
MATCH (p:Practitioner {id: $practitioner_id})
CREATE (ev:Evaluation {id: $id, pair: $pair, score: $score, work_type: $work_type,
                       criteria: $criteria, criterion_scores: $criterion_scores, weights: $weights,
                       comment: $comment, effective: true, on_time: $on_time, due_on: $due_on,
                       created_on: $today, created_at: datetime(), entered_by: $entered_by})
CREATE (ev)-[:OF]->(p), (ev)-[:FOR_ENGAGEMENT]->(e), (ev)-[:BY]->(o)
"""

# Criterion scores are stored as two parallel lists (a property cannot be a map); `scores` returns the pairs
# and `_with_scores` turns them into {criterion: score}.
EVALUATION_VIEW = """
ev {.id, .score, .work_type, .comment, .effective, .on_time, .due_on, .created_on, .created_at,
    .reply, .replied_at, .overturned_on,
    scores: [i IN range(0, size(ev.criteria) - 1) | [ev.criteria[i], ev.criterion_scores[i]]],
    practitioner_id: COLLECT { MATCH (ev)-[:OF]->(p:Practitioner) RETURN p.id }[0],
    engagement: COLLECT { MATCH (ev)-[:FOR_ENGAGEMENT]->(e:Engagement) RETURN e {.id, .title, .kind} }[0],
    organization: COLLECT { MATCH (ev)-[:BY]->(o:Organization) RETURN o {.id, .name} }[0],
    appeal: COLLECT { MATCH (a:Appeal)-[:AGAINST]->(ev) RETURN a {.id, .status} }[0]
}
"""

GET_EVALUATION = "MATCH (ev:Evaluation {id: $id}) RETURN " + EVALUATION_VIEW + " AS evaluation"

SET_REPLY = """
MATCH (ev:Evaluation {id: $id}) WHERE ev.reply IS NULL
SET ev.reply = $reply, ev.replied_at = datetime()
RETURN ev.id AS id
"""

PRACTITIONER_EVALUATIONS = (
    """
MATCH (ev:Evaluation)-[:OF]->(:Practitioner {id: $id})
WITH ev ORDER BY ev.created_at DESC, ev.id
WITH collect(ev) AS matches
RETURN size(matches) AS total,
       [ev IN matches WHERE ev.effective | ev.score] AS scores,
       [ev IN matches[$skip..$skip + $limit] | """
    + EVALUATION_VIEW
    + "] AS items"
)


def _with_scores(view: dict[str, Any]) -> dict[str, Any]:
    view = native(view)
    view["scores"] = {code: value for code, value in view.get("scores") or []}
    return view


def engagement_facts(tx: neo4j.ManagedTransaction, engagement_id: str, practitioner_id: str) -> dict | None:
    """What the evaluation rules need about an engagement, or None if there is no such engagement."""
    record = tx.run(ENGAGEMENT_FACTS, id=engagement_id, pair=f"{engagement_id}|{practitioner_id}").single()
    return native(record.data()) if record else None


def create_evaluation(tx: neo4j.ManagedTransaction, **props: Any) -> None:
    """Write one evaluation (props as CREATE_EVALUATION names them)."""
    props["pair"] = f"{props['engagement_id']}|{props['practitioner_id']}"
    tx.run(CREATE_EVALUATION, props).consume()


def get_evaluation(tx: neo4j.ManagedTransaction, evaluation_id: str) -> dict[str, Any] | None:
    """One evaluation with its scores, engagement, organization, reply and appeal."""
    record = tx.run(GET_EVALUATION, id=evaluation_id).single()
    return _with_scores(record["evaluation"]) if record else None


def set_reply(tx: neo4j.ManagedTransaction, evaluation_id: str, reply: str) -> bool:
    """Store the practitioner's reply unless there is one already; whether it was stored."""
    return tx.run(SET_REPLY, id=evaluation_id, reply=reply).single() is not None


def practitioner_evaluations(
    tx: neo4j.ManagedTransaction, practitioner_id: str, skip: int, limit: int
) -> tuple[list[dict[str, Any]], int, list[float]]:
    """A page of a person's evaluations (newest first), their total, and the scores that still count."""
    record = tx.run(PRACTITIONER_EVALUATIONS, id=practitioner_id, skip=skip, limit=limit).single()
    return [_with_scores(v) for v in record["items"]], record["total"], list(record["scores"])


# --- Misconduct records and sanctions ----------------------------------------------------------------------

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

GET_RECORD = "MATCH (r:MisconductRecord {id: $id}) RETURN " + RECORD_VIEW + " AS record"

PRACTITIONER_RECORDS = (
    """
MATCH (:Practitioner {id: $id})-[:HAS_RECORD]->(r:MisconductRecord)
WITH r ORDER BY r.occurred_on DESC, r.recorded_on DESC, r.id
WITH collect(r) AS matches
RETURN size(matches) AS total, [r IN matches[$skip..$skip + $limit] | """
    + RECORD_VIEW
    + "] AS items"
)

RECORD_FACTS = """
MATCH (:Practitioner {id: $id})-[:HAS_RECORD]->(r:MisconductRecord)
RETURN r {.id, .category, .occurred_on, .recorded_on, .points, .effective} AS record
"""

SANCTION_VIEW = "s {.id, .kind, .from, .until, .lifted_on, .reason, .lift_reason, .record_ids, .created_at}"

PRACTITIONER_SANCTIONS = (
    "MATCH (:Practitioner {id: $id})-[:SANCTIONED]->(s:Sanction)\nRETURN "
    + SANCTION_VIEW
    + " AS sanction ORDER BY s.from, s.until IS NULL, s.until, s.id"
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

# What an upheld appeal does to its subject: the effect goes, the node stays as history.
_OVERTURN = "SET x.effective = false, x.overturned_on = $today, x.overturned_by = $appeal_id"
OVERTURN = {
    "record": "MATCH (x:MisconductRecord {id: $id})\n" + _OVERTURN,
    "evaluation": "MATCH (x:Evaluation {id: $id})\n" + _OVERTURN,
}


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


def overturn(tx: neo4j.ManagedTransaction, kind: str, subject_id: str, appeal_id: str, today: date) -> None:
    """Remove a record's or an evaluation's effect after an upheld appeal, keeping it as history."""
    tx.run(OVERTURN[kind], id=subject_id, appeal_id=appeal_id, today=today).consume()


# --- Appeals ---------------------------------------------------------------------------------------------------

APPEAL_SUBJECT = {
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
CREATE_APPEAL = {
    "record": "MATCH (x:MisconductRecord {id: $subject_id})" + _CREATE_APPEAL,
    "evaluation": "MATCH (x:Evaluation {id: $subject_id})" + _CREATE_APPEAL,
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

GET_APPEAL = "MATCH (a:Appeal {id: $id}) RETURN " + APPEAL_VIEW + " AS appeal"

LIST_APPEALS = (
    """
MATCH (a:Appeal)
WHERE ($status IS NULL OR a.status = $status)
WITH a ORDER BY a.created_at DESC, a.id
WITH collect(a) AS matches
RETURN size(matches) AS total, [a IN matches[$skip..$skip + $limit] | """
    + APPEAL_VIEW
    + "] AS items"
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


# --- The credit summary on a profile -----------------------------------------------------------------------

CREDIT_FACTS = """
MATCH (p:Practitioner {id: $id})
RETURN [ev IN COLLECT { MATCH (ev:Evaluation)-[:OF]->(p) WHERE ev.effective RETURN ev } | ev.score] AS scores,
       COLLECT { MATCH (ev:Evaluation)-[:OF]->(p) WHERE ev.effective
                 WITH ev ORDER BY ev.created_at DESC, ev.id LIMIT $recent
                 RETURN ev {.id, .score, .work_type, .created_on, .comment, .reply,
                            organization: COLLECT { MATCH (ev)-[:BY]->(o:Organization) RETURN o.name }[0]} }
         AS recent,
       COUNT { (p)<-[d:DREW]-(draw:Draw) WHERE d.status = 'accepted' AND ($every_draw OR draw.disclosed) }
         AS draws_served,
       COUNT { (p)-[:HAS_RECORD]->(r:MisconductRecord) WHERE r.effective } AS records
"""


def credit_facts(
    tx: neo4j.ManagedTransaction, practitioner_id: str, recent: int, every_draw: bool = True
) -> dict[str, Any] | None:
    """Scores that count (and the latest `recent` evaluations), accepted draws (of every draw, or of disclosed
    ones only) and effective records."""
    record = tx.run(CREDIT_FACTS, id=practitioner_id, recent=recent, every_draw=every_draw).single()
    return native(record.data()) if record else None


# Sanctions that have ended (past `until`) or were lifted, whose end the pools have not yet seen.
_ENDED = """
(s.end_applied IS NULL
 AND ((s.until IS NOT NULL AND s.until < $today) OR (s.lifted_on IS NOT NULL AND s.lifted_on <= $today)))
"""

SANCTIONS_ENDED = (
    "MATCH (p:Practitioner)-[:SANCTIONED]->(s:Sanction)\nWHERE "
    + _ENDED
    + "RETURN collect(DISTINCT p.id) AS ids"
)

MARK_SANCTIONS_APPLIED = (
    "UNWIND $ids AS id\nMATCH (:Practitioner {id: id})-[:SANCTIONED]->(s:Sanction)\nWHERE "
    + _ENDED
    + "SET s.end_applied = true"
)


def sanctions_ended(tx: neo4j.ManagedTransaction, today: date) -> list[str]:
    """Ids of people with a sanction that ended or was lifted and that the pools have not yet seen end."""
    return list(tx.run(SANCTIONS_ENDED, today=today).single()["ids"])


def mark_sanctions_applied(tx: neo4j.ManagedTransaction, ids: list[str], today: date) -> None:
    """Note that the pools of these people have seen their ended sanctions."""
    tx.run(MARK_SANCTIONS_APPLIED, ids=ids, today=today).consume()


YEAR_SCORES = """
MATCH (ev:Evaluation)-[:OF]->(:Practitioner {id: $id})
WHERE ev.effective AND ev.created_on.year = $year
RETURN collect(ev.score) AS scores
"""


def year_scores(tx: neo4j.ManagedTransaction, practitioner_id: str, year: int) -> list[float]:
    """The scores of a person's evaluations written in `year` that still count."""
    return list(tx.run(YEAR_SCORES, id=practitioner_id, year=year).single()["scores"])
