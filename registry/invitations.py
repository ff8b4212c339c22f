"""A drawn expert's answer to an invitation (issue 11's draws, answered by the expert themself, issue 13)."""

from __future__ import annotations

from datetime import date, datetime

INVITED = "invited"
# What the expert may answer; `no_response` is recorded by an admin or when the deadline passes, never by them.
RESPONSES: tuple[str, ...] = ("accepted", "declined")


def answer_problems(response: str, reason: str | None) -> dict[str, list[str]]:
    """Field errors in the answer itself: a known response, and a reason for a decline."""
    errors: dict[str, list[str]] = {}
    if response not in RESPONSES:
        errors["response"] = [f"Must be one of {', '.join(RESPONSES)}."]
    if response == "declined" and not (reason or "").strip():
        errors["reason"] = ["Say why you decline; the draw's record keeps the reason."]
    return errors


def state_problem(status: str, deadline: date | datetime | None, now: datetime) -> str | None:
    """Why this invitation can no longer be answered, or None: it is answered once, while `invited`, before
    its deadline (a date deadline lasts the whole day)."""
    if status != INVITED:
        return f"This invitation is {status}; it can no longer be answered."
    if deadline is not None and _past(deadline, now):
        return f"The deadline ({deadline.isoformat()}) has passed; contact the registry's administrators."
    return None


def _past(deadline: date | datetime, now: datetime) -> bool:
    if isinstance(deadline, datetime):
        if deadline.tzinfo is None or now.tzinfo is None:
            return deadline.replace(tzinfo=None) < now.replace(tzinfo=None)
        return deadline < now
    return deadline < now.date()
