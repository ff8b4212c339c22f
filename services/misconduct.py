"""Misconduct records (不良行为记录) and the sanctions they step up to, which the pools honour
(rules: `registry.misconduct`)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import neo4j

from graph import misconduct as repo
from graph import pools as pool_repo
from graph import practitioners as practitioner_repo
from graph.records import found
from registry.appeals import appeal_deadline
from registry.errors import ValidationFailed
from registry.misconduct import (
    CERTIFICATE_REVOKED,
    category_for,
    derive_sanctions,
    is_active,
    reconcile,
    validate_record_dates,
)
from services import audit, credit, notification_events
from services.context import Context, Page
from services.credit import active_sanctions, entered_by
from services.pools import rederive


def apply_sanctions(tx: neo4j.ManagedTransaction, ctx: Context, practitioner_id: str, why: str) -> None:
    """Re-derive a person's sanctions from their records, store the difference, and re-derive their pools.

    The caller holds the practitioner's lock.
    """
    derived = derive_sanctions(repo.record_facts(tx, practitioner_id), ctx.today, credit.rules(ctx).step_up)
    change = reconcile(repo.sanctions(tx, practitioner_id), derived)
    repo.create_sanctions(tx, practitioner_id, list(change.create))
    repo.lift_sanctions(tx, practitioner_id, list(change.lift), ctx.today, why)
    rederive(tx, [practitioner_id], ctx.today)  # the expert pool honours the sanctions
    for s in change.create:
        audit.record(
            tx, ctx, "sanction", s.id, "impose",
            after={"kind": s.kind, "from": s.from_, "until": s.until, "record_ids": list(s.record_ids)},
            subjects=[practitioner_id],
        )  # fmt: skip
    for sanction_id in change.lift:
        audit.record(
            tx, ctx, "sanction", sanction_id, "lift",
            before={"lifted_on": None}, after={"lifted_on": ctx.today}, details={"why": why},
            subjects=[practitioner_id],
        )  # fmt: skip


def write_record(
    tx: neo4j.ManagedTransaction,
    ctx: Context,
    practitioner_id: str,
    category_code: str,
    occurred_on: date,
    *,
    evidence: str | None = None,
    note: str | None = None,
    origin: str = "admin",
    complaint_id: str | None = None,
    certificate_number: str | None = None,
) -> str:
    category = category_for(category_code, credit.rules(ctx).catalogue)
    record_id = str(uuid.uuid4())
    repo.create_record(
        tx,
        id=record_id,
        practitioner_id=practitioner_id,
        category=category.code,
        points=category.points,
        occurred_on=occurred_on,
        today=ctx.today,
        evidence=evidence,
        note=note,
        origin=origin,
        entered_by=entered_by(ctx),
        complaint_id=complaint_id,
        certificate_number=certificate_number,
    )
    audit.record(
        tx, ctx, "record", record_id, "create",
        after={"practitioner_id": practitioner_id, "category": category.code, "points": category.points,
               "occurred_on": occurred_on, "origin": origin, "complaint_id": complaint_id,
               "certificate_number": certificate_number},
        details={k: "changed" for k, v in (("evidence", evidence), ("note", note)) if v},
        subjects=[practitioner_id],
    )  # fmt: skip
    apply_sanctions(tx, ctx, practitioner_id, f"record {record_id}")
    deadline = appeal_deadline(ctx.today, credit.rules(ctx).appeal)
    notification_events.appeal_deadline(tx, practitioner_id, "record", record_id, deadline)
    return record_id


def _record_view(tx: neo4j.ManagedTransaction, ctx: Context, record_id: str) -> dict[str, Any]:
    view = found(repo.get_record(tx, record_id), "misconduct record", record_id)
    view["appeal_deadline"] = appeal_deadline(view["recorded_on"], credit.rules(ctx).appeal)
    return view


def record_misconduct(ctx: Context, practitioner_id: str, data: dict[str, Any]) -> dict[str, Any]:
    """An admin records a violation; the answer carries the record and the person's active sanctions."""
    category_for(
        data.get("category"), credit.rules(ctx).catalogue
    )  # an unknown category is refused before any write
    errors = validate_record_dates(data["occurred_on"], ctx.today)
    if errors:
        raise ValidationFailed(errors)

    def work(tx: neo4j.ManagedTransaction) -> dict[str, Any]:
        practitioner_repo.require(tx, practitioner_id)
        practitioner_repo.lock(tx, [practitioner_id])
        record_id = write_record(
            tx,
            ctx,
            practitioner_id,
            data["category"],
            data["occurred_on"],
            evidence=data.get("evidence"),
            note=data.get("note"),
        )
        view = _record_view(tx, ctx, record_id)
        view["sanctions"] = active_sanctions(tx, practitioner_id, ctx.today)
        return view

    return ctx.graph.write(work)


