"""The audit trail's rules: what an entry records, how personal data is kept out, and how the chain is proven.

Each entry stores the hash of the entry before it and the hash of its own content together with that link,
so editing or removing any entry breaks every hash after it (`verify_chain`). Someone who can write to the
database could still rewrite an entry and recompute every hash after it; so once a day the chain's head is
signed with a key kept outside the database (a `Checkpoint`), and a rewritten entry no longer leads to the hash
that a signed checkpoint holds.
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

# Fields whose values never enter the trail: the entry says only that they changed.
PERSONAL_FIELDS = frozenset(
    {
        "name",
        "id_card",
        "id_card_hash",
        "id_card_tail",
        "phone",
        "email",
        "bio",
        "reason_private",
        # Erasable on a deletion request (PIPL), and an entry can never be edited: kept out from the start.
        "gender",
        "education",
        "work_start_year",
    }
)
CHANGED = "changed"
GENESIS = "0" * 64  # the "previous hash" of the first entry


@dataclass(frozen=True)
class Actor:
    """Who made a change: an API key (its public prefix and label) or the command line."""

    kind: str  # "key" or "cli"
    role: str | None = None
    prefix: str | None = None
    label: str | None = None
    request_id: str | None = None

    @classmethod
    def cli(cls) -> Actor:
        return cls(kind="cli", role="admin", label="cli")


def _plain(value: Any) -> Any:
    if isinstance(value, date | datetime):
        return value.isoformat()
    if isinstance(value, Mapping):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple | set | frozenset):
        return [_plain(v) for v in value]
    if value is None or isinstance(value, str | int | float | bool):
        return value
    return str(value)


def changes(before: Mapping[str, Any] | None, after: Mapping[str, Any] | None) -> dict[str, Any]:
    """{field: {"before", "after"}} for the fields that differ; personal fields only as "changed"."""
    before, after = before or {}, after or {}
    result: dict[str, Any] = {}
    for field in sorted(set(before) | set(after)):
        old, new = _plain(before.get(field)), _plain(after.get(field))
        if old == new:
            continue
        result[field] = CHANGED if field in PERSONAL_FIELDS else {"before": old, "after": new}
    return result


def redacted(fields: Mapping[str, Any]) -> dict[str, Any]:
    """Fields as the trail may keep them: personal ones reduced to "changed"."""
    return {k: CHANGED if k in PERSONAL_FIELDS else _plain(v) for k, v in sorted(fields.items())}


def canonical(content: Mapping[str, Any]) -> str:
    """The one serialisation that is hashed: sorted keys, no spaces, UTF-8 kept."""
    return json.dumps(_plain(content), sort_keys=True, separators=(",", ":"), ensure_ascii=False)


def entry_hash(previous_hash: str, content: Mapping[str, Any]) -> str:
    """SHA-256 over the previous entry's hash and this entry's canonical content."""
    return hashlib.sha256((previous_hash + "\n" + canonical(content)).encode()).hexdigest()


HASHED_FIELDS = (
    "seq", "at", "actor_kind", "actor_role", "actor_prefix", "actor_label", "request_id",
    "entity", "entity_id", "action", "changes", "subjects",
)  # fmt: skip


def content_of(entry: Mapping[str, Any]) -> dict[str, Any]:
    """The part of a stored entry its hash covers."""
    return {field: entry.get(field) for field in HASHED_FIELDS}


CHECKPOINT_CHAIN = "carbon-registry audit v1"


@dataclass(frozen=True)
class Checkpoint:
    """The chain's head on a day, signed with the registry's key (kept outside the database)."""

    day: str  # ISO date
    seq: int
    hash: str
    key_id: str
    signature: str


def checkpoint_message(day: str, seq: int, head_hash: str) -> bytes:
    """What a checkpoint's signature covers: the chain, the day, and the head's position and hash."""
    return canonical({"chain": CHECKPOINT_CHAIN, "day": day, "seq": seq, "hash": head_hash}).encode()


@dataclass(frozen=True)
class ChainCheck:
    verified: bool
    entries: int
    first_bad_seq: int | None = None
    problem: str | None = None
    scope: str = "full"  # "full": from the first entry; "since_checkpoint": from the last signed checkpoint
    from_seq: int = 1  # the first entry checked
    head_seq: int = 0  # the head the check read (entries written after it are left for the next check)
    checkpoint: dict[str, Any] | None = None  # the signed checkpoint it started from: day, seq, key_id


def verify_chain(
    entries: Iterable[Mapping[str, Any]],
    head_seq: int = 0,
    head_hash: str = GENESIS,
    *,
    start_seq: int = 0,
    start_hash: str = GENESIS,
    anchors: Mapping[int, tuple[str, str]] | None = None,
) -> ChainCheck:
    """Check entries (in seq order, from `start_seq + 1`) link up from `start_hash`, hash to what they store,
    match every signed anchor (seq → (hash, what signed it)) on the way, and end where the chain's head says (so
    removing the newest entries shows too); the first break, if any."""
    anchors = anchors or {}
    previous, expected_seq, count = start_hash, start_seq + 1, 0
    for entry in entries:
        count += 1
        if entry["seq"] != expected_seq:
            return ChainCheck(False, count, entry["seq"], f"entry {expected_seq} is missing")
        if entry["previous_hash"] != previous:
            return ChainCheck(False, count, entry["seq"], "does not link to the entry before it")
        if entry_hash(previous, content_of(entry)) != entry["hash"]:
            return ChainCheck(False, count, entry["seq"], "its content does not match its hash")
        signed = anchors.get(entry["seq"])
        if signed and signed[0] != entry["hash"]:
            return ChainCheck(
                False, count, entry["seq"],
                f"it no longer matches the checkpoint signed on {signed[1]}: entries up to it were rewritten",
            )  # fmt: skip
        previous, expected_seq = entry["hash"], expected_seq + 1
    if start_seq + count != head_seq or previous != head_hash:
        return ChainCheck(False, count, start_seq + count + 1, f"the chain's head says {head_seq} entries")
    return ChainCheck(True, count)
