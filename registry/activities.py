"""Public-welfare activities (公益活动, issue 25): kinds, the status lifecycle, the date and hour rules, who may
organize, sign-up and attendance, and which participation counts.

The brochure names the sixth function of the platform 参与政府主管部门公益活动的集聚平台: a government department
publishes an activity, practitioners sign up (or accept an invitation), the organizer confirms them and afterwards
records who came and for how many hours. Only attended participation in an activity that was not cancelled counts
toward a person's record (profile `public_welfare`, the credit summary's 公益服务, /me/export, certificates).
The graph model is docs/activities.md; the Cypher twin of `counts` is graph/activities.py `COUNTED`.
"""

from __future__ import annotations

from datetime import date, datetime

from registry.errors import Conflict, InvalidTransition, NotPermitted, ValidationFailed

# The kinds the brochure lists: 全国低碳日/节能宣传周 publicity, free carbon-accounting help for SMEs, public
# lectures, 碳普惠 projects, and open calls for comments on draft policies and standards (not the expert work that
# draws appoint). Chinese labels live in web/labels.py.
KINDS: tuple[str, ...] = (
    "publicity",
    "sme_assistance",
    "lecture",
    "carbon_inclusion",
    "policy_consultation",
    "other",
)

DRAFT, OPEN, CLOSED, COMPLETED, CANCELLED = "draft", "open", "closed", "completed", "cancelled"
STATUSES: tuple[str, ...] = (DRAFT, OPEN, CLOSED, COMPLETED, CANCELLED)

# draft → open → closed → completed is the path of an activity that happens; any status before completed may be
# cancelled (the sign-ups are kept and told); closed → open reopens sign-up (a place freed, a deadline extended).
# completed and cancelled are final: history is never rewritten.
TRANSITIONS: dict[str, tuple[str, ...]] = {
    DRAFT: (OPEN, CANCELLED),
    OPEN: (CLOSED, CANCELLED),
    CLOSED: (OPEN, COMPLETED, CANCELLED),
    COMPLETED: (),
    CANCELLED: (),
}

# What anyone may list and read without a key: activities one can join, and those that took place.
PUBLIC_STATUSES: tuple[str, ...] = (OPEN, COMPLETED)

# A participation (JOINED) goes signed_up → confirmed → attended | absent; attendance may be recorded for someone
# signed up or confirmed, and corrected afterwards (attended ↔ absent).
SIGNED_UP, CONFIRMED, ATTENDED, ABSENT = "signed_up", "confirmed", "attended", "absent"
JOIN_STATUSES: tuple[str, ...] = (SIGNED_UP, CONFIRMED, ATTENDED, ABSENT)
JOIN_VIA: tuple[str, ...] = ("sign_up", "invitation")

# Counted participation: attended, in an activity that was not cancelled (a cancelled activity keeps its rows,
# but nobody's hours come from it). Every reader — profile, credit, export, statistics, certificates — uses this.
COUNTED_STATUS = ATTENDED

# An activity invitation (INVITED) is answered once: accepted (which signs the person up) or declined with a reason.
PENDING, ACCEPTED, DECLINED = "pending", "accepted", "declined"
INVITATION_STATUSES: tuple[str, ...] = (PENDING, ACCEPTED, DECLINED)

# A day has 24 hours: the most hours one person can give to an activity is 24 for each calendar day it spans.
HOURS_PER_DAY = 24
MAX_CAPACITY = 100_000
MAX_INVITATIONS_PER_REQUEST = 500
MAX_ATTENDANCE_ROWS = 5_000


def counts(join_status: str | None, activity_status: str | None) -> bool:
    """Whether a participation counts toward the person's record: attended, and the activity not cancelled."""
    return join_status == COUNTED_STATUS and activity_status != CANCELLED


def days_spanned(starts_on: date, ends_on: date) -> int:
    """The calendar days an activity spans, both ends included (a one-day activity spans 1)."""
    return (ends_on - starts_on).days + 1


def max_hours(starts_on: date, ends_on: date) -> float:
    """The most hours one person can give: 24 for each day spanned."""
    return float(HOURS_PER_DAY * max(days_spanned(starts_on, ends_on), 1))


def hours_problem(hours: float | None, starts_on: date, ends_on: date) -> str | None:
    """Why these hours per person cannot be, or None: more than 0 and at most 24 for each day spanned."""
    if hours is None:
        return None
    if not hours > 0:
        return "Hours per person must be more than 0."
    limit = max_hours(starts_on, ends_on)
    if hours > limit:
        return f"Hours per person cannot exceed {limit:g} (24 for each of the {days_spanned(starts_on, ends_on)} day(s))."
    return None


def activity_problems(
    starts_on: date | None,
    ends_on: date | None,
    hours: float | None,
    capacity: int | None,
    online: bool | None,
    place: str | None,
) -> dict[str, list[str]]:
    """Field errors for an activity's dates, hours, capacity and place; empty when it is consistent."""
    errors: dict[str, list[str]] = {}
    if starts_on and ends_on and ends_on < starts_on:
        errors["ends_on"] = ["The activity ends before it starts."]
    elif starts_on and ends_on:
        problem = hours_problem(hours, starts_on, ends_on)
        if problem:
            errors["hours"] = [problem]
    if capacity is not None and not 1 <= capacity <= MAX_CAPACITY:
        errors["capacity"] = [f"The capacity is between 1 and {MAX_CAPACITY} people."]
    if not online and not (place or "").strip():
        errors["place"] = ["An activity that is not online needs a place."]
    return errors


def require_valid(
    starts_on: date | None,
    ends_on: date | None,
    hours: float | None,
    capacity: int | None,
    online: bool | None,
    place: str | None,
) -> None:
    """Raise ValidationFailed (400) with every field error of an activity."""
    errors = activity_problems(starts_on, ends_on, hours, capacity, online, place)
    if errors:
        raise ValidationFailed(errors)


