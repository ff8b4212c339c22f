"""The signed seal of a draw's record, and the chain of its events (what `/draws/{id}/verify` holds it to).

The sealed order (registry/draw_record.py) proves nobody chose who sat; this proves nobody changed the record
since. At sealing, the record is cut into parts — `criteria` (what was asked for and the rules in force),
`dates`, `candidates`, `seeding` (commitment and seed), `exclusions` (every EXCLUDED at sealing, with its
evidence) — and each part is hashed (`part_digests`). The seal is the registry's signature over the draw's id and
those digests (`seal_message`), made with the key kept outside Neo4j (adapters/signing.py, the key of the audit
checkpoints). Every event then hashes its full content together with the previous event's hash, the first with
the seal's digest (`event_hash`), and after each write the draw's head — how many events, the last hash — is signed
again (`head_message`). Someone who can write to Neo4j can edit a part and recompute its digest, or an event and
every hash after it; they cannot sign, so the seal or the head no longer verifies.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

from registry.draw_pool import commitment as pool_commitment

SEAL_CHAIN = "carbon-registry draw seal v1"
HEAD_CHAIN = "carbon-registry draw events v1"
PARTS: tuple[str, ...] = ("criteria", "dates", "candidates", "seeding", "exclusions")
# What the `criteria` part holds: the request and the rules in force when it was drawn.
CRITERIA_FIELDS: tuple[str, ...] = (
    "purpose", "title", "organization_id", "work_type", "min_level", "industry", "region", "specialty",
    "size", "reserves", "manual_ids", "manual_reasons", "window_years", "draw_cap", "response_hours",
)  # fmt: skip
DATE_FIELDS: tuple[str, ...] = ("created_at", "panel_date", "reference_date")
EVENT_FIELDS: tuple[str, ...] = (
    "seq", "kind", "at", "practitioner_id", "order", "role", "response", "replaces", "rule", "detail", "by",
    "deadline", "count",
)  # fmt: skip
EXCLUSION_FIELDS: tuple[str, ...] = ("practitioner_id", "rule", "detail", "seq", "stage")


def _plain(value: Any) -> Any:
    """JSON-ready: datetimes as UTC ISO strings (whatever zone object the driver returns), dates as ISO."""
    if isinstance(value, datetime):
        return (value if value.tzinfo else value.replace(tzinfo=UTC)).astimezone(UTC).isoformat()
    if isinstance(value, date):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


def canonical(content: Any) -> str:
    """The one serialisation that is hashed and signed: sorted keys, no spaces, UTF-8 kept."""
    return json.dumps(_plain(content), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def digest(content: Any) -> str:
    """SHA-256 of the canonical form."""
    return hashlib.sha256(canonical(content).encode()).hexdigest()


def excluded_rows(events: Iterable[Mapping[str, Any]]) -> list[dict[str, Any]]:
    """The EXCLUDED rows that events (as stored properties) give: `excluded` at sealing, `skipped` at a refill."""
    return [
        {
            "practitioner_id": event.get("practitioner_id"),
            "rule": event.get("rule"),
            "detail": event.get("detail"),
            "seq": event.get("seq"),
            "stage": "sealing" if event.get("kind") == "excluded" else "refill",
            "path": event.get("path"),
        }
        for event in events
        if event.get("kind") in ("excluded", "skipped")
    ]


def same_rows(stored: Iterable[Mapping[str, Any]], expected: Iterable[Mapping[str, Any]]) -> bool:
    """Whether two lists of EXCLUDED rows hold the same rows, in any order."""

    def rows(items: Iterable[Mapping[str, Any]]) -> list[str]:
        return sorted(canonical(exclusion_row(item)) for item in items)

    return rows(stored) == rows(expected)


def record_parts(draw: Mapping[str, Any], exclusions: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """The parts of a draw's record, from its stored properties and its EXCLUDED rows of the sealing stage."""
    # Rows read back from the pool-wide set (registry/draw_pool.py) are sealed through its commitment instead.
    sealing = [
        exclusion_row(row) for row in exclusions if row.get("stage") == "sealing" and not row.get("pooled")
    ]
    candidates = {
        "candidate_hash": draw.get("candidate_hash"),
        "candidate_count": draw.get("candidate_count"),
        "matched_count": draw.get("matched_count"),
        "lines": sorted(draw.get("candidates") or []),
    }
    if draw.get("candidate_format") or draw.get("candidate_reach"):
        # merkle-v2 (registry/draw_commit.py): the reach with its proofs instead of every line. Draws sealed
        # before carry neither key, so their part hashes as it always did.
        candidates |= {"format": draw.get("candidate_format"), "reach": draw.get("candidate_reach")}
    criteria = {field: draw.get(field) for field in CRITERIA_FIELDS}
    if draw.get("conflict_rules"):  # issue 23's indirect conflicts: absent from draws sealed before
        criteria["conflict_rules"] = draw["conflict_rules"]
    excluded: Any = sorted(sealing, key=canonical)
    if draw.get("pool_exclusions") is not None:
        # Since issue 24 the pool-wide exclusions are one stored set; draws sealed before hash as they always did.
        excluded = {"rows": excluded, "pool": pool_commitment(draw["pool_exclusions"])}
    return {
        "criteria": criteria,
        "dates": {field: draw.get(field) for field in DATE_FIELDS},
        "candidates": candidates,
        "seeding": {field: draw.get(field) for field in ("secret", "seed_commitment", "seed")},
        "exclusions": excluded,
    }


