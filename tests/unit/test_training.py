from datetime import date

import pytest

from registry.training import (
    BASIC,
    DEFAULT_REQUIREMENT,
    TrainingRecord,
    requirement_from_mapping,
    training_progress,
    validate_record,
)

REGISTERED = date(2026, 3, 1)
TODAY = date(2026, 6, 1)


def rec(part: str, hours: float, day: date) -> TrainingRecord:
    return TrainingRecord(part, hours, day)


def test_the_default_requirement_is_40_hours_basic_and_20_for_the_work_type_module():
    assert DEFAULT_REQUIREMENT.parts_for("accounting") == {BASIC: 40, "accounting": 20}
    data = DEFAULT_REQUIREMENT.to_dict()
    assert data["basic"] == {"hours": 40, "lectures": 80}
    assert data["modules"]["verification"] == {"hours": 20, "lectures": 40}
    assert "seed-docs" in data["source"]


def test_no_hours_recorded_is_not_started():
    progress = training_progress("accounting", [])
    assert not progress.started and not progress.complete and progress.completed_on is None


def test_training_completes_on_the_day_the_last_part_reaches_its_hours():
    progress = training_progress(
        "accounting",
        [
            rec(BASIC, 24, date(2026, 3, 10)),
            rec("accounting", 20, date(2026, 3, 20)),
            rec(BASIC, 16, date(2026, 4, 2)),
            rec(BASIC, 8, date(2026, 4, 9)),  # extra hours do not move the completion day
        ],
    )
    assert progress.complete
    assert progress.completed_on == date(2026, 4, 2)
    basic, module = progress.parts
    assert (basic.hours, basic.completed_on) == (48, date(2026, 4, 2))
    assert (module.hours, module.completed_on) == (20, date(2026, 3, 20))


def test_records_count_in_date_order_whatever_order_they_were_entered():
    progress = training_progress(
        "monitoring",
        [
            rec(BASIC, 20, date(2026, 4, 1)),
            rec(BASIC, 20, date(2026, 3, 1)),
            rec("monitoring", 20, date(2026, 3, 5)),
        ],
    )
    assert progress.parts[0].completed_on == date(2026, 4, 1)


def test_39_and_a_half_basic_hours_are_not_enough():
    progress = training_progress("accounting", [rec(BASIC, 39.5, TODAY), rec("accounting", 20, TODAY)])
    assert progress.started and not progress.complete


def test_tenths_of_hours_add_up_exactly():
    records = [rec("accounting", 0.1, TODAY)] * 3
    progress = training_progress(
        "accounting", records, requirement_from_mapping({"module_hours": {"accounting": 0.3}})
    )
    assert progress.parts[1].complete


def test_another_work_types_module_does_not_count():
    progress = training_progress("accounting", [rec(BASIC, 40, TODAY), rec("monitoring", 20, TODAY)])
    assert not progress.complete
    assert [p.part for p in progress.parts] == [BASIC, "accounting"]


def test_a_module_requiring_no_hours_is_complete_from_the_start():
    requirement = requirement_from_mapping({"module_hours": {"aviation": 0}})
    progress = training_progress("aviation", [rec(BASIC, 40, TODAY)], requirement)
    assert progress.complete and progress.completed_on == TODAY


def test_a_valid_record_has_no_errors():
    assert validate_record("accounting", REGISTERED, BASIC, 8, TODAY, "online", TODAY) == {}
    assert validate_record("accounting", REGISTERED, "accounting", 2.5, REGISTERED, None, TODAY) == {}


@pytest.mark.parametrize(
    ("part", "hours", "completed_on", "mode", "field"),
    [
        ("monitoring", 8, TODAY, None, "part"),
        ("exam", 8, TODAY, None, "part"),
        (BASIC, 0, TODAY, None, "hours"),
        (BASIC, -3, TODAY, None, "hours"),
        (BASIC, 201, TODAY, None, "hours"),
        (BASIC, True, TODAY, None, "hours"),
        (BASIC, "8", TODAY, None, "hours"),
        (BASIC, 8, date(2026, 6, 2), None, "completed_on"),
        (BASIC, 8, date(2026, 2, 28), None, "completed_on"),
        (BASIC, 8, TODAY, "correspondence", "mode"),
    ],
)
def test_bad_training_records_are_refused(part, hours, completed_on, mode, field):
    assert field in validate_record("accounting", REGISTERED, part, hours, completed_on, mode, TODAY)


def test_configuration_changes_hours_and_refuses_nonsense():
    requirement = requirement_from_mapping({"basic_hours": 48, "module_hours": {"trading": 24}})
    assert requirement.parts_for("trading") == {BASIC: 48, "trading": 24}
    assert requirement.parts_for("consulting") == {BASIC: 48, "consulting": 20}
    for bad in (
        {"basic_hours": -1},
        {"module_hours": {"astrology": 3}},
        {"lectures": 3},
        {"basic_hours": "40"},
    ):
        with pytest.raises(ValueError):
            requirement_from_mapping(bad)
