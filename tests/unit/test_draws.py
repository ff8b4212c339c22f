"""Expert panel draws: size rules, avoidance, the sealed order, invitations, refills and verification."""

import hashlib
from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from registry.certificates import CertificateFacts
from registry.draw_log import (
    DrawState,
    Seat,
    appoint,
    check_response,
    disclose,
    lapse_overdue,
    next_call,
    open_draw,
    overdue,
    record_response,
    replay,
)
from registry.draw_record import candidate_hash, order_key, sealed_order, seed_commitment, seed_for, select
from registry.draw_rules import AVOIDANCE_RULES, DEFAULT_RULES, RULE_CODES, rules_from_mapping
from registry.draw_stats import acceptance_rate, gini, top_share
from registry.draw_verify import SealedRecord, verify
from registry.draws import (
    DEFAULT_MIN_LEVEL,
    DEFAULT_RESERVES,
    PURPOSE_CODES,
    Booking,
    CandidateFacts,
    Criteria,
    Declaration,
    DrawContext,
    Employment,
    EngagementTie,
    Exclusion,
    Sanction,
    SealedCandidate,
    Unavailability,
    avoidance,
    criteria_problems,
    current_employers,
    exclusions_by_rule,
    meets_criteria,
    screen,
    size_problems,
    window_start,
)
from registry.errors import InvalidTransition, NotFound

PANEL_DAY = date(2026, 3, 10)
ORG = "org-client"
NOW = datetime(2026, 3, 1, 9, 0, tzinfo=UTC)


def expert(pid: str = "p1", level: int = 2, work_type: str = "verification", **facts) -> CandidateFacts:
    cert = CertificateFacts(f"C-{pid}", work_type, level, "valid", date(2022, 1, 1), date(2030, 1, 1))
    facts.setdefault("certificates", (cert,))
    return CandidateFacts(pid, **facts)


def context(**values) -> DrawContext:
    values.setdefault("reference_date", PANEL_DAY)
    values.setdefault("panel_date", PANEL_DAY)
    values.setdefault("organization_id", ORG)
    return DrawContext(**values)


def rules_hit(candidate: CandidateFacts, ctx: DrawContext | None = None, rules=DEFAULT_RULES) -> list[str]:
    return [e.rule for e in avoidance(candidate, ctx or context(), rules)]


# --- Purposes and size ---------------------------------------------------------------------------------------


def test_the_issue_s_six_purposes_are_known():
    assert set(PURPOSE_CODES) == {
        "review_panel",
        "verification_review",
        "standard_drafting",
        "question_bank",
        "policy_advice",
        "consulting",
    }


def test_a_review_panel_of_six_is_refused_because_five_or_more_must_be_odd():
    assert "odd" in size_problems("review_panel", 6, 2)["size"][0]
    assert size_problems("review_panel", 7, 2) == {}


def test_a_review_panel_needs_at_least_five_experts():
    assert "at least 5" in size_problems("review_panel", 3, 2)["size"][0]


@pytest.mark.parametrize("size", [1, 2, 3, 4])
def test_smaller_counts_are_allowed_for_other_purposes(size):
    assert size_problems("standard_drafting", size, 0) == {}


def test_any_purpose_asking_for_five_or_more_needs_an_odd_count():
    assert "size" in size_problems("policy_advice", 8, 2)


def test_an_unknown_purpose_and_too_many_reserves_are_field_errors():
    errors = size_problems("lunch", 3, 99)
    assert set(errors) == {"purpose", "reserves"}


def test_defaults_are_two_reserves_the_expert_pool_a_three_year_window_and_six_draws_a_year():
    assert DEFAULT_RESERVES == 2
    assert DEFAULT_MIN_LEVEL == 2
    assert DEFAULT_RULES.window_years == 3
    assert DEFAULT_RULES.draws_per_year_cap == 6


def test_every_rule_code_of_the_contract_is_listed_with_a_source():
    assert set(RULE_CODES) == {
        "employment",
        "engagement",
        "declaration",
        "certificate_status",
        "sanction",
        "same_employer",
        "unavailable",
        "draw_cap",
        "manual",
    }
    assert all(rule.source for rule in AVOIDANCE_RULES)


