from dataclasses import replace
from datetime import UTC, date, datetime, timedelta

import pytest

from registry.application_checks import (
    check_certificate,
    check_new_application,
    check_registration,
    check_result,
    validate_application,
)
from registry.applications import (
    DEFAULT_RULES,
    ApplicationExpired,
    ApplicationFacts,
    ApplicationRules,
    NoRetakeLeft,
    NotRegistered,
    ResultFacts,
    ResultNotPassed,
    RuleRefused,
    SessionFacts,
    SessionFull,
    derive_state,
    fee_for,
    is_within_validity,
    rules_from_mapping,
    valid_until,
)
from registry.errors import ValidationFailed
from registry.exams import CHINA_TIME, THEORY_SUBJECT
from registry.training import BASIC, TrainingRecord

REGISTERED = date(2026, 1, 15)  # valid until 2026-07-15


def at(day: date, hour: int = 12) -> datetime:
    return datetime(day.year, day.month, day.day, hour, tzinfo=CHINA_TIME)


def session(
    sid: str, day: date, hour: int = 9, subject: str = THEORY_SUBJECT, capacity: int = 100
) -> SessionFacts:
    return SessionFacts(sid, at(day, hour), subject, capacity)


S1 = session("s1", date(2026, 1, 24))
S2 = session("s2", date(2026, 2, 21))
S3 = session("s3", date(2026, 3, 28))
TRAINED = (TrainingRecord(BASIC, 40, date(2026, 1, 20)), TrainingRecord("accounting", 20, date(2026, 1, 22)))


def app(**changes) -> ApplicationFacts:
    return replace(ApplicationFacts("a1", "accounting", 4, REGISTERED), **changes)


def result(rid: str, s: SessionFacts, score: float, attempt: int) -> ResultFacts:
    return ResultFacts(rid, s.id, score, score >= 60, attempt)


# --- Fee and validity ---


def test_the_fee_is_3900_cny_per_work_type_and_level_covering_training_exam_and_certificate():
    for work_type, level in (("accounting", 4), ("verification", 3), ("aviation", 1)):
        fee = fee_for(work_type, level)
        assert (fee.amount, fee.currency) == (3900, "CNY")
        assert fee.covers == ("training", "exam", "certificate")


def test_a_fee_for_an_unknown_work_type_or_level_is_an_error():
    with pytest.raises(ValueError):
        fee_for("astrology", 4)
    with pytest.raises(ValueError):
        fee_for("accounting", 5)


@pytest.mark.parametrize(
    ("registered_on", "last_day"),
    [
        (date(2026, 1, 15), date(2026, 7, 15)),
        (date(2026, 8, 31), date(2027, 2, 28)),  # no 31 February: the month's last day
        (date(2027, 8, 31), date(2028, 2, 29)),  # leap year
        (date(2026, 8, 30), date(2027, 2, 28)),
        (date(2026, 2, 28), date(2026, 8, 28)),  # a month end maps to the same day number, not the month end
        (date(2026, 12, 31), date(2027, 6, 30)),  # across the year end, 30-day month
        (date(2026, 3, 31), date(2026, 9, 30)),
        (date(2026, 7, 1), date(2027, 1, 1)),
    ],
)
def test_an_application_is_valid_to_the_same_day_six_months_later_or_that_months_end(registered_on, last_day):
    assert valid_until(registered_on) == last_day
    assert is_within_validity(registered_on, last_day)
    assert not is_within_validity(registered_on, last_day + timedelta(days=1))


def test_the_registration_day_itself_is_within_validity_and_the_day_before_is_not():
    assert is_within_validity(REGISTERED, REGISTERED)
    assert not is_within_validity(REGISTERED, REGISTERED - timedelta(days=1))


def test_a_new_application_needs_a_known_work_type_and_level_and_no_future_date():
    today = date(2026, 5, 1)
    assert validate_application("accounting", 4, today, today) == {}
    errors = validate_application("astrology", 5, today + timedelta(days=1), today)
    assert set(errors) == {"work_type", "level", "registered_on"}
    assert "level" in validate_application("accounting", True, None, today)


# --- Derived status ---


def test_a_fresh_application_is_registered_with_its_validity():
    state = derive_state(app(), at(REGISTERED))
    assert state.status == "registered"
    assert state.valid_until == date(2026, 7, 15)
    assert not state.terminal


def test_some_training_hours_make_it_training_and_all_of_them_ready():
    partial = app(training=TRAINED[:1])
    assert derive_state(partial, at(date(2026, 1, 21))).status == "training"
    assert derive_state(app(training=TRAINED), at(date(2026, 1, 23))).status == "ready"


