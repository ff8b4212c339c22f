"""Employment history with real dates: an administrator records past and current employments (issue 23)."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import neo4j

from graph import employments as repo
from graph import organizations as organization_repo
from graph import practitioners as practitioner_repo
from graph.revision import stamp
from registry.employments import employment_problems, overlapping
from registry.errors import Conflict, NotFound, ValidationFailed
from services import audit
from services.context import Context

OVERLAPS = "Overlaps an employment with the same organization already recorded"
EMPLOYED_ELSEWHERE = "The person is employed now by another organization"


def _fact(employment_id: str | None, organization_id: str, since: date, until: date | None) -> dict[str, Any]:
    return {"id": employment_id, "organization_id": organization_id, "since": since.isoformat(),
            "until": until.isoformat() if until else None}  # fmt: skip


def record(ctx: Context, practitioner_id: str, data: dict[str, Any]) -> dict[str, Any]:
    """Record an employment as a new fact; 400 for a bad period, 404 for an unknown person or organization (or
    an employment to correct that is not there), 409 when it overlaps one with the same organization or would make
    a second current employer. With `corrects_since`, it replaces the employment with the same organization that
    started that day, which is kept as a corrected fact."""
    check_period(ctx, data)
    return ctx.graph.write(record_in, ctx, practitioner_id, data)


def check_period(ctx: Context, data: dict[str, Any]) -> None:
    """ValidationFailed when the employment's period is inconsistent (before any transaction)."""
    errors = employment_problems(data["since"], data.get("until"), ctx.today)
    if errors:
        raise ValidationFailed(errors)


def record_in(
    tx: neo4j.ManagedTransaction, ctx: Context, practitioner_id: str, data: dict[str, Any]
) -> dict[str, Any]:
    """`record` inside the caller's transaction (an import runs every row of a file in one); raises as `record`
    does before it writes anything, so the transaction may go on after a refusal."""
    check_period(ctx, data)
    organization_id = str(data["organization_id"])
    since, until, corrects = data["since"], data.get("until"), data.get("corrects_since")
    employment_id = str(uuid.uuid4())
    practitioner_repo.require(tx, practitioner_id)
    if not organization_repo.exists(tx, organization_id):
        raise NotFound(f"No organization with id {organization_id}.")
    practitioner_repo.lock(tx, [practitioner_id])
    stored = repo.employments(tx, practitioner_id)
    same = [e for e in stored if e["organization"]["id"] == organization_id]
    corrected = [e for e in same if corrects is not None and e["since"] == corrects][:1]
    if corrects is not None and not corrected:
        raise NotFound(
            f"No employment with organization {organization_id} started on {corrects.isoformat()}."
        )
    clash = overlapping(since, until, [e for e in same if e not in corrected])
    if clash:
        raise Conflict(
            f"{OVERLAPS} (since {clash[0]['since']}, until {clash[0]['until'] or 'now'}).",
            organization_id=organization_id,
        )
    elsewhere = [e for e in stored if e["current"] and e["organization"]["id"] != organization_id]
    if until is None and elsewhere:
        raise Conflict(
            f"{EMPLOYED_ELSEWHERE} ({elsewhere[0]['organization']['name']}): give `until`, or change the "
            "current employer with PATCH /practitioners/{id} employer_id, which closes that employment.",
            organization_id=elsewhere[0]["organization"]["id"],
        )
    if corrected:
        repo.set_aside(tx, practitioner_id, organization_id, corrected[0]["since"], employment_id)
    repo.add(tx, practitioner_id, employment_id, organization_id, since, until)
    if until is None or any(e["current"] for e in corrected):
        stamp(tx, [practitioner_id])  # the employer their page views and search rows show
    details: dict[str, Any] = {"employment": _fact(employment_id, organization_id, since, until)}
    if corrected:
        old = corrected[0]
        details["corrects"] = _fact(old["id"], organization_id, old["since"], old["until"])
    audit.record(
        tx,
        ctx,
        "practitioner",
        practitioner_id,
        "employment",
        details=details,
        subjects=[practitioner_id],
    )
    return next(e for e in repo.employments(tx, practitioner_id) if e["id"] == employment_id)


def history(ctx: Context, practitioner_id: str) -> list[dict[str, Any]]:
    """The person's employments, current and closed (who may read them is the caller's to decide)."""
    return ctx.graph.read(repo.employments, practitioner_id)
