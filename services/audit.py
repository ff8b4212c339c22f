"""The audit trail: what the use cases record, and reading and proving it."""

from __future__ import annotations

import itertools
import queue
import threading
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import asdict, replace
from datetime import date
from functools import partial
from typing import Any

import neo4j

from graph import audit as audit_repo
from registry.audit import ChainCheck, ChainWalk, Checkpoint, changes, checkpoint_message
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
            anchors = _anchors(ctx, audit_repo.checkpoints(tx, head_seq))
            if isinstance(anchors, ChainCheck):
                return replace(anchors, head_seq=head_seq)
            walk = ChainWalk(anchors=anchors)
            read_page = partial(audit_repo.entry_rows, tx)
            _feed(walk, _pages(read_page, 0, head_seq))
            return replace(_settled(walk, read_page, head_seq, head_hash), head_seq=head_seq)
        checkpoint = Checkpoint(**found)
        scope = {"scope": "since_checkpoint", "head_seq": head_seq, "checkpoint": _described(checkpoint)}
        if not _signed(ctx, checkpoint):
            problem = f"the checkpoint of {checkpoint.day} does not carry the registry's signature"
            return replace(ChainCheck(False, 0, checkpoint.seq, problem), **scope, from_seq=checkpoint.seq)
        # From the checkpoint's own entry: it must still hash to what was signed (the anchor), then link onwards.
        read_page = partial(audit_repo.entry_rows, tx)
        pages = _pages(read_page, checkpoint.seq - 1, head_seq)
        first = next(pages, [])
        if not first or first[0][0] != checkpoint.seq:
            problem = f"entry {checkpoint.seq}, signed on {checkpoint.day}, is missing"
            return replace(ChainCheck(False, 0, checkpoint.seq, problem), **scope, from_seq=checkpoint.seq)
        walk = ChainWalk(
            checkpoint.seq - 1, first[0][1], anchors={checkpoint.seq: (checkpoint.hash, checkpoint.day)}
        )
        _feed(walk, itertools.chain([first], pages))
        return replace(_settled(walk, read_page, head_seq, head_hash), **scope, from_seq=checkpoint.seq)

    return ctx.graph.read(work)


def length(ctx: Context) -> int:
    """How many entries the chain holds (its head's position)."""
    return ctx.graph.read(audit_repo.head)[0]


def verify_full(ctx: Context, progress: Callable[[int], None] | None = None) -> ChainCheck:
    """Check the whole chain from its first entry, and at every signed checkpoint on the way that the entry
    still hashes to what was signed (the first entry that no longer matches, if any); `progress(n)` is told how
    many entries each page checked.

    The head and the checkpoints are read first, in one transaction; the entries up to that head are then read
    page by page in a thread of their own while this one hashes the page before (entries up to a committed head
    never change, so the pages need not share a transaction)."""

    def start(tx: neo4j.ManagedTransaction) -> tuple[int, str, list[dict[str, Any]]]:
        head_seq, head_hash = audit_repo.head(tx)
        return head_seq, head_hash, audit_repo.checkpoints(tx, head_seq)

    head_seq, head_hash, signed = ctx.graph.read(start)
    anchors = _anchors(ctx, signed)
    if isinstance(anchors, ChainCheck):
        return replace(anchors, head_seq=head_seq)
    walk = ChainWalk(anchors=anchors)

    def read_page(upto: int, after: int, limit: int) -> list[list[Any]]:
        return ctx.graph.read(audit_repo.entry_rows, upto, after, limit)

    _feed(walk, _prefetched(_pages(read_page, 0, head_seq)), progress)
    return replace(_settled(walk, read_page, head_seq, head_hash), head_seq=head_seq)


PAGE = 20_000  # entries per read: large pages keep the round trips few (about 10 MB each)


def _anchors(ctx: Context, found: list[dict[str, Any]]) -> dict[int, tuple[str, str]] | ChainCheck:
    """seq → (hash, day) of every signed checkpoint, or the failure of the first one not signed with the key."""
    anchors: dict[int, tuple[str, str]] = {}
    for row in found:
        checkpoint = Checkpoint(**row)
        if not _signed(ctx, checkpoint):
            problem = f"the checkpoint of {checkpoint.day} does not carry the registry's signature"
            return ChainCheck(False, 0, checkpoint.seq, problem)
        anchors[checkpoint.seq] = (checkpoint.hash, checkpoint.day)
    return anchors


def _pages(
    read_page: Callable[[int, int, int], list[list[Any]]], after: int, upto: int
) -> Iterator[list[list[Any]]]:
    """Pages of entry rows after `after` up to `upto`, in seq order."""
    while after < upto:
        rows = read_page(upto, after, PAGE)
        if not rows:
            return
        yield rows
        if len(rows) < PAGE:
            return
        after = rows[-1][0]


def _settled(
    walk: ChainWalk, read_page: Callable[[int, int, int], list[list[Any]]], head_seq: int, head_hash: str
) -> ChainCheck:
    """The walk's verdict, once the head's own entry had its moment to show. Neo4j applies a commit's changes one
    after another and a reader takes no lock, so a head just advanced can be read a moment before the index finds
    its entry (only that one: the head's lock lets the next writer in after the commit is applied). An entry that
    is really gone stays missing after the pauses and is reported."""
    for pause in (0.02, 0.1, 0.5):
        if walk.failure is not None or walk.start_seq + walk.count >= head_seq:
            break
        time.sleep(pause)
        _feed(walk, _pages(read_page, walk.start_seq + walk.count, head_seq))
    return walk.result(head_seq, head_hash)


def _feed(
    walk: ChainWalk, pages: Iterable[list[list[Any]]], progress: Callable[[int], None] | None = None
) -> None:
    for rows in pages:
        intact = walk.rows(rows)
        if progress is not None:
            progress(len(rows))
        if not intact:
            return


def _prefetched(pages: Iterator[list[list[Any]]], depth: int = 2) -> Iterator[list[list[Any]]]:
    """The same pages, read ahead in a thread: the driver waits on the socket (the GIL released) while the caller
    hashes the page before. Stops reading when the caller stops (a break in the chain)."""
    ahead: queue.Queue[tuple[str, Any]] = queue.Queue(maxsize=depth)
    stop = threading.Event()

    def read() -> None:
        try:
            for rows in pages:
                while not stop.is_set():
                    try:
                        ahead.put(("page", rows), timeout=0.5)
                        break
                    except queue.Full:
                        continue
                if stop.is_set():
                    return
            ahead.put(("end", None))
        except BaseException as error:  # handed to the caller, who raises it
            ahead.put(("error", error))

    reader = threading.Thread(target=read, name="audit-pages", daemon=True)
    reader.start()
    try:
        while True:
            kind, value = ahead.get()
            if kind == "end":
                return
            if kind == "error":
                raise value
            yield value
    finally:
        stop.set()
        reader.join(timeout=5)


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
