"""The audit trail: what the use cases record, and reading and proving it."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from dataclasses import asdict, replace
from datetime import date
from typing import Any

import neo4j

from graph import audit as audit_repo
from registry.audit import ChainCheck, Checkpoint, changes, checkpoint_message, verify_chain
from services.context import Context, Page


def record(
    tx: neo4j.ManagedTransaction,
    ctx: Context,
    entity: str,
    entity_id: str | None,
    action: str,
    *,
    before: dict[str, Any] | None = None,
    after: dict[str, Any] | None = None,
    details: dict[str, Any] | None = None,
    subjects: list[str] | tuple[str, ...] = (),
) -> None:
    """Record a change made in `tx` by `ctx.actor`: the fields that differ (personal ones only as
    "changed") plus any non-personal `details`; `subjects` are the practitioners it concerns."""
    diff = changes(before, after)
    if details:
        diff |= details
    audit_repo.record(
        tx, ctx.actor, entity=entity, entity_id=entity_id, action=action, changes=diff, subjects=subjects
    )


def entries(ctx: Context, filters: dict[str, Any], page: int, per_page: int) -> Page:
    """A page of entries (newest first) by entity, entity id, actor and time."""
    return Page.of(ctx.graph.read(audit_repo.search, filters, page, per_page))


def practitioner_history(ctx: Context, practitioner_id: str, page: int, per_page: int) -> Page:
    """A page of the entries about one practitioner, newest first."""
    return Page.of(ctx.graph.read(audit_repo.practitioner_history, practitioner_id, page, per_page))


def verify(ctx: Context) -> ChainCheck:
    """Check the chain from its last signed checkpoint to the head (the whole chain while there is none): the
    checkpoint's signature against the key outside the database, then every entry after it links, hashes to what
    it stores and leads to the head. Entries written while it runs are left to the next check."""

    def work(tx: neo4j.ManagedTransaction) -> ChainCheck:
        head_seq, head_hash = audit_repo.head(tx)
        found = audit_repo.latest_checkpoint(tx, head_seq)
        if found is None:
            return _full(tx, ctx, head_seq, head_hash)
        checkpoint = Checkpoint(**found)
        scope = {"scope": "since_checkpoint", "head_seq": head_seq, "checkpoint": _described(checkpoint)}
        if not _signed(ctx, checkpoint):
            problem = f"the checkpoint of {checkpoint.day} does not carry the registry's signature"
            return replace(ChainCheck(False, 0, checkpoint.seq, problem), **scope, from_seq=checkpoint.seq)
        # The checkpoint's own entry first: it must still hash to what was signed.
        entries = audit_repo.stored_entries(tx, head_seq, after=checkpoint.seq - 1)
        first = next(entries, None)
        if first is None or first["seq"] != checkpoint.seq:
            problem = f"entry {checkpoint.seq}, signed on {checkpoint.day}, is missing"
            return replace(ChainCheck(False, 0, checkpoint.seq, problem), **scope, from_seq=checkpoint.seq)
        anchored = verify_chain(
            [first], checkpoint.seq, checkpoint.hash,
            start_seq=checkpoint.seq - 1, start_hash=first["previous_hash"],
            anchors={checkpoint.seq: (checkpoint.hash, checkpoint.day)},
        )  # fmt: skip
        if not anchored.verified:
            return replace(anchored, **scope, from_seq=checkpoint.seq)
        rest = verify_chain(
            entries, head_seq, head_hash, start_seq=checkpoint.seq, start_hash=checkpoint.hash
        )
        return replace(rest, entries=rest.entries + 1, **scope, from_seq=checkpoint.seq)

    return ctx.graph.read(work)


def length(ctx: Context) -> int:
    """How many entries the chain holds (its head's position)."""
    return ctx.graph.read(audit_repo.head)[0]


def verify_full(ctx: Context, progress: Callable[[int], None] | None = None) -> ChainCheck:
    """Check the whole chain from its first entry, and at every signed checkpoint on the way that the entry
    still hashes to what was signed (the first entry that no longer matches, if any); `progress(n)` is told how
    many entries each batch checked."""
    return ctx.graph.read(lambda tx: _full(tx, ctx, *audit_repo.head(tx), progress=progress))


def _full(
    tx: neo4j.ManagedTransaction,
    ctx: Context,
    head_seq: int,
    head_hash: str,
    progress: Callable[[int], None] | None = None,
) -> ChainCheck:
    anchors: dict[int, tuple[str, str]] = {}
    for found in audit_repo.checkpoints(tx, head_seq):
        checkpoint = Checkpoint(**found)
        if not _signed(ctx, checkpoint):
            problem = f"the checkpoint of {checkpoint.day} does not carry the registry's signature"
            return ChainCheck(False, 0, checkpoint.seq, problem, head_seq=head_seq)
        anchors[checkpoint.seq] = (checkpoint.hash, checkpoint.day)
    entries = audit_repo.stored_entries(tx, head_seq)
    if progress is not None:
        entries = _counted(entries, progress)
    return replace(verify_chain(entries, head_seq, head_hash, anchors=anchors), head_seq=head_seq)


def _counted(entries: Iterator[dict[str, Any]], progress: Callable[[int], None], every: int = 10_000):
    count = 0
    for entry in entries:
        yield entry
        count += 1
        if count == every:
            progress(count)
            count = 0
    progress(count)


def checkpoint(ctx: Context, day: date | None = None) -> Checkpoint:
    """Sign the chain's head as the checkpoint of `day` (today by default) and store it; a day that has one
    keeps it. Run daily (`flask registry audit checkpoint`), after the day's last writes or at the next day's
    start — the day's open-data file then carries it."""
    signer = ctx.settings.signer
    day_text = (day or ctx.today).isoformat()

    def work(tx: neo4j.ManagedTransaction) -> Checkpoint:
        head_seq, head_hash = audit_repo.head(tx)
        message = checkpoint_message(day_text, head_seq, head_hash)
        fresh = Checkpoint(day_text, head_seq, head_hash, signer.key_id, signer.sign(message))
        return Checkpoint(**audit_repo.save_checkpoint(tx, asdict(fresh)))

    return ctx.graph.write(work)


def checkpoint_of(ctx: Context, day: date) -> Checkpoint | None:
    """The checkpoint signed for `day`, if one was."""
    found = ctx.graph.read(audit_repo.checkpoint_of, day.isoformat())
    return Checkpoint(**found) if found else None


def _signed(ctx: Context, checkpoint: Checkpoint) -> bool:
    signer = ctx.settings.signer
    message = checkpoint_message(checkpoint.day, checkpoint.seq, checkpoint.hash)
    return checkpoint.key_id == signer.key_id and signer.verifies(message, checkpoint.signature)


def _described(checkpoint: Checkpoint) -> dict[str, Any]:
    return {"day": checkpoint.day, "seq": checkpoint.seq, "key_id": checkpoint.key_id}
