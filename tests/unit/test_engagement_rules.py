"""Engagement consistency rules."""

from datetime import date

from registry.engagements import engagement_problems


def test_an_end_before_the_start_is_refused():
    assert "end_on" in engagement_problems(date(2025, 3, 1), date(2025, 2, 1), "active", None)


def test_the_same_day_start_and_end_is_fine():
    assert engagement_problems(date(2025, 3, 1), date(2025, 3, 1), "completed", []) == {}


def test_a_completed_engagement_needs_an_end_date():
    assert "end_on" in engagement_problems(date(2025, 3, 1), None, "completed", None)
    assert engagement_problems(date(2025, 3, 1), None, "active", None) == {}


def test_a_practitioner_may_appear_once_on_a_team():
    team = [{"practitioner_id": "p1", "role": "lead"}, {"practitioner_id": "p1", "role": "member"}]
    assert "team" in engagement_problems(date(2025, 3, 1), None, "planned", team)
