"""The credit summary in the graph: what a profile's `credit` and the annual assessment read across a person's
evaluations, draws served and misconduct records (each kept by graph/evaluations.py, graph/misconduct.py).

Every function here takes the caller's transaction.
"""

from __future__ import annotations

from typing import Any

import neo4j

from graph.records import native

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


YEAR_SCORES = """
MATCH (ev:Evaluation)-[:OF]->(:Practitioner {id: $id})
WHERE ev.effective AND ev.created_on.year = $year
RETURN collect(ev.score) AS scores
"""


def year_scores(tx: neo4j.ManagedTransaction, practitioner_id: str, year: int) -> list[float]:
    """The scores of a person's evaluations written in `year` that still count."""
    return list(tx.run(YEAR_SCORES, id=practitioner_id, year=year).single()["scores"])
