from datetime import date

import pytest

from registry.dates import add_months, add_working_days, months_later_inclusive, within_months_before


def test_a_month_after_january_31_is_the_end_of_february():
    assert add_months(date(2025, 1, 31), 1) == date(2025, 2, 28)
    assert add_months(date(2024, 1, 31), 1) == date(2024, 2, 29)


def test_twelve_months_back_from_a_leap_day_is_february_28():
    assert add_months(date(2024, 2, 29), -12) == date(2023, 2, 28)


def test_a_12_month_period_ends_the_day_before_the_anniversary():
    assert months_later_inclusive(date(2025, 3, 10), 12) == date(2026, 3, 9)


def test_the_12_month_window_includes_its_anchor_and_excludes_the_day_a_year_before():
    anchor = date(2025, 6, 30)
    assert within_months_before(date(2025, 6, 30), anchor, 12)
    assert within_months_before(date(2024, 7, 1), anchor, 12)
    assert not within_months_before(date(2024, 6, 30), anchor, 12)
    assert not within_months_before(date(2025, 7, 1), anchor, 12)


def test_five_working_days_after_a_friday_is_the_next_friday():
    assert add_working_days(date(2025, 3, 7), 5) == date(2025, 3, 14)


def test_five_working_days_after_a_saturday_is_the_next_friday():
    assert add_working_days(date(2025, 3, 8), 5) == date(2025, 3, 14)


def test_five_working_days_after_a_wednesday_crosses_one_weekend():
    assert add_working_days(date(2025, 3, 5), 5) == date(2025, 3, 12)


def test_zero_working_days_is_the_day_itself_and_negative_counts_are_refused():
    assert add_working_days(date(2025, 3, 8), 0) == date(2025, 3, 8)
    with pytest.raises(ValueError):
        add_working_days(date(2025, 3, 8), -1)
