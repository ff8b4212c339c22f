from datetime import UTC, date, datetime

from registry.invitations import answer_problems, state_problem

NOW = datetime(2026, 11, 25, 10, 0, tzinfo=UTC)


def test_an_invited_expert_may_answer_before_the_deadline():
    assert state_problem("invited", date(2026, 11, 25), NOW) is None
    assert state_problem("invited", datetime(2026, 11, 25, 12, tzinfo=UTC), NOW) is None
    assert state_problem("invited", None, NOW) is None
    assert answer_problems("accepted", None) == {}


def test_a_decline_needs_a_reason():
    assert "reason" in answer_problems("declined", " ")
    assert answer_problems("declined", "在外地出差") == {}


def test_only_accept_or_decline_is_the_experts_to_give():
    assert "response" in answer_problems("no_response", None)


def test_a_passed_deadline_refuses_the_answer():
    assert "deadline" in state_problem("invited", date(2026, 11, 24), NOW)
    assert state_problem("invited", datetime(2026, 11, 25, 9, tzinfo=UTC), NOW)
    assert state_problem("invited", datetime(2026, 11, 25, 9), NOW)  # a naive deadline compares naively


def test_an_invitation_is_answered_once():
    assert "accepted" in state_problem("accepted", None, NOW)