def test_window_and_cap_are_configurable_as_data():
    rules = rules_from_mapping({"window_years": 1, "draws_per_year_cap": 2})
    assert (rules.window_years, rules.draws_per_year_cap) == (1, 2)
    with pytest.raises(ValueError, match="unknown"):
        rules_from_mapping({"window": 1})
    with pytest.raises(ValueError, match="positive"):
        rules_from_mapping({"window_years": 0})


def test_unknown_work_type_and_level_in_criteria_are_field_errors():
    assert set(criteria_problems(Criteria(work_type="baking", min_level=7))) == {"work_type", "min_level"}


# --- Who meets the criteria ----------------------------------------------------------------------------------


def test_the_default_criteria_ask_for_the_expert_pool_so_level_3_is_not_a_candidate():
    assert meets_criteria(expert(level=2), Criteria(), PANEL_DAY)
    assert meets_criteria(expert(level=1), Criteria(), PANEL_DAY)
    assert not meets_criteria(expert(level=3), Criteria(), PANEL_DAY)


def test_a_certificate_of_another_work_type_does_not_meet_the_criteria():
    assert not meets_criteria(expert(work_type="trading"), Criteria(work_type="verification"), PANEL_DAY)


def test_an_expired_certificate_does_not_meet_the_criteria():
    old = CertificateFacts("C-old", "verification", 2, "valid", date(2015, 1, 1), date(2020, 1, 1))
    assert not meets_criteria(expert(certificates=(old,)), Criteria(), PANEL_DAY)


def test_a_province_criterion_includes_people_based_in_its_cities():
    person = expert(regions=frozenset({"440300", "440000"}))
    assert meets_criteria(person, Criteria(region="440000"), PANEL_DAY)
    assert not meets_criteria(person, Criteria(region="110000"), PANEL_DAY)


def test_industry_and_specialty_criteria_need_the_person_to_have_them():
    person = expert(industries=frozenset({"power"}), specialties=frozenset({"ghg_inventory"}))
    assert meets_criteria(person, Criteria(industry="power", specialty="ghg_inventory"), PANEL_DAY)
    assert not meets_criteria(person, Criteria(industry="steel"), PANEL_DAY)


def test_a_suspended_or_deleted_practitioner_is_not_in_the_draw_at_all():
    assert not meets_criteria(expert(status="deleted"), Criteria(), PANEL_DAY)


# --- Avoidance -----------------------------------------------------------------------------------------------


def test_current_employment_by_the_organization_excludes():
    assert rules_hit(expert(employments=(Employment(ORG, date(2020, 1, 1)),))) == ["employment"]


def test_employment_that_ended_within_three_years_excludes():
    assert rules_hit(expert(employments=(Employment(ORG, date(2015, 1, 1), date(2023, 6, 1)),))) == [
        "employment"
    ]


def test_employment_that_ended_more_than_three_years_before_does_not():
    assert rules_hit(expert(employments=(Employment(ORG, date(2015, 1, 1), date(2023, 3, 9)),))) == []


def test_the_window_starts_exactly_three_years_before_the_panel_date():
    assert window_start(PANEL_DAY, 3) == date(2023, 3, 10)
    assert rules_hit(expert(employments=(Employment(ORG, None, date(2023, 3, 10)),))) == ["employment"]
    assert window_start(date(2028, 2, 29), 3) == date(2025, 2, 28)


def test_a_shorter_configured_window_lets_an_older_employment_pass():
    person = expert(employments=(Employment(ORG, date(2015, 1, 1), date(2024, 6, 1)),))
    assert rules_hit(person, rules=rules_from_mapping({"window_years": 1})) == []


def test_employment_by_another_organization_does_not_exclude():
    assert rules_hit(expert(employments=(Employment("org-other"),))) == []


def test_a_draw_for_no_organization_applies_no_conflict_rules():
    person = expert(employments=(Employment(ORG),), declarations=(Declaration("d1", ORG, "director"),))
    assert rules_hit(person, context(organization_id=None)) == []


def test_an_engagement_for_the_organization_not_ended_excludes():
    assert rules_hit(expert(engagements=(EngagementTie("e1", ORG, date(2025, 1, 1)),))) == ["engagement"]


def test_an_engagement_ended_within_the_window_excludes_but_a_cancelled_one_does_not():
    ended = EngagementTie("e1", ORG, date(2022, 1, 1), date(2024, 1, 1), "completed")
    cancelled = EngagementTie("e2", ORG, date(2025, 1, 1), None, "cancelled")
    assert rules_hit(expert(engagements=(ended,))) == ["engagement"]
    assert rules_hit(expert(engagements=(cancelled,))) == []


