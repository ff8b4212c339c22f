"""The anomaly queue's rules (registry/integrity.py, registry/circles.py): statuses, thresholds, scores, the
overload sweep, and closed circles by cohesion and exclusivity."""

from __future__ import annotations

from dataclasses import replace
from datetime import date

import pytest

from registry import integrity as rules
from registry.circles import CLIENT, PROVIDER, VERIFIER, Work, find_circles
from registry.errors import InvalidTransition, ValidationFailed

TODAY = date(2026, 12, 7)


# --- Statuses ---


@pytest.mark.parametrize(
    ("current", "wanted"),
    [("open", "reviewing"), ("open", "confirmed"), ("open", "dismissed"), ("reviewing", "confirmed"),
     ("reviewing", "dismissed")],
)  # fmt: skip
def test_a_finding_moves_forward_from_open_and_reviewing(current, wanted):
    assert rules.next_status(current, wanted) == wanted


@pytest.mark.parametrize("current", ["confirmed", "dismissed"])
@pytest.mark.parametrize("wanted", ["reviewing", "confirmed", "dismissed"])
def test_a_decided_finding_stays_decided(current, wanted):
    with pytest.raises(InvalidTransition, match="stays decided"):
        rules.next_status(current, wanted)


def test_reviewing_again_is_not_a_step():
    with pytest.raises(InvalidTransition):
        rules.next_status("reviewing", "reviewing")


def test_open_is_not_a_decision():
    with pytest.raises(ValidationFailed):
        rules.next_status("reviewing", "open")


def test_only_a_confirmation_opens_a_misconduct_record():
    assert rules.misconduct_problems("confirmed", True) == {}
    assert rules.misconduct_problems("dismissed", False) == {}
    assert "open_misconduct" in rules.misconduct_problems("reviewing", True)


def test_every_kind_has_a_chinese_name_a_source_and_a_default_misconduct_category():
    assert set(rules.KIND_CODES) == {
        "signed_not_on_site", "two_places", "overload", "familiar_pair", "closed_circle"
    }  # fmt: skip
    for kind in rules.KINDS.values():
        assert kind.name_zh and kind.source and kind.description
        assert kind.code in rules.MISCONDUCT_CATEGORY


# --- Overload ---


def _span(n: int, start: str, end: str) -> rules.Span:
    return rules.Span(f"e{n}", date.fromisoformat(start), date.fromisoformat(end))


def test_the_peak_counts_engagements_running_on_the_same_day_including_first_and_last_days():
    spans = [
        _span(1, "2025-06-01", "2025-06-10"),
        _span(2, "2025-06-10", "2025-06-20"),
        _span(3, "2025-06-11", "2025-06-12"),
    ]
    assert rules.peak_concurrency(spans) == (2, date(2025, 6, 10), ("e1", "e2"))


def test_engagements_one_after_another_never_run_at_once():
    spans = [_span(n, f"2025-0{n}-01", f"2025-0{n}-28") for n in range(1, 8)]
    assert rules.peak_concurrency(spans)[0] == 1


def test_a_running_engagement_without_an_end_runs_until_today_and_a_finished_one_for_its_first_day():
    assert rules.span_of("e", date(2026, 1, 1), None, "active", TODAY).end_on == TODAY
    assert rules.span_of("e", date(2026, 1, 1), None, "cancelled", TODAY).end_on == date(2026, 1, 1)
    assert rules.span_of("e", None, None, "active", TODAY) is None


def test_overload_scores_half_just_past_the_threshold_and_one_at_twice_it():
    threshold = rules.THRESHOLDS.overload_max_concurrent
    assert rules.overload_score(threshold + 1, threshold) == 0.5
    assert rules.overload_score(2 * threshold, threshold) == 1.0
    assert rules.overload_score(5 * threshold, threshold) == 1.0


def test_scores_rise_with_how_far_past_the_threshold():
    assert rules.familiar_pair_score(3, 3) == 0.5 and rules.familiar_pair_score(6, 3) == 1.0
    assert rules.signed_not_on_site_score(team_visited=False) > rules.signed_not_on_site_score(
        team_visited=True
    )
    assert rules.two_places_score(3) > rules.two_places_score(2)
    assert rules.circle_score(1.0, 1.0) == 1.0 and rules.circle_score(0.25, 1.0) == 0.5