def transition_problems(current: str, target: str, reason: str | None) -> dict[str, list[str]]:
    """Field errors in a status change itself: a known status and a reason (400)."""
    errors: dict[str, list[str]] = {}
    if target not in STATUSES:
        errors["status"] = [f"Must be one of {', '.join(STATUSES)}."]
    if not (reason or "").strip():
        errors["reason"] = ["Say why the status changes; the activity's history keeps the reason."]
    return errors


def check_transition(current: str, target: str, reason: str | None, starts_on: date, today: date) -> None:
    """Raise ValidationFailed (400) for a malformed change, InvalidTransition (409) for one the status does not
    allow; an activity is completed only once it has begun."""
    errors = transition_problems(current, target, reason)
    if errors:
        raise ValidationFailed(errors)
    if target not in TRANSITIONS.get(current, ()):
        allowed = ", ".join(TRANSITIONS.get(current, ())) or "nothing (it is final)"
        raise InvalidTransition(
            f"An activity that is {current} cannot become {target}; it may become {allowed}.",
            status_now=current,
        )
    if target == COMPLETED and today < starts_on:
        raise InvalidTransition(
            f"The activity starts on {starts_on.isoformat()}; it can be completed only once it has begun."
        )


def may_organize(role: str, key_organization_id: str | None, organizer_id: str | None) -> bool:
    """Whether a caller may publish or run an activity of `organizer_id`: an administrator any; a government key
    bound to that organization (a department) its own; nobody else."""
    if role == "admin":
        return True
    return role == "government" and key_organization_id is not None and key_organization_id == organizer_id


def require_organizer(role: str, key_organization_id: str | None, organizer_id: str | None) -> None:
    """Raise NotPermitted (403) unless the caller may organize this organization's activities."""
    if not may_organize(role, key_organization_id, organizer_id):
        if role == "government" and key_organization_id is None:
            raise NotPermitted(
                "This government key is not bound to an organization; only a key bound to the organizer "
                "(or an administrator) may publish or run its activities."
            )
        raise NotPermitted("Only the organizer's own government key or an administrator may do this.")


def sign_up_problem(
    activity_status: str, already_joined: bool, taken: int, capacity: int | None
) -> str | None:
    """Why this person cannot sign up, or None: only for an open activity, once, while places remain (409)."""
    if activity_status != OPEN:
        return f"The activity is {activity_status}; only an open activity takes sign-ups."
    if already_joined:
        return "You have already signed up for this activity."
    if capacity is not None and taken >= capacity:
        return f"The activity is full ({capacity} places taken)."
    return None


def require_sign_up(activity_status: str, already_joined: bool, taken: int, capacity: int | None) -> None:
    """Raise Conflict (409) when this sign-up is not allowed."""
    problem = sign_up_problem(activity_status, already_joined, taken, capacity)
    if problem:
        raise Conflict(problem, activity_status=activity_status)


def confirm_problem(join_status: str | None, activity_status: str) -> str | None:
    """Why this participation cannot be confirmed, or None: a sign-up, in an open or closed activity (409)."""
    if activity_status not in (OPEN, CLOSED):
        return f"The activity is {activity_status}; sign-ups are confirmed while it is open or closed."
    if join_status != SIGNED_UP:
        return f"This participation is {join_status}; only a sign-up can be confirmed."
    return None


def attendance_state_problem(activity_status: str, starts_on: date, today: date) -> str | None:
    """Why attendance cannot be recorded for this activity yet, or None: it is open, closed or completed, and
    has begun (attendance is recorded afterwards)."""
    if activity_status not in (OPEN, CLOSED, COMPLETED):
        return f"The activity is {activity_status}; attendance is recorded for activities that took place."
    if today < starts_on:
        return f"The activity starts on {starts_on.isoformat()}; attendance is recorded once it has begun."
    return None


def attendance_row_problem(
    join_status: str | None, attended: bool, hours: float | None, starts_on: date, ends_on: date
) -> str | None:
    """Why one attendance row cannot be applied, or None: the person signed up, and hours fit the row (more than
    0 and at most 24 a day for someone who came, none for someone absent)."""
    if join_status is None:
        return "This person never signed up for the activity."
    if attended:
        return hours_problem(hours, starts_on, ends_on)
    if hours not in (None, 0):
        return "Someone absent gives no hours; leave hours empty or 0."
    return None


def attendance_hours(attended: bool, hours: float | None, activity_hours: float | None) -> float | None:
    """The hours a row records: given, else the activity's hours per person for someone who came; none if absent."""
    if not attended:
        return None
    return hours if hours is not None else activity_hours


def answer_problems(response: str, reason: str | None) -> dict[str, list[str]]:
    """Field errors in an answer to an activity invitation: accepted, or declined with a reason (400)."""
    errors: dict[str, list[str]] = {}
    if response not in (ACCEPTED, DECLINED):
        errors["response"] = [f"Must be one of {ACCEPTED}, {DECLINED}."]
    if response == DECLINED and not (reason or "").strip():
        errors["reason"] = ["Say why you decline; the organizer sees the reason."]
    return errors


def invitation_state_problem(status: str, deadline: datetime | None, now: datetime) -> str | None:
    """Why an activity invitation can no longer be answered, or None: it is answered once, while pending, before
    its deadline (if it has one)."""
    if status != PENDING:
        return f"This invitation is {status}; it can no longer be answered."
    if deadline is not None:
        aware = deadline if deadline.tzinfo else deadline.replace(tzinfo=now.tzinfo)
        if aware < now:
            return f"The deadline ({deadline.isoformat()}) has passed."
    return None