@pytest.mark.parametrize("relationship", ["director", "supervisor", "shareholder", "adviser", "relative"])
def test_a_declared_relationship_with_the_organization_excludes(relationship):
    assert rules_hit(expert(declarations=(Declaration("d1", ORG, relationship, date(2020, 1, 1)),))) == [
        "declaration"
    ]


def test_a_declared_employment_counts_as_employment():
    assert rules_hit(expert(declarations=(Declaration("d1", ORG, "employment"),))) == ["employment"]


def test_a_relative_s_tie_excludes_only_while_it_lasts():
    ended = Declaration("d1", ORG, "relative", date(2010, 1, 1), date(2025, 1, 1))
    ongoing = Declaration("d2", ORG, "relative", date(2010, 1, 1))
    assert rules_hit(expert(declarations=(ended,))) == []
    assert rules_hit(expert(declarations=(ongoing,))) == ["declaration"]


def test_a_declaration_that_ended_before_the_window_does_not_exclude():
    old = Declaration("d1", ORG, "director", date(2010, 1, 1), date(2020, 1, 1))
    assert rules_hit(expert(declarations=(old,))) == []


def test_a_suspended_certificate_excludes_even_in_another_work_type():
    valid = CertificateFacts("C1", "verification", 2, "valid", date(2022, 1, 1), date(2030, 1, 1))
    suspended = CertificateFacts("C2", "trading", 3, "suspended", date(2022, 1, 1), date(2030, 1, 1))
    excluded = avoidance(expert(certificates=(valid, suspended)), context())
    assert [(e.rule, e.detail) for e in excluded] == [("certificate_status", "certificate C2 is suspended")]


def test_a_revoked_certificate_excludes():
    revoked = CertificateFacts("C1", "verification", 2, "revoked", date(2022, 1, 1), date(2030, 1, 1))
    assert rules_hit(expert(certificates=(revoked,))) == ["certificate_status"]


def test_an_active_expert_suspension_or_bar_excludes():
    suspension = Sanction("s1", "expert_suspension", date(2026, 1, 1), date(2026, 6, 30))
    bar = Sanction("s2", "bar", date(2024, 1, 1))
    assert rules_hit(expert(sanctions=(suspension,))) == ["sanction"]
    assert rules_hit(expert(sanctions=(bar,))) == ["sanction"]


def test_a_lifted_or_finished_sanction_does_not_exclude():
    lifted = Sanction("s1", "bar", date(2024, 1, 1), None, date(2026, 3, 10))
    finished = Sanction("s2", "expert_suspension", date(2025, 1, 1), date(2026, 3, 9))
    assert rules_hit(expert(sanctions=(lifted, finished))) == []


def test_unavailability_covering_the_panel_date_excludes_both_ends_inclusive():
    assert rules_hit(expert(unavailability=(Unavailability("a1", PANEL_DAY, PANEL_DAY),))) == ["unavailable"]
    assert (
        rules_hit(expert(unavailability=(Unavailability("a1", date(2026, 3, 11), date(2026, 3, 20)),))) == []
    )


def test_unavailability_is_ignored_for_a_draw_without_a_panel_date():
    person = expert(unavailability=(Unavailability("a1", PANEL_DAY, PANEL_DAY),))
    assert rules_hit(person, context(panel_date=None)) == []


def test_a_seat_on_another_panel_the_same_day_makes_the_expert_unavailable():
    seated = Booking("d-other", PANEL_DAY, date(2026, 3, 1), "panel", "accepted")
    declined = Booking("d-other", PANEL_DAY, date(2026, 3, 1), "panel", "declined")
    standby = Booking("d-other", PANEL_DAY, date(2026, 3, 1), "reserve", "standby")
    assert rules_hit(expert(bookings=(seated,))) == ["unavailable"]
    assert rules_hit(expert(bookings=(declined, standby))) == []


