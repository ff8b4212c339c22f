"""The fast draw (issue 24) answers what the slow, obvious computation answers, and eight draws at once never seat
one expert twice.

The reference is the screen draws used before: every candidate's full facts read (graph/draws.py CANDIDATE_FACTS)
and every rule applied in Python (registry.draws.screen). The fast screen (services/draw_screen.py) must give the
same people matched, the same candidates and the same exclusions with the same details, over a synthetic registry
with every kind of fact an avoidance rule reads: ties to organizations, suspended and revoked certificates, a bar,
unavailability, declarations, seats in earlier draws up to the yearly cap, manual exclusions.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from graph import draw_records as records
from graph import draw_screen as screen_repo
from graph import draws as repo
from registry.conflicts import DEFAULT_CONFLICT_RULES
from registry.draw_log import open_draw
from registry.draws import Criteria, DrawContext
from seed.synthetic import generate
from services import (
    availability,
    certificates,
    declarations,
    draw_reports,
    draw_seals,
    draws,
    misconduct,
    practitioners,
)
from services import draw_screen as screening
from services.synthetic import load_synthetic
from tests.support import unique_id_card

TODAY = date.today()
REGION = "450000"  # 广西: the fixtures' own people live here
# The eight-at-once crowd: 西藏 (540000) holds test_page_views's and test_notification_events's people, who
# would meet these criteria when those suites run first.
CROWD_REGION = "630000"
OFFSET = 40  # panel dates in years of their own, so no other suite's seats count


def in_year(offset: int, month: int = 6, day: int = 15) -> date:
    return date(TODAY.year + OFFSET + offset, month, day)


def _person(context, name: str, work_type: str, level: int = 2, region: str = REGION) -> str:
    view = practitioners.register(
        context, {"name": name, "id_card": unique_id_card(), "region": region, "education": "master"}
    )
    certificates.issue(
        context,
        {"number": f"DS-{uuid.uuid4().hex[:10].upper()}", "practitioner_id": view["id"], "work_type": work_type,
         "level": level, "issued_on": date(2023, 1, 1)},
    )  # fmt: skip
    return view["id"]


@pytest.fixture(scope="module")
def world(context) -> dict:
    load_synthetic(context, generate(500, seed=24, today=TODAY), batch_size=250)
    orgs = context.graph.read(
        lambda tx: [
            r["id"]
            for r in tx.run(
                "MATCH (o:Organization) RETURN o.id AS id ORDER BY COUNT { (o)<-[:EMPLOYED_BY]-() } "
                "+ COUNT { (o)<-[:FOR_CLIENT]-() } DESC, o.id LIMIT 3"
            )
        ]
    )
    people = [_person(context, f"筛选专家{i}", "verification") for i in range(12)]
    # A suspended and a revoked certificate, a bar, unavailability, a declared director's tie.
    holders = [p for p in people[:2]]
    for holder, action in zip(holders, ("suspend", "revoke"), strict=True):
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
    availability.declare(context, people[3], {"from_": TODAY, "to": in_year(1), "reason": "abroad"})
    declarations.declare(
        context,
        people[4],
        {"organization_id": orgs[0], "relationship": "director", "from_": TODAY - timedelta(days=400)},
        entered_by="admin",
    )
    # Seats: a draw on the panel day fills some of them, and a capped year holds others at the cap.
    seated = draws.create(context, _request(in_year(1), 3, region=REGION, work_type="verification"))
    return {"orgs": orgs, "people": people, "seated": seated}


def _request(day: date | None, size: int, **fields) -> dict:
    return {"purpose": "policy_advice", "title": "筛选", "size": size, "reserves": 0, "panel_date": day,
            "min_level": 2, "exclusions": [], **fields}  # fmt: skip


def _screens(context, criteria: Criteria, draw_context: DrawContext, cap: int | None = None):
    """The reference and the fast screen in one transaction, both with issue 23's indirect conflicts."""
    rules = draws.rules_for(context)
    indirect = screening.Indirect(DEFAULT_CONFLICT_RULES, criteria.work_type)
    if cap is not None:
        rules = replace(rules, draws_per_year_cap=cap)
    draw_id = str(uuid.uuid4())

    def work(tx):
        screen_repo.ensure_loads(tx, draw_context.reference_date.year)
        slow = screening.reference_screen(tx, draw_id, criteria, draw_context, rules, indirect)
        fast = screening.fast_screen(tx, draw_id, criteria, draw_context, rules, indirect=indirect)
        # Asked person by person from the matched people's side instead of the facts' side: the same answer.
        wide = screening.fast_screen(
            tx, draw_id, criteria, draw_context, rules, indirect=indirect, among_limit=10**9
        )
        assert wide == fast
        return slow, fast

    return context.graph.write(work)


