"""Employment history: who worked for which organization, from when until when (issue 23).

Each employment is a fact with its own dates. An open employment (no `until`) is the current employer; an
employment's `until` is the last day worked. Facts are added, never edited: a mistaken one stays on record and
the correct one is added beside it (the audit trail says who entered which).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from datetime import date
from typing import Any


def employment_problems(since: date, until: date | None, today: date) -> dict[str, list[str]]:
    """Field errors for an employment's period; empty when it is consistent."""
    errors: dict[str, list[str]] = {}
    if since > today:
        errors["since"] = ["An employment cannot start in the future."]
    if until is not None and until < since:
        errors["until"] = ["The employment ends before it starts."]
    elif until is not None and until > today:
        errors["until"] = ["An employment that has not ended yet has no `until`."]
    return errors


def periods_overlap(since: date, until: date | None, other_since: date, other_until: date | None) -> bool:
    """Whether two periods (inclusive; no end = still running) share a day."""
    return (other_until is None or since <= other_until) and (until is None or other_since <= until)


def overlapping(
    since: date, until: date | None, employments: Iterable[Mapping[str, Any]]
) -> list[Mapping[str, Any]]:
    """The stored employments (`since`, `until`) whose period shares a day with this one."""
    return [e for e in employments if periods_overlap(since, until, e["since"], e.get("until"))]
