"""Public-welfare activities, the practitioner's side (issue 25): sign up, see one's activities, and answer
invitations — activity invitations and draw invitations listed together, each with its `kind`.

A draw invitation is answered through services/invitations.py (the draw's rules and its reserve list); an
activity invitation here: accepted signs the person up (via 'invitation') under the same rules as a sign-up,
declined keeps the reason. A cancelled activity keeps the person's sign-up; their list shows it cancelled and why.
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from typing import Any

import neo4j

from graph import activities as repo
from graph import practitioners as practitioner_repo
from graph.records import found
from registry import activities as rules
from registry.errors import Conflict, NotFound, ValidationFailed
from services import audit, invitations
from services.context import Context

DRAW, ACTIVITY = "draw", "activity"


def _join(
    tx: neo4j.ManagedTransaction, ctx: Context, practitioner_id: str, activity_id: str, via: str
) -> dict[str, Any]:
    """Sign the person up under the activity's lock: 404 for no (or a draft) activity, 409 not open, twice, full."""
    if not repo.lock(tx, activity_id):
        raise NotFound(f"No activity with id {activity_id}.")
    view = found(repo.find(tx, activity_id), "activity", activity_id)
    if view["status"] == rules.DRAFT:
        raise NotFound(f"No activity with id {activity_id}.")
    already = repo.join_status(tx, activity_id, practitioner_id) is not None
    rules.require_sign_up(view["status"], already, view["taken"], view["capacity"])
    joined = repo.sign_up(tx, activity_id, practitioner_id, str(uuid.uuid4()), via)
    audit.record(
        tx, ctx, "activity", activity_id, "sign_up", after={"participation": joined["status"]},
        details={"via": via}, subjects=[practitioner_id],
    )  # fmt: skip
    return joined | {"activity_id": activity_id}


def sign_up(ctx: Context, practitioner_id: str, activity_id: str) -> dict[str, Any]:
    """Sign the person up for an open activity (status signed_up); 409 twice, closed or full."""

    def work(tx: neo4j.ManagedTransaction) -> dict[str, Any]:
        practitioner_repo.require(tx, practitioner_id)
        return _join(tx, ctx, practitioner_id, activity_id, "sign_up")

    return ctx.graph.write(work)


def of_practitioner(ctx: Context, practitioner_id: str) -> list[dict[str, Any]]:
    """The person's participations, latest activity first; a cancelled activity says so, with the reason."""
    rows = ctx.graph.read(repo.of_practitioner, practitioner_id)
    return [row | {"activity_cancelled": row["activity"]["status"] == rules.CANCELLED} for row in rows]


def invitations_of(ctx: Context, practitioner_id: str) -> list[dict[str, Any]]:
    """Every invitation of the person: activity invitations (newest first), then draw invitations (latest draw
    first), each with `kind` and the `id` it is answered at."""
    drawn = [
        row | {"kind": DRAW, "id": row["draw_id"]}
        for row in invitations.of_practitioner(ctx, practitioner_id)
    ]
    return activity_invitations(ctx, practitioner_id) + drawn


def activity_invitations(ctx: Context, practitioner_id: str) -> list[dict[str, Any]]:
    """The person's activity invitations alone, newest first."""
    return ctx.graph.read(repo.invitations_of, practitioner_id)


def kind_of(ctx: Context, practitioner_id: str, invitation_id: str) -> str:
    """Whether the person's invitation `invitation_id` is an activity invitation or (else) a draw's."""
    return ACTIVITY if ctx.graph.read(repo.invitation_of, practitioner_id, invitation_id) else DRAW


def answer(
    ctx: Context, practitioner_id: str, invitation_id: str, response: str, reason: str | None
) -> dict[str, Any]:
    """Answer an invitation by its id: an activity invitation here, else the draw invitation of that draw."""
    if kind_of(ctx, practitioner_id, invitation_id) == DRAW:
        answered = invitations.answer(ctx, practitioner_id, invitation_id, response, reason)
        return answered | {"kind": DRAW, "id": answered["draw_id"]}
    return answer_activity(ctx, practitioner_id, invitation_id, response, reason)


def answer_activity(
    ctx: Context, practitioner_id: str, invitation_id: str, response: str, reason: str | None
) -> dict[str, Any]:
    """Accept (signs the person up, as a sign-up would; 409 when the activity is no longer open or full) or decline
    with a reason; 409 when already answered or past the deadline."""
    if errors := rules.answer_problems(response, reason):
        raise ValidationFailed(errors)

    def work(tx: neo4j.ManagedTransaction) -> dict[str, Any]:
        invitation = repo.invitation_of(tx, practitioner_id, invitation_id)
        if invitation is None:
            raise NotFound(f"You have no invitation {invitation_id}.")
        activity_id = invitation["activity"]["id"]
        if not repo.lock(tx, activity_id):
            raise NotFound(f"No activity with id {activity_id}.")
        invitation = found(
            repo.invitation_of(tx, practitioner_id, invitation_id), "invitation", invitation_id
        )
        if problem := rules.invitation_state_problem(
            invitation["status"], invitation["deadline"], datetime.now(UTC)
        ):
            raise Conflict(problem, status=invitation["status"])
        if response == rules.ACCEPTED and repo.join_status(tx, activity_id, practitioner_id) is None:
            _join(tx, ctx, practitioner_id, activity_id, "invitation")
        answered = repo.answer_invitation(
            tx, practitioner_id, invitation_id, response, reason if response == rules.DECLINED else None
        )
        audit.record(
            tx, ctx, "activity", activity_id, "invitation_answer",
            before={"invitation": rules.PENDING}, after={"invitation": response},
            details={"invitation_id": invitation_id}, subjects=[practitioner_id],
        )  # fmt: skip
        return answered

    return ctx.graph.write(work)