def test_six_panel_seats_in_the_year_reach_the_cap_but_five_do_not():
    def seats(n: int, year: int = 2026) -> tuple[Booking, ...]:
        return tuple(
            Booking(f"d{i}", date(year, 1, i + 1), date(year, 1, 1), "panel", "accepted") for i in range(n)
        )

    assert rules_hit(expert(bookings=seats(6))) == ["draw_cap"]
    assert rules_hit(expert(bookings=seats(5))) == []
    assert rules_hit(expert(bookings=seats(6, 2025))) == []
    assert rules_hit(expert(bookings=seats(2)), rules=rules_from_mapping({"draws_per_year_cap": 2})) == [
        "draw_cap"
    ]


def test_a_manual_exclusion_carries_the_administrator_s_reason():
    excluded = avoidance(expert("p9"), context(manual={"p9": "co-author of the proposal"}))
    assert excluded == [Exclusion("p9", "manual", "co-author of the proposal")]


def test_every_rule_a_person_falls_under_is_recorded():
    person = expert(
        employments=(Employment(ORG),),
        engagements=(EngagementTie("e1", ORG),),
        sanctions=(Sanction("s1", "bar", date(2020, 1, 1)),),
    )
    assert rules_hit(person) == ["employment", "engagement", "sanction"]


def test_current_employers_are_those_on_the_reference_date():
    person = expert(employments=(Employment("a"), Employment("b", None, date(2020, 1, 1)), Employment("c")))
    assert current_employers(person, PANEL_DAY) == ("a", "c")


def test_screening_splits_candidates_from_the_excluded_and_ignores_people_outside_the_criteria():
    people = [
        expert("p3", employments=(Employment("org-a"),)),
        expert("p1"),
        expert("p2", employments=(Employment(ORG),)),
        expert("p4", level=3),
    ]
    result = screen(people, Criteria(), context())
    assert result.matched == 3
    assert result.candidates == (SealedCandidate("p1"), SealedCandidate("p3", ("org-a",)))
    assert [(e.practitioner_id, e.rule) for e in result.exclusions] == [("p2", "employment")]
    assert exclusions_by_rule(result.exclusions)["employment"] == 1


# --- The sealed order ----------------------------------------------------------------------------------------

SECRET = "5e" * 32
DRAW_ID = "00000000-0000-4000-8000-000000000001"


def pool(n: int, employers: dict[str, str] | None = None) -> list[SealedCandidate]:
    employers = employers or {}
    return [
        SealedCandidate(f"p{i:02d}", (employers[f"p{i:02d}"],) if f"p{i:02d}" in employers else ())
        for i in range(n)
    ]


def test_the_candidate_hash_does_not_depend_on_the_order_the_graph_returned():
    people = pool(5)
    assert candidate_hash(people) == candidate_hash(list(reversed(people)))


def test_the_candidate_hash_covers_ids_and_employers():
    people = pool(3)
    expected = hashlib.sha256(b"p00|\np01|\np02|\n").hexdigest()
    assert candidate_hash(people) == expected
    assert candidate_hash(pool(3, {"p01": "org-x"})) != expected


def test_the_seed_is_sha256_of_secret_draw_id_and_candidate_hash_concatenated():
    hashed = candidate_hash(pool(4))
    assert seed_commitment(SECRET) == hashlib.sha256(SECRET.encode()).hexdigest()
    assert (
        seed_for(SECRET, DRAW_ID, hashed) == hashlib.sha256((SECRET + DRAW_ID + hashed).encode()).hexdigest()
    )


def test_each_candidate_s_order_key_is_sha256_of_seed_and_id_and_the_order_sorts_by_it():
    seed = seed_for(SECRET, DRAW_ID, candidate_hash(pool(8)))
    assert order_key(seed, "p03") == hashlib.sha256((seed + "p03").encode()).hexdigest()
    order = sealed_order(seed, pool(8))
    keys = [order_key(seed, c.id) for c in order]
    assert keys == sorted(keys)


def test_the_same_record_always_gives_the_same_order_and_another_seed_another_one():
    seed = seed_for(SECRET, DRAW_ID, candidate_hash(pool(12)))
    other = seed_for("00" * 32, DRAW_ID, candidate_hash(pool(12)))
    assert sealed_order(seed, pool(12)) == sealed_order(seed, list(reversed(pool(12))))
    assert sealed_order(seed, pool(12)) != sealed_order(other, pool(12))


def test_the_panel_is_the_first_n_and_the_reserves_the_next_m():
    order = pool(10)
    selection = select(order, 5, 2)
    assert [(p.practitioner_id, p.order) for p in selection.panel] == [(f"p0{i}", i + 1) for i in range(5)]
    assert [p.practitioner_id for p in selection.reserves] == ["p05", "p06"]
    assert selection.shortfall == 0


