"""Evaluations in the graph: `(ev:Evaluation)-[:OF]->(p:Practitioner)`, `(ev)-[:FOR_ENGAGEMENT]->(e:Engagement)`,
`(ev)-[:BY]->(o:Organization)`.

Every function here takes the caller's transaction, so a service writes one use case in one transaction.
A withdrawn evaluation is never deleted: an upheld appeal sets `effective: false` (graph/appeals.py).
"""

from __future__ import annotations

from typing import Any

import neo4j

from graph.cypher import cypher
from graph.records import native

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

GET_EVALUATION = cypher("MATCH (ev:Evaluation {id: $id}) RETURN", EVALUATION_VIEW, "AS evaluation")

SET_REPLY = """
MATCH (ev:Evaluation {id: $id}) WHERE ev.reply IS NULL
SET ev.reply = $reply, ev.replied_at = datetime()
RETURN ev.id AS id
"""

PRACTITIONER_EVALUATIONS = cypher(
    """
MATCH (ev:Evaluation)-[:OF]->(:Practitioner {id: $id})
WITH ev ORDER BY ev.created_at DESC, ev.id
WITH collect(ev) AS matches
RETURN size(matches) AS total,
       [ev IN matches WHERE ev.effective | ev.score] AS scores,
       [ev IN matches[$skip..$skip + $limit] |""",
    EVALUATION_VIEW,
    "] AS items",
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