def test_a_booked_future_sitting_keeps_the_training_status_and_a_started_one_is_sat():
    facts = app(training=TRAINED, sessions=(S1,))
    before = derive_state(facts, S1.starts_at - timedelta(minutes=1))
    assert before.status == "ready"
    assert before.pending_session == S1
    assert derive_state(facts, S1.starts_at).status == "sat"


def test_a_pass_is_passed_and_a_certificate_makes_it_certified():
    facts = app(training=TRAINED, sessions=(S1,), results=(result("r1", S1, 60, 1),))
    state = derive_state(facts, at(date(2026, 2, 1)))
    assert (state.status, state.passed_result_id, state.terminal) == ("passed", "r1", False)
    certified = derive_state(replace(facts, certificate_number="C-1"), at(date(2027, 1, 1)))
    assert (certified.status, certified.terminal) == ("certified", True)


def test_a_pass_stays_passed_after_the_validity_until_the_certificate_is_issued():
    facts = app(sessions=(S1,), results=(result("r1", S1, 75, 1),))
    assert derive_state(facts, at(date(2026, 12, 1))).status == "passed"


def test_a_first_failure_is_failed_with_the_free_retake_open():
    facts = app(sessions=(S1,), results=(result("r1", S1, 59.5, 1),))
    state = derive_state(facts, at(date(2026, 2, 1)))
    assert (state.status, state.retake_available, state.terminal) == ("failed", True, False)


def test_registering_for_the_retake_makes_it_retake_until_the_result():
    facts = app(sessions=(S1, S2), results=(result("r1", S1, 40, 1),))
    assert derive_state(facts, at(date(2026, 2, 1))).status == "retake"
    assert derive_state(facts, at(date(2026, 2, 22))).status == "retake"


def test_after_the_retake_it_is_passed_or_failed_for_good():
    first = result("r1", S1, 40, 1)
    passed = app(sessions=(S1, S2), results=(first, result("r2", S2, 81, 2)))
    assert derive_state(passed, at(date(2026, 3, 1))).status == "passed"
    failed = app(sessions=(S1, S2), results=(first, result("r2", S2, 55, 2)))
    state = derive_state(failed, at(date(2026, 3, 1)))
    assert (state.status, state.retake_available, state.terminal) == ("failed", False, True)


def test_a_failed_application_unretaken_on_its_last_valid_day_is_still_failed_and_the_next_day_expired():
    facts = app(sessions=(S1,), results=(result("r1", S1, 40, 1),))
    last = derive_state(facts, at(date(2026, 7, 15), 23))
    assert (last.status, last.retake_available) == ("failed", True)
    after = derive_state(facts, at(date(2026, 7, 16), 0))
    assert (after.status, after.retake_available, after.terminal) == ("expired", False, True)


def test_an_application_never_sat_expires_the_day_after_its_last_valid_day():
    facts = app(training=TRAINED)
    assert derive_state(facts, at(date(2026, 7, 15), 23)).status == "ready"
    assert derive_state(facts, at(date(2026, 7, 16), 0)).status == "expired"


def test_a_sitting_on_the_last_valid_day_awaiting_its_result_is_sat_not_expired():
    last_day = session("s-last", date(2026, 7, 15), 14)
    facts = app(sessions=(last_day,))
    assert derive_state(facts, at(date(2026, 7, 20))).status == "sat"


def test_expiry_is_judged_on_the_day_in_china_even_when_utc_is_still_the_day_before():
    facts = app()
    # 2026-07-15 17:00 UTC is 2026-07-16 01:00 in Beijing.
    assert derive_state(facts, datetime(2026, 7, 15, 17, 0, tzinfo=UTC)).status == "expired"
    assert derive_state(facts, datetime(2026, 7, 15, 15, 59, tzinfo=UTC)).status == "registered"


# --- A second open application ---


def test_a_second_application_is_refused_while_the_first_is_open_and_allowed_after_it_ended():
    open_state = derive_state(app(), at(REGISTERED))
    with pytest.raises(RuleRefused) as refused:
        check_new_application("accounting", 4, [("a1", open_state)])
    assert refused.value.extra["application_id"] == "a1"
    failed_for_good = derive_state(
        app(sessions=(S1, S2), results=(result("r1", S1, 1, 1), result("r2", S2, 2, 2))), at(date(2026, 3, 1))
    )
    expired = derive_state(app(), at(date(2026, 8, 1)))
    check_new_application("accounting", 4, [("a1", failed_for_good), ("a2", expired)])


# --- Registering for a session ---


def test_the_first_registration_is_attempt_1():
    assert check_registration(app(), S1, 0, at(REGISTERED)) == 1


def test_registering_for_a_session_on_the_last_valid_day_is_allowed():
    last_day = session("s-last", date(2026, 7, 15), 14)
    assert check_registration(app(), last_day, 0, at(REGISTERED)) == 1


