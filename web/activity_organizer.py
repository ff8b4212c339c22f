"""公益活动 · 组织者: the organizer's page of an activity — suggested people with their reasons, invitations,
participants to confirm and attendance to record — over the same services as the API's organizer endpoints.

Only the organizer's government key (bound to the organizing department) or an administrator gets here; the
services check it again (403), so a form posted by anyone else changes nothing.
"""

from __future__ import annotations

from typing import Any

from flask import abort, redirect, render_template, request, url_for
from marshmallow import ValidationError

from interface import presenters
from interface.context import ctx
from interface.schemas.activity import AttendanceSchema, InvitationRequestSchema
from registry.errors import NotFound, RegistryError
from services import activities, activity_attendance, activity_suggestions
from web import labels
from web.activities import caller, organizes
from web.pages import REGION_NAMES, field_errors
from web.portal import portal, principal

SUGGESTIONS_PER_PAGE = 20
DONE = {
    "invited": "已发出邀请。",
    "confirmed": "已确认报名。",
    "attendance": "已记录出勤与时长。",
}
ROW_STATUS = {201: "已邀请", 200: "已记录", 400: "未记录", 404: "未找到", 409: "未邀请"}


def _organizer_page(activity_id: str, status: int = 200, **extra: Any) -> Any:
    """The organizer's page; `extra` carries one form's report or error."""
    visitor = principal()
    if visitor.role == "public":
        return redirect(url_for("portal.login"))
    context, who = ctx(), caller()
    try:
        view = activities.get(context, who, activity_id)
    except NotFound:
        abort(404)
    if not organizes(view):
        abort(403)
    page = max(1, min(request.args.get("page", 1, type=int) or 1, 10_000))
    suggested, total, suggestions_error = [], 0, None
    if view["status"] == "open":
        try:
            found = activity_suggestions.suggestions(context, who, activity_id, page, SUGGESTIONS_PER_PAGE)
            suggested = [(s, presenters.practitioner(v)) for s, v in found.items]
            total = found.total
        except RegistryError as error:
            suggestions_error = labels.message(error.detail)
    participants = activities.participants(context, who, activity_id)
    invitations = activities.invitations(context, who, activity_id)
    names = {row["practitioner"]["id"]: row["practitioner"]["name"] for row in participants + invitations}
    names |= {person["id"]: person.get("name") for _, person in suggested}
    return render_template(
        "activities/organizer.html", activity=view, suggested=suggested, total=total, page=page,
        pages=-(-total // SUGGESTIONS_PER_PAGE), suggestions_error=suggestions_error, participants=participants,
        invitations=invitations, names=names, regions=REGION_NAMES, row_status=ROW_STATUS,
        **{"done": DONE.get(request.args.get("done", "")), "report": None, "error": None, **extra},
    ), status  # fmt: skip


@portal.route("/activities/<string:activity_id>/organizer")
def activity_organizer(activity_id: str) -> Any:
    """The organizer's page: suggestions (paged), invitations, participants, attendance."""
    return _organizer_page(activity_id[:64])


def _refused(activity_id: str, error: RegistryError) -> Any:
    if error.status in (403, 404):
        abort(error.status)
    return _organizer_page(activity_id, error.status, error=labels.message(error.detail))


@portal.route("/activities/<string:activity_id>/organizer/invite", methods=["POST"])
def activity_invite(activity_id: str) -> Any:
    """Invite the ticked suggestions; a row report says who was invited and why others were not."""
    activity_id = activity_id[:64]
    chosen = request.form.getlist("practitioner_id")[:500]
    try:
        data = InvitationRequestSchema().load({"practitioner_ids": chosen})
        answer = activities.invite(
            ctx(), caller(), activity_id, [str(p) for p in data["practitioner_ids"]], data["deadline"]
        )
    except ValidationError as error:
        message = (
            "请先勾选要邀请的人员。"
            if not chosen
            else "；".join(m for ms in field_errors(error).values() for m in ms)
        )
        return _organizer_page(activity_id, 400, error=message)
    except RegistryError as error:
        return _refused(activity_id, error)
    if answer["skipped"]:
        return _organizer_page(activity_id, 200, report={"kind": "invite", **answer})
    return redirect(url_for("portal.activity_organizer", activity_id=activity_id, done="invited"))


@portal.route("/activities/<string:activity_id>/organizer/confirm", methods=["POST"])
def activity_confirm(activity_id: str) -> Any:
    """Confirm one person's sign-up."""
    activity_id = activity_id[:64]
    person = request.form.get("practitioner_id", "").strip()[:64]
    try:
        activities.confirm(ctx(), caller(), activity_id, person)
    except RegistryError as error:
        return (
            _refused(activity_id, error)
            if error.status != 404
            else _organizer_page(activity_id, 400, error=labels.message(error.detail))
        )
    return redirect(url_for("portal.activity_organizer", activity_id=activity_id, done="confirmed"))


def _attendance_rows() -> list[dict[str, Any]]:
    """One row per participant listed in the form: whether they came and the hours typed (empty: the default)."""
    rows = []
    for person in request.form.getlist("practitioner_id")[:5000]:
        hours = request.form.get(f"hours-{person}", "").strip()
        row: dict[str, Any] = {
            "practitioner_id": person,
            "attended": request.form.get(f"attended-{person}") == "on",
        }
        if hours and row["attended"]:
            row["hours"] = hours
        rows.append(row)
    return rows


@portal.route("/activities/<string:activity_id>/organizer/attendance", methods=["POST"])
def activity_attendance_record(activity_id: str) -> Any:
    """Record who came and their hours (the same use case as POST /activities/{id}/attendance), with its report."""
    activity_id = activity_id[:64]
    try:
        data = AttendanceSchema().load({"rows": _attendance_rows()})
        activity_attendance.record(ctx(), caller(), activity_id, data["rows"], dry_run=False)
    except ValidationError as error:
        return _organizer_page(activity_id, 400, error="出勤记录有误：" + labels.message(str(error.messages)))
    except activity_attendance.AttendanceRefused as error:  # nothing was recorded; the report says why
        return _organizer_page(activity_id, 400, report={"kind": "attendance", **error.extra})
    except RegistryError as error:
        return _refused(activity_id, error)
    return redirect(url_for("portal.activity_organizer", activity_id=activity_id, done="attendance"))
