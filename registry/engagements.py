"""Consulting engagements: the rules their dates, status and team must follow."""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any


def engagement_problems(
    start_on: date | None, end_on: date | None, status: str | None, team: Iterable[Mapping[str, Any]] | None
) -> dict[str, list[str]]:
    """Field errors for an engagement's dates, status and team; empty when it is consistent."""
    errors: dict[str, list[str]] = {}
    if start_on and end_on and end_on < start_on:
        errors["end_on"] = ["The end date is before the start date."]
    if status == "completed" and end_on is None:
        errors.setdefault("end_on", []).append("A completed engagement needs an end date.")
    if team is not None:
        members = [member["practitioner_id"] for member in team]
        if len(members) != len(set(members)):
            errors["team"] = ["A practitioner appears on the team more than once."]
    return errors


# A team member's roles (issue 23): `lead` runs the engagement, `signer` signs its report, `reviewer` reviews it
# (the technical review ISO 14065 asks for), `member` does the work. A member without a role is a `member`.
DEFAULT_ROLE = "member"


def member_roles(role: str | None, roles: Iterable[str] | None) -> list[str]:
    """A member's roles, primary first: the single `role` (the older form) then `roles`, each once, in order;
    `member` when neither is given."""
    ordered = ([role] if role else []) + list(roles or [])
    unique = list(dict.fromkeys(ordered))
    return unique or [DEFAULT_ROLE]


def site_visit_problems(
    visits: Iterable[Mapping[str, Any]],
    team_ids: Iterable[str],
    start_on: date | None,
    end_on: date | None,
) -> dict[str, list[str]]:
    """Field errors for an engagement's site visits: each visitor on the team, each date within its period."""
    team = set(team_ids)
    problems: list[str] = []
    for number, visit in enumerate(visits, start=1):
        if visit["practitioner_id"] not in team:
            problems.append(f"Visit {number}: practitioner {visit['practitioner_id']} is not on the team.")
        day = visit["date"]
        if (start_on and day < start_on) or (end_on and day > end_on):
            problems.append(f"Visit {number}: {day.isoformat()} is outside the engagement's period.")
    return {"site_visits": problems} if problems else {}
