"""公益活动: the public list and detail pages of public-welfare activities, and sign-up for a logged-in practitioner
— the same use cases as GET /api/v1/activities and POST /api/v1/me/activities (docs/activities.md).

Anyone sees open and completed activities; the organizer (a government key bound to the organizing department)
and administrators see their other statuses too and reach the organizer's page (web/activity_organizer.py).
"""

from __future__ import annotations

from typing import Any
from urllib.parse import urlencode

from flask import abort, redirect, render_template, request, url_for
from marshmallow import ValidationError

from interface.context import ctx
from interface.schemas.activity import ActivityArgs
from registry import activities as rules
from registry.errors import NotFound, RegistryError
from registry.reference import SPECIALTIES
from services import activities, activity_participation, profiles
from web import labels
from web.pages import INDUSTRY_NAMES, REGION_NAMES, field_errors
from web.portal import portal, principal

PER_PAGE = 12
FILTERS = ("kind", "region", "from", "to", "open_for_sign_up")
DONE = {
    "signed_up": "报名成功，请等待组织方确认。",
    "accepted": "已接受邀请，已为您报名。",
    "declined": "已谢绝邀请。",
    "contact_on": "已开启：组织方可以向您推荐和邀请公益活动。",
    "contact_off": "已关闭：组织方不会再向您推荐或邀请公益活动；您仍可自行报名。",
}


def caller() -> activities.Caller:
    """The visitor as the activity services see them: role and the organization a government key is bound to."""
    visitor = principal()
    return activities.Caller(visitor.role, visitor.organization_id)


def organizes(view: dict[str, Any]) -> bool:
    """Whether the visitor runs this activity (its organizer's government key, or an administrator)."""
    visitor = principal()
    return rules.may_organize(visitor.role, visitor.organization_id, (view.get("organizer") or {}).get("id"))


