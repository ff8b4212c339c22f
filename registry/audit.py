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
from collections.abc import Iterable, Mapping, Sequence
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


_SCALARS = (str, int, float, bool, type(None))


def _flat(content: Mapping[str, Any]) -> bool:
    """True when `_plain` leaves the content as it is: text keys, and scalars or lists of scalars as values."""
    for key, value in content.items():
        if type(key) is not str:
            return False
        if type(value) is list:
            if not all(type(item) in _SCALARS for item in value):
                return False
        elif type(value) not in _SCALARS:
            return False
    return True


def canonical(content: Mapping[str, Any]) -> str:
    """The one serialisation that is hashed: sorted keys, no spaces, UTF-8 kept."""
    plain = (
        content if type(content) is dict and _flat(content) else _plain(content)
    )  # an entry's content is flat
    return json.dumps(plain, sort_keys=True, separators=(",", ":"), ensure_ascii=False)


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


def new_entry(
    seq: int,
    previous_hash: str,
    at: str,
    actor: Actor,
    *,
    entity: str,
    entity_id: str | None,
    action: str,
    changes: Mapping[str, Any] | None,
    subjects: Iterable[str],
) -> dict[str, Any]:
    """An entry as it is stored, hash included: the change as sorted JSON text, the subjects sorted once each."""
    entry: dict[str, Any] = {
        "seq": seq,
        "at": at,
        "actor_kind": actor.kind,
        "actor_role": actor.role,
        "actor_prefix": actor.prefix,
        "actor_label": actor.label,
        "request_id": actor.request_id,
        "entity": entity,
        "entity_id": entity_id,
        "action": action,
        "changes": json.dumps(changes or {}, sort_keys=True, ensure_ascii=False, default=str),
        "subjects": sorted(set(subjects)),
    }
    entry["previous_hash"] = previous_hash
    entry["hash"] = entry_hash(previous_hash, content_of(entry))
    return entry


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


# A stored entry as the verifier reads it: its position and links, then the hashed fields in sorted-key order
# (the order `canonical` writes them), so the check builds the canonical text without sorting.
ROW_FIELDS = ("seq", "previous_hash", "hash", *(f for f in sorted(HASHED_FIELDS) if f != "seq"))
# The C encoder with `canonical`'s settings; keys are given in sorted order, so sorting is left out.
_REWRITTEN = "entries up to it were rewritten"
_FAST = json.JSONEncoder(ensure_ascii=False, separators=(",", ":"))


class ChainWalk:
    """The chain check over stored entries, fed page by page in seq order (`rows` or `entries`), then `result`.

    Each entry must carry the next number, link to the hash of the entry before it, hash to what it stores and
    match every signed anchor (seq → (hash, what signed it)) on the way; `result` also checks the walk ended
    where the chain's head says (so removing the newest entries shows too). The hash is computed from the
    canonical text built directly (plain values: text, numbers, lists of text, as the trail stores them); only
    when that does not give the stored hash is it recomputed through `canonical`, so the verdict is the
    slow computation's.
    """

    def __init__(
        self,
        start_seq: int = 0,
        start_hash: str = GENESIS,
        anchors: Mapping[int, tuple[str, str]] | None = None,
    ) -> None:
        self.start_seq = start_seq
        self.previous = start_hash
        self.expected = start_seq + 1
        self.count = 0
        self.anchors = dict(anchors or {})
        self.failure: ChainCheck | None = None

    def entries(self, entries: Iterable[Mapping[str, Any]]) -> bool:
        """Check entries given as mappings (stored nodes); False once the chain broke."""
        return self.rows(tuple(entry.get(field) for field in ROW_FIELDS) for entry in entries)

    def rows(self, rows: Iterable[Sequence[Any]]) -> bool:
        """Check entries given as rows in `ROW_FIELDS` order; False once the chain broke."""
        if self.failure is not None:
            return False
        encode, sha256, anchors = _FAST.encode, hashlib.sha256, self.anchors
        previous, expected, count = self.previous, self.expected, self.count
        for row in rows:
            (
                seq,
                linked,
                stored,
                action,
                kind,
                label,
                prefix,
                role,
                at,
                changed,
                entity,
                entity_id,
                request,
                subjects,
            ) = row
            count += 1
            problem = None
            if seq != expected:
                problem = f"entry {expected} is missing"
            elif linked != previous:
                problem = "does not link to the entry before it"
            else:
                try:
                    text = encode({
                        "action": action, "actor_kind": kind, "actor_label": label, "actor_prefix": prefix,
                        "actor_role": role, "at": at, "changes": changed, "entity": entity, "entity_id": entity_id,
                        "request_id": request, "seq": seq, "subjects": subjects,
                    })  # fmt: skip
                    fast = sha256((previous + "\n" + text).encode()).hexdigest()
                except (TypeError, ValueError):
                    fast = None
                if (
                    fast != stored
                    and entry_hash(previous, dict(zip(ROW_FIELDS[3:], row[3:], strict=True), seq=seq))
                    != stored
                ):
                    problem = "its content does not match its hash"
                elif anchors:
                    signed = anchors.get(seq)
                    if signed and signed[0] != stored:
                        problem = f"it no longer matches the checkpoint signed on {signed[1]}: {_REWRITTEN}"
            if problem is not None:
                self.count = count
                self.failure = ChainCheck(False, count, seq, problem)
                return False
            previous, expected = stored, expected + 1
        self.previous, self.expected, self.count = previous, expected, count
        return True

    def result(self, head_seq: int, head_hash: str) -> ChainCheck:
        """The verdict: the first break, or whether the walk ended at the chain's head."""
        if self.failure is not None:
            return self.failure
        if self.start_seq + self.count != head_seq or self.previous != head_hash:
            return ChainCheck(
                False,
                self.count,
                self.start_seq + self.count + 1,
                f"the chain's head says {head_seq} entries",
            )
        return ChainCheck(True, self.count)


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
    walk = ChainWalk(start_seq, start_hash, anchors)
    walk.entries(entries)
    return walk.result(head_seq, head_hash)