# --- Keys ---


def test_a_findings_key_is_its_kind_and_subject():
    assert rules.finding_key("two_places", "p1", date(2025, 5, 10)) == "two_places:p1:2025-05-10"


def test_a_circles_subject_does_not_depend_on_the_order_of_its_organizations():
    assert rules.circle_subject(["b", "a", "c"]) == rules.circle_subject(["c", "b", "a"])
    assert rules.circle_subject(["a", "b"]) != rules.circle_subject(["a", "b", "c"])


# --- Cohesion and exclusivity ---


def test_cohesion_is_weighted_density_over_the_pairs_that_can_be_tied():
    # 3 verifiers, 1 provider, 3 clients: 3×(1+3) + 1×3 = 15 possible ties
    assert rules.possible_pairs(3, 1, 3) == 15
    assert rules.cohesion(15.0, 15) == 1.0
    assert rules.cohesion(7.5, 15) == 0.5
    assert rules.cohesion(1.0, 0) == 0.0


def test_exclusivity_is_the_share_of_the_members_ties_that_stay_inside():
    assert rules.exclusivity(8.0, 10.0) == 0.8
    assert rules.exclusivity(0.0, 0.0) == 0.0


def test_a_tie_weighs_the_shared_work_against_the_less_busy_of_the_two():
    assert rules.tie_weight(2, 2, 300) == 1.0  # a client all of whose verifications one big provider did
    assert rules.tie_weight(1, 4, 10) == 0.25


def test_a_group_is_a_circle_only_when_big_cohesive_and_exclusive_enough():
    circle = rules.Circle(
        ("x",), verifiers=3, providers=1, clients=3, engagements=6, cohesion=0.9, exclusivity=0.95
    )
    assert rules.is_closed_circle(circle)
    assert not rules.is_closed_circle(replace(circle, exclusivity=0.79))
    assert not rules.is_closed_circle(replace(circle, cohesion=0.49))
    assert not rules.is_closed_circle(replace(circle, clients=1))
    assert not rules.is_closed_circle(replace(circle, engagements=3))


# --- Community detection ---


def _market() -> list[Work]:
    """Forty providers, each serving its own clients with its own verifiers, clients changing providers."""
    works = []
    for client in range(200):
        for year in range(4):
            provider = (client + 7 * year) % 40
            team = [f"v{provider}-{(client + year + k) % 12}" for k in range(3)]
            works.append(Work(f"m{client}-{year}", f"c{client}", f"p{provider}", team))
    return works


def _circle(prefix: str) -> list[Work]:
    return [
        Work(
            f"{prefix}{year}-{n}", f"{prefix}C{n}", f"{prefix}P", [f"{prefix}V{n}", f"{prefix}V{(n + 1) % 3}"]
        )
        for year in range(2)
        for n in range(3)
    ]


def test_a_closed_circle_in_a_market_is_found_with_its_members_and_work():
    [found] = find_circles(_market() + _circle("X"))
    assert found.members[PROVIDER] == ("XP",)
    assert found.members[CLIENT] == ("XC0", "XC1", "XC2")
    assert found.members[VERIFIER] == ("XV0", "XV1", "XV2")
    assert len(found.engagement_ids) == 6
    assert found.circle.exclusivity == 1.0 and found.circle.cohesion >= 0.5


def test_the_same_circle_working_widely_outside_is_not_a_finding():
    # the circle's provider and verifiers also verify the market's clients, whom other providers serve too
    outside = [Work(f"out{n}", f"c{n}", f"p{n % 40}" if n % 2 else "XP", [f"XV{n % 3}"]) for n in range(12)]
    assert find_circles(_market() + _circle("X") + outside) == []


def test_the_background_market_holds_no_circle_and_the_answer_is_the_same_every_time():
    assert find_circles(_market()) == []
    works = _market() + _circle("X") + _circle("Y")
    assert find_circles(works) == find_circles(list(reversed(works)))
    assert len(find_circles(works)) == 2
