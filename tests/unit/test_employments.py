"""Employment history (issue 23): the rules for an employment's period, without a server."""

from datetime import date

from registry.employments import employment_problems, overlapping, periods_overlap

TODAY = date(2026, 12, 7)


def test_an_employment_ending_before_it_starts_is_a_problem():
    assert "until" in employment_problems(date(2020, 1, 2), date(2020, 1, 1), TODAY)


def test_a_one_day_employment_is_consistent():
    assert employment_problems(date(2020, 1, 1), date(2020, 1, 1), TODAY) == {}


def test_an_employment_cannot_start_or_end_in_the_future():
    assert "since" in employment_problems(date(2026, 12, 8), None, TODAY)
    assert "until" in employment_problems(date(2020, 1, 1), date(2026, 12, 8), TODAY)


def test_periods_that_share_a_day_overlap_and_touching_ones_do_not():
    assert periods_overlap(date(2020, 1, 1), date(2020, 6, 30), date(2020, 6, 30), None)
    assert not periods_overlap(date(2020, 1, 1), date(2020, 6, 30), date(2020, 7, 1), date(2021, 1, 1))


def test_an_open_period_overlaps_everything_after_its_start():
    assert periods_overlap(date(2010, 1, 1), date(2010, 1, 1), date(2000, 1, 1), None)
    assert not periods_overlap(date(1999, 1, 1), date(1999, 12, 31), date(2000, 1, 1), None)


def test_overlapping_names_the_stored_employments_that_clash():
    stored = [
        {"since": date(2015, 1, 1), "until": date(2016, 1, 1)},
        {"since": date(2019, 1, 1), "until": None},
    ]
    assert overlapping(date(2015, 6, 1), date(2015, 7, 1), stored) == [stored[0]]
    assert overlapping(date(2017, 1, 1), date(2018, 1, 1), stored) == []