def test_registering_for_a_session_the_day_after_the_six_months_is_refused():
    too_late = session("s-late", date(2026, 7, 16), 9)
    with pytest.raises(ApplicationExpired) as refused:
        check_registration(app(), too_late, 0, at(REGISTERED))
    assert refused.value.status == 409
    assert refused.value.extra["valid_until"] == "2026-07-15"


def test_a_session_at_1am_utc_on_the_16th_is_on_the_16th_in_china_and_too_late():
    too_late = SessionFacts("s-utc", datetime(2026, 7, 15, 16, 30, tzinfo=UTC), THEORY_SUBJECT, 9)
    with pytest.raises(ApplicationExpired):
        check_registration(app(), too_late, 0, at(REGISTERED))


def test_a_session_before_the_registration_is_refused():
    with pytest.raises(RuleRefused):
        check_registration(app(), session("old", date(2026, 1, 10)), 0, at(REGISTERED))


def test_a_second_open_registration_is_refused():
    with pytest.raises(RuleRefused, match="already registered"):
        check_registration(app(sessions=(S1,)), S2, 0, at(REGISTERED))


def test_the_retake_after_a_failure_is_attempt_2():
    facts = app(sessions=(S1,), results=(result("r1", S1, 30, 1),))
    assert check_registration(facts, S2, 0, at(date(2026, 2, 1))) == 2


def test_the_retake_must_be_a_later_session():
    later_first = session("s-mar", date(2026, 3, 28))
    facts = app(sessions=(later_first,), results=(result("r1", later_first, 30, 1),))
    with pytest.raises(RuleRefused, match="later session"):
        check_registration(facts, S2, 0, at(date(2026, 4, 1)))


def test_a_third_sitting_needs_a_new_application():
    facts = app(sessions=(S1, S2), results=(result("r1", S1, 30, 1), result("r2", S2, 50, 2)))
    with pytest.raises(NoRetakeLeft, match="new application"):
        check_registration(facts, S3, 0, at(date(2026, 3, 1)))


def test_a_passed_application_cannot_register_again():
    facts = app(sessions=(S1,), results=(result("r1", S1, 90, 1),))
    with pytest.raises(RuleRefused, match="already passed"):
        check_registration(facts, S2, 0, at(date(2026, 2, 1)))


def test_a_full_session_is_refused():
    with pytest.raises(SessionFull):
        check_registration(app(), session("small", date(2026, 1, 24), capacity=2), 2, at(REGISTERED))
    assert check_registration(app(), session("small", date(2026, 1, 24), capacity=2), 1, at(REGISTERED)) == 1


def test_a_session_of_another_subject_is_refused():
    with pytest.raises(RuleRefused, match="subject"):
        check_registration(
            app(), session("mod", date(2026, 1, 24), subject="碳排放核查实务"), 0, at(REGISTERED)
        )


def test_training_before_sitting_only_when_configured():
    strict = ApplicationRules(training_required_to_sit=True)
    with pytest.raises(RuleRefused, match="training"):
        check_registration(app(), S1, 0, at(REGISTERED), strict)
    assert check_registration(app(training=TRAINED), S1, 0, at(REGISTERED), strict) == 1


# --- Recording a result ---


def test_the_first_result_is_attempt_1_and_not_free():
    outcome = check_result(app(sessions=(S1,)), S1, 72.5, at(date(2026, 1, 24), 12))
    assert (outcome.attempt, outcome.free, outcome.passed) == (1, False, True)


def test_the_retake_result_is_attempt_2_and_free():
    facts = app(sessions=(S1, S2), results=(result("r1", S1, 30, 1),))
    outcome = check_result(facts, S2, 59, at(date(2026, 2, 21), 12))
    assert (outcome.attempt, outcome.free, outcome.passed) == (2, True, False)


@pytest.mark.parametrize("score", [-1, 100.5, 1000, "sixty", None])
def test_a_score_outside_0_to_100_is_refused_as_invalid(score):
    with pytest.raises(ValidationFailed) as refused:
        check_result(app(sessions=(S1,)), S1, score, at(date(2026, 2, 1)))
    assert "score" in refused.value.errors


def test_a_result_for_a_session_not_registered_for_is_refused():
    with pytest.raises(NotRegistered):
        check_result(app(sessions=(S1,)), S2, 70, at(date(2026, 3, 1)))


def test_a_result_before_the_session_starts_is_refused():
    with pytest.raises(RuleRefused, match="not taken place"):
        check_result(app(sessions=(S1,)), S1, 70, S1.starts_at - timedelta(seconds=1))


