"""A draw's pool-wide exclusions (suspended or revoked certificates, sanctions) are one sealed row set
(registry/draw_pool.py), and the draw the service makes seals the candidate set the slow, obvious screen gives.

The world: the synthetic registry of tests/integration/test_draw_screen.py's kind, with people holding a suspended
and a revoked certificate and a barred one, all based in one region, drawn for one organization.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import date, timedelta

import pytest

from graph import draw_screen as screen_repo
from registry.conflicts import DEFAULT_CONFLICT_RULES
from registry.draw_commit import commit
from registry.draw_pool import POOL_RULES, decode, encode
from registry.draws import Criteria, DrawContext, Exclusion
from seed.synthetic import generate
from services import certificates, draw_reports, draws, misconduct, practitioners
from services import draw_screen as screening
from services.synthetic import load_synthetic
from tests.fixed_graph import wipe_registry
from tests.support import unique_id_card

TODAY = date.today()
REGION = "450000"
DAY = date(TODAY.year + 45, 5, 12)  # a year of its own: no other suite's seats count


def _person(context, name: str) -> str:
    view = practitioners.register(
        context, {"name": name, "id_card": unique_id_card(), "region": REGION, "education": "master"}
    )
    certificates.issue(
        context,
        {"number": f"DP-{uuid.uuid4().hex[:10].upper()}", "practitioner_id": view["id"],
         "work_type": "verification", "level": 2, "issued_on": date(2023, 1, 1)},
    )  # fmt: skip
    return view["id"]


@pytest.fixture(scope="module")
def world(context) -> Iterator[dict]:
    # Synthetic registries of different seeds share certificate numbers: this module's registry stands alone.
    wipe_registry(context.graph)
    load_synthetic(context, generate(300, seed=2407, today=TODAY), batch_size=150)
    people = [_person(context, f"池专家{i}") for i in range(9)]
    for holder, action in zip(people[:2], ("suspend", "revoke"), strict=True):
        number = context.graph.read(
            lambda tx, h=holder: tx.run(
                "MATCH (:Practitioner {id: $id})-[:HOLDS]->(c:Certificate) RETURN c.number AS n", id=h
            ).single()["n"]
        )
        certificates.change_status(context, number, action, "fixture")
    for days in (30, 20, 10):
        misconduct.record_misconduct(
            context,
            people[2],
            {"category": "data_falsification", "occurred_on": TODAY - timedelta(days=days)},
        )
    org = context.graph.read(
        lambda tx: tx.run(
            "MATCH (o:Organization) RETURN o.id AS id ORDER BY COUNT { (o)<-[:EMPLOYED_BY]-() } DESC, o.id LIMIT 1"
        ).single()["id"]
    )
    body = {"purpose": "review_panel", "title": "池", "organization_id": org, "work_type": "verification",
            "min_level": 2, "region": REGION, "size": 5, "reserves": 2, "panel_date": DAY,
            "exclusions": [{"practitioner_id": people[3], "reason": "co-author"}]}  # fmt: skip
    yield {"people": people, "org": org, "draw": draws.create(context, body)}
    wipe_registry(context.graph)


def _stored(context, draw_id: str) -> dict:
    query = """
    MATCH (d:Draw {id: $id})
    RETURN d.pool_exclusions AS blob,
           COLLECT { MATCH (d)-[x:EXCLUDED]->() RETURN x.rule } AS rows,
           COLLECT { MATCH (d)-[:HAS_EVENT]->(e:DrawEvent {kind: 'excluded'}) RETURN e.rule } AS events
    """
    return dict(context.graph.read(lambda tx: tx.run(query, id=draw_id).single()))


def test_pool_wide_exclusions_are_one_sealed_set_and_the_others_one_event_each(context, world):
    draw, people = world["draw"], world["people"]
    stored = _stored(context, draw["id"])
    rows = decode(stored["blob"])
    assert {(r["practitioner_id"], r["rule"]) for r in rows} >= {
        (people[0], "certificate_status"),
        (people[1], "certificate_status"),
        (people[2], "sanction"),
    }
    assert all(r["rule"] in POOL_RULES for r in rows)
    assert not set(POOL_RULES) & set(stored["rows"] + stored["events"])  # no row nor event per pooled person
    assert "manual" in stored["events"] and "manual" in stored["rows"]  # the draw's own rules keep theirs
    # The view lists them all, pooled ones marked and named; the statistics count them.
    view = draws.get(context, draw["id"])
    pooled = [x for x in view["excluded"] if x.get("pooled")]
    assert len(pooled) == len(rows) and all(x["name"] for x in pooled)
    by_rule = draw_reports.statistics(context)["exclusions_by_rule"]
    assert by_rule["certificate_status"] >= 2 and by_rule["sanction"] >= 1
    assert draw_reports.verify(context, draw["id"])["verified"] is True


def test_the_drawn_candidate_set_is_the_one_the_slow_screen_gives(context, world):
    draw = draws.get(context, world["draw"]["id"])
    criteria = Criteria(work_type="verification", min_level=2, region=REGION)
    draw_context = DrawContext(DAY, DAY, world["org"], {world["people"][3]: "co-author"})
    indirect = screening.Indirect(DEFAULT_CONFLICT_RULES, "verification")

    def slow(tx):
        screen_repo.ensure_loads(tx, DAY.year)
        return screening.reference_screen(
            tx, draw["id"], criteria, draw_context, draws.rules_for(context), indirect
        )

    reference = context.graph.read(slow)
    sealed = commit(tuple(c.id for c in reference.candidates))
    assert (draw["candidate_count"], draw["candidate_hash"]) == (sealed.count, sealed.candidate_hash)
    stored = {(x["practitioner_id"], x["rule"], x["detail"]) for x in draw["excluded"]}
    assert stored == {(e.practitioner_id, e.rule, e.detail) for e in reference.exclusions}


@pytest.mark.parametrize("edit", ["drop_a_row", "change_a_detail", "garble"])
def test_an_edited_pool_set_fails_verification_on_exclusions(context, world, edit):
    draw_id = world["draw"]["id"]
    blob = _stored(context, draw_id)["blob"]
    rows = [Exclusion(r["practitioner_id"], r["rule"], r["detail"]) for r in decode(blob)]
    edited = {
        "drop_a_row": lambda: encode(rows[1:]),
        "change_a_detail": lambda: encode([Exclusion(rows[0].practitioner_id, rows[0].rule, "x"), *rows[1:]]),
        "garble": lambda: b"not zlib",
    }[edit]()
    write = "MATCH (d:Draw {id: $id}) SET d.pool_exclusions = $blob"
    context.graph.write(lambda tx: tx.run(write, id=draw_id, blob=edited).consume())
    try:
        result = draw_reports.verify(context, draw_id)
        assert result["verified"] is False and "exclusions" in result["mismatched"]
    finally:
        context.graph.write(lambda tx: tx.run(write, id=draw_id, blob=blob).consume())
    assert draw_reports.verify(context, draw_id)["verified"] is True
