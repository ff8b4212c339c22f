from datetime import UTC, date, datetime, time, timedelta
from decimal import Decimal

import pytest

from registry.exams import (
    CHINA_TIME,
    DEFAULT_EXAM_RULES,
    SUNDAY,
    THEORY_SUBJECT,
    ExamRules,
    default_end,
    exam_rules_from_mapping,
    is_pass,
    last_weekend,
    monthly_sessions,
    session_day,
    validate_score,
    validate_session,
)

# --- The last weekend of a month ---


def test_a_month_ending_on_sunday_has_its_last_weekend_on_its_last_two_days():
    assert date(2026, 5, 31).weekday() == 6
    assert last_weekend(2026, 5) == (date(2026, 5, 30), date(2026, 5, 31))


def test_a_month_ending_on_saturday_has_its_last_whole_weekend_the_week_before():
    assert date(2026, 1, 31).weekday() == 5
    assert last_weekend(2026, 1) == (date(2026, 1, 24), date(2026, 1, 25))


def test_a_month_ending_on_saturday_uses_that_saturday_when_the_weekend_may_straddle_months():
    assert last_weekend(2026, 1, wholly_in_month=False) == (date(2026, 1, 31), date(2026, 2, 1))


def test_a_month_ending_midweek_has_its_last_weekend_before_the_end():
    assert date(2026, 11, 30).weekday() == 0
    assert last_weekend(2026, 11) == (date(2026, 11, 28), date(2026, 11, 29))


def test_february_of_a_leap_year_ending_on_thursday():
    assert last_weekend(2024, 2) == (date(2024, 2, 24), date(2024, 2, 25))


def test_february_ending_on_saturday_in_a_common_year():
    assert date(2026, 2, 28).weekday() == 5
    assert last_weekend(2026, 2) == (date(2026, 2, 21), date(2026, 2, 22))


def test_every_last_weekend_is_a_saturday_and_sunday_wholly_in_its_month():
    for year in (2025, 2026, 2027, 2028):
        for month in range(1, 13):
            saturday, sunday = last_weekend(year, month)
            assert saturday.weekday() == 5 and sunday.weekday() == 6
            assert saturday.month == sunday.month == month
            assert (sunday + timedelta(days=7)).month != month


# --- Monthly sessions ---


def test_a_month_has_two_sittings_on_the_saturday_of_its_last_weekend_in_china_time():
    sessions = monthly_sessions(2026, 12)
    assert [(s.starts_at.isoformat(), s.ends_at.isoformat()) for s in sessions] == [
        ("2026-12-26T09:00:00+08:00", "2026-12-26T11:00:00+08:00"),
        ("2026-12-26T14:00:00+08:00", "2026-12-26T16:00:00+08:00"),
    ]
    assert {s.subject for s in sessions} == {THEORY_SUBJECT}
    assert {s.mode for s in sessions} == {"online"}


def test_sittings_on_both_weekend_days_when_configured():
    rules = ExamRules(sitting_days=(5, SUNDAY))
    days = [s.starts_at.date() for s in monthly_sessions(2026, 5, rules)]
    assert days == [date(2026, 5, 30)] * 2 + [date(2026, 5, 31)] * 2


def test_the_morning_sitting_at_nine_china_time_is_one_in_the_morning_utc():
    (morning, _) = monthly_sessions(2026, 5)
    assert morning.starts_at.astimezone(UTC) == datetime(2026, 5, 30, 1, 0, tzinfo=UTC)


def test_a_session_day_is_judged_in_china_time():
    # 23:30 UTC on the 31st is 07:30 on the 1st in Beijing.
    assert session_day(datetime(2026, 7, 31, 23, 30, tzinfo=UTC)) == date(2026, 8, 1)
    assert session_day(datetime(2026, 8, 1, 7, 30, tzinfo=CHINA_TIME)) == date(2026, 8, 1)


def test_a_session_day_needs_an_offset():
    with pytest.raises(ValueError):
        session_day(datetime(2026, 8, 1, 9, 0))


