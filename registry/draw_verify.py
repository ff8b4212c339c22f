"""Verifying a sealed draw from its stored record (`GET /draws/{id}/verify`).

Recomputes the commitment, the candidate hash, the seed, the sealed order and the selection
(registry/draw_record.py), replays the event log (registry/draw_log.py) checking that every refill is the one the
rule gives, and compares the replayed seats with the stored ones. Changes in the graph after the draw do not enter:
only the record does.

A draw signed at sealing (registry/draw_seal.py) is also held to its seal: each part of the record — criteria,
dates, candidates, seeding, exclusions — must still hash to the digest the registry signed, every event must chain
from the seal to the signed head, and both signatures must verify against the registry's key. The checks name the
part that no longer matches. A draw sealed before signing has no seal: it is checked as before, `signature: absent`.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from typing import Any

from registry.draw_commit import check_reach
from registry.draw_log import DrawEvent, DrawState, Seat, next_call
from registry.draw_record import candidate_hash, sealed_order, seed_commitment, seed_for, select
from registry.draw_seal import (
    PARTS,
    check_events,
    digest,
    excluded_rows,
    head_message,
    record_parts,
    same_rows,
    seal_digest,
    seal_message,
    stored_seal,
)
from registry.draws import Exclusion, SealedCandidate

Verifies = Callable[[bytes, str], bool]  # (message, signature) → whether the registry's key signed it


@dataclass(frozen=True)
class SealedRecord:
    """Everything stored about a draw that verification needs."""

    draw_id: str
    size: int
    reserves: int
    secret: str
    seed_commitment: str
    candidate_hash: str
    seed: str
    candidate_count: int
    candidates: tuple[SealedCandidate, ...]
    events: tuple[DrawEvent, ...]
    seats: tuple[Seat, ...]  # the stored DREW relationships
    draw: Mapping[str, Any] = field(
        default_factory=dict
    )  # the Draw node's properties (seal, criteria, dates)
    exclusions: tuple[Mapping[str, Any], ...] = ()  # the stored EXCLUDED rows
    event_rows: tuple[Mapping[str, Any], ...] = ()  # the stored events as properties, with their hashes
    sealed_at_creation: str | None = None  # the seal's digest the audit trail recorded when the draw was made


@dataclass(frozen=True)
class Check:
    name: str
    ok: bool
    detail: str

    def to_dict(self) -> dict[str, object]:
        """Return the check as a JSON-ready dict."""
        return {"check": self.name, "ok": self.ok, "detail": self.detail}


@dataclass(frozen=True)
class Verification:
    verified: bool
    checks: tuple[Check, ...]
    signature: str = "absent"  # valid | invalid | absent (sealed before draws were signed)
    event_seq: int | None = None  # the first event that no longer matches, when one does

    @property
    def mismatched(self) -> list[str]:
        """The checks that fail: the parts of the record that no longer match."""
        return [c.name for c in self.checks if not c.ok]


def is_refill(event: DrawEvent) -> bool:
    """A refill of a vacated seat: a reserve called, a replacement drawn, or a shortfall naming the vacated seat."""
    return event.kind in ("reserve_called", "replacement_drawn") or (
        event.kind == "shortfall" and event.replaces is not None
    )


def _seat_key(seat: Seat) -> tuple[str, int | None, str, str, str]:
    # The deadline too: the lapse job reads it from the seat.
    return (seat.practitioner_id, seat.order, seat.role, seat.status, str(seat.deadline))


def _check(name: str, ok: bool, good: str, bad: str) -> Check:
    return Check(name, ok, good if ok else bad)


def _seal_checks(record: SealedRecord, verifies: Verifies | None) -> tuple[list[Check], str, int | None]:
    """The checks of a signed draw against its seal: signatures, each part, the event chain."""
    seal = stored_seal(record.draw)
    if seal is None and record.sealed_at_creation:
        missing = "the seal the audit trail recorded at creation is gone from the draw"
        return [Check("signature", False, missing)], "invalid", None
    if seal is None:
        return [Check("signature", True, "absent: sealed before draws were signed")], "absent", None
    checks: list[Check] = []
    anchor = seal_digest(record.draw_id, seal.digests)
    seal_ok = verifies is not None and verifies(seal_message(record.draw_id, seal.digests), seal.signature)
    head = head_message(record.draw_id, anchor, seal.head_count, seal.head_hash)
    head_ok = verifies is not None and verifies(head, seal.head_signature)
    problems = [what for what, ok in (("the seal", seal_ok), ("the event head", head_ok)) if not ok]
    checks.append(
        _check(
            "signature",
            not problems,
            f"the seal and the event head carry the registry's signature (key {seal.key_id})",
            f"{' and '.join(problems)} do not carry the registry's signature",
        )
    )
    parts = record_parts(record.draw, record.exclusions)
    # Skips at a refill come after the seal: their EXCLUDED rows must be the ones the chained events give.
    skips = excluded_rows(e for e in record.event_rows if e.get("kind") == "skipped")
    refills_match = same_rows((x for x in record.exclusions if x.get("stage") != "sealing"), skips)
    for name in PARTS:
        ok = digest(parts[name]) == seal.digests.get(name)
        if name == "exclusions":
            ok = ok and refills_match
        checks.append(_check(name, ok, "matches the seal", "no longer matches the seal"))
    events = sorted(record.event_rows, key=lambda e: e.get("seq") or 0)
    chained = check_events(anchor, events, seal.head_count, seal.head_hash)
    checks.append(Check("events", chained.ok, chained.detail))
    return checks, "valid" if seal_ok and head_ok else "invalid", chained.first_bad_seq


def verify(record: SealedRecord, verifies: Verifies | None = None) -> Verification:
    """Recompute the commitment, hash, seed, order and selection, replay the events, compare with the seats;
    hold a signed draw to its seal with `verifies` (the registry's key)."""
    checks: list[Check] = []

    def check(name: str, ok: bool, good: str, bad: str) -> None:
        checks.append(Check(name, ok, good if ok else bad))

    commitment = seed_commitment(record.secret)
    check(
        "seed_commitment",
        commitment == record.seed_commitment,
        "SHA-256(secret) matches",
        f"found {commitment}",
    )
    events = sorted(record.events, key=lambda e: e.seq)
    kinds = [e.kind for e in events]
    committed_first = (
        "created" in kinds
        and "sealed" in kinds
        and kinds.index("created") < kinds.index("sealed")
        and events[kinds.index("created")].detail == record.seed_commitment
    )
    check(
        "committed_before_sealing",
        committed_first,
        "commitment recorded first",
        "commitment not recorded first",
    )
    if record.draw.get("candidate_format") or record.draw.get("candidate_reach"):
        # merkle-v2: each reached position is proven against the committed set (registry/draw_commit.py).
        reach = check_reach(
            record.draw.get("candidate_reach"), record.seed, record.candidate_hash, record.candidate_count
        )
        checks.append(Check("candidate_hash", reach.ok, reach.detail))
        order = reach.order
    else:
        hashed = candidate_hash(record.candidates)
        check(
            "candidate_hash",
            hashed == record.candidate_hash and len(record.candidates) == record.candidate_count,
            f"{record.candidate_count} candidates hash to the stored value",
            f"recomputed {hashed} over {len(record.candidates)} candidates",
        )
        order = sealed_order(record.seed, record.candidates)
    seed = seed_for(record.secret, record.draw_id, record.candidate_hash)
    check("seed", seed == record.seed, "SHA-256(secret ‖ id ‖ candidate hash) matches", f"recomputed {seed}")

    selection = select(order, record.size, record.reserves)
    expected = [(p.practitioner_id, p.order, p.role) for p in (*selection.panel, *selection.reserves)]
    found = [(e.practitioner_id, e.order, e.role) for e in events if e.kind == "selected"]
    short_at_seal = sum(e.count or 0 for e in events if e.kind == "shortfall" and e.replaces is None)
    check(
        "selection",
        expected == found and short_at_seal == selection.shortfall,
        f"{len(found)} picks follow the sealed order (shortfall {selection.shortfall})",
        "picks or the shortfall differ from the sealed order",
    )

    # Replay: each refill must be the one the rule gives, with the recorded skips as the only blocks.
    state = DrawState(record.size)
    pending: dict[str, list[Exclusion]] = {}
    refills_ok, refills = True, 0
    for event in events:
        if event.kind == "skipped" and event.practitioner_id is not None and event.rule != "same_employer":
            pending.setdefault(event.practitioner_id, []).append(
                Exclusion(event.practitioner_id, event.rule or "", event.detail or "")
            )
        if is_refill(event):
            refills += 1
            call = next_call(state, order, lambda pid, blocks=pending: blocks.get(pid, ()))
            refills_ok = refills_ok and call.practitioner_id == event.practitioner_id
            pending = {}
        state.apply(event)
    check(
        "refills", refills_ok, f"{refills} refills follow the sealed order", "a refill departs from the order"
    )

    stored = sorted(_seat_key(s) for s in record.seats)
    replayed = sorted(_seat_key(s) for s in state.seats.values())
    check(
        "seats",
        stored == replayed,
        "stored seats equal the replayed events",
        "stored seats differ from events",
    )
    sealed, signature, event_seq = _seal_checks(record, verifies)
    checks.extend(sealed)
    return Verification(all(c.ok for c in checks), tuple(checks), signature, event_seq)