def _pages(args: dict[str, str], page: int, total: int) -> list[dict[str, Any]]:
    count = -(-total // PER_PAGE)
    return [
        {"number": n, "current": n == page, "href": "?" + urlencode({**args, "page": n})}
        for n in range(1, count + 1)
    ]


@portal.route("/activities")
def activities_list() -> Any:
    """公益活动: open and completed activities (and the organizer's own), filtered by kind, region, dates, open."""
    typed = {name: request.args.get(name, "").strip()[:40] for name in FILTERS}
    typed = {name: value for name, value in typed.items() if value}
    page = max(1, min(request.args.get("page", 1, type=int) or 1, 10_000))
    errors: dict[str, list[str]] = {}
    items: list[dict[str, Any]] = []
    total = 0
    try:
        filters = ActivityArgs().load({**typed, "page": page, "per_page": PER_PAGE})
        found = activities.search(ctx(), caller(), filters, page, PER_PAGE)
        items, total = found.items, found.total
    except ValidationError as error:
        errors = field_errors(error)
    except RegistryError as error:
        errors = {getattr(error, "extra", {}).get("field", "_"): [labels.message(error.detail)]}
    status = 400 if errors else 200
    return render_template(
        "activities/list.html", items=items, total=total, page=page, pages=_pages(typed, page, total),
        typed=typed, errors=errors, kinds=labels.ACTIVITY_KINDS, regions=REGION_NAMES,
    ), status  # fmt: skip


def _mine(activity_id: str) -> tuple[dict[str, Any] | None, dict[str, Any] | None]:
    """The visitor's own participation in the activity and their invitation to it, when a practitioner is logged in."""
    visitor = principal()
    if visitor.role != "practitioner" or not visitor.practitioner_id:
        return None, None
    context, person = ctx(), visitor.practitioner_id
    joined = [
        p
        for p in activity_participation.of_practitioner(context, person)
        if p["activity"]["id"] == activity_id
    ]
    invited = [i for i in activity_participation.invitations_of(context, person)
               if i["kind"] == activity_participation.ACTIVITY and i["activity"]["id"] == activity_id]  # fmt: skip
    return (joined[0] if joined else None), (invited[0] if invited else None)


def detail_page(activity_id: str, status: int = 200, **extra: Any) -> Any:
    """The activity's page, with the visitor's sign-up (or the form to sign up) and the organizer's link."""
    try:
        view = activities.get(ctx(), caller(), activity_id)
    except NotFound:
        abort(404)
    mine, invitation = _mine(activity_id)
    return render_template(
        "activities/detail.html", activity=view, mine=mine, invitation=invitation, organizes=organizes(view),
        regions=REGION_NAMES, industries=INDUSTRY_NAMES, specialties={code: name for code, name, _ in SPECIALTIES},
        **{"done": DONE.get(request.args.get("done", "")), "error": None, **extra},
    ), status  # fmt: skip


@portal.route("/activities/<string:activity_id>")
def activity(activity_id: str) -> Any:
    """One activity: what, who organizes it, where and when, hours, places left, needs, status."""
    return detail_page(activity_id[:64])


@portal.route("/activities/<string:activity_id>/sign-up", methods=["POST"])
def activity_sign_up(activity_id: str) -> Any:
    """Sign the logged-in practitioner up (the same use case as POST /me/activities); a refusal is shown in Chinese."""
    visitor = principal()
    if visitor.role == "public":
        return redirect(url_for("portal.login"))
    if visitor.role != "practitioner" or not visitor.practitioner_id:
        abort(403)
    activity_id = activity_id[:64]
    try:
        activity_participation.sign_up(ctx(), visitor.practitioner_id, activity_id)
    except RegistryError as error:
        if error.status == 404:
            raise
        return detail_page(activity_id, error.status, error=labels.message(error.detail))
    return redirect(url_for("portal.activity", activity_id=activity_id, done="signed_up"))


def _practitioner() -> str:
    """The logged-in practitioner's id (a visitor without a session is sent to log in, another role refused)."""
    visitor = principal()
    if visitor.role == "public":
        abort(401)
    if visitor.role != "practitioner" or not visitor.practitioner_id:
        abort(403)
    return visitor.practitioner_id


@portal.route("/activities/<string:activity_id>/invitation", methods=["POST"])
def activity_invitation_answer(activity_id: str) -> Any:
    """Accept the visitor's invitation to this activity (which signs them up) or decline it with a reason — the
    same use case as POST /me/invitations/{id}."""
    person, activity_id = _practitioner(), activity_id[:64]
    response = request.form.get("response", "")
    reason = request.form.get("reason", "").strip()[:500] or None
    _, invitation = _mine(activity_id)
    if invitation is None:
        abort(404)
    try:
        activity_participation.answer_activity(ctx(), person, invitation["id"], response, reason)
    except ValidationError as error:
        return detail_page(
            activity_id, 400, error="；".join(m for ms in field_errors(error).values() for m in ms)
        )
    except RegistryError as error:
        if error.status == 404:
            raise
        errors = getattr(error, "errors", None) or {}
        message = "；".join(labels.message(m) for ms in errors.values() for m in ms) or labels.message(
            error.detail
        )
        return detail_page(activity_id, error.status, error=message)
    return redirect(url_for("portal.activity", activity_id=activity_id, done=response))


@portal.route("/activities/mine")
def activities_mine() -> Any:
    """我的公益活动: the practitioner's sign-ups with status and hours, and the invitations awaiting an answer."""
    visitor = principal()
    if visitor.role == "public":
        return redirect(url_for("portal.login"))
    person = _practitioner()
    context = ctx()
    invited = [i for i in activity_participation.invitations_of(context, person)
               if i["kind"] == activity_participation.ACTIVITY]  # fmt: skip
    return render_template(
        "activities/mine.html", participations=activity_participation.of_practitioner(context, person),
        invitations=invited, contact=profiles.get_own(context, person).get("contact_for_activities", True),
        done=DONE.get(request.args.get("done", "")),
    )  # fmt: skip


@portal.route("/activities/mine/contact", methods=["POST"])
def activities_contact() -> Any:
    """Turn activity invitations and suggestions on or off (`contact_for_activities`, the same edit as PATCH /me)."""
    person = _practitioner()
    wanted = request.form.get("contact_for_activities") == "on"
    profiles.update_own(ctx(), person, {"contact_for_activities": wanted})
    return redirect(url_for("portal.activities_mine", done="contact_on" if wanted else "contact_off"))
