from datetime import date

import pytest

from registry.certificates import (
    LIFECYCLE_ACTIONS,
    VERIFY_REASONS,
    CertificateFacts,
    effective_status,
    is_valid,
    next_status,
    validate_dates,
    verification,
)
from registry.errors import Conflict, InvalidTransition
from registry.taxonomy import PRACTITIONER_STATUSES

TODAY = date(2025, 6, 1)


def certificate(status: str = "valid", expires_on: date | None = date(2028, 1, 1)) -> CertificateFacts:
    return CertificateFacts(
        number="CEEC-2024-000123",
        work_type="accounting",
        level=4,
        status=status,
        issued_on=date(2024, 1, 10),
        expires_on=expires_on,
    )


def test_lifecycle_actions_offered_to_people():
    assert LIFECYCLE_ACTIONS == ("suspend", "reinstate", "revoke")


def test_certificate_is_still_valid_on_its_expiry_date():
    cert = certificate(expires_on=TODAY)
    assert effective_status(cert, TODAY) == "valid"
    assert is_valid(cert, TODAY)


def test_certificate_is_expired_the_day_after_its_expiry_date():
    cert = certificate(expires_on=date(2025, 5, 31))
    assert effective_status(cert, TODAY) == "expired"
    assert not is_valid(cert, TODAY)


def test_certificate_without_expiry_date_stays_valid():
    assert is_valid(certificate(expires_on=None), date(2099, 1, 1))


@pytest.mark.parametrize("status", ["suspended", "revoked"])
def test_expiry_date_does_not_change_a_suspended_or_revoked_status(status):
    assert effective_status(certificate(status, expires_on=date(2020, 1, 1)), TODAY) == status


def test_suspending_a_valid_certificate_suspends_it():
    assert next_status(certificate(), "suspend", TODAY) == "suspended"


def test_reinstating_a_suspended_certificate_makes_it_valid():
    assert next_status(certificate("suspended"), "reinstate", TODAY) == "valid"


def test_reinstating_a_certificate_that_ran_out_while_suspended_makes_it_expired():
    cert = certificate("suspended", expires_on=date(2025, 5, 31))
    assert next_status(cert, "reinstate", TODAY) == "expired"


def test_reinstating_on_the_expiry_date_makes_it_valid():
    assert next_status(certificate("suspended", expires_on=TODAY), "reinstate", TODAY) == "valid"


@pytest.mark.parametrize("status", ["valid", "suspended", "expired"])
def test_valid_suspended_and_expired_certificates_can_be_revoked(status):
    assert next_status(certificate(status), "revoke", TODAY) == "revoked"


@pytest.mark.parametrize("action", ["suspend", "reinstate", "revoke", "expire"])
def test_revoke_is_final(action):
    with pytest.raises(InvalidTransition, match="CEEC-2024-000123 is revoked; revoke is final") as raised:
        next_status(certificate("revoked"), action, TODAY)
    assert raised.value.status == 409
    assert raised.value.extra["number"] == "CEEC-2024-000123"


def test_a_certificate_past_its_expiry_cannot_be_suspended_even_if_stored_as_valid():
    cert = certificate("valid", expires_on=date(2025, 5, 31))
    with pytest.raises(InvalidTransition, match="cannot suspend a certificate that is expired"):
        next_status(cert, "suspend", TODAY)


def test_a_certificate_past_its_expiry_but_stored_as_valid_can_be_revoked():
    assert next_status(certificate("valid", expires_on=date(2025, 5, 31)), "revoke", TODAY) == "revoked"


@pytest.mark.parametrize("status", ["suspended", "expired"])
def test_only_a_valid_certificate_can_be_suspended(status):
    with pytest.raises(InvalidTransition, match=f"cannot suspend a certificate that is {status}"):
        next_status(certificate(status), "suspend", TODAY)


@pytest.mark.parametrize("status", ["valid", "expired"])
def test_only_a_suspended_certificate_can_be_reinstated(status):
    with pytest.raises(InvalidTransition, match=f"cannot reinstate a certificate that is {status}"):
        next_status(certificate(status), "reinstate", TODAY)


def test_invalid_transition_is_a_conflict():
    with pytest.raises(Conflict):
        next_status(certificate("expired"), "suspend", TODAY)


def test_expire_records_an_expiry_that_has_passed():
    assert next_status(certificate("valid", expires_on=date(2025, 5, 31)), "expire", TODAY) == "expired"


def test_expire_does_not_end_a_certificate_before_its_expiry_date():
    with pytest.raises(InvalidTransition, match="valid until 2025-06-01"):
        next_status(certificate("valid", expires_on=TODAY), "expire", TODAY)
    with pytest.raises(InvalidTransition, match="no expiry date"):
        next_status(certificate("valid", expires_on=None), "expire", TODAY)


@pytest.mark.parametrize("status", ["suspended", "expired"])
def test_expire_applies_only_to_certificates_stored_as_valid(status):
    with pytest.raises(InvalidTransition, match=f"cannot expire a certificate that is {status}"):
        next_status(certificate(status, expires_on=date(2020, 1, 1)), "expire", TODAY)


def test_unknown_action_is_a_programming_error():
    with pytest.raises(ValueError, match="unknown certificate action"):
        next_status(certificate(), "delete", TODAY)


def test_dates_in_order_have_no_errors():
    assert validate_dates(date(2024, 1, 10), date(2028, 1, 9), TODAY) == {}
    assert validate_dates(TODAY, None, TODAY) == {}


def test_issue_date_in_the_future_is_an_error():
    assert validate_dates(date(2025, 6, 2), None, TODAY) == {
        "issued_on": ["issued_on must not be in the future"]
    }


@pytest.mark.parametrize("expires_on", [date(2024, 1, 10), date(2023, 12, 31)])
def test_expiry_on_or_before_issue_is_an_error(expires_on):
    errors = validate_dates(date(2024, 1, 10), expires_on, TODAY)
    assert errors == {"expires_on": ["expires_on must be after issued_on"]}


def test_both_date_errors_are_reported_together():
    errors = validate_dates(date(2026, 1, 1), date(2025, 1, 1), TODAY)
    assert set(errors) == {"issued_on", "expires_on"}


@pytest.mark.parametrize(
    ("status", "holder", "expected"),
    [
        ("valid", "active", (True, None)),
        ("valid", "suspended", (False, "holder_suspended")),
        ("valid", "deleted", (False, "holder_deleted")),
        ("suspended", "active", (False, "certificate_suspended")),
        ("revoked", "suspended", (False, "certificate_revoked")),
    ],
)
def test_a_certificate_verifies_as_valid_only_when_it_is_valid_and_its_holder_active(
    status, holder, expected
):
    assert verification(certificate(status), holder, TODAY) == expected


def test_an_expired_certificate_verifies_as_expired():
    assert verification(certificate(expires_on=date(2025, 5, 31)), "active", TODAY) == (
        False,
        "certificate_expired",
    )


def test_every_reason_verification_can_give_is_documented():
    reasons = {
        verification(certificate(status), holder, TODAY)[1]
        for status in ("valid", "suspended", "revoked", "expired")
        for holder in PRACTITIONER_STATUSES
    }
    assert reasons - {None} == set(VERIFY_REASONS)
