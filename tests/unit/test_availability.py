from datetime import date

from registry.availability import Period, available_on, period_problems

TODAY = date(2026, 11, 25)
MAY = Period(date(2027, 5, 1), date(2027, 5, 5), id="a1")


def test_a_period_from_today_on_that_overlaps_nothing_is_accepted():
    assert period_problems(Period(date(2027, 5, 6), date(2027, 5, 9)), [MAY], TODAY) == {}
    assert period_problems(Period(TODAY, TODAY), [], TODAY) == {}


def test_an_inverted_period_is_refused():
    assert "to" in period_problems(Period(date(2027, 5, 9), date(2027, 5, 6)), [], TODAY)


def test_a_period_already_over_is_refused():
    assert "to" in period_problems(Period(date(2026, 1, 1), date(2026, 11, 24)), [], TODAY)


def test_overlapping_periods_are_refused_and_the_clash_named():
    errors = period_problems(Period(date(2027, 5, 5), date(2027, 5, 9)), [MAY], TODAY)
    assert "2027-05-01–2027-05-05" in errors["from"][0]
    assert period_problems(Period(date(2027, 4, 1), date(2027, 6, 1)), [MAY], TODAY)


def test_dates_are_inclusive():
    assert not available_on([MAY], date(2027, 5, 1))
    assert not available_on([MAY], date(2027, 5, 5))
    assert available_on([MAY], date(2027, 5, 6))
    assert available_on([], date(2027, 5, 6))
