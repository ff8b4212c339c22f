from datetime import date

import pytest

from registry.applications import RuleRefused
from registry.certificates import CertificateFacts
from registry.dates import add_months
from registry.renewal import (
    DEFAULT_RENEWAL,
    ContinuingEducation,
    RenewalRule,
    check_renewal,
    counted_hours,
    follow_on_expiry,
    renewal_rule_from_mapping,
    validate_continuing_education,
    validate_follow_on,
)

CERT = CertificateFacts("C-1", "accounting", 4, "valid", date(2023, 3, 1), date(2026, 2, 28))


def test_renewal_needs_no_hours_until_a_requirement_is_published():
    assert DEFAULT_RENEWAL.required_hours == 0
    assert check_renewal(CERT, [], None, date(2026, 1, 1)) == 0


def test_renewal_is_accepted_on_the_last_valid_day_and_refused_the_day_after():
    assert check_renewal(CERT, [], None, date(2026, 2, 28)) == 0
    with pytest.raises(RuleRefused, match="new application"):
        check_renewal(CERT, [], None, date(2026, 3, 1))


def test_a_grace_period_extends_the_last_day_of_renewal():
    rule = RenewalRule(grace_days=30)
    assert check_renewal(CERT, [], None, date(2026, 3, 30), rule) == 0
    with pytest.raises(RuleRefused):
        check_renewal(CERT, [], None, date(2026, 3, 31), rule)


def test_a_window_opens_renewal_only_shortly_before_expiry():
    rule = RenewalRule(window_days=90)
    with pytest.raises(RuleRefused, match="opens on 2025-11-30"):
        check_renewal(CERT, [], None, date(2025, 11, 29), rule)
    assert check_renewal(CERT, [], None, date(2025, 11, 30), rule) == 0


def test_only_hours_within_the_validity_count_towards_a_requirement():
    records = [
        ContinuingEducation(10, date(2023, 2, 28)),  # before issue
        ContinuingEducation(10, date(2023, 3, 1)),
        ContinuingEducation(5.5, date(2026, 2, 28)),
        ContinuingEducation(10, date(2026, 3, 1)),  # after expiry
    ]
    assert counted_hours(CERT, records) == 15.5
    rule = RenewalRule(required_hours=16)
    with pytest.raises(RuleRefused) as refused:
        check_renewal(CERT, records, None, date(2026, 2, 1), rule)
    assert refused.value.extra["hours"] == 15.5
    assert check_renewal(CERT, records, None, date(2026, 2, 1), RenewalRule(required_hours=15.5)) == 15.5


@pytest.mark.parametrize("status", ["suspended", "revoked"])
def test_a_suspended_or_revoked_certificate_is_not_renewed(status):
    with pytest.raises(RuleRefused, match=status):
        check_renewal(
            CertificateFacts("C-1", "accounting", 4, status, CERT.issued_on, CERT.expires_on),
            [],
            None,
            date(2026, 1, 1),
        )


def test_a_certificate_is_renewed_once_and_one_without_expiry_never():
    with pytest.raises(RuleRefused, match="already renewed by C-2"):
        check_renewal(CERT, [], "C-2", date(2026, 1, 1))
    with pytest.raises(RuleRefused, match="no expiry"):
        check_renewal(
            CertificateFacts("C-3", "accounting", 4, "valid", date(2023, 3, 1)), [], None, date(2026, 1, 1)
        )


def test_the_follow_on_runs_as_long_as_the_certificate_it_renews():
    # 2023-03-01 → 2026-02-28 is 35 months and 27 days... counted the same way from the new issue day.
    expected = add_months(date(2026, 2, 20), 35) + (date(2026, 2, 28) - add_months(date(2023, 3, 1), 35))
    assert follow_on_expiry(CERT, date(2026, 2, 20)) == expected
    three_years = CertificateFacts("C-4", "accounting", 4, "valid", date(2023, 3, 1), date(2026, 3, 1))
    assert follow_on_expiry(three_years, date(2026, 2, 20)) == date(2029, 2, 20)


def test_a_configured_term_sets_the_follow_ons_expiry():
    assert follow_on_expiry(CERT, date(2026, 8, 31), RenewalRule(term_months=36)) == date(2029, 8, 31)
    assert follow_on_expiry(CERT, date(2027, 2, 28), RenewalRule(term_months=12)) == date(2028, 2, 28)


def test_follow_on_dates_are_checked():
    assert validate_follow_on(CERT, date(2026, 2, 1), date(2029, 2, 1), date(2026, 2, 2)) == {}
    assert "issued_on" in validate_follow_on(CERT, date(2026, 2, 3), date(2029, 2, 1), date(2026, 2, 2))
    assert "expires_on" in validate_follow_on(CERT, date(2026, 2, 1), date(2026, 1, 1), date(2026, 2, 2))
    assert "issued_on" in validate_follow_on(CERT, date(2023, 2, 1), date(2029, 2, 1), date(2026, 2, 2))


def test_continuing_education_records_must_fall_within_the_validity_and_not_in_the_future():
    today = date(2026, 1, 1)
    assert validate_continuing_education(CERT, 8, date(2025, 12, 1), today) == {}
    assert "completed_on" in validate_continuing_education(CERT, 8, date(2023, 2, 28), today)
    assert "completed_on" in validate_continuing_education(CERT, 8, date(2026, 1, 2), today)
    assert "hours" in validate_continuing_education(CERT, 0, date(2025, 12, 1), today)
    assert "hours" in validate_continuing_education(CERT, 500, date(2025, 12, 1), today)


def test_renewal_configuration_is_checked():
    assert renewal_rule_from_mapping({"required_hours": 24, "term_months": 36}).required_hours == 24
    for bad in (
        {"required_hours": -1},
        {"term_months": 0},
        {"grace_days": None},
        {"colour": 1},
        {"window_days": 1.5},
    ):
        with pytest.raises(ValueError):
            renewal_rule_from_mapping(bad)
    assert "source" in DEFAULT_RENEWAL.to_dict()