CRITERIA = [
    Criteria(),
    Criteria(work_type="verification"),
    Criteria(work_type="verification", min_level=3),
    Criteria(work_type="monitoring", min_level=1),
    Criteria(work_type="verification", region=REGION),
    Criteria(region="420000", min_level=4),
    Criteria(industry="power", min_level=4),
    Criteria(specialty="carbon_verification", min_level=4),
]


@pytest.mark.parametrize("criteria", CRITERIA, ids=lambda c: repr(c)[9:60])
@pytest.mark.parametrize("with_org", [False, True])
@pytest.mark.parametrize("on_panel_day", [False, True])
def test_the_fast_screen_equals_the_full_read(context, world, criteria, with_org, on_panel_day):
    seated = {s["practitioner"]["id"] for s in world["seated"]["seats"]}
    manual = {world["people"][5]: "co-author", next(iter(seated)): "asked to step aside"}
    for org in world["orgs"] if with_org else [None]:
        draw_context = DrawContext(
            in_year(1) if on_panel_day else TODAY, in_year(1) if on_panel_day else None, org, manual
        )
        for cap in (None, 1):
            slow, fast = _screens(context, criteria, draw_context, cap)
            assert fast.matched == slow.matched
            assert list(fast.candidate_ids) == [c.id for c in slow.candidates]
            assert fast.exclusions == slow.exclusions


def test_the_world_holds_every_rule(context, world):
    """The equivalence above is worth something only if the rules fire: each one excludes someone here."""
    draw_context = DrawContext(in_year(1), in_year(1), world["orgs"][0], {world["people"][5]: "co-author"})
    slow, fast = _screens(context, Criteria(min_level=4), draw_context, cap=1)
    rules = {e.rule for e in slow.exclusions}
    assert {"certificate_status", "sanction", "unavailable", "draw_cap", "manual", "declaration"} <= rules
    assert rules & {"employment", "engagement"}
    assert fast.exclusions == slow.exclusions
    indirect = set()
    for org in world["orgs"]:
        org_context = DrawContext(TODAY, None, org, {})
        _, fast = _screens(context, Criteria(work_type="verification", min_level=4), org_context)
        indirect |= {e.rule for e in fast.exclusions if e.path}
    assert "group_employment" in indirect  # issue 23's conflicts reach the draw, each with its path


def test_loads_kept_by_each_draw_equal_loads_rebuilt_from_the_seats(context, world):
    year = in_year(1).year
    read = "MATCH (l:DrawLoad {year: $year}) WHERE l.seats > 0 RETURN l.key AS k, l.seats AS s ORDER BY k"

    def loads():
        return context.graph.read(lambda tx: [tuple(r.values()) for r in tx.run(read, year=year)])

    kept = loads()
    assert len(kept) == 3
    context.graph.write(lambda tx: screen_repo.rebuild_loads(tx, year))
    assert loads() == kept
    assert draws.rebuild_loads(context)[year] == 3  # `registry draw loads`: every year with seats
    assert loads() == kept


# --- Eight administrators at once ------------------------------------------------------------------------------

WORK_TYPES = ("verification", "monitoring", "consulting", "trading")


@pytest.fixture(scope="module")
def crowd(context) -> dict[str, list[str]]:
    """Six people of each of four work types in 青海 (CROWD_REGION), a region no other suite uses."""
    return {
        wt: [_person(context, f"并发{wt}{i}", wt, region=CROWD_REGION) for i in range(6)] for wt in WORK_TYPES
    }


def _at_once(calls):
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index, call):
        barrier.wait()
        try:
            results[index] = call()
        except Exception as error:  # handed back to the test
            results[index] = error

    threads = [threading.Thread(target=run, args=(i, c)) for i, c in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=300)
    for result in results:
        if isinstance(result, Exception):
            raise result
    return results


