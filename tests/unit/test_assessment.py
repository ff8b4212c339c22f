from datetime import date

from registry.assessment import AssessmentRule, assess
from registry.misconduct import RecordFacts

DECIDED = date(2026, 1, 15)


def record(rid: str, occurred: date, points: int, effective: bool = True) -> RecordFacts:
    return RecordFacts(rid, "undisclosed_conflict", occurred, occurred, points, effective)


def test_a_good_year_passes_and_is_final_once_the_year_has_ended():
    result = assess(2025, [85, 90], [], DECIDED)
    assert result.passed is True
    assert result.evaluations == {"count": 2, "mean": 87.5}
    assert result.final is True
    assert result.to_dict()["source"].startswith("NDRC order 26")
    assert assess(2026, [85], [], DECIDED).final is False


def test_a_mean_below_the_pass_mark_fails():
    result = assess(2025, [50, 65], [], DECIDED)
    assert result.passed is False
    assert "mean evaluation 57.5 over 2: below 60" in result.reasons


def test_no_evaluations_do_not_fail_the_year():
    result = assess(2025, [], [], DECIDED)
    assert result.passed is True
    assert result.reasons[0] == "0 evaluations: too few to assess (needs 1)"


def test_too_many_misconduct_points_in_the_year_fail_and_other_years_and_overturned_records_do_not_count():
    records = [
        record("r1", date(2025, 3, 1), 12),
        record("r2", date(2024, 12, 31), 12),
        record("r3", date(2025, 5, 1), 6, effective=False),
    ]
    result = assess(2025, [90], records, DECIDED)
    assert result.passed is False
    assert (result.records, result.points) == (1, 12)
    assert assess(2025, [90], records[1:], DECIDED).passed is True


def test_the_criteria_are_data():
    assert assess(2025, [70], [], DECIDED, AssessmentRule(pass_mean=75)).passed is False
