from datetime import date

import pytest

from registry.declarations import (
    LOOKBACK_YEARS,
    RELATIONSHIP_CODES,
    RELATIONSHIPS,
    Declaration,
    conflicts_on,
    declaration_problems,
    duplicates,
)

TODAY = date(2026, 11, 25)


def test_the_relationship_codes_are_the_shared_ones_each_with_its_source():
    assert RELATIONSHIP_CODES == (
        "employment",
        "director",
        "supervisor",
        "shareholder",
        "adviser",
        "relative",
    )
    assert all("政府采购法实施条例" in source for _, source in RELATIONSHIPS.values())
    assert set(LOOKBACK_YEARS) == set(RELATIONSHIP_CODES)


def test_a_well_formed_declaration_has_no_problems():
    assert declaration_problems("director", date(2020, 1, 1), None, TODAY) == {}
    assert declaration_problems("employment", date(2020, 1, 1), date(2020, 1, 1), TODAY) == {}


@pytest.mark.parametrize(
    ("relationship", "from_", "to", "field"),
    [
        ("friend", date(2020, 1, 1), None, "relationship"),
        ("employment", None, None, "from"),
        ("employment", date(2027, 1, 1), None, "from"),
        ("employment", date(1900, 1, 1), None, "from"),
        ("employment", date(2020, 1, 2), date(2020, 1, 1), "to"),
    ],
)
def test_a_bad_declaration_names_the_field(relationship, from_, to, field):
    assert field in declaration_problems(relationship, from_, to, TODAY)


def test_employment_conflicts_for_three_years_after_it_ends():
    ended = Declaration("employment", "o1", date(2018, 1, 1), date(2023, 11, 25))
    assert conflicts_on(ended, TODAY)
    assert not conflicts_on(ended, date(2026, 11, 26))


def test_an_ongoing_declaration_conflicts_from_its_start():
    ongoing = Declaration("shareholder", "o1", date(2025, 6, 1))
    assert conflicts_on(ongoing, TODAY)
    assert not conflicts_on(ongoing, date(2025, 5, 31))


def test_a_relatives_tie_conflicts_only_while_it_lasts():
    ended = Declaration("relative", "o1", date(2010, 1, 1), date(2026, 11, 24))
    assert not conflicts_on(ended, TODAY)
    assert conflicts_on(ended, date(2026, 11, 24))


def test_the_lookback_is_configurable_and_survives_29_february():
    ended = Declaration("director", "o1", date(2010, 1, 1), date(2023, 2, 28))
    assert conflicts_on(ended, date(2028, 2, 29), {**LOOKBACK_YEARS, "director": 5})
    assert not conflicts_on(ended, date(2028, 2, 29), {**LOOKBACK_YEARS, "director": 1})


def test_the_same_relationship_with_the_same_organization_for_an_overlapping_time_is_a_duplicate():
    held = [Declaration("director", "o1", date(2020, 1, 1), date(2022, 12, 31))]
    assert duplicates(Declaration("director", "o1", date(2022, 6, 1)), held)
    assert not duplicates(Declaration("director", "o1", date(2023, 1, 1)), held)
    assert not duplicates(Declaration("supervisor", "o1", date(2021, 1, 1)), held)
    assert not duplicates(Declaration("director", "o2", date(2021, 1, 1)), held)
