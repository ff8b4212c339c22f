"""/me/activities and /me/invitations: a practitioner signs up for public-welfare activities (issue 25) and answers
invitations — draw invitations and activity invitations listed together with their `kind`, each answered at
/me/invitations/{id} (a draw invitation's id is its draw's id, as before). Routes join the /me namespace."""

from __future__ import annotations

from typing import Any

from flask_restx import Resource

from api.decorators import accepts, returns
from api.me import PRACTITIONER, me, ns
from api.models import model
from interface.auth import require
from interface.context import ctx
from interface.schemas.activity import (
    MyActivityInvitationSchema,
    MyActivitySchema,
    SignedUpSchema,
    SignUpSchema,
)
from interface.schemas.common import whole_list
from interface.schemas.me import InvitationAnswerSchema, InvitationSchema
from services import activity_participation

_DRAW_INVITATION = InvitationSchema()
_ACTIVITY_INVITATION = MyActivityInvitationSchema()
_MY_ACTIVITY = MyActivitySchema()
_SIGNED_UP = SignedUpSchema()


def present_invitation(row: dict[str, Any]) -> dict[str, Any]:
    """An invitation of either kind as /me answers it: the draw's fields or the activity's, with kind and id."""
    if row["kind"] == activity_participation.ACTIVITY:
        return _ACTIVITY_INVITATION.dump(row)
    return _DRAW_INVITATION.dump(row) | {"kind": row["kind"], "id": row["id"]}


@ns.route("/invitations")
class MyInvitations(Resource):
    @require(PRACTITIONER)
    @returns(
        ns,
        None,
        description="{items, total, page, per_page}: activity invitations, then draw invitations; each with kind",
    )
    def get(self) -> dict[str, Any]:
        """Your invitations: to public-welfare activities (kind `activity`, newest first) and from expert draws
        (kind `draw`, latest first), with deadlines and your answers; answer each at /me/invitations/{id}."""
        rows = activity_participation.invitations_of(ctx(), me())
        return whole_list([present_invitation(row) for row in rows])


@ns.route("/invitations/<string:draw_id>")
@ns.param(
    "draw_id", "the invitation's id: a draw's id for a draw invitation, the invitation's own for an activity"
)
class MyInvitation(Resource):
    @require(PRACTITIONER)
    @ns.response(404, "You have no such invitation")
    @ns.response(
        409, "Already answered, past the deadline, or (accepting) the activity is no longer open or is full"
    )
    @returns(ns, None, description="the invitation as answered, with kind and id")
    @accepts(ns, InvitationAnswerSchema())
    def post(self, draw_id: str, data: dict[str, Any]) -> dict[str, Any]:
        """Answer an invitation before its deadline: `accepted`, or `declined` with a reason. Accepting an
        activity invitation signs you up for it."""
        answered = activity_participation.answer(ctx(), me(), draw_id, data["response"], data.get("reason"))
        return present_invitation(answered)


@ns.route("/activities")
class MyActivities(Resource):
    @require(PRACTITIONER)
    @returns(
        ns, None, description="{items, total, page, per_page} of your participations, latest activity first"
    )
    def get(self) -> dict[str, Any]:
        """The activities you signed up for, with your status and hours; a cancelled activity says so and why."""
        return whole_list(_MY_ACTIVITY.dump(activity_participation.of_practitioner(ctx(), me()), many=True))

    @require(PRACTITIONER)
    @ns.response(404, "No such activity (or not yet published)")
    @ns.response(409, "Signed up already, or the activity is not open, or it is full")
    @ns.response(201, "Signed up", model(ns, _SIGNED_UP))
    @accepts(ns, SignUpSchema())
    def post(self, data: dict[str, Any]) -> tuple[dict[str, Any], int]:
        """Sign up for an open activity; your participation starts as `signed_up` until the organizer confirms."""
        joined = activity_participation.sign_up(ctx(), me(), str(data["activity_id"]))
        return _SIGNED_UP.dump(joined), 201