def test_a_second_expert_of_the_same_employer_is_skipped_along_the_order():
    order = pool(8, {"p00": "org-a", "p02": "org-a", "p06": "org-a"})
    selection = select(order, 3, 2)
    assert [p.practitioner_id for p in selection.panel] == ["p00", "p01", "p03"]
    assert [p.practitioner_id for p in selection.reserves] == ["p04", "p05"]
    assert [(s.practitioner_id, s.rule) for s in selection.skipped] == [("p02", "same_employer")]
    assert "p00" in selection.skipped[0].detail


def test_too_few_candidates_leave_a_recorded_shortfall():
    selection = select(pool(3), 5, 2)
    assert len(selection.panel) == 3
    assert selection.reserves == ()
    assert selection.shortfall == 2


# --- Invitations and refills ---------------------------------------------------------------------------------


def opened(n: int = 9, size: int = 3, reserves: int = 2, employers: dict[str, str] | None = None):
    return open_draw(DRAW_ID, SECRET, pool(n, employers), [], size, reserves, NOW, 48)


def test_a_new_draw_invites_the_panel_with_a_deadline_and_keeps_reserves_on_standby():
    opening = opened()
    state = opening.log.state
    assert [s.status for s in state.panel] == ["invited"] * 3
    assert all(s.deadline == NOW + timedelta(hours=48) for s in state.panel)
    assert [s.status for s in state.reserves] == ["standby", "standby"]
    assert state.status == "inviting"
    assert state.shortfall == 0


def test_the_draw_is_complete_when_every_seat_has_accepted():
    opening = opened()
    for seat in list(opening.log.state.panel):
        record_response(opening.log, opening.order, seat.practitioner_id, "accepted", NOW, 48)
    assert opening.log.state.status == "complete"


def test_a_decline_calls_the_first_reserve():
    opening = opened()
    state = opening.log.state
    first = state.panel[0].practitioner_id
    reserve = state.reserves[0].practitioner_id
    record_response(opening.log, opening.order, first, "declined", NOW, 48, reason="travelling")
    called = state.seats[reserve]
    assert (called.role, called.status, called.via, called.replaces) == ("panel", "invited", "reserve", first)
    assert state.seats[first].status == "declined"


def test_a_reserve_blocked_now_is_skipped_with_its_rule():
    opening = opened()
    state = opening.log.state
    blocked_reserve, next_reserve = (s.practitioner_id for s in state.reserves)

    def blocked(pid: str):
        return [Exclusion(pid, "unavailable", "on another panel that day")] if pid == blocked_reserve else []

    record_response(
        opening.log, opening.order, state.panel[0].practitioner_id, "declined", NOW, 48, blocked=blocked
    )
    assert state.seats[blocked_reserve].status == "skipped"
    assert state.seats[next_reserve].status == "invited"


def test_when_reserves_run_out_a_replacement_comes_from_the_same_sealed_order():
    opening = opened(n=9, size=3, reserves=1)
    log, state = opening.log, opening.log.state
    record_response(log, opening.order, state.panel[0].practitioner_id, "declined", NOW, 48)
    record_response(log, opening.order, state.panel[1].practitioner_id, "declined", NOW, 48)
    replacement = [s for s in state.seats.values() if s.via == "replacement"]
    assert [(s.practitioner_id, s.order) for s in replacement] == [(opening.order[4].id, 5)]
    assert any(e.kind == "replacement_drawn" for e in log.events)


def test_a_colleague_skipped_for_the_same_employer_can_replace_once_the_first_declines():
    employers = {"p00": "org-a", "p01": "org-a"}
    order = pool(3, employers)
    state = DrawState(2)
    state.seats = {
        "p00": Seat("p00", 1, "panel", "declined", "draw"),
        "p02": Seat("p02", 3, "panel", "accepted", "draw"),
    }
    call = next_call(state, order, lambda pid: ())
    assert (call.practitioner_id, call.via, call.order) == ("p01", "replacement", 2)


