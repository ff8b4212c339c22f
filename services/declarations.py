"""Declarations for avoidance, entered by the practitioner themself or by an admin; read by draws and /match."""

from __future__ import annotations

from typing import Any

import neo4j

from graph import declarations as repo
from graph import organizations as organization_repo
from graph import practitioners as practitioner_repo
from graph import views
from graph.records import found
from registry.declarations import Declaration, declaration_problems, duplicates
from registry.errors import Conflict, ValidationFailed
from services import audit
from services.context import Context


def _facts(row: dict[str, Any]) -> Declaration:
    return Declaration(row["relationship"], row["organization"]["id"], row["from"], row.get("to"))


def declare(ctx: Context, practitioner_id: str, data: dict[str, Any], entered_by: str) -> dict[str, Any]:
    """Store one declaration (`organization_id`, `relationship`, `from_`, `to`); `entered_by` practitioner/admin."""
    organization_id = str(data["organization_id"])
    errors = declaration_problems(data["relationship"], data["from_"], data.get("to"), ctx.today)
    if errors:
        raise ValidationFailed(errors)
    new = Declaration(data["relationship"], organization_id, data["from_"], data.get("to"))

    def work(tx: neo4j.ManagedTransaction) -> dict[str, Any]:
        # The person's lock: a draw reading their declarations sees all of this one or none of it.
        practitioner_repo.lock(tx, [practitioner_id])
        person = found(views.practitioner(tx, practitioner_id, ctx.today), "practitioner", practitioner_id)
        if person["status"] == "deleted":
            raise Conflict("This record is deleted; it can no longer be changed.")
        if not organization_repo.exists(tx, organization_id):
            raise ValidationFailed({"organization_id": [f"No organization with id {organization_id}."]})
        if duplicates(new, [_facts(row) for row in repo.of_practitioner(tx, practitioner_id)]):
            raise Conflict(
                f"A {new.relationship} relationship with this organization is already declared for that time."
            )
        row = repo.create(
            tx, practitioner_id, organization_id, new.relationship, new.from_, new.to, entered_by
        )
        audit.record(
            tx, ctx, "declaration", row["id"], "declare",
            after={"relationship": new.relationship, "organization_id": organization_id, "from": new.from_,
                   "to": new.to, "entered_by": entered_by},
            subjects=[practitioner_id],
        )  # fmt: skip
        return row

    return ctx.graph.write(work)


def of_practitioner(ctx: Context, practitioner_id: str) -> list[dict[str, Any]]:
    """The person's declarations, newest first (NotFound for an unknown person)."""

    def work(tx: neo4j.ManagedTransaction) -> list[dict[str, Any]]:
        practitioner_repo.require(tx, practitioner_id)
        return repo.of_practitioner(tx, practitioner_id)

    return ctx.graph.read(work)
