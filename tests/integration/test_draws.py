"""Draws on the real graph: two draws at once, deadlines, and refills that re-check avoidance.

The pool: nine level-2 monitoring experts in 台湾省 (710000), a region no other suite uses. Each test draws for
panel dates in its own future years, so the seats of one test never count against the cap in another.
"""

from __future__ import annotations

import threading
import uuid
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from registry.audit import Actor
from registry.errors import InvalidTransition
from services import certificates, draw_reports, draws, misconduct, practitioners
from services.context import Context
from tests.support import unique_id_card

REGION = "710000"
POOL_SIZE = 9


@pytest.fixture(scope="module")
def pool(graph, settings) -> list[str]:
    ctx = Context(graph=graph, settings=settings, actor=Actor.cli(), today=date.today())
    ids = []
    for index in range(POOL_SIZE):
        person = practitioners.register(
            ctx,
            {
                "name": f"并发专家{index}",
                "id_card": unique_id_card(),
                "region": REGION,
                "education": "master",
            },
        )
        certificates.issue(
            ctx,
            {
                "number": f"CC-{uuid.uuid4().hex[:10].upper()}",
                "practitioner_id": person["id"],
                "work_type": "monitoring",
                "level": 2,
                "issued_on": date(2023, 1, 1),
            },
        )
        ids.append(person["id"])
    return ids


def in_year(offset: int, month: int = 6, day: int = 15) -> date:
    return date(date.today().year + offset, month, day)


def request(panel_date: date, size: int, reserves: int = 0, **fields) -> dict:
    return {
        "purpose": "policy_advice",
        "title": "并发抽取",
        "work_type": "monitoring",
        "min_level": 2,
        "region": REGION,
        "size": size,
        "reserves": reserves,
        "panel_date": panel_date,
        "exclusions": [],
        **fields,
    }


def seated(view: dict) -> set[str]:
    return {
        s["practitioner"]["id"] for s in view["seats"] if s["role"] == "panel" and s["status"] == "invited"
    }


def at_once(*calls):
    """Run the calls in threads released together; their results in call order (re-raising any error)."""
    barrier = threading.Barrier(len(calls))
    results: list = [None] * len(calls)

    def run(index: int, call) -> None:
        barrier.wait()
        try:
            results[index] = call()
        except Exception as error:  # handed back to the test
            results[index] = error

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    for result in results:
        if isinstance(result, Exception):
            raise result
    return results


@pytest.mark.parametrize("trial", range(3))
def test_two_draws_at_once_never_seat_one_expert_on_two_panels_the_same_day(context, pool, trial):
    day = in_year(10 + trial)
    first, second = at_once(
        lambda: draws.create(context, request(day, 5)),
        lambda: draws.create(context, request(day, 5)),
    )
    assert not seated(first) & seated(second)
    assert len(seated(first) | seated(second)) == POOL_SIZE
    assert sorted([first["shortfall"], second["shortfall"]]) == [0, 1]
    later = first if first["shortfall"] else second
    assert {x["rule"] for x in later["excluded"]} == {"unavailable"}
    assert (
        draw_reports.verify(context, first["id"])["verified"]
        and draw_reports.verify(context, second["id"])["verified"]
    )


def test_two_draws_at_once_on_different_days_keep_the_yearly_cap(context, pool):
    capped = replace(context, settings=replace(context.settings, draw_cap_per_year=1))
    first, second = at_once(
        lambda: draws.create(capped, request(in_year(20, 3, 1), 4)),
        lambda: draws.create(capped, request(in_year(20, 9, 1), 7)),
    )
    assert not seated(first) & seated(second)
    later = first if first["shortfall"] else second
    assert later["shortfall"] == 2  # 4 + 7 seats wanted from 9 people allowed one seat each this year
    assert {x["rule"] for x in later["excluded"]} == {"draw_cap"}


def test_without_the_cap_the_same_experts_may_sit_on_panels_of_different_days(context, pool):
    first = draws.create(context, request(in_year(21, 3, 1), POOL_SIZE))
    second = draws.create(context, request(in_year(21, 9, 1), POOL_SIZE))
    assert seated(first) == seated(second) == set(pool)


