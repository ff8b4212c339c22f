"""A practitioner's draw invitations: seen and answered by the person before the deadline.

Read from the DREW seats the draws write (graph/draws.py, docs/draws.md). The answer goes through the draw service
(`services.draws.respond`): it records the answer as a draw event and calls the next reserve into a vacated seat.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import neo4j

from graph import invitations as repo
from graph import practitioners as practitioner_repo
from graph.records import found
from registry.errors import Conflict, NotFound, ValidationFailed
from registry.invitations import answer_problems, state_problem
from services import draws
from services.context import Context


def of_practitioner(ctx: Context, practitioner_id: str) -> list[dict[str, Any]]:
    """The person's invitations, latest draw first."""

    def work(tx: neo4j.ManagedTransaction) -> list[dict[str, Any]]:
        practitioner_repo.require(tx, practitioner_id)
        return repo.of_practitioner(tx, practitioner_id)

    return ctx.graph.read(work)


def answer(
    ctx: Context, practitioner_id: str, draw_id: str, response: str, reason: str | None
) -> dict[str, Any]:
    """Record the person's `accepted` or `declined` (with a reason) on their invitation to one draw."""
    if errors := answer_problems(response, reason):
        raise ValidationFailed(errors)
    # The same rule for the person as the draw applies (once, before the deadline); the draw service re-checks under
    # its lock, records the answer as a draw event and calls the next reserve into a vacated seat.
    _check(ctx.graph.read(repo.find, practitioner_id, draw_id), draw_id)
    draws.respond(ctx, draw_id, {"practitioner_id": practitioner_id, "response": response, "reason": reason})
    return found(ctx.graph.read(repo.find, practitioner_id, draw_id), "invitation to draw", draw_id)


def _check(invitation: dict[str, Any] | None, draw_id: str) -> dict[str, Any]:
    """The invitation if the person may still answer it: 404 when they were not drawn, 409 when answered or late."""
    if invitation is None:
        raise NotFound(f"You have no invitation to draw {draw_id}.")
    if problem := state_problem(invitation["status"], invitation["deadline"], datetime.now(UTC)):
        raise Conflict(problem, status=invitation["status"], deadline=_iso(invitation["deadline"]))
    return invitation


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value
