from datetime import UTC, date, datetime

from registry.invitations import response_problems

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


def test_an_invited_expert_may_accept_before_the_deadline():
    assert response_problems("invited", "accepted", None, date(2026, 11, 25), NOW) == {}
    assert response_problems("invited", "accepted", None, datetime(2026, 11, 25, 12, tzinfo=UTC), NOW) == {}
    assert response_problems("invited", "accepted", None, None, NOW) == {}


def test_a_decline_needs_a_reason():
    assert "reason" in response_problems("invited", "declined", " ", None, NOW)
    assert response_problems("invited", "declined", "在外地出差", None, NOW) == {}


def test_only_accept_or_decline_is_the_experts_to_give():
    assert "response" in response_problems("invited", "no_response", None, None, NOW)


def test_the_deadline_passed_refuses_the_answer():
    errors = response_problems("invited", "accepted", None, date(2026, 11, 24), NOW)
    assert "deadline" in errors["response"][0]
    assert response_problems("invited", "accepted", None, datetime(2026, 11, 25, 9, tzinfo=UTC), NOW)


def test_an_invitation_is_answered_once():
    errors = response_problems("accepted", "declined", "changed my mind", None, NOW)
    assert "accepted" in errors["response"][0]