def test_an_invitation_past_its_deadline_counts_as_no_response_and_calls_the_reserve(context, pool):
    start = datetime.now(UTC)
    view = draws.create(context, request(in_year(22), 2, reserves=1), now=start)
    invited = seated(view)
    reserve = next(s["practitioner"]["id"] for s in view["seats"] if s["role"] == "reserve")
    assert draws.lapse_invitations(context, now=start + timedelta(hours=47)) == 0
    assert draws.lapse_invitations(context, now=start + timedelta(hours=49)) >= 1
    after = draws.get(context, view["id"])
    status = {s["practitioner"]["id"]: s["status"] for s in after["seats"]}
    assert {status[pid] for pid in invited} == {"no_response"}
    assert status[reserve] == "invited"
    # The reserve takes one seat; reserves used up, the next candidate along the sealed order takes the other.
    assert [s["status"] for s in after["seats"] if s["via"] == "replacement"] == ["invited"]
    assert after["shortfall"] == 0
    assert draw_reports.verify(context, view["id"])["verified"]


def test_an_acceptance_after_the_deadline_is_refused(context, pool):
    start = datetime.now(UTC)
    view = draws.create(context, request(in_year(23), 1), now=start)
    member = next(iter(seated(view)))
    with pytest.raises(InvalidTransition, match="lapsed"):
        draws.respond(
            context,
            view["id"],
            {"practitioner_id": member, "response": "accepted"},
            now=start + timedelta(hours=49),
        )


def test_a_reserve_seated_elsewhere_that_day_since_the_draw_is_skipped_and_the_skip_recorded(context, pool):
    day = in_year(24)
    first = draws.create(context, request(day, 2, reserves=2))
    reserves = {s["practitioner"]["id"] for s in first["seats"] if s["role"] == "reserve"}
    second = draws.create(context, request(day, POOL_SIZE - 2))  # the seven not seated on the first panel
    assert reserves <= seated(second)

    member = next(iter(seated(first)))
    after = draws.respond(context, first["id"], {"practitioner_id": member, "response": "declined"})
    skipped = [x for x in after["excluded"] if x["stage"] == "refill"]
    assert {x["practitioner_id"] for x in skipped} >= reserves
    assert {x["rule"] for x in skipped} == {"unavailable"}
    assert after["status"] == "short" and after["shortfall"] == 1
    assert draw_reports.verify(context, first["id"])["verified"]


def test_a_reserve_barred_since_the_draw_is_passed_over_with_rule_sanction(context):
    # Its own three trading experts, so the bar (indefinite) touches no other test's pool.
    traders = []
    for index in range(3):
        person = practitioners.register(
            context,
            {
                "name": f"交易专家{index}",
                "id_card": unique_id_card(),
                "region": REGION,
                "education": "master",
            },
        )
        certificates.issue(
            context,
            {"number": f"CT-{uuid.uuid4().hex[:10].upper()}", "practitioner_id": person["id"],
             "work_type": "trading", "level": 2, "issued_on": date(2023, 1, 1)},
        )  # fmt: skip
        traders.append(person["id"])
    view = draws.create(context, request(in_year(25), 1, reserves=1, work_type="trading"))
    reserve = next(s["practitioner"]["id"] for s in view["seats"] if s["role"] == "reserve")
    for days in (30, 20, 10):  # three records within twelve months: a bar (issue 12's step-up rule)
        misconduct.record_misconduct(
            context,
            reserve,
            {"category": "data_falsification", "occurred_on": date.today() - timedelta(days=days)},
        )

    member = next(iter(seated(view)))
    after = draws.respond(context, view["id"], {"practitioner_id": member, "response": "declined"})
    skipped = {x["practitioner_id"]: x["rule"] for x in after["excluded"] if x["stage"] == "refill"}
    assert skipped == {reserve: "sanction"}
    assert [s["status"] for s in after["seats"] if s["practitioner"]["id"] == reserve] == ["skipped"]
    replacement = [s for s in after["seats"] if s["via"] == "replacement"]
    assert [s["practitioner"]["id"] for s in replacement] == [
        p for p in traders if p not in (member, reserve)
    ]
    assert draw_reports.verify(context, view["id"])["verified"]
