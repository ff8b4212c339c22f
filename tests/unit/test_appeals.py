from datetime import date

import pytest

from registry.appeals import (
    AppealRule,
    AppealSubject,
    appeal_deadline,
    check_may_appeal,
    decide_appeal,
    next_complaint_status,
    validate_appeal,
    validate_complaint,
)
from registry.errors import InvalidTransition, ValidationFailed
from registry.evaluations import AlreadyDone, DeadlinePassed, NotTheClient

RECORD = AppealSubject("record", "r1", "p1", notified_on=date(2025, 1, 31))


# --- Complaints ---


def test_a_complaint_names_exactly_one_practitioner_or_engagement_and_has_text():
    assert validate_complaint("p1", None, "late report") == {}
    assert validate_complaint(None, "e1", "late report") == {}
    assert set(validate_complaint("p1", "e1", "x")) == {"practitioner_id", "engagement_id"}
    assert set(validate_complaint(None, None, "x")) == {"practitioner_id", "engagement_id"}
    assert set(validate_complaint("p1", None, "   ")) == {"text"}
    assert set(validate_complaint("p1", None, "x" * 4001)) == {"text"}


def test_a_received_complaint_is_investigated_then_upheld_or_dismissed():
    assert next_complaint_status("received", "investigating", "assigned to the desk") == "investigating"
    assert next_complaint_status("investigating", "upheld", "the report was copied") == "upheld"
    assert next_complaint_status("investigating", "dismissed", "no evidence") == "dismissed"


def test_a_received_complaint_cannot_skip_the_investigation():
    with pytest.raises(InvalidTransition) as raised:
        next_complaint_status("received", "upheld", "obvious")
    assert raised.value.status == 409
    assert "investigating" in raised.value.detail


@pytest.mark.parametrize("final", ["upheld", "dismissed"])
def test_a_decided_complaint_is_final(final):
    with pytest.raises(InvalidTransition, match="final"):
        next_complaint_status(final, "investigating", "reopen")


def test_each_step_needs_a_reason_and_a_known_status():
    with pytest.raises(ValidationFailed) as raised:
        next_complaint_status("received", "investigating", "")
    assert set(raised.value.errors) == {"reason"}
    with pytest.raises(ValidationFailed) as raised:
        next_complaint_status("received", "closed", "x")
    assert set(raised.value.errors) == {"status"}
    with pytest.raises(ValidationFailed):
        next_complaint_status("investigating", "received", "x")


# --- Appeal deadlines ---


def test_the_appeal_deadline_is_30_days_after_notification():
    assert appeal_deadline(date(2025, 1, 31)) == date(2025, 3, 2)
    assert appeal_deadline(date(2024, 1, 31)) == date(2024, 3, 1)  # leap year
    assert appeal_deadline(date(2025, 12, 15)) == date(2026, 1, 14)


def test_an_appeal_on_the_last_day_is_in_time_and_returns_the_deadline():
    assert check_may_appeal(RECORD, "practitioner", "p1", date(2025, 3, 2)) == date(2025, 3, 2)


def test_an_appeal_the_day_after_the_deadline_is_refused():
    with pytest.raises(DeadlinePassed) as raised:
        check_may_appeal(RECORD, "practitioner", "p1", date(2025, 3, 3))
    assert raised.value.status == 409
    assert raised.value.extra["deadline"] == "2025-03-02"


def test_the_appeal_period_is_configurable():
    assert check_may_appeal(RECORD, "admin", None, date(2025, 3, 10), AppealRule(days=60))


def test_only_the_practitioner_concerned_or_an_admin_may_appeal():
    check_may_appeal(RECORD, "admin", None, date(2025, 2, 1))
    with pytest.raises(NotTheClient):
        check_may_appeal(RECORD, "practitioner", "p2", date(2025, 2, 1))
    with pytest.raises(NotTheClient):
        check_may_appeal(RECORD, "client", None, date(2025, 2, 1))


def test_there_is_one_appeal_per_record():
    with pytest.raises(AlreadyDone):
        appealed = AppealSubject("record", "r1", "p1", date(2025, 1, 31), appealed=True)
        check_may_appeal(appealed, "admin", None, date(2025, 2, 1))


def test_an_appeal_names_exactly_one_record_or_evaluation_and_has_text():
    assert validate_appeal("r1", None, "wrong person") == {}
    assert validate_appeal(None, "ev1", "unfair") == {}
    assert set(validate_appeal("r1", "ev1", "x")) == {"record_id", "evaluation_id"}
    assert set(validate_appeal(None, None, "")) == {"record_id", "evaluation_id", "text"}


# --- Appeal decisions ---


def test_a_pending_appeal_is_upheld_or_dismissed_with_a_reason():
    assert decide_appeal("pending", "upheld", "the record named the wrong person") == "upheld"
    assert decide_appeal("pending", "dismissed", "evidence stands") == "dismissed"


def test_an_appeal_decision_is_final():
    with pytest.raises(InvalidTransition):
        decide_appeal("upheld", "dismissed", "changed my mind")


def test_an_appeal_decision_needs_a_known_outcome_and_a_reason():
    with pytest.raises(ValidationFailed) as raised:
        decide_appeal("pending", "maybe", " ")
    assert set(raised.value.errors) == {"status", "reason"}
