"""Availability: blackout periods a practitioner declares, which expert draws skip (reasons stay private)."""

from __future__ import annotations

from typing import Any

import neo4j

from graph import availability as repo
from graph import practitioners as practitioner_repo
from registry.availability import Period, period_problems
from registry.errors import Conflict, NotFound, ValidationFailed
from services import audit
from services.context import Context


def declare(ctx: Context, practitioner_id: str, data: dict[str, Any]) -> dict[str, Any]:
    """Store one period (`from_`, `to`, `reason`): inverted or past ones are refused, overlapping ones too."""
    period = Period(from_=data["from_"], to=data["to"], reason=data.get("reason"))
    if errors := period_problems(period, [], ctx.today):
        raise ValidationFailed(errors)

    def work(tx: neo4j.ManagedTransaction) -> dict[str, Any]:
        existing = repo.lock_periods(tx, practitioner_id)  # the person's lock, then their periods
        if existing is None:
            raise NotFound(f"No practitioner with id {practitioner_id}.")
        if clash := period_problems(period, existing, ctx.today):
            raise Conflict(clash["from"][0], errors=clash)
        row = repo.create(tx, practitioner_id, period.from_, period.to, period.reason)
        audit.record(
            tx, ctx, "availability", row["id"], "declare",
            after={"from": period.from_, "to": period.to, "reason_private": period.reason},
            subjects=[practitioner_id],
        )  # fmt: skip
        return row

    return ctx.graph.write(work)


def of_practitioner(ctx: Context, practitioner_id: str) -> list[dict[str, Any]]:
    """The person's periods, earliest first."""

    def work(tx: neo4j.ManagedTransaction) -> list[dict[str, Any]]:
        practitioner_repo.require(tx, practitioner_id)
        return repo.of_practitioner(tx, practitioner_id)

    return ctx.graph.read(work)


def remove(ctx: Context, practitioner_id: str, period_id: str) -> dict[str, Any]:
    """Withdraw one of the person's periods."""

    def work(tx: neo4j.ManagedTransaction) -> dict[str, Any]:
        practitioner_repo.lock(tx, [practitioner_id])
        removed = repo.delete(tx, practitioner_id, period_id)
        if removed is None:
            raise NotFound(f"You have no availability period with id {period_id}.")
        audit.record(
            tx, ctx, "availability", period_id, "withdraw",
            before={"from": removed["from"], "to": removed["to"]}, subjects=[practitioner_id],
        )  # fmt: skip
        return removed

    return ctx.graph.write(work)
