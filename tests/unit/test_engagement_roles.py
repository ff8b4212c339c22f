"""Several roles per team member and site visits (issue 23): the rules, without a server."""

from datetime import date

from registry.engagements import member_roles, site_visit_problems


def test_the_single_role_is_the_primary_role():
    assert member_roles("lead", None) == ["lead"]


def test_the_single_role_comes_first_and_each_role_once():
    assert member_roles("lead", ["signer", "lead", "signer"]) == ["lead", "signer"]


def test_roles_alone_keep_their_order():
    assert member_roles(None, ["reviewer", "member"]) == ["reviewer", "member"]


def test_a_member_without_a_role_is_a_member():
    assert member_roles(None, None) == ["member"]
    assert member_roles(None, []) == ["member"]


def test_a_site_visit_by_someone_off_the_team_is_a_problem():
    visits = [{"practitioner_id": "b", "date": date(2025, 3, 1)}]
    assert "site_visits" in site_visit_problems(visits, ["a"], date(2025, 1, 1), None)


def test_a_site_visit_outside_the_period_is_a_problem_and_the_ends_count():
    start, end = date(2025, 1, 1), date(2025, 1, 31)
    visit = lambda day: [{"practitioner_id": "a", "date": day}]  # noqa: E731
    assert site_visit_problems(visit(start), ["a"], start, end) == {}
    assert site_visit_problems(visit(end), ["a"], start, end) == {}
    assert site_visit_problems(visit(date(2024, 12, 31)), ["a"], start, end)
    assert site_visit_problems(visit(date(2025, 2, 1)), ["a"], start, end)


def test_an_engagement_still_running_takes_visits_after_its_start():
    visits = [{"practitioner_id": "a", "date": date(2030, 1, 1)}]
    assert site_visit_problems(visits, ["a"], date(2025, 1, 1), None) == {}