def test_a_replacement_never_brings_a_second_expert_of_an_employer_already_seated():
    order = pool(3, {"p00": "org-a", "p01": "org-a"})
    state = DrawState(2)
    state.seats = {
        "p00": Seat("p00", 1, "panel", "accepted", "draw"),
        "p02": Seat("p02", 3, "panel", "declined", "draw"),
    }
    call = next_call(state, order, lambda pid: ())
    assert call.practitioner_id is None
    assert [(s.practitioner_id, s.rule) for s in call.skipped] == [("p01", "same_employer")]


def test_when_the_order_is_used_up_the_draw_records_a_shortfall_and_an_admin_may_appoint():
    opening = opened(n=3, size=3, reserves=0)
    log, state = opening.log, opening.log.state
    record_response(log, opening.order, state.panel[0].practitioner_id, "declined", NOW, 48)
    assert (state.status, state.shortfall) == ("short", 1)
    appoint(log, "p-outside", "drawn from the provincial pool", NOW, by="admin")
    assert state.shortfall == 0
    assert state.seats["p-outside"].via == "appointed"


def test_an_appointment_without_a_shortfall_is_refused():
    opening = opened()
    with pytest.raises(InvalidTransition, match="no shortfall"):
        appoint(opening.log, "p-outside", "friend", NOW)


def test_a_pool_too_small_from_the_start_is_short_at_once():
    opening = opened(n=2, size=3, reserves=2)
    assert opening.log.state.shortfall == 1
    assert [e.count for e in opening.log.events if e.kind == "shortfall"] == [1]


def test_a_declined_invitation_cannot_be_accepted_afterwards():
    opening = opened()
    pid = opening.log.state.panel[0].practitioner_id
    record_response(opening.log, opening.order, pid, "declined", NOW, 48)
    with pytest.raises(InvalidTransition, match="declined"):
        check_response(opening.log.state, pid, "accepted", NOW)


def test_an_accepted_seat_may_still_be_withdrawn_which_calls_a_reserve():
    opening = opened()
    state = opening.log.state
    pid = state.panel[0].practitioner_id
    reserve = state.reserves[0].practitioner_id
    record_response(opening.log, opening.order, pid, "accepted", NOW, 48)
    record_response(opening.log, opening.order, pid, "declined", NOW, 48, reason="illness")
    assert state.seats[pid].status == "declined"
    assert (state.seats[reserve].status, state.seats[reserve].replaces) == ("invited", pid)
    assert len(state.seated) == 3


def test_a_reserve_on_standby_has_no_invitation_to_answer():
    opening = opened()
    with pytest.raises(NotFound):
        check_response(opening.log.state, opening.log.state.reserves[0].practitioner_id, "accepted", NOW)


def test_accepting_after_the_deadline_is_refused_and_lapsed_invitations_count_as_no_response():
    opening = opened()
    later = NOW + timedelta(hours=49)
    state = opening.log.state
    pid = state.panel[0].practitioner_id
    with pytest.raises(InvalidTransition, match="lapsed"):
        check_response(state, pid, "accepted", later)
    assert len(overdue(state, later)) == 3
    assert lapse_overdue(opening.log, opening.order, later, 48) == 3
    assert [s.status for s in state.seated] == ["invited", "invited", "invited"]
    assert sum(1 for s in state.panel if s.status == "no_response") == 3


def test_disclosure_is_an_event_recorded_once():
    opening = opened()
    disclose(opening.log, NOW, by="admin")
    assert opening.log.state.disclosed
    with pytest.raises(InvalidTransition):
        disclose(opening.log, NOW)


# --- Verification --------------------------------------------------------------------------------------------


def record_of(opening, candidates, size=3, reserves=2) -> SealedRecord:
    state = replay(size, opening.log.events)
    return SealedRecord(
        DRAW_ID,
        size,
        reserves,
        SECRET,
        opening.seed_commitment,
        opening.candidate_hash,
        opening.seed,
        len(candidates),
        tuple(candidates),
        tuple(opening.log.events),
        tuple(state.seats.values()),
    )


def busy_history():
    candidates = pool(9, {"p00": "org-a", "p03": "org-a"})
    opening = open_draw(DRAW_ID, SECRET, candidates, [], 3, 1, NOW, 48)
    log, state = opening.log, opening.log.state
    record_response(log, opening.order, state.panel[0].practitioner_id, "declined", NOW, 48)
    second = state.panel[1].practitioner_id
    blocked_id = next(c.id for c in opening.order if c.id not in state.seats)
    record_response(
        log,
        opening.order,
        second,
        "no_response",
        NOW,
        48,
        blocked=lambda pid: [Exclusion(pid, "unavailable", "booked")] if pid == blocked_id else [],
    )
    return candidates, opening


