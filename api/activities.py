"""/activities: public-welfare activities (公益活动, issue 25) — published by a government department's bound key or
an administrator, listed publicly while open or completed, run by their organizer (status, invitations,
confirmation, attendance)."""

from __future__ import annotations

from typing import Any

from flask import request
from flask_restx import Namespace, Resource

from api.decorators import accepts, creates, paginated, returns
from interface.auth import current_principal, require
from interface.context import ctx
from interface.limits import UPLOAD_DOC, readable_file, uploaded_file
from interface.schemas.activity import (
    ActivityArgs,
    ActivityInputSchema,
    ActivityInvitationSchema,
    ActivitySchema,
    ActivityStatusChangeSchema,
    AttendanceSchema,
    CreatedActivitySchema,
    InvitationRequestSchema,
    ParticipantSchema,
)
from interface.schemas.common import whole_list
from registry.errors import ValidationFailed
from services import activities, activity_attendance
from services.activities import Caller
from services.context import Page

ns = Namespace(
    "activities",
    description="Public-welfare activities (公益活动): published by government departments, joined by practitioners",
)

ORGANIZERS: tuple[str, ...] = ("admin", "government")
_VIEW = ActivitySchema()
_PARTICIPANT = ParticipantSchema()
_INVITATION = ActivityInvitationSchema()
ORGANIZER_ONLY = "Not the organizer: a government key bound to another organization (or to none)"
# Swagger says what an attendance answer holds; the rows are described in docs/activities.md.
REPORT = (
    "{activity_id, applied, dry_run, rows_read, rows_valid, rows_invalid, attended, absent, hours, warnings, "
    "rows: [{row, practitioner_id, attended, hours, status (200 or 400), detail}]}"
)


def caller() -> Caller:
    """The caller's role and, for a government key, the organization it is bound to."""
    principal = current_principal()
    return Caller(principal.role, principal.organization_id)


@ns.route("")
class ActivityList(Resource):
    @ns.doc(security=[])
    @paginated(ns, ActivityArgs(), _VIEW)
    def get(self, args: dict[str, Any]) -> Page:
        """Activities, latest start first: anyone sees open and completed ones; the organizer (a bound government
        key) and admins also drafts, closed and cancelled ones (`status`). Filters: kind, region (its cities
        included), from/to (the dates overlap), organizer_id, open_for_sign_up."""
        return activities.search(ctx(), caller(), args, args["page"], args["per_page"])

    @require(ORGANIZERS)
    @ns.response(403, ORGANIZER_ONLY)
    @ns.response(404, "No organization with that organizer_id")
    @creates(ns, CreatedActivitySchema(), "activities_activity_item", activity_id="id")
    @accepts(ns, ActivityInputSchema())
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Publish an activity as a draft (admin for any organizer; a government key bound to the organizer):
        ends_on not before starts_on, hours per person more than 0 and at most 24 for each day spanned, a place
        unless online."""
        return activities.publish(ctx(), caller(), data)


@ns.route("/<uuid:activity_id>")
@ns.param("activity_id", "the activity's id (UUID)")
class ActivityItem(Resource):
    @ns.doc(security=[])
    @ns.response(404, "No such activity, or not open or completed and the caller is not its organizer")
    @returns(ns, _VIEW)
    def get(self, activity_id: Any) -> dict[str, Any]:
        """One activity; its status history for the organizer and admins."""
        return activities.get(ctx(), caller(), str(activity_id))


@ns.route("/<uuid:activity_id>/status")
@ns.param("activity_id", "the activity's id (UUID)")
class ActivityStatus(Resource):
    @require(ORGANIZERS)
    @ns.response(403, ORGANIZER_ONLY)
    @ns.response(409, "A change the status does not allow")
    @returns(ns, _VIEW)
    @accepts(ns, ActivityStatusChangeSchema())
    def post(self, activity_id: Any, data: dict[str, Any]) -> dict[str, Any]:
        """Change the status with a reason: draft → open → closed → completed; draft, open or closed → cancelled
        (sign-ups are kept and shown cancelled); closed → open reopens sign-up."""
        return activities.change_status(ctx(), caller(), str(activity_id), data["status"], data["reason"])


@ns.route("/<uuid:activity_id>/invitations")
@ns.param("activity_id", "the activity's id (UUID)")
class ActivityInvitations(Resource):
    @require(ORGANIZERS)
    @ns.response(403, ORGANIZER_ONLY)
    @returns(ns, None, description="{items, total, page, per_page} of invitations, oldest first")
    def get(self, activity_id: Any) -> dict[str, Any]:
        """The activity's invitations and their answers (organizer, admin)."""
        return whole_list(
            _INVITATION.dump(activities.invitations(ctx(), caller(), str(activity_id)), many=True)
        )

    @require(ORGANIZERS)
    @ns.response(403, ORGANIZER_ONLY)
    @ns.response(409, "The activity is not open")
    @returns(
        ns,
        None,
        description="{activity_id, invited, skipped, rows: [{practitioner_id, status, invitation_id?, detail?}]}",
    )
    @accepts(ns, InvitationRequestSchema())
    def post(self, activity_id: Any, data: dict[str, Any]) -> dict[str, Any]:
        """Invite practitioners to an open activity (organizer, admin). A row per person: 201 invited; 404 not an
        active practitioner; 409 turned activity invitations off, already invited, or already taking part — those
        are skipped and the others invited."""
        ids = [str(pid) for pid in data["practitioner_ids"]]
        return activities.invite(ctx(), caller(), str(activity_id), ids, data.get("deadline"))


