"""The audit trail: what the use cases record, and reading and proving it."""

from __future__ import annotations

from typing import Any

import neo4j

from graph import audit as audit_repo
from registry.audit import ChainCheck, changes, verify_chain
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
    """Recompute the whole chain: every entry links to the one before and hashes to what it stores."""

    def work(tx: neo4j.ManagedTransaction) -> ChainCheck:
        seq, last_hash = audit_repo.head(tx)
        return verify_chain(audit_repo.stored_entries(tx), seq, last_hash)

    return ctx.graph.read(work)
