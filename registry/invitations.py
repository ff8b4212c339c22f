"""A drawn expert's answer to an invitation (issue 11's draws, answered by the expert themself, issue 13)."""

from __future__ import annotations

from datetime import date, datetime

INVITED = "invited"
# What the expert may answer; `no_response` is recorded by an admin or when the deadline passes, never by them.
RESPONSES: tuple[str, ...] = ("accepted", "declined")


def response_problems(
    status: str, response: str, reason: str | None, deadline: date | datetime | None, now: datetime
) -> dict[str, list[str]]:
    """Field errors for an expert's answer; empty when it may be recorded.

    An invitation is answered once, while its status is `invited` and before its deadline (a date deadline lasts
    the whole day); a decline needs a reason, which the draw's record keeps.
    """
    errors: dict[str, list[str]] = {}
    if response not in RESPONSES:
        errors["response"] = [f"Must be one of {', '.join(RESPONSES)}."]
    if response == "declined" and not (reason or "").strip():
        errors["reason"] = ["Say why you decline; the draw's record keeps the reason."]
    if status != INVITED:
        errors.setdefault("response", []).append(
            f"This invitation is {status}; it can no longer be answered."
        )
    elif deadline is not None and _past(deadline, now):
        errors.setdefault("response", []).append(
            f"The deadline ({deadline.isoformat()}) has passed; contact the registry's administrators."
        )
    return errors


def _past(deadline: date | datetime, now: datetime) -> bool:
    if isinstance(deadline, datetime):
        if deadline.tzinfo is None or now.tzinfo is None:
            return deadline.replace(tzinfo=None) < now.replace(tzinfo=None)
        return deadline < now
    return deadline < now.date()
