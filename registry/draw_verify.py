"""Verifying a sealed draw from its stored record (`GET /draws/{id}/verify`).

Recomputes the commitment, the candidate hash, the seed, the sealed order and the selection
(registry/draw_record.py), replays the event log (registry/draw_log.py) checking that every refill is the one the
rule gives, and compares the replayed seats with the stored ones. Changes in the graph after the draw do not enter:
only the record does.
"""

from __future__ import annotations

from dataclasses import dataclass

from registry.draw_log import DrawEvent, DrawState, Seat, next_call
from registry.draw_record import candidate_hash, sealed_order, seed_commitment, seed_for, select
from registry.draws import Exclusion, SealedCandidate


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


def is_refill(event: DrawEvent) -> bool:
    """A refill of a vacated seat: a reserve called, a replacement drawn, or a shortfall naming the vacated seat."""
    return event.kind in ("reserve_called", "replacement_drawn") or (
        event.kind == "shortfall" and event.replaces is not None
    )


def _seat_key(seat: Seat) -> tuple[str, int | None, str, str]:
    return (seat.practitioner_id, seat.order, seat.role, seat.status)


def verify(record: SealedRecord) -> Verification:
    """Recompute the commitment, hash, seed, order and selection, replay the events, compare with the seats."""
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
    hashed = candidate_hash(record.candidates)
    check(
        "candidate_hash",
        hashed == record.candidate_hash and len(record.candidates) == record.candidate_count,
        f"{record.candidate_count} candidates hash to the stored value",
        f"recomputed {hashed} over {len(record.candidates)} candidates",
    )
    seed = seed_for(record.secret, record.draw_id, record.candidate_hash)
    check("seed", seed == record.seed, "SHA-256(secret ‖ id ‖ candidate hash) matches", f"recomputed {seed}")

    order = sealed_order(record.seed, record.candidates)
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
    return Verification(all(c.ok for c in checks), tuple(checks))
