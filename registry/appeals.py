"""Complaints (投诉) about a practitioner or an engagement, and appeals (申诉) against a record or an evaluation.

- Complaint triage, each step with a reason: `received → investigating → upheld | dismissed` (issue 12).
  An upheld complaint can create a misconduct record (category `complaint_upheld` unless another is given).
- Appeal window: 30 days from the day the record or evaluation was sent to the practitioner, as in
  NDRC order 26 of 2024 (国家发展改革委令第26号): the assessment result goes to the expert, who may appeal within
  30 days. The last day to appeal is `notified_on + 30 days`; filing on that day is in time, the next is not.
- Appeal outcome: `pending → upheld | dismissed`, with a reason. `upheld` removes the subject's effect — a record
  stops counting towards sanctions, an evaluation stops counting in the mean — and both stay in the history.
- One appeal per record or evaluation, by the practitioner concerned (or an admin entering it for them).
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from registry.errors import InvalidTransition, ValidationFailed
from registry.evaluations import AlreadyDone, DeadlinePassed, NotTheClient

# --- Complaints ------------------------------------------------------------------------------------------------

COMPLAINT_STATUSES: tuple[str, ...] = ("received", "investigating", "upheld", "dismissed")
COMPLAINT_TRANSITIONS: dict[str, tuple[str, ...]] = {
    "received": ("investigating",),
    "investigating": ("upheld", "dismissed"),
}
# Who may file: anyone with a key (the issue); the public has none.
COMPLAINANT_ROLES: tuple[str, ...] = ("client", "government", "admin", "practitioner")
TEXT_MAX = 4000


def validate_complaint(practitioner_id: Any, engagement_id: Any, text: Any) -> dict[str, list[str]]:
    """Field errors for a new complaint: exactly one of practitioner_id / engagement_id, and some text."""
    errors: dict[str, list[str]] = {}
    if bool(practitioner_id) == bool(engagement_id):
        message = "give exactly one of practitioner_id or engagement_id"
        errors["practitioner_id"] = [message]
        errors["engagement_id"] = [message]
    errors.update(_text_errors("text", text))
    return errors


def _text_errors(name: str, text: Any) -> dict[str, list[str]]:
    if not isinstance(text, str) or not text.strip():
        return {name: [f"{name} must not be empty"]}
    if len(text) > TEXT_MAX:
        return {name: [f"{name} must be at most {TEXT_MAX} characters"]}
    return {}


def next_complaint_status(current: str, target: Any, reason: Any) -> str:
    """The complaint's new status after a decision step, or the error saying why it is not allowed."""
    errors: dict[str, list[str]] = {}
    if target not in COMPLAINT_STATUSES or target == "received":
        errors["status"] = [f"status must be one of {', '.join(COMPLAINT_STATUSES[1:])}"]
    errors.update(_text_errors("reason", reason))
    if errors:
        raise ValidationFailed(errors)
    allowed = COMPLAINT_TRANSITIONS.get(current, ())
    if target not in allowed:
        after = (
            f"; from {current} it can go to {' or '.join(allowed)}" if allowed else f"; {current} is final"
        )
        raise InvalidTransition(
            f"A complaint that is {current} cannot become {target}{after}.",
            current_status=current,
            status=target,
        )
    return str(target)


# --- Appeals ---------------------------------------------------------------------------------------------------

APPEAL_SUBJECTS: tuple[str, ...] = ("record", "evaluation")
APPEAL_OUTCOMES: tuple[str, ...] = ("upheld", "dismissed")
APPEAL_SOURCE = (
    "NDRC order 26 of 2024 (国家发展改革委令第26号): appeal within 30 days of receiving the result"
)


@dataclass(frozen=True)
class AppealRule:
    days: int = 30


def appeal_deadline(notified_on: date, rule: AppealRule = AppealRule()) -> date:
    """The last day an appeal is in time: `days` calendar days after the practitioner was notified."""
    return notified_on + timedelta(days=rule.days)


@dataclass(frozen=True)
class AppealSubject:
    kind: str  # "record" or "evaluation"
    id: str
    practitioner_id: str
    notified_on: date
    effective: bool = True
    appealed: bool = False  # an appeal exists already (pending or decided)


def validate_appeal(record_id: Any, evaluation_id: Any, text: Any) -> dict[str, list[str]]:
    """Field errors for a new appeal: exactly one of record_id / evaluation_id, and some text."""
    errors: dict[str, list[str]] = {}
    if bool(record_id) == bool(evaluation_id):
        message = "give exactly one of record_id or evaluation_id"
        errors["record_id"] = [message]
        errors["evaluation_id"] = [message]
    errors.update(_text_errors("text", text))
    return errors


def check_may_appeal(
    subject: AppealSubject,
    role: str,
    practitioner_id: str | None,
    today: date,
    rule: AppealRule = AppealRule(),
) -> date:
    """Raise the reason this appeal may not be filed; otherwise return its deadline."""
    if role != "admin" and not (role == "practitioner" and practitioner_id == subject.practitioner_id):
        raise NotTheClient(f"Only the practitioner concerned may appeal this {subject.kind}.")
    if subject.appealed:
        raise AlreadyDone(
            f"This {subject.kind} has already been appealed; there is one appeal per {subject.kind}.",
            **{f"{subject.kind}_id": subject.id},
        )
    if not subject.effective:
        raise AlreadyDone(f"This {subject.kind} no longer has any effect; there is nothing to appeal.")
    deadline = appeal_deadline(subject.notified_on, rule)
    if today > deadline:
        raise DeadlinePassed(
            f"The appeal period for this {subject.kind} ended on {deadline.isoformat()} "
            f"({rule.days} days after {subject.notified_on.isoformat()}).",
            deadline=deadline.isoformat(),
        )
    return deadline


def decide_appeal(current: str, outcome: Any, reason: Any) -> str:
    """The appeal's status after the decision: pending → upheld | dismissed, once, with a reason."""
    errors: dict[str, list[str]] = {}
    if outcome not in APPEAL_OUTCOMES:
        errors["status"] = [f"status must be one of {', '.join(APPEAL_OUTCOMES)}"]
    errors.update(_text_errors("reason", reason))
    if errors:
        raise ValidationFailed(errors)
    if current != "pending":
        raise InvalidTransition(
            f"This appeal was already decided ({current}); a decision is final.",
            current_status=current,
            status=outcome,
        )
    return str(outcome)
