"""Notifications: written in the event's own transaction (an outbox), read and marked read by their recipient,
channels chosen per kind; the sender is services/notification_sender.py, the events services/notification_events.py.

`enqueue(tx, ctx, recipient_id, kind, data)` is called by a use case inside its write transaction: a change that
rolls back leaves no notification, and one that commits leaves it for the sender however long it is down.
Marking read is the reader's own bookkeeping and is not audited; a change of channels is.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any

import neo4j

from graph import notifications as repo
from graph.records import found
from registry.errors import NotFound, ValidationFailed
from registry.notifications import (
    CHANNELS,
    EMAIL,
    IN_APP,
    KIND_BY_CODE,
    KINDS,
    PENDING,
    SENT,
    SMS,
    channels_for,
    preference_problems,
    render,
)
from services import audit
from services.context import Context, Page


def enqueue(
    tx: neo4j.ManagedTransaction,
    recipient_id: str | None,
    kind: str,
    data: dict[str, Any],
    *,
    ref: str | None = None,
    email: str | None = None,
    subject_id: str | None = None,
    now: datetime | None = None,
) -> str | None:
    """Write a notification of `kind` to a practitioner (or, without one, to the e-mail address `email`) in `tx`,
    with a delivery per channel they chose; its id, or None when nobody can receive it or `ref` was written."""
    now = now or datetime.now(UTC)
    person = repo.preferences(tx, recipient_id) if recipient_id is not None else None
    row = _row(person, recipient_id, kind, data, ref, email, subject_id, now)
    if row is None:
        return None
    written = repo.create(tx, row["ref"], row["props"], recipient_id, row["deliveries"])
    return row["props"]["id"] if written else None


@dataclass(frozen=True)
class Notice:
    """One notification for `enqueue_many` (a practitioner's; the arguments of `enqueue`)."""

    recipient_id: str
    kind: str
    data: dict[str, Any]
    ref: str
    subject_id: str | None = None


def enqueue_many(tx: neo4j.ManagedTransaction, notices: list[Notice], now: datetime) -> int:
    """`enqueue` for several practitioners' notices in two statements (their channels, then every write); how
    many were written. The same nodes as one `enqueue` each, in order (a repeated `ref` is written once)."""
    people = repo.preferences_of(tx, sorted({n.recipient_id for n in notices}))
    rows = [
        row
        for n in notices
        if (row := _row(people.get(n.recipient_id), n.recipient_id, n.kind, n.data, n.ref, None,
                        n.subject_id, now)) is not None
    ]  # fmt: skip
    return len(repo.create_many(tx, rows))


def _row(
    person: dict[str, Any] | None,
    recipient_id: str | None,
    kind: str,
    data: dict[str, Any],
    ref: str | None,
    email: str | None,
    subject_id: str | None,
    now: datetime,
) -> dict[str, Any] | None:
    """The notification and its deliveries as stored ({ref, props, recipient_id, deliveries}), or None when nobody
    can receive it (`person`: the recipient's `preferences`, None when unknown)."""
    if recipient_id is not None:
        if person is None or person["deleted"]:
            return None
        available = _reachable(person)
        chosen = _stored(person["channels"]).get(kind)
        channels = channels_for(kind, chosen, available)
        address = None
    elif email:
        channels, address = (EMAIL,), email
    else:
        return None
    if not channels:
        return None  # the person switched this kind off
    title, body = render(kind, data)
    notification_id = str(uuid.uuid4())
    outbound = [c for c in channels if c != IN_APP]
    props = {
        "id": notification_id,
        "kind": kind,
        "recipient_id": recipient_id,
        "channel": outbound[0] if outbound else IN_APP,
        "title": title,
        "body": body,
        "subject_id": subject_id,
        "created_at": now,
    }
    deliveries = [
        {
            "id": str(uuid.uuid4()),
            "channel": channel,
            "status": SENT if channel == IN_APP else PENDING,
            "attempts": 0,
            "next_attempt_at": now,
            "address": address,
            "sent_at": now if channel == IN_APP else None,
        }
        for channel in channels
    ]
    return {
        "ref": ref or notification_id,
        "props": props,
        "recipient_id": recipient_id,
        "deliveries": deliveries,
    }


def _reachable(person: dict[str, Any]) -> list[str]:
    """The channels a person can receive: in-app always, e-mail and SMS with an address on their record."""
    return [IN_APP] + ([EMAIL] if person["has_email"] else []) + ([SMS] if person["has_phone"] else [])


def _stored(text: str | None) -> dict[str, list[str]]:
    try:
        value = json.loads(text) if text else {}
    except ValueError:
        return {}
    return value if isinstance(value, dict) else {}


# --- The recipient's side ------------------------------------------------------------------------------------


def of_practitioner(
    ctx: Context, practitioner_id: str, page: int, per_page: int, unread: bool | None = None
) -> Page:
    """A page of the person's notifications, newest first, each with its deliveries."""
    return Page.of(ctx.graph.read(repo.page, practitioner_id, unread, (page - 1) * per_page, per_page))


def unread_count(ctx: Context, practitioner_id: str) -> int:
    """How many of the person's notifications are unread (the portal's header)."""
    return ctx.graph.read(repo.unread_count, practitioner_id)


def mark_read(ctx: Context, practitioner_id: str, notification_id: str) -> dict[str, Any]:
    """Mark one of the person's notifications read; 404 when it is not theirs."""
    now = datetime.now(UTC)
    return found(
        ctx.graph.write(repo.mark_read, practitioner_id, notification_id, now),
        "notification",
        notification_id,
    )


def preferences(ctx: Context, practitioner_id: str) -> dict[str, Any]:
    """Every kind with the channels it goes to for this person (their choice, else the default)."""

    def work(tx: neo4j.ManagedTransaction) -> dict[str, Any] | None:
        return repo.preferences(tx, practitioner_id)

    person = ctx.graph.read(work)
    if person is None:
        raise NotFound(f"No practitioner with id {practitioner_id}.")
    return _preference_view(_stored(person["channels"]), person)


def _preference_view(chosen: dict[str, list[str]], person: dict[str, Any]) -> dict[str, Any]:
    return {
        "items": [
            {
                "kind": kind.code,
                "name": kind.name_zh,
                "mandatory": kind.mandatory,
                "channels": [c for c in CHANNELS if c in chosen.get(kind.code, kind.channels)],
                "default": list(kind.channels),
            }
            for kind in KINDS
        ],
        "reachable": _reachable(person),
    }


def set_preferences(ctx: Context, practitioner_id: str, choice: dict[str, Any]) -> dict[str, Any]:
    """Choose the channels of some kinds ({kind: [channels]}); a draw invitation can move, not be switched off."""
    if errors := preference_problems(choice):
        raise ValidationFailed(errors)

    def work(tx: neo4j.ManagedTransaction) -> dict[str, Any]:
        person = repo.preferences(tx, practitioner_id)
        if person is None:
            raise NotFound(f"No practitioner with id {practitioner_id}.")
        before = _stored(person["channels"])
        after = before | {k: [c for c in CHANNELS if c in v] for k, v in choice.items()}
        repo.set_preferences(tx, practitioner_id, json.dumps(after, sort_keys=True))
        audit.record(
            tx, ctx, "practitioner", practitioner_id, "notification_channels",
            before={f"notify_{k}": v for k, v in before.items()}, after={f"notify_{k}": v for k, v in after.items()},
            subjects=[practitioner_id],
        )  # fmt: skip
        return _preference_view(after, person)

    return ctx.graph.write(work)


# --- The administrators' side --------------------------------------------------------------------------------


def failed(ctx: Context, page: int, per_page: int) -> Page:
    """Deliveries that kept failing (kind, channel, the recipient's id, each attempt's time and error)."""
    return Page.of(ctx.graph.read(repo.failed, (page - 1) * per_page, per_page))


def delivery_counts(ctx: Context) -> dict[str, int]:
    """Deliveries by status (the admin page's line)."""
    return ctx.graph.read(repo.status_counts)


def kind_names() -> dict[str, str]:
    """Each kind's Chinese name."""
    return {code: kind.name_zh for code, kind in KIND_BY_CODE.items()}