def record_revocation(
    tx: neo4j.ManagedTransaction, ctx: Context, holder_id: str, number: str, reason: str
) -> None:
    """A certificate revocation is itself a misconduct record: call inside the revocation's transaction."""
    write_record(
        tx,
        ctx,
        holder_id,
        CERTIFICATE_REVOKED,
        ctx.today,
        note=reason,
        origin="certificate_revocation",
        certificate_number=number,
    )


def get_record(ctx: Context, record_id: str) -> dict[str, Any]:
    """One misconduct record with its appeal deadline, or NotFound."""
    return ctx.graph.read(_record_view, ctx, record_id)


def records_of(ctx: Context, practitioner_id: str, page: int, per_page: int) -> Page:
    """A page of a person's misconduct records, latest first, each with its appeal deadline."""

    def work(tx: neo4j.ManagedTransaction) -> tuple[list[dict[str, Any]], int]:
        practitioner_repo.require(tx, practitioner_id)
        items, total = repo.practitioner_records(tx, practitioner_id, (page - 1) * per_page, per_page)
        for item in items:
            item["appeal_deadline"] = appeal_deadline(item["recorded_on"], credit.rules(ctx).appeal)
        return items, total

    return Page.of(ctx.graph.read(work))


def sanctions_of(ctx: Context, practitioner_id: str) -> list[dict[str, Any]]:
    """All of a person's sanctions, ended and lifted ones too, each with `active` today."""

    def work(tx: neo4j.ManagedTransaction) -> list[dict[str, Any]]:
        practitioner_repo.require(tx, practitioner_id)
        return [
            s.to_dict() | {"active": is_active(s, ctx.today)} for s in repo.sanctions(tx, practitioner_id)
        ]

    return ctx.graph.read(work)


def memberships_of(ctx: Context, practitioner_id: str) -> list[dict[str, Any]]:
    """A person's pool memberships, current and ended, with why an ended one ended and when they may return."""

    def work(tx: neo4j.ManagedTransaction) -> list[dict[str, Any]]:
        practitioner_repo.require(tx, practitioner_id)
        return pool_repo.membership_history(tx, practitioner_id)

    return ctx.graph.read(work)


def end_sanctions(ctx: Context, batch: int = 500) -> int:
    """Re-derive the pools of people whose sanction ended or was lifted since the pools last saw it.

    The daily job next to `expire-certificates`: someone suspended until `until` is back in the expert pool
    the day after (if their certificates still qualify them).
    """
    ids = ctx.graph.read(repo.sanctions_ended, ctx.today)

    def work(tx: neo4j.ManagedTransaction, chunk: list[str]) -> None:
        practitioner_repo.lock(tx, chunk)
        rederive(tx, chunk, ctx.today)
        repo.mark_sanctions_applied(tx, chunk, ctx.today)
        audit.record(tx, ctx, "sanction", None, "end", details={"count": len(chunk)}, subjects=chunk)

    for start in range(0, len(ids), batch):
        ctx.graph.write(work, ids[start : start + batch])
    return len(ids)
