"""A draw's signed seal and event chain (issue 22 item 3; the pure rules in registry/draw_seal.py).

At sealing, each part of the record is hashed and the digests are signed with the registry's key kept outside
Neo4j; every later event is hashed with the one before (the first with the seal) and the chain's head is signed
again after each write — never over a chain that no longer verifies, so a rewritten record cannot be laundered.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

import neo4j

from graph import draw_records as records
from graph import draws as repo
from graph.revision import stamp
from registry.draw_log import EventLog
from registry.draw_seal import (
    canonical,
    chain,
    check_events,
    excluded_rows,
    head_message,
    part_digests,
    record_parts,
    seal_digest,
    seal_message,
    stored_seal,
)
from services import notification_events
from services.context import Context


@dataclass(frozen=True)
class Head:
    """Where a signed draw's event chain stands: new events chain from `hash` and the new head is signed."""

    seal: str  # the seal's digest
    count: int
    hash: str
    sound: bool  # False when the stored chain no longer verifies: the new head is left unsigned


def head(ctx: Context, view: dict[str, Any]) -> Head | None:
    """The stored head of a signed draw (None for a draw sealed before signing), checked before extending it."""
    seal = stored_seal(view)
    if seal is None:
        return None
    anchor = seal_digest(view["id"], seal.digests)
    events = sorted(view["events"], key=lambda e: e["seq"])
    signer = ctx.settings.signer
    # A chain rewritten in the graph is never signed over: its next head keeps the old signature and fails.
    sound = (
        check_events(anchor, events, seal.head_count, seal.head_hash).ok
        and signer.verifies(seal_message(view["id"], seal.digests), seal.signature)
        and signer.verifies(
            head_message(view["id"], anchor, seal.head_count, seal.head_hash), seal.head_signature
        )
    )
    return Head(anchor, len(events), seal.head_hash, sound)


def store(
    tx: neo4j.ManagedTransaction,
    ctx: Context,
    draw_id: str,
    log: EventLog,
    now: datetime,
    head: Head | None,
) -> None:
    """Store the log's new events and seats; on a signed draw, chain the events from the head and sign the new one."""
    state = log.state
    hashes = chain(head.hash, [records.event_properties(e) for e in log.events]) if head else []
    repo.append(
        tx,
        draw_id,
        log.events,
        state.seats.values(),
        state.status,
        state.shortfall,
        state.disclosed,
        now,
        hashes,
    )
    if head is not None and hashes:
        count = head.count + len(hashes)
        message = head_message(draw_id, head.seal, count, hashes[-1])
        repo.write_head(
            tx, draw_id, count, hashes[-1], ctx.settings.signer.sign(message) if head.sound else None
        )
    # A seat accepted (or no longer) changes the person's panels served, which their page view shows.
    stamp(tx, [seat.practitioner_id for seat in state.seats.values()])
    # Invitations, replacement calls and confirmations go to the outbox in this same transaction.
    notification_events.for_draw(tx, ctx, draw_id, log.events, now)


@dataclass(frozen=True)
class Seal:
    """A new draw's seal: the properties to store on it, the head its events chain from, and the signing key."""

    properties: dict[str, Any]
    head: Head
    key_id: str


def seal(ctx: Context, draw_id: str, record: dict[str, Any], events: list[dict[str, Any]]) -> Seal:
    """Sign the digest of each part of the new draw's record (`record`: its properties with `created_at`)."""
    digests = part_digests(record_parts(record, excluded_rows(events)))
    signer = ctx.settings.signer
    anchor = seal_digest(draw_id, digests)
    properties = {
        "seal_parts": canonical(digests),
        "seal_signature": signer.sign(seal_message(draw_id, digests)),
        "seal_key_id": signer.key_id,
    }
    return Seal(properties, Head(anchor, 0, anchor, sound=True), signer.key_id)
