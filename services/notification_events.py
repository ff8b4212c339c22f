"""The events that write notifications, each inside the transaction of the event itself (services/notifications.py).

Draws (a single call site: services/draw_seals.store, which every draw write goes through): an invitation, a
replacement call, a confirmation when the expert accepts or is appointed. Complaints and appeals: the decision, to
the practitioner concerned and to a complainant who left `contact_email`; a misconduct record's appeal deadline.
Exams: a registration and a result. The scheduler's daily and hourly work: `queue_expiry_notices` (90 and 30 days
before a certificate expires, once per certificate, expiry date and threshold) and `queue_invitation_reminders`.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from typing import Any

import neo4j

from graph import invitations as invitation_repo
from graph import notifications as repo
from registry.draw_log import DrawEvent
from registry.notifications import (
    EXPIRY_THRESHOLDS,
    OUTCOME_NAMES,
    STATUS_NAMES,
    certificate_data,
    draw_message_data,
    exam_data,
    expiry_threshold,
)
from services import notification_links, notifications
from services.context import Context

REMINDER_HOURS = 24  # an unanswered invitation is reminded once, this long before its deadline
DECIDED = ("upheld", "dismissed")


# --- Draws ---------------------------------------------------------------------------------------------------


def for_draw(
    tx: neo4j.ManagedTransaction, ctx: Context, draw_id: str, events: Iterable[DrawEvent], now: datetime
) -> int:
    """Notify the people the new events of a draw concern; how many notifications were written."""
    events = list(events)
    called = {e.practitioner_id for e in events if e.kind in ("reserve_called", "replacement_drawn")}
    wanted: list[_Wanted] = []
    for event in events:
        pid = event.practitioner_id
        if pid is None:
            continue
        if event.kind == "invited" and event.deadline is not None:
            kind = "draw_replacement" if pid in called else "draw_invitation"
            extra = notification_links.links(ctx, draw_id, pid, event.deadline)
            wanted.append(_Wanted(draw_id, pid, kind, f"{draw_id}:{pid}:invited:{event.seq}", extra))
        elif (event.kind == "responded" and event.response == "accepted") or event.kind == "appointed":
            wanted.append(_Wanted(draw_id, pid, "draw_confirmed", f"{draw_id}:{pid}:confirmed", {}))
    return _draw_notices(tx, wanted, now)


@dataclass(frozen=True)
class _Wanted:
    draw_id: str
    practitioner_id: str
    kind: str
    ref: str
    extra: dict[str, Any]


def _draw_notices(tx: neo4j.ManagedTransaction, wanted: list[_Wanted], now: datetime) -> int:
    """Write the draw notices in three statements whatever their number (the seats, the channels, the writes)."""
    if not wanted:
        return 0
    seats = invitation_repo.seats(tx, sorted({(w.draw_id, w.practitioner_id) for w in wanted}))
    notices = []
    for w in wanted:
        found = seats.get((w.draw_id, w.practitioner_id))
        if found is None:
            continue
        seat, conceals = found
        organization = seat.get("organization") or {}
        concealed = conceals and seat.get("status") != "accepted"
        data = draw_message_data({**seat, "organization_name": organization.get("name")}, concealed) | w.extra
        notices.append(
            notifications.Notice(w.practitioner_id, w.kind, data, f"{w.kind}:{w.ref}", subject_id=w.draw_id)
        )
    return notifications.enqueue_many(tx, notices, now)


def queue_invitation_reminders(ctx: Context, now: datetime | None = None) -> dict[str, int]:
    """Remind each expert whose invitation is unanswered within REMINDER_HOURS of its deadline (once)."""
    now = now or datetime.now(UTC)

    def work(tx: neo4j.ManagedTransaction) -> int:
        wanted = [
            _Wanted(row["draw_id"], row["practitioner_id"], "draw_reminder",
                    f"{row['draw_id']}:{row['practitioner_id']}",
                    notification_links.links(ctx, row["draw_id"], row["practitioner_id"], row["deadline"]))
            for row in repo.open_invitations(tx, now, now + timedelta(hours=REMINDER_HOURS))
        ]  # fmt: skip
        return _draw_notices(tx, wanted, now)

    return {"reminders": ctx.graph.write(work)}


# --- Certificates --------------------------------------------------------------------------------------------


def queue_expiry_notices(ctx: Context, today: date | None = None) -> dict[str, int]:
    """Write the 90- and 30-day notices of valid certificates (idempotent per certificate, expiry and threshold)."""
    today = today or ctx.today
    until = today + timedelta(days=max(EXPIRY_THRESHOLDS))

    def work(tx: neo4j.ManagedTransaction) -> dict[str, int]:
        counts = {"due": 0, "written": 0}
        for cert in repo.expiring(tx, today, until):
            threshold = expiry_threshold(today, cert["expires_on"], EXPIRY_THRESHOLDS)
            if threshold is None:
                continue
            counts["due"] += 1
            days = (cert["expires_on"] - today).days
            ref = f"certificate_expiring:{cert['number']}:{cert['expires_on'].isoformat()}:{threshold}"
            written = notifications.enqueue(
                tx, cert["practitioner_id"], "certificate_expiring", certificate_data(cert, days),
                ref=ref, subject_id=cert["number"],
            )  # fmt: skip
            counts["written"] += written is not None
        return counts

    return ctx.graph.write(work)


# --- Complaints, appeals, records ----------------------------------------------------------------------------


def complaint_decided(
    tx: neo4j.ManagedTransaction, complaint_id: str, practitioner_id: str | None, status: str
) -> None:
    """Tell the practitioner concerned and a complainant who left an e-mail address how a complaint ended."""
    if status not in DECIDED:
        return
    data = {"reference": complaint_id[:8], "status_name": STATUS_NAMES.get(status, status)}
    if practitioner_id:
        notifications.enqueue(
            tx, practitioner_id, "complaint_decided", data, ref=f"complaint:{complaint_id}:{status}:subject",
            subject_id=complaint_id,
        )  # fmt: skip
    if email := repo.complaint_contact(tx, complaint_id):
        notifications.enqueue(
            tx, None, "complaint_outcome", data, ref=f"complaint:{complaint_id}:{status}:complainant",
            email=email, subject_id=complaint_id,
        )  # fmt: skip


def appeal_decided(tx: neo4j.ManagedTransaction, appeal_id: str, practitioner_id: str, status: str) -> None:
    """Tell the practitioner how their appeal was decided."""
    data = {"reference": appeal_id[:8], "status_name": STATUS_NAMES.get(status, status)}
    notifications.enqueue(
        tx, practitioner_id, "appeal_decided", data, ref=f"appeal:{appeal_id}:{status}", subject_id=appeal_id
    )


def appeal_deadline(
    tx: neo4j.ManagedTransaction, practitioner_id: str, subject: str, subject_id: str, deadline: date
) -> None:
    """Tell the practitioner a record about them was written and until when they may appeal it."""
    data = {"subject_name": {"record": "失信记录", "evaluation": "评价"}.get(subject, subject),
            "reference": subject_id[:8], "deadline": deadline}  # fmt: skip
    notifications.enqueue(
        tx,
        practitioner_id,
        "appeal_deadline",
        data,
        ref=f"appeal_deadline:{subject_id}",
        subject_id=subject_id,
    )


# --- Exams ---------------------------------------------------------------------------------------------------


def exam_registered(
    tx: neo4j.ManagedTransaction, practitioner_id: str, application_id: str, session_id: str
) -> None:
    """Confirm a registration for an exam session to the applicant."""
    data = exam_data(repo.exam_facts(tx, application_id, session_id))
    notifications.enqueue(
        tx, practitioner_id, "exam_registered", data, ref=f"exam_registered:{application_id}:{session_id}",
        subject_id=application_id,
    )  # fmt: skip


def exam_result(
    tx: neo4j.ManagedTransaction,
    practitioner_id: str,
    application_id: str,
    session_id: str,
    score: float,
    passed: bool,
) -> None:
    """Tell the applicant their score and whether they passed."""
    facts = repo.exam_facts(tx, application_id, session_id)
    data = exam_data(facts, score=f"{score:g}", outcome_name=OUTCOME_NAMES[bool(passed)])
    notifications.enqueue(
        tx, practitioner_id, "exam_result", data, ref=f"exam_result:{application_id}:{session_id}",
        subject_id=application_id,
    )  # fmt: skip
