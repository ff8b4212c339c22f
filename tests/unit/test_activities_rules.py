from datetime import date

import pytest

from graph.activities import COUNTED
from registry import activities as rules
from registry.errors import Conflict, InvalidTransition, NotPermitted, ValidationFailed

DAY = date(2026, 6, 15)  # 全国低碳日 falls in mid-June


@pytest.mark.parametrize(
    ("join_status", "activity_status", "counted"),
    [
        ("attended", "completed", True),
        ("attended", "closed", True),
        ("attended", "cancelled", False),
        ("absent", "completed", False),
        ("confirmed", "completed", False),
        ("signed_up", "open", False),
        (None, "completed", False),
    ],
)
def test_only_attended_participation_in_an_activity_not_cancelled_counts(
    join_status, activity_status, counted
):
    assert rules.counts(join_status, activity_status) is counted


def test_the_cypher_fragment_states_the_same_rule_as_counts():
    assert f"j.status = '{rules.COUNTED_STATUS}'" in COUNTED
    assert f"a.status <> '{rules.CANCELLED}'" in COUNTED


def test_an_activity_that_ends_before_it_starts_is_refused():
    errors = rules.activity_problems(DAY, date(2026, 6, 14), 2, 10, True, None)
    assert errors == {"ends_on": ["The activity ends before it starts."]}


def test_a_one_day_activity_allows_at_most_24_hours_per_person():
    assert rules.activity_problems(DAY, DAY, 24, 10, True, None) == {}
    assert "hours" in rules.activity_problems(DAY, DAY, 24.5, 10, True, None)


def test_a_three_day_activity_allows_72_hours_per_person():
    assert rules.days_spanned(DAY, date(2026, 6, 17)) == 3
    assert rules.activity_problems(DAY, date(2026, 6, 17), 72, 10, True, None) == {}
    assert "hours" in rules.activity_problems(DAY, date(2026, 6, 17), 72.5, 10, True, None)


@pytest.mark.parametrize("hours", [0, -1, -0.5])
def test_hours_per_person_must_be_more_than_zero(hours):
    assert "hours" in rules.activity_problems(DAY, DAY, hours, 10, True, None)


def test_an_activity_on_site_needs_a_place_and_a_capacity_of_at_least_one():
    errors = rules.activity_problems(DAY, DAY, 2, 0, False, "  ")
    assert set(errors) == {"capacity", "place"}
    assert rules.activity_problems(DAY, DAY, 2, 1, False, "社区活动中心") == {}


def test_require_valid_raises_a_validation_error_with_every_field():
    with pytest.raises(ValidationFailed) as caught:
        rules.require_valid(DAY, date(2026, 6, 1), 2, 0, True, None)
    assert set(caught.value.errors) == {"ends_on", "capacity"}


@pytest.mark.parametrize(
    ("current", "target"),
    [
        ("draft", "open"),
        ("draft", "cancelled"),
        ("open", "closed"),
        ("open", "cancelled"),
        ("closed", "completed"),
        ("closed", "cancelled"),
        ("closed", "open"),
    ],
)
def test_allowed_transitions_pass_with_a_reason(current, target):
    rules.check_transition(current, target, "按计划", DAY, DAY)


@pytest.mark.parametrize(
    ("current", "target"),
    [
        ("draft", "closed"),
        ("draft", "completed"),
        ("open", "completed"),
        ("open", "draft"),
        ("completed", "cancelled"),
        ("completed", "open"),
        ("cancelled", "open"),
        ("cancelled", "draft"),
    ],
)
def test_other_transitions_are_invalid(current, target):
    with pytest.raises(InvalidTransition):
        rules.check_transition(current, target, "理由", DAY, DAY)


def test_every_status_change_needs_a_reason():
    with pytest.raises(ValidationFailed) as caught:
        rules.check_transition("draft", "open", "  ", DAY, DAY)
    assert "reason" in caught.value.errors


def test_an_unknown_status_is_a_validation_error():
    with pytest.raises(ValidationFailed) as caught:
        rules.check_transition("draft", "published", "理由", DAY, DAY)
    assert "status" in caught.value.errors


