"""GET /draws/stats keeps a period's counts per process until a draw changes (services/draw_stats_memo.py): after
each kind of change the kept answer is the direct computation over the graph (graph/draw_stats.statistics).

The changes are written as the draw services write them (a draw with its event, a seat, an answer appending an
event, an exclusion) and, for the expert pool, through the certificate service that rederives and stamps it.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

from graph import draw_stats
from services import certificates, draw_stats_memo, practitioners
from tests.support import unique_id_card

TODAY = date.today()
PERIODS = ((None, None), (TODAY - timedelta(days=40), TODAY), (TODAY, None))


def _both(context) -> list[tuple[dict, dict]]:
    pairs = []
    for start, end in PERIODS:
        kept = context.graph.read(draw_stats_memo.statistics, start, end, TODAY)
        direct = context.graph.read(draw_stats.statistics, start, end, TODAY)
        pairs.append((_comparable(kept), _comparable(direct)))
    return pairs


def _comparable(raw: dict) -> dict:
    key = lambda row: sorted((k, str(v)) for k, v in row.items())  # noqa: E731
    return raw | {"draws": sorted(raw["draws"], key=key), "seats": sorted(raw["seats"], key=key),
                  "per_expert": sorted(raw["per_expert"])}  # fmt: skip


def _write(context, query: str, **params) -> None:
    context.graph.driver.execute_query(query, params, database_=context.graph.database)


def _person(context) -> str:
    view = practitioners.register(
        context, {"name": "抽取统计", "id_card": unique_id_card(), "region": "420100", "education": "master"}
    )
    certificates.issue(
        context,
        {"number": f"DS-{uuid.uuid4().hex[:10].upper()}", "practitioner_id": view["id"],
         "work_type": "verification", "level": 3, "issued_on": date(2022, 1, 1)},
    )  # fmt: skip
    return view["id"]


def test_each_change_to_a_draw_or_the_pool_is_in_the_next_answer(context):
    person, other = _person(context), _person(context)
    assert all(kept == direct for kept, direct in _both(context))
    before = context.graph.read(draw_stats_memo.statistics, None, None, TODAY)

    draw = str(uuid.uuid4())
    _write(
        context,
        "CREATE (d:Draw {id: $id, purpose: 'review_panel', shortfall: 1, created_at: $at, updated_at: $at}) "
        "CREATE (d)-[:HAS_EVENT]->(:DrawEvent {seq: 1, kind: 'drawn'}) "
        "WITH d MATCH (p:Practitioner {id: $person}) "
        "CREATE (d)-[:DREW {role: 'panel', status: 'invited', via: 'draw'}]->(p)",
        id=draw, at=datetime.now(UTC), person=person,
    )  # fmt: skip
    after_draw = context.graph.read(draw_stats_memo.statistics, None, None, TODAY)
    assert len(after_draw["per_expert"]) == len(before["per_expert"]) + 1
    assert all(kept == direct for kept, direct in _both(context))

    # An answer: the seat's state changes and the draw's chain grows by one event.
    _write(
        context,
        "MATCH (d:Draw {id: $id})-[r:DREW]->() SET r.status = 'accepted' "
        "CREATE (d)-[:HAS_EVENT]->(:DrawEvent {seq: 2, kind: 'accepted'})",
        id=draw,
    )
    answered = context.graph.read(draw_stats_memo.statistics, None, None, TODAY)
    assert {(r["role"], r["status"]) for r in answered["seats"]} >= {("panel", "accepted")}
    assert all(kept == direct for kept, direct in _both(context))

    _write(
        context,
        "MATCH (d:Draw {id: $id}), (p:Practitioner {id: $other}) "
        "CREATE (d)-[:EXCLUDED {rule: 'manual', seq: 1, stage: 'criteria'}]->(p) "
        "CREATE (d)-[:HAS_EVENT]->(:DrawEvent {seq: 3, kind: 'excluded'})",
        id=draw, other=other,
    )  # fmt: skip
    excluded = context.graph.read(draw_stats_memo.statistics, None, None, TODAY)
    assert excluded["exclusions"].get("manual", 0) == before["exclusions"].get("manual", 0) + 1
    assert all(kept == direct for kept, direct in _both(context))

    # The pool: a new certificate rederives the person's pools and stamps the registry revision.
    pool_before = excluded["pool_size"]
    _person(context)
    assert all(kept == direct for kept, direct in _both(context))
    assert context.graph.read(draw_stats_memo.statistics, None, None, TODAY)["pool_size"] >= pool_before