def test_a_session_lasts_two_hours_by_default():
    start = datetime(2026, 8, 29, 9, 0, tzinfo=CHINA_TIME)
    assert default_end(start) == datetime(2026, 8, 29, 11, 0, tzinfo=CHINA_TIME)


def test_a_session_without_offset_zero_capacity_or_blank_subject_is_refused():
    naive = datetime(2026, 8, 29, 9, 0)
    errors = validate_session(naive, None, " ", 0)
    assert set(errors) == {"starts_at", "subject", "capacity"}


def test_a_session_ending_before_it_starts_is_refused():
    start = datetime(2026, 8, 29, 9, 0, tzinfo=CHINA_TIME)
    assert "ends_at" in validate_session(start, start - timedelta(hours=1), "x", 10)
    assert validate_session(start, start + timedelta(hours=2), THEORY_SUBJECT, 10) == {}


# --- Scores ---


def test_sixty_passes_and_fifty_nine_and_a_half_fails():
    assert is_pass(60) is True
    assert is_pass(59.5) is False
    assert is_pass(100) is True
    assert is_pass(0) is False


@pytest.mark.parametrize("score", [0, 0.5, 59.9, 60, 100, Decimal("72.5")])
def test_scores_from_0_to_100_are_accepted(score):
    assert validate_score(score) == {}


@pytest.mark.parametrize("score", [-1, -0.1, 100.1, 101, float("nan"), float("inf"), True, "80", None])
def test_scores_outside_0_to_100_or_not_numbers_are_refused(score):
    assert "score" in validate_score(score)


def test_the_exam_is_100_questions_of_four_kinds_online():
    data = DEFAULT_EXAM_RULES.to_dict()
    assert data["questions"] == 100
    assert data["pass_mark"] == 60
    assert [k["code"] for k in data["question_kinds"]] == [
        "single_choice",
        "multiple_choice",
        "true_false",
        "short_answer",
    ]
    assert data["mode"] == "online"
    assert "seed-docs" in data["source"]
    assert data["sittings"] == [{"starts": "09:00", "ends": "11:00"}, {"starts": "14:00", "ends": "16:00"}]


def test_every_work_type_sits_the_theory_exam_until_modules_are_published():
    assert {DEFAULT_EXAM_RULES.subjects_for(code) for code in DEFAULT_EXAM_RULES.subjects} == {
        (THEORY_SUBJECT,)
    }


# --- Configuration ---


def test_configuration_overrides_sittings_days_pass_mark_and_subjects():
    rules = exam_rules_from_mapping(
        {
            "pass_mark": 70,
            "sittings": [{"starts": "10:00", "ends": "12:00"}],
            "sitting_days": ["saturday", "sunday"],
            "subjects": {"verification": [THEORY_SUBJECT, "碳排放核查实务"]},
        }
    )
    assert rules.pass_mark == 70
    assert rules.sittings[0].starts == time(10)
    assert rules.subjects_for("verification") == (THEORY_SUBJECT, "碳排放核查实务")
    assert rules.subjects_for("monitoring") == (THEORY_SUBJECT,)
    assert len(monthly_sessions(2026, 5, rules)) == 2


@pytest.mark.parametrize(
    "data",
    [
        {"pass_mark": 101},
        {"questions": 0},
        {"mode": "paper"},
        {"sittings": [{"starts": "11:00", "ends": "09:00"}]},
        {"sitting_days": ["friday"]},
        {"subjects": {"astrology": []}},
        {"colour": "red"},
        {"weekend_wholly_in_month": "yes"},
    ],
)
def test_bad_exam_configuration_is_refused(data):
    with pytest.raises(ValueError):
        exam_rules_from_mapping(data)


def test_a_session_outside_2000_to_2100_is_refused():
    assert "starts_at" in validate_session(datetime(1, 1, 1, 9, tzinfo=CHINA_TIME), None, "x", 1)
    assert "starts_at" in validate_session(datetime(9999, 12, 31, 23, tzinfo=UTC), None, "x", 1)
    late_end = datetime(2101, 1, 1, tzinfo=CHINA_TIME)
    assert "ends_at" in validate_session(datetime(2100, 12, 31, 9, tzinfo=CHINA_TIME), late_end, "x", 1)
