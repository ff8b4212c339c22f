"""Who meets a draw's criteria, and the pool-wide facts of those who have any, are the same whichever way they are
read (issue 24): nationally from the certificates or inside a region from its people, the pool-wide facts from
the side of the barring certificates and the sanctions or person by person (graph/draw_screen.py MATCHED), all equal
the straightforward statement draws used before (MATCHED_REFERENCE: every matched person's certificates and
sanctions gathered while matching).

The data: generated people in 甘肃 (620000), a region no other suite uses, with certificates of two work types at
three levels — valid, expired by date, expired by status, suspended, revoked — sanctions in force, lifted, ended,
not yet started and open-ended, and some people deleted; national criteria also cover what other suites left.
"""

from __future__ import annotations

import random
import uuid
from datetime import date, timedelta

import pytest

from graph import draw_screen as screen_repo
from registry.draws import CandidateFacts, Criteria, DrawContext
from services import certificates, draws, practitioners
from services import draw_screen as screening
from tests.support import unique_id_card

TODAY = date.today()
REGION = "620000"  # 甘肃: no other suite's people live here
WORK_TYPES = ("verification", "monitoring")
DAYS = (TODAY, TODAY - timedelta(days=400), TODAY + timedelta(days=400))

SANCTION = """
MATCH (p:Practitioner {id: $id})
CREATE (p)-[:SANCTIONED]->(:Sanction {id: $sid, kind: $kind, from: $from, until: $until, lifted_on: $lifted_on,
                                      reason: 'generated'})
"""
EXPIRE = "MATCH (c:Certificate {number: $number}) SET c.status = 'expired'"


def _sanction(rng: random.Random) -> dict:
    """A sanction in force, lifted, ended, not yet started or open-ended on one of DAYS."""
    starts = TODAY + timedelta(days=rng.choice((-900, -500, -30, 0, 30, 500)))
    until = rng.choice((None, starts + timedelta(days=rng.choice((0, 60, 365, 1000)))))
    lifted = rng.choice((None, None, starts + timedelta(days=rng.choice((1, 200, 450)))))
    return {
        "kind": rng.choice(("bar", "expert_suspension")),
        "from": starts,
        "until": until,
        "lifted_on": lifted,
    }


@pytest.fixture(scope="module")
def people(context) -> list[str]:
    rng = random.Random(2424)
    made: list[str] = []
    for i in range(36):
        view = practitioners.register(
            context,
            {"name": f"匹配专家{i}", "id_card": unique_id_card(), "region": REGION, "education": "master"},
        )
        pid = view["id"]
        made.append(pid)
        for _ in range(rng.randint(1, 3)):
            number = f"DM-{uuid.uuid4().hex[:10].upper()}"
            expires = rng.choice((None, TODAY - timedelta(days=200), TODAY + timedelta(days=200)))
            certificates.issue(
                context,
                {"number": number, "practitioner_id": pid, "work_type": rng.choice(WORK_TYPES),
                 "level": rng.randint(1, 3), "issued_on": date(2020, 1, 1), "expires_on": expires},
            )  # fmt: skip
            fate = rng.choice(("valid", "valid", "suspend", "revoke", "expired"))
            if fate == "suspend" and expires is not None and expires < TODAY:
                fate = "revoke"  # only a valid certificate can be suspended
            if fate == "expired":
                context.graph.write(lambda tx, n=number: tx.run(EXPIRE, number=n).consume())
            elif fate != "valid":
                certificates.change_status(context, number, fate, "generated")
        for _ in range(rng.choice((0, 0, 1, 2))):
            row = _sanction(rng)
            context.graph.write(
                lambda tx, r=row, p=pid: tx.run(SANCTION, id=p, sid=str(uuid.uuid4()), **r).consume()
            )
        if rng.random() < 0.15:
            practitioners.soft_delete(context, pid)
    return made


def _normal(pooled: list[CandidateFacts]) -> list[tuple]:
    """The pool-wide facts in one order (the statements gather each person's facts in no set order)."""
    return sorted(
        (p.id, tuple(sorted(p.certificates, key=repr)), tuple(sorted(p.sanctions, key=repr))) for p in pooled
    )


CRITERIA = [
    Criteria(work_type="verification", region=REGION),
    Criteria(work_type="monitoring", min_level=3, region=REGION),
    Criteria(region=REGION, min_level=1),
    Criteria(work_type="verification"),
    Criteria(),
]


@pytest.mark.parametrize("criteria", CRITERIA, ids=repr)
@pytest.mark.parametrize("day", DAYS, ids=str)
def test_matching_from_the_side_or_person_by_person_equals_the_reference(context, people, criteria, day):
    rules = draws.rules_for(context)
    args = {"work_type": criteria.work_type, "min_level": criteria.min_level, "region": criteria.region,
            "industry": criteria.industry, "specialty": criteria.specialty, "today": day,
            "barring": rules.barring_certificate_statuses}  # fmt: skip

    def work(tx):
        return (
            screen_repo.matched_reference(tx, **args),
            screen_repo.matched(tx, **args, side=True),
            screen_repo.matched(tx, **args, side=False),
            screen_repo.matched(tx, **args),
        )

    (ids, pooled), *others = context.graph.read(work)
    assert len(ids) == len(set(ids))
    for other_ids, other_pooled in others:
        assert sorted(other_ids) == sorted(ids)
        assert _normal(other_pooled) == _normal(pooled)
    # Judged by the rules, the same exclusions (what a draw seals).
    draw_context = DrawContext(day, None, None, {})
    expected = sorted(screening.pool_exclusions(pooled, draw_context, rules), key=repr)
    for _, other_pooled in others:
        assert sorted(screening.pool_exclusions(other_pooled, draw_context, rules), key=repr) == expected


def test_the_generated_people_hold_every_kind_of_pool_wide_fact(context, people):
    rules = draws.rules_for(context)
    args = {"work_type": None, "min_level": 3, "region": REGION, "industry": None, "specialty": None,
            "barring": rules.barring_certificate_statuses}  # fmt: skip
    found = {}
    for day in DAYS:
        ids, pooled = context.graph.read(
            lambda tx, d=day: screen_repo.matched(tx, **args, today=d, side=True)
        )
        found[day] = (set(ids), screening.pool_exclusions(pooled, DrawContext(day, None, None, {}), rules))
    ids, excluded = found[TODAY]
    deleted = set(people) - set(context.graph.read(
        lambda tx: [r["id"] for r in tx.run(
            "MATCH (p:Practitioner) WHERE p.id IN $ids AND p.status = 'active' RETURN p.id AS id", ids=people)]
    ))  # fmt: skip
    assert deleted and not deleted & ids  # deleted people never match
    assert {e.rule for e in excluded} == {"certificate_status", "sanction"}
    assert any("suspended" in e.detail for e in excluded) and any("revoked" in e.detail for e in excluded)
    # Sanctions start, end and are lifted between the days: who is barred changes with the reference date.
    barred = {day: {e.practitioner_id for e in found[day][1] if e.rule == "sanction"} for day in DAYS}
    assert barred[DAYS[0]] != barred[DAYS[1]] or barred[DAYS[0]] != barred[DAYS[2]]
    # Certificates that expired by date match on the earlier day only: the pools differ.
    assert found[DAYS[1]][0] != found[DAYS[0]][0]
