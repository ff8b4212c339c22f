"""A practitioner's draw invitations: seen and answered by the person before the deadline.

Read from the DREW seats the draws write (graph/draws.py, docs/draws.md). The answer goes through issue 11's draw
service (`services.draws.respond`) when it is part of the registry: it records the answer as a draw event and calls
the next reserve into a vacated seat. Without it, the answer is recorded on the DREW relationship (`status`,
`responded_at`, `reason`, `responded_by`) and the audit trail.
"""

from __future__ import annotations

import importlib
from datetime import UTC, datetime
from typing import Any

import neo4j

from graph import invitations as repo
from graph import practitioners as practitioner_repo
from graph.records import found
from graph.revision import stamp
from registry.errors import Conflict, NotFound, ValidationFailed
from registry.invitations import answer_problems, state_problem
from services import audit
from services.context import Context


def of_practitioner(ctx: Context, practitioner_id: str) -> list[dict[str, Any]]:
    """The person's invitations, latest draw first."""

    def work(tx: neo4j.ManagedTransaction) -> list[dict[str, Any]]:
        practitioner_repo.require(tx, practitioner_id)
        return repo.of_practitioner(tx, practitioner_id)

    return ctx.graph.read(work)


def _draw_service() -> Any:
    """Issue 11's draw service, or None while it is not part of the registry."""
    try:
        return importlib.import_module("services.draws")
    except ModuleNotFoundError:
        return None


def answer(
    ctx: Context, practitioner_id: str, draw_id: str, response: str, reason: str | None
) -> dict[str, Any]:
    """Record the person's `accepted` or `declined` (with a reason) on their invitation to one draw."""
    if errors := answer_problems(response, reason):
        raise ValidationFailed(errors)
    draws = _draw_service()
    if draws is not None:
        # The same rule for the person as below (once, before the deadline); the draw service re-checks under
        # its lock and refills the seat.
        _check(ctx.graph.read(repo.find, practitioner_id, draw_id), draw_id)
        draws.respond(
            ctx, draw_id, {"practitioner_id": practitioner_id, "response": response, "reason": reason}
        )
        return found(ctx.graph.read(repo.find, practitioner_id, draw_id), "invitation to draw", draw_id)

    def work(tx: neo4j.ManagedTransaction) -> dict[str, Any]:
        invitation = _check(repo.lock(tx, practitioner_id, draw_id), draw_id)
        answered = repo.answer(tx, practitioner_id, draw_id, response, reason)
        stamp(tx, [practitioner_id])  # panels served, in the person's page view
        audit.record(
            tx, ctx, "draw", draw_id, "respond",
            before={"status": invitation["status"]}, after={"status": response},
            details={"practitioner_id": practitioner_id, "reason": reason, "by": "practitioner"},
            subjects=[practitioner_id],
        )  # fmt: skip
        return answered

    return ctx.graph.write(work)


def _check(invitation: dict[str, Any] | None, draw_id: str) -> dict[str, Any]:
    """The invitation if the person may still answer it: 404 when they were not drawn, 409 when answered or late."""
    if invitation is None:
        raise NotFound(f"You have no invitation to draw {draw_id}.")
    if problem := state_problem(invitation["status"], invitation["deadline"], datetime.now(UTC)):
        raise Conflict(problem, status=invitation["status"], deadline=_iso(invitation["deadline"]))
    return invitation


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value
