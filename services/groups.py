"""Groups of companies: control relations between organizations, entered and ended by administrators, and the
group an organization belongs to (issue 23)."""

from __future__ import annotations

from typing import Any

import neo4j

from graph import groups as repo
from graph import organizations as organization_repo
from graph.records import found
from registry.errors import Conflict, NotFound, ValidationFailed
from registry.groups import group_depth, relation_problems, would_make_cycle
from services import audit
from services.context import Context

IN_FORCE_ALREADY = "A relation between these organizations is already in force"


def _require(tx: neo4j.ManagedTransaction, organization_id: str, field: str | None = None) -> None:
    if not organization_repo.exists(tx, organization_id):
        where = f" ({field})" if field else ""
        raise NotFound(f"No organization with id {organization_id}{where}.")


def _audited(relation: dict[str, Any]) -> dict[str, Any]:
    return {
        "parent_id": relation["parent"]["id"],
        "kind": relation["kind"],
        "share": relation["share"],
        "since": relation["since"].isoformat() if relation["since"] else None,
        "until": relation["until"].isoformat() if relation["until"] else None,
    }


def add_relation(ctx: Context, child_id: str, data: dict[str, Any]) -> dict[str, Any]:
    """Record that `parent_id` controls the organization; 400 for a cycle of control or a relation ending before
    it starts, 404 for an unknown organization, 409 while the same relation is in force."""
    check_relation(data)
    return ctx.graph.write(add_relation_in, ctx, child_id, data)


def check_relation(data: dict[str, Any]) -> None:
    """ValidationFailed when the relation's share or period is inconsistent (before any transaction)."""
    errors = relation_problems(data.get("share"), data.get("since"), data.get("until"))
    if errors:
        raise ValidationFailed(errors)


def add_relation_in(
    tx: neo4j.ManagedTransaction, ctx: Context, child_id: str, data: dict[str, Any]
) -> dict[str, Any]:
    """`add_relation` inside the caller's transaction (an import runs every row of a file in one, so a cycle
    that two rows make together is seen); raises as `add_relation` does before it writes anything."""
    data = {**data, "parent_id": str(data["parent_id"])}
    check_relation(data)
    _require(tx, child_id)
    _require(tx, data["parent_id"], "parent_id")
    repo.lock(tx)
    if would_make_cycle(child_id, data["parent_id"], repo.control_above(tx, data["parent_id"])):
        raise ValidationFailed(
            {"parent_id": ["The parent is this organization or is controlled by it (directly or through a "
                           "chain): the relation would make a cycle of control."]}
        )  # fmt: skip
    if data.get("until") is None and repo.in_force(tx, child_id, data["parent_id"]):
        raise Conflict(f"{IN_FORCE_ALREADY}; end it first.", parent_id=data["parent_id"])
    relation = repo.add(tx, child_id, data)
    audit.record(tx, ctx, "organization", child_id, "control_relation", after=_audited(relation))
    return relation


def end_relation(ctx: Context, child_id: str, parent_id: str, data: dict[str, Any]) -> dict[str, Any]:
    """End the relation in force between the two on `until` (kept, never deleted); 404 when none is in force,
    400 when it would end before it starts."""

    def work(tx: neo4j.ManagedTransaction) -> dict[str, Any]:
        _require(tx, child_id)
        _require(tx, parent_id)
        repo.lock(tx)
        current = repo.in_force(tx, child_id, parent_id)
        if current is None:
            raise NotFound(f"No relation in force between organization {child_id} and {parent_id}.")
        errors = relation_problems(None, current["since"], data["until"])
        if errors:
            raise ValidationFailed(errors)
        relation = repo.end(tx, child_id, parent_id, data["until"], data.get("reason"))
        audit.record(
            tx, ctx, "organization", child_id, "control_relation_end",
            before=_audited(current), after=_audited(relation), details={"reason": data.get("reason")},
        )  # fmt: skip
        return relation

    return ctx.graph.write(work)


def group(ctx: Context, organization_id: str, depth: int | None) -> dict[str, Any]:
    """The organizations reachable through control relations in either direction within `depth` steps
    (default 3, at most 5), with every relation among them; NotFound for an unknown organization."""
    steps = group_depth(depth)
    view = found(ctx.graph.read(repo.group, organization_id, steps), "organization", organization_id)
    return view | {"depth": steps}