def _seated(view: dict) -> list[str]:
    return [
        s["practitioner"]["id"] for s in view["seats"] if s["role"] == "panel" and s["status"] == "invited"
    ]


def test_eight_draws_at_once_same_day_never_seat_anyone_twice(context, crowd):
    day = in_year(5)
    # Two administrators per work type, each wanting 4 of its 6 people on the same day: only 6 seats exist.
    calls = [
        (
            lambda wt=wt: draws.create(
                context, _request(day, 4, region=CROWD_REGION, work_type=wt, min_level=2)
            )
        )
        for wt in WORK_TYPES
        for _ in range(2)
    ]
    views = _at_once(calls)
    for wt in WORK_TYPES:
        mine = [v for v in views if v["work_type"] == wt]
        both = _seated(mine[0]) + _seated(mine[1])
        assert len(both) == len(set(both)) == 6, wt  # everyone once, nobody twice
        assert sorted(v["shortfall"] for v in mine) == [0, 2]
    for view in views:
        assert draw_reports.verify(context, view["id"])["verified"]


def test_eight_draws_at_once_on_different_days_keep_the_yearly_cap(context, crowd):
    capped = replace(context, settings=replace(context.settings, draw_cap_per_year=1))
    calls = [
        (
            lambda wt=wt, m=m: draws.create(
                capped, _request(in_year(6, m, 1), 4, region=CROWD_REGION, work_type=wt)
            )
        )
        for wt in WORK_TYPES
        for m in (3, 9)
    ]
    views = _at_once(calls)
    for wt in WORK_TYPES:
        seats = [pid for v in views if v["work_type"] == wt for pid in _seated(v)]
        assert len(seats) == len(set(seats)) == 6, wt  # one seat each in the year: the cap


# --- Draws sealed before merkle-v2 keep verifying -----------------------------------------------------------


def _lines_v1_draw(context, crowd) -> str:
    """A draw stored as draws were before issue 24: every candidate line, order keys over all of them."""
    day, now, draw_id, secret = in_year(7), datetime.now(UTC), str(uuid.uuid4()), uuid.uuid4().hex * 2
    criteria, rules = Criteria(work_type="trading", region=CROWD_REGION), draws.rules_for(context)
    draw_context = DrawContext(day, day, None, {})

    def work(tx):
        screened = screening.reference_screen(tx, draw_id, criteria, draw_context, rules)
        opening = open_draw(draw_id, secret, screened.candidates, screened.exclusions, 3, 1, now,
                            rules.response_hours, by="cli")  # fmt: skip
        props = {"purpose": "policy_advice", "title": "旧格式", "organization_id": None, "work_type": "trading",
                 "min_level": 2, "industry": None, "region": CROWD_REGION, "specialty": None, "size": 3, "reserves": 1,
                 "panel_date": day, "reference_date": day, "manual_ids": [], "manual_reasons": [],
                 "secret": secret, "seed_commitment": opening.seed_commitment,
                 "candidate_hash": opening.candidate_hash, "seed": opening.seed,
                 "candidate_count": len(screened.candidates), "matched_count": screened.matched,
                 "candidates": [records.candidate_line(c) for c in screened.candidates],
                 "window_years": rules.window_years, "draw_cap": rules.draws_per_year_cap,
                 "response_hours": rules.response_hours, "created_by": "cli"}  # fmt: skip
        events = [records.event_properties(e) for e in opening.log.events]
        seal = draw_seals.seal(context, draw_id, {**props, "created_at": now}, events)
        repo.create_draw(tx, draw_id, props | seal.properties, None, now)
        draw_seals.store(tx, context, draw_id, opening.log, now, seal.head)

    context.graph.write(work)
    return draw_id


def test_a_draw_sealed_with_every_line_still_verifies_and_refills_along_its_order(context, crowd):
    draw_id = _lines_v1_draw(context, crowd)
    checked = draw_reports.verify(context, draw_id)
    assert checked["verified"], checked["mismatched"]
    assert checked["candidate_format"] == "lines-v1" and len(checked["candidates"]) == 6
    view = draws.get(context, draw_id)
    member = _seated(view)[0]
    after = draws.respond(context, draw_id, {"practitioner_id": member, "response": "declined"})
    assert [s["via"] for s in after["seats"] if s["status"] == "invited"].count("reserve") == 1
    assert draw_reports.verify(context, draw_id)["verified"]