def test_an_honest_record_verifies_after_declines_reserves_skips_and_replacements():
    candidates, opening = busy_history()
    kinds = {e.kind for e in opening.log.events}
    assert {"reserve_called", "skipped", "replacement_drawn"} <= kinds
    result = verify(record_of(opening, candidates, reserves=1))
    assert result.verified, [c for c in result.checks if not c.ok]
    assert {c.name for c in result.checks} >= {
        "seed_commitment",
        "candidate_hash",
        "seed",
        "selection",
        "seats",
    }


def test_a_replay_of_the_stored_events_gives_the_same_seats():
    _, opening = busy_history()
    assert replay(3, opening.log.events).seats == opening.log.state.seats


def test_a_tampered_seat_fails_verification():
    candidates, opening = busy_history()
    record = record_of(opening, candidates, reserves=1)
    seats = list(record.seats)
    seats[0] = replace(seats[0], practitioner_id="p-friend")
    result = verify(replace(record, seats=tuple(seats)))
    assert not result.verified
    assert [c.name for c in result.checks if not c.ok] == ["seats"]


def test_a_secret_other_than_the_committed_one_fails_verification():
    candidates, opening = busy_history()
    result = verify(replace(record_of(opening, candidates, reserves=1), secret="ab" * 32))
    assert {c.name for c in result.checks if not c.ok} >= {"seed_commitment", "seed"}


def test_a_candidate_slipped_in_after_sealing_fails_the_candidate_hash():
    candidates, opening = busy_history()
    record = record_of(opening, candidates, reserves=1)
    more = (*record.candidates, SealedCandidate("p-late"))
    result = verify(replace(record, candidates=more, candidate_count=len(more)))
    assert "candidate_hash" in {c.name for c in result.checks if not c.ok}


def test_a_refill_that_jumps_the_order_fails_verification():
    candidates, opening = busy_history()
    record = record_of(opening, candidates, reserves=1)
    events = [
        replace(e, practitioner_id="p08")
        if e.kind == "replacement_drawn" and e.practitioner_id != "p08"
        else e
        for e in record.events
    ]
    result = verify(replace(record, events=tuple(events)))
    assert "refills" in {c.name for c in result.checks if not c.ok}


def test_an_appointment_after_a_shortfall_still_verifies():
    candidates = pool(3)
    opening = open_draw(DRAW_ID, SECRET, candidates, [], 3, 0, NOW, 48)
    record_response(
        opening.log, opening.order, opening.log.state.panel[0].practitioner_id, "declined", NOW, 48
    )
    appoint(opening.log, "p-outside", "appointed by the purchaser", NOW)
    assert verify(record_of(opening, candidates, reserves=0)).verified


def test_a_skipped_same_employer_candidate_is_recorded_as_excluded_when_sealing():
    # Six candidates, three of one employer: filling 3 seats and 2 reserves walks the whole order.
    opening = open_draw(DRAW_ID, SECRET, pool(6, {"p00": "o", "p01": "o", "p02": "o"}), [], 3, 2, NOW, 48)
    excluded = [(e.practitioner_id, e.rule) for e in opening.log.events if e.kind == "excluded"]
    assert all(rule == "same_employer" for _, rule in excluded)
    assert len(excluded) == len(opening.skipped) == 2


# --- Statistics ----------------------------------------------------------------------------------------------


def test_the_top_ten_percent_share_is_one_when_a_tenth_of_the_pool_takes_every_seat():
    assert top_share([5] * 10, pool_size=100) == 1.0


def test_seats_spread_evenly_give_the_top_ten_percent_a_tenth():
    assert top_share([1] * 100, pool_size=100) == 0.1
    assert top_share([], pool_size=100) is None


def test_gini_is_zero_for_an_even_spread_and_grows_when_few_take_all():
    assert gini([2] * 10, pool_size=10) == 0.0
    assert gini([10], pool_size=10) == 0.9


def test_acceptance_rate_counts_lapsed_invitations_as_not_accepted():
    assert acceptance_rate(3, 1, 0) == 0.75
    assert acceptance_rate(1, 0, 1) == 0.5
    assert acceptance_rate(0, 0, 0) is None