def test_an_activity_is_completed_only_once_it_has_begun():
    with pytest.raises(InvalidTransition, match="begun"):
        rules.check_transition("closed", "completed", "结束", DAY, date(2026, 6, 14))


def test_completed_and_cancelled_are_final():
    assert rules.TRANSITIONS["completed"] == ()
    assert rules.TRANSITIONS["cancelled"] == ()
    assert set(rules.TRANSITIONS) == set(rules.STATUSES)


def test_an_administrator_may_organize_for_any_organization():
    assert rules.may_organize("admin", None, "org-1")


def test_a_government_key_organizes_only_for_the_organization_it_is_bound_to():
    assert rules.may_organize("government", "org-1", "org-1")
    assert not rules.may_organize("government", "org-1", "org-2")
    assert not rules.may_organize("government", None, "org-1")


@pytest.mark.parametrize("role", ["client", "practitioner", "public"])
def test_other_roles_never_organize(role):
    assert not rules.may_organize(role, "org-1", "org-1")


def test_an_unbound_government_key_is_told_why_it_may_not_organize():
    with pytest.raises(NotPermitted, match="not bound"):
        rules.require_organizer("government", None, "org-1")


def test_sign_up_is_taken_only_for_an_open_activity_once_while_places_remain():
    assert rules.sign_up_problem("open", False, 9, 10) is None
    assert "closed" in rules.sign_up_problem("closed", False, 0, 10)
    assert "already" in rules.sign_up_problem("open", True, 0, 10)
    assert "full" in rules.sign_up_problem("open", False, 10, 10)
    with pytest.raises(Conflict):
        rules.require_sign_up("draft", False, 0, 10)


def test_only_a_sign_up_in_an_open_or_closed_activity_can_be_confirmed():
    assert rules.confirm_problem("signed_up", "open") is None
    assert rules.confirm_problem("signed_up", "closed") is None
    assert rules.confirm_problem("confirmed", "open") is not None
    assert rules.confirm_problem("signed_up", "cancelled") is not None


def test_attendance_is_recorded_once_the_activity_has_begun_and_not_for_a_cancelled_one():
    assert rules.attendance_state_problem("closed", DAY, DAY) is None
    assert rules.attendance_state_problem("closed", DAY, date(2026, 6, 14)) is not None
    assert rules.attendance_state_problem("cancelled", DAY, DAY) is not None
    assert rules.attendance_state_problem("draft", DAY, DAY) is not None


def test_an_attendance_row_for_someone_who_never_signed_up_is_refused():
    assert "never signed up" in rules.attendance_row_problem(None, True, 2, DAY, DAY)


def test_an_attendance_row_bounds_the_hours_of_someone_who_came():
    assert rules.attendance_row_problem("confirmed", True, 8, DAY, DAY) is None
    assert rules.attendance_row_problem("confirmed", True, 25, DAY, DAY) is not None
    assert rules.attendance_row_problem("confirmed", True, -1, DAY, DAY) is not None
    assert rules.attendance_row_problem("confirmed", False, 3, DAY, DAY) is not None
    assert rules.attendance_row_problem("signed_up", False, None, DAY, DAY) is None


def test_a_row_without_hours_takes_the_activitys_hours_and_an_absent_row_none():
    assert rules.attendance_hours(True, None, 4.0) == 4.0
    assert rules.attendance_hours(True, 2.5, 4.0) == 2.5
    assert rules.attendance_hours(False, None, 4.0) is None


def test_declining_an_activity_invitation_needs_a_reason():
    assert rules.answer_problems("accepted", None) == {}
    assert "reason" in rules.answer_problems("declined", " ")
    assert "response" in rules.answer_problems("maybe", None)


def test_an_activity_invitation_is_answered_once_while_pending_and_before_its_deadline():
    from datetime import UTC, datetime, timedelta

    now = datetime(2026, 6, 1, 12, tzinfo=UTC)
    assert rules.invitation_state_problem("pending", None, now) is None
    assert rules.invitation_state_problem("pending", now + timedelta(hours=1), now) is None
    assert "passed" in rules.invitation_state_problem("pending", now - timedelta(hours=1), now)
    assert "accepted" in rules.invitation_state_problem("accepted", None, now)