@ns.route("/<uuid:activity_id>/participants")
@ns.param("activity_id", "the activity's id (UUID)")
class ActivityParticipants(Resource):
    @require(ORGANIZERS)
    @ns.response(403, ORGANIZER_ONLY)
    @returns(ns, None, description="{items, total, page, per_page} of participations, in sign-up order")
    def get(self, activity_id: Any) -> dict[str, Any]:
        """Everyone who signed up, with status, hours and whether it counts (organizer, admin)."""
        return whole_list(
            _PARTICIPANT.dump(activities.participants(ctx(), caller(), str(activity_id)), many=True)
        )


@ns.route("/<uuid:activity_id>/participants/<uuid:practitioner_id>/confirm")
@ns.param("activity_id", "the activity's id (UUID)")
@ns.param("practitioner_id", "the practitioner's id (UUID)")
class ActivityConfirm(Resource):
    @require(ORGANIZERS)
    @ns.response(403, ORGANIZER_ONLY)
    @ns.response(404, "The person never signed up")
    @ns.response(409, "Not a sign-up any more, or the activity is not open or closed")
    @returns(ns, None, description="{id, status: confirmed, via, signed_up_at, confirmed_at, ...}")
    def post(self, activity_id: Any, practitioner_id: Any) -> dict[str, Any]:
        """Confirm a person's sign-up (organizer, admin)."""
        joined = activities.confirm(ctx(), caller(), str(activity_id), str(practitioner_id))
        return _PARTICIPANT.dump(joined) | {
            "practitioner_id": joined["practitioner_id"],
            "activity_id": joined["activity_id"],
        }


@ns.route("/<uuid:activity_id>/attendance")
@ns.param("activity_id", "the activity's id (UUID)")
class ActivityAttendance(Resource):
    @require(ORGANIZERS)
    @ns.response(400, "A row refused (nothing recorded); `rows` is the row report")
    @ns.response(403, ORGANIZER_ONLY)
    @ns.response(409, "The activity is a draft, cancelled, or has not begun")
    @returns(ns, None, description=REPORT)
    @accepts(ns, AttendanceSchema())
    def post(self, activity_id: Any, data: dict[str, Any]) -> dict[str, Any]:
        """Record who came and their hours, one row per person who signed up (organizer, admin); hours default
        to the activity's for someone who came. All rows or none: a refused row (never signed up, hours out of
        bounds, a person twice) answers 400 with the row report and records nothing; `dry_run` only checks."""
        return activity_attendance.record(ctx(), caller(), str(activity_id), data["rows"], data["dry_run"])


_FILE_DOC = {
    **UPLOAD_DOC,
    "params": {
        **UPLOAD_DOC["params"],
        "dry_run": {
            "in": "formData",
            "type": "boolean",
            "description": "true: check every row, write nothing",
        },
    },
}
# An attendance file holds at most 5 000 rows of three short cells: 5 MB is ample, even as XLSX.
MAX_FILE_BYTES = 5 * 1024 * 1024
_DRY_RUN = {"true": True, "1": True, "false": False, "0": False, "": False}


@ns.route("/<uuid:activity_id>/attendance/file")
@ns.param("activity_id", "the activity's id (UUID)")
class ActivityAttendanceFile(Resource):
    @ns.doc(**_FILE_DOC)
    @require(ORGANIZERS)
    @ns.response(400, "An unreadable file, or a row refused (nothing recorded); `rows` is the row report")
    @ns.response(403, ORGANIZER_ONLY)
    @ns.response(409, "The activity is a draft, cancelled, or has not begun")
    @returns(ns, None, description=REPORT)
    def post(self, activity_id: Any) -> dict[str, Any]:
        """Record attendance from a CSV or XLSX file with columns 人员编号, 是否出席 (是/否), 服务时长 (optional),
        under the same rules as the JSON rows (organizer, admin)."""
        upload = uploaded_file(MAX_FILE_BYTES)
        value = request.form.get("dry_run", "").strip().lower()
        if value not in _DRY_RUN:
            raise ValidationFailed({"dry_run": ["Must be true or false."]})
        with readable_file():
            return activity_attendance.record_file(
                ctx(), caller(), str(activity_id), upload.stream, upload.filename or "", _DRY_RUN[value]
            )
