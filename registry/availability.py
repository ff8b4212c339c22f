"""Availability: periods a practitioner declares they cannot serve (blackouts), which expert draws skip.

A period is `from`–`to`, both dates inclusive, with an optional reason that only the person and admins see.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

MAX_REASON_LENGTH = 500


@dataclass(frozen=True)
class Period:
    from_: date
    to: date
    id: str | None = None
    reason: str | None = None

    def overlaps(self, other: Period) -> bool:
        # Inclusive dates: 1–5 May and 5–9 May share the 5th; 1–5 May and 6–9 May do not.
        return self.from_ <= other.to and other.from_ <= self.to

    def covers(self, day: date) -> bool:
        return self.from_ <= day <= self.to


def period_problems(new: Period, existing: Iterable[Period], today: date) -> dict[str, list[str]]:
    """Field errors for a new blackout period: inverted, already over, or overlapping one already declared."""
    if new.to < new.from_:
        return {"to": ["The end date is before the start date."]}
    if new.to < today:
        return {"to": ["The period is already over; declare periods from today on."]}
    clashes = sorted((p for p in existing if new.overlaps(p)), key=lambda p: p.from_)
    if clashes:
        spans = ", ".join(f"{p.from_.isoformat()}–{p.to.isoformat()}" for p in clashes)
        return {"from": [f"Overlaps a period already declared ({spans}); change or remove that one instead."]}
    return {}


def available_on(periods: Iterable[Period], day: date) -> bool:
    """Whether no declared period covers `day`."""
    return not any(period.covers(day) for period in periods)