def test_a_second_result_for_the_same_session_is_refused():
    facts = app(sessions=(S1,), results=(result("r1", S1, 30, 1),))
    with pytest.raises(RuleRefused, match="already has a result"):
        check_result(facts, S1, 70, at(date(2026, 2, 1)))


def test_a_result_for_a_session_moved_past_the_validity_is_refused():
    moved = session("moved", date(2026, 7, 18))
    with pytest.raises(ApplicationExpired):
        check_result(app(sessions=(moved,)), moved, 70, at(date(2026, 7, 19)))


def test_a_second_free_retake_result_is_refused():
    facts = app(sessions=(S1, S2, S3), results=(result("r1", S1, 30, 1), result("r2", S2, 30, 2)))
    with pytest.raises(NoRetakeLeft):
        check_result(facts, S3, 70, at(date(2026, 4, 1)))


def test_two_free_retakes_when_configured():
    rules = rules_from_mapping({"free_retakes": 2})
    facts = app(sessions=(S1, S2, S3), results=(result("r1", S1, 30, 1), result("r2", S2, 30, 2)))
    outcome = check_result(facts, S3, 70, at(date(2026, 4, 1)), rules)
    assert (outcome.attempt, outcome.free) == (3, True)


# --- Issuing the certificate ---


def passed_app(**changes) -> ApplicationFacts:
    return app(training=TRAINED, sessions=(S1,), results=(result("r1", S1, 88, 1),), **changes)


def test_a_passed_and_trained_application_may_be_certified():
    check_certificate(passed_app(), "r1", date(2026, 2, 1), date(2029, 1, 31), at(date(2026, 2, 2)))


def test_a_certificate_from_a_failed_result_is_refused():
    facts = app(training=TRAINED, sessions=(S1,), results=(result("r1", S1, 59, 1),))
    with pytest.raises(ResultNotPassed):
        check_certificate(facts, "r1", date(2026, 2, 1), None, at(date(2026, 2, 2)))


def test_a_certificate_without_completed_training_is_refused_unless_configured_otherwise():
    facts = app(training=TRAINED[:1], sessions=(S1,), results=(result("r1", S1, 88, 1),))
    with pytest.raises(RuleRefused, match="accounting 0/20 h"):
        check_certificate(facts, "r1", date(2026, 2, 1), None, at(date(2026, 2, 2)))
    lenient = ApplicationRules(training_required_for_certificate=False)
    check_certificate(facts, "r1", date(2026, 2, 1), None, at(date(2026, 2, 2)), lenient)


def test_a_second_certificate_from_the_same_application_is_refused():
    with pytest.raises(RuleRefused, match="already issued"):
        check_certificate(
            passed_app(certificate_number="C-1"), "r1", date(2026, 2, 1), None, at(date(2026, 2, 2))
        )


def test_a_certificate_dated_before_the_exam_or_in_the_future_is_invalid():
    with pytest.raises(ValidationFailed) as before:
        check_certificate(passed_app(), "r1", date(2026, 1, 23), None, at(date(2026, 2, 2)))
    assert "issued_on" in before.value.errors
    with pytest.raises(ValidationFailed) as future:
        check_certificate(passed_app(), "r1", date(2026, 2, 3), None, at(date(2026, 2, 2)))
    assert "issued_on" in future.value.errors
    with pytest.raises(ValidationFailed) as backwards:
        check_certificate(passed_app(), "r1", date(2026, 2, 1), date(2026, 2, 1), at(date(2026, 2, 2)))
    assert "expires_on" in backwards.value.errors


def test_a_result_of_another_application_is_refused():
    with pytest.raises(RuleRefused):
        check_certificate(passed_app(), "r-other", date(2026, 2, 1), None, at(date(2026, 2, 2)))


# --- Rules as data ---


def test_the_rules_show_their_sources():
    data = DEFAULT_RULES.to_dict()
    assert data["fee"]["amount"] == 3900
    assert data["validity"]["months"] == 6
    assert "民法典" in data["validity"]["counting"]
    assert data["free_retakes"] == 1
    assert data["exam"]["pass_mark"] == 60
    assert data["training"]["basic"]["hours"] == 40


def test_configuration_nests_exam_and_training_and_refuses_nonsense():
    rules = rules_from_mapping(
        {"validity_months": 12, "exam": {"pass_mark": 70}, "training": {"basic_hours": 30}}
    )
    assert valid_until(date(2026, 1, 31), rules) == date(2027, 1, 31)
    assert rules.exam.pass_mark == 70 and rules.training.basic_hours == 30
    for bad in (
        {"validity_months": 0},
        {"free_retakes": -1},
        {"fee_cny": "3900"},
        {"training_required_to_sit": 1},
        {"exam": {"pass_mark": 0}},
        {"colour": 1},
    ):
        with pytest.raises(ValueError):
            rules_from_mapping(bad)
