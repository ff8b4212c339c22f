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