def part_digests(parts: Mapping[str, Any]) -> dict[str, str]:
    """A digest per part."""
    return {name: digest(parts[name]) for name in PARTS}


def seal_message(draw_id: str, digests: Mapping[str, str]) -> bytes:
    """What the seal's signature covers: the draw's id and the digest of each part."""
    return canonical({"chain": SEAL_CHAIN, "draw": draw_id, "parts": dict(digests)}).encode()


def seal_digest(draw_id: str, digests: Mapping[str, str]) -> str:
    """SHA-256 of the seal message: where the event chain starts."""
    return hashlib.sha256(seal_message(draw_id, digests)).hexdigest()


def event_content(event: Mapping[str, Any]) -> dict[str, Any]:
    """The part of a stored event its hash covers: all of it, deadline included (an exclusion's path when it has
    one: events without a path hash as they always did)."""
    content = {field: event.get(field) for field in EVENT_FIELDS}
    return content | ({"path": event["path"]} if event.get("path") is not None else {})


def exclusion_row(row: Mapping[str, Any]) -> dict[str, Any]:
    """An EXCLUDED row as sealed: its fields, and its path when it has one."""
    content = {field: row.get(field) for field in EXCLUSION_FIELDS}
    return content | ({"path": row["path"]} if row.get("path") is not None else {})


def event_hash(previous_hash: str, event: Mapping[str, Any]) -> str:
    """SHA-256 over the previous event's hash (the seal's digest for the first) and this event's content."""
    return hashlib.sha256((previous_hash + "\n" + canonical(event_content(event))).encode()).hexdigest()


def chain(previous_hash: str, events: Iterable[Mapping[str, Any]]) -> list[str]:
    """The hashes of `events` (in order), chained from `previous_hash`."""
    hashes = []
    for event in events:
        previous_hash = event_hash(previous_hash, event)
        hashes.append(previous_hash)
    return hashes


def head_message(draw_id: str, seal: str, count: int, last_hash: str) -> bytes:
    """What the event head's signature covers: the draw, its seal's digest, how many events, the last hash."""
    return canonical(
        {"chain": HEAD_CHAIN, "draw": draw_id, "seal": seal, "count": count, "hash": last_hash}
    ).encode()


@dataclass(frozen=True)
class StoredSeal:
    """What a signed draw stores on its node: the part digests and their signature, the signed event head."""

    digests: dict[str, str]
    signature: str
    key_id: str
    head_count: int
    head_hash: str
    head_signature: str

    @property
    def properties(self) -> dict[str, Any]:
        """As Draw node properties."""
        return {
            "seal_parts": canonical(self.digests),
            "seal_signature": self.signature,
            "seal_key_id": self.key_id,
            "event_count": self.head_count,
            "event_hash": self.head_hash,
            "event_signature": self.head_signature,
        }


def stored_seal(draw: Mapping[str, Any]) -> StoredSeal | None:
    """The seal a draw's node holds, or None for a draw sealed before draws were signed."""
    if not draw.get("seal_signature"):
        return None
    try:
        digests = json.loads(draw.get("seal_parts") or "{}")
    except (TypeError, ValueError):
        digests = {}
    if not isinstance(digests, dict):
        digests = {}
    return StoredSeal(
        digests={str(k): str(v) for k, v in digests.items()},
        signature=str(draw.get("seal_signature")),
        key_id=str(draw.get("seal_key_id") or ""),
        head_count=int(draw.get("event_count") or 0),
        head_hash=str(draw.get("event_hash") or ""),
        head_signature=str(draw.get("event_signature") or ""),
    )


@dataclass(frozen=True)
class ChainCheck:
    ok: bool
    detail: str
    first_bad_seq: int | None = None


def check_events(
    seal: str, events: Sequence[Mapping[str, Any]], head_count: int, head_hash: str
) -> ChainCheck:
    """Events (in seq order) numbered 1…n, each hashing to what it stores from the one before, ending at the head."""
    previous = seal
    for expected, event in enumerate(events, start=1):
        if event.get("seq") != expected:
            return ChainCheck(False, f"event {expected} is missing", expected)
        computed = event_hash(previous, event)
        if computed != event.get("hash"):
            return ChainCheck(
                False, f"event {expected} ({event.get('kind')}) no longer matches its hash", expected
            )
        previous = computed
    if len(events) != head_count:
        missing = len(events) + 1
        return ChainCheck(False, f"the signed head holds {head_count} events, found {len(events)}", missing)
    if previous != head_hash:
        return ChainCheck(False, "the events do not lead to the signed head: rewritten and re-hashed", None)
    return ChainCheck(True, f"{head_count} events chain from the seal to the signed head")
