"""我的档案: a practitioner, logged in with their own key, keeps their record — the same use cases as /api/v1/me.

Their record as they see it (everything, with each field's visibility), per-field visibility and showcase
consent, declarations of relationships (avoidance), periods they cannot serve, invitations from expert draws to
accept or decline, and a copy of their data (PIPL art. 45). Each form posts back to /me; errors are shown next
to their field in Chinese. No personal data goes into a URL: ids in URLs are the person's own draws and periods.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from typing import Any

from flask import Response, abort, redirect, render_template, request, url_for
from marshmallow import ValidationError

from adapters.spreadsheets import XLSX_MEDIA_TYPE
from interface import presenters
from interface.context import ctx
from interface.schemas import jsonable
from interface.schemas.me import AvailabilityInputSchema, DeclarationInputSchema, InvitationAnswerSchema
from interface.workbooks import export_workbook
from registry.declarations import RELATIONSHIP_CODES
from registry.errors import RegistryError, ValidationFailed
from registry.visibility import VISIBILITY_DEFAULTS, VISIBILITY_LEVELS, effective
from services import (
    activity_participation,
    availability,
    declarations,
    invitations,
    organizations,
    personal_data,
    profiles,
)
from web import labels
from web.pages import field_errors
from web.portal import portal, principal

FIELD_NAMES = {
    "bio": "简介", "specialties": "专长", "industries": "行业经验", "qualifications": "资格", "employer": "工作单位",
    "gender": "性别", "education": "学历", "work_start_year": "从业起始年份（从业年限）", "phone": "电话",
    "email": "邮箱", "public_welfare": "公益服务记录",
}  # fmt: skip
LEVEL_NAMES = {"public": "公开", "clients": "仅客户与主管部门", "private": "仅本人与管理员"}
RELATIONSHIP_NAMES = labels.RELATIONSHIPS  # the one list of relationship names (the draw page reads it too)
INVITATION_STATUS = {
    "invited": "待答复", "accepted": "已接受", "declined": "已谢绝", "no_response": "未答复（已逾期）",
    "appointed": "已确定", "replaced": "已递补", "withdrawn": "已撤回",
}  # fmt: skip
DONE = {
    "visibility": "公开范围已保存。",
    "declaration": "已登记关联关系。",
    "availability": "已登记不能参加评审的时间。",
    "withdrawn": "已撤回该时段。",
    "accepted": "已接受邀请。",
    "declined": "已谢绝邀请。",
}
assert set(FIELD_NAMES) == set(VISIBILITY_DEFAULTS) and set(RELATIONSHIP_NAMES) == set(RELATIONSHIP_CODES)


def practitioner_only(view: Callable[..., Any]) -> Callable[..., Any]:
    """Practitioners with their own key only: others are sent to log in (or refused with another role)."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if principal().role == "public":
            return redirect(url_for("portal.login"))
        if principal().role != "practitioner" or not principal().practitioner_id:
            abort(403)
        return view(*args, **kwargs)

    return wrapper


def _me() -> str:
    return str(principal().practitioner_id)


def _chinese(errors: dict[str, Any]) -> dict[str, list[str]]:
    return {field: [labels.message(str(m)) for m in (msgs if isinstance(msgs, list) else [msgs])]
            for field, msgs in errors.items()}  # fmt: skip


def _page(status: int = 200, **extra: Any) -> Any:
    """The self-service page; `extra` carries one form's errors and what was typed into it."""
    context = ctx()
    person = _me()
    view = profiles.get_own(context, person)
    shown = presenters.practitioner(view, is_self=True)
    page = {
        "person": shown,
        "settings": effective(view.get("visibility")),
        "public_profile": bool(view.get("public_profile")),
        "declarations": declarations.of_practitioner(context, person),
        "periods": availability.of_practitioner(context, person),
        "invitations": invitations.of_practitioner(context, person),
        "activity_invitations": activity_participation.activity_invitations(context, person),
        "field_names": FIELD_NAMES,
        "level_names": LEVEL_NAMES,
        "levels": VISIBILITY_LEVELS,
        "relationship_names": RELATIONSHIP_NAMES,
        "invitation_status": INVITATION_STATUS,
        "done": DONE.get(request.args.get("done", "")),
        "form": "",
        "errors": {},
        "typed": {},
        **extra,
    }
    return render_template("me.html", **page), status


def _done(what: str, anchor: str) -> Any:
    return redirect(url_for("portal.me", done=what, _anchor=anchor))


@portal.route("/me")
@practitioner_only
def me() -> Any:
    """我的档案: the record, visibility, declarations, availability, invitations, export."""
    return _page()


@portal.route("/me/visibility", methods=["POST"])
@practitioner_only
def me_visibility() -> Any:
    """Save showcase consent and each field's visibility (the same edit as PATCH /me)."""
    settings = {field: request.form.get(f"visibility-{field}", "") for field in VISIBILITY_DEFAULTS}
    errors = {
        f"visibility-{f}": ["请选择公开范围。"]
        for f, level in settings.items()
        if level not in VISIBILITY_LEVELS
    }
    if errors:
        return _page(400, form="visibility", errors=errors)
    data = {"visibility": settings, "public_profile": request.form.get("public_profile") == "on"}
    try:
        profiles.update_own(ctx(), _me(), data)
    except ValidationFailed as error:
        return _page(400, form="visibility", errors=_chinese(error.errors))
    return _done("visibility", "visibility")


def _organization(name: str) -> tuple[str | None, str | None]:
    """The organization with exactly this name: (id, None), or (None, why not) in Chinese."""
    if not name:
        return None, "此项必填。"
    items = organizations.search(ctx(), {"q": name}, 1, 20).items
    exact = [o for o in items if o["name"] == name]
    if len(exact) == 1:
        return exact[0]["id"], None
    if len(exact) > 1:
        return None, "有多个同名单位，请联系管理员登记。"
    return None, "没有找到该单位，请填写单位全称。"


@portal.route("/me/declarations", methods=["POST"])
@practitioner_only
def me_declaration() -> Any:
    """Declare a relationship with an organization, by the organization's full name."""
    typed = {key: request.form.get(key, "").strip() for key in ("organization", "relationship", "from", "to")}
    errors: dict[str, list[str]] = {}
    organization_id, problem = _organization(typed["organization"])
    if problem:
        errors["organization"] = [problem]
    raw = {"organization_id": organization_id or "00000000-0000-0000-0000-000000000000",
           **{k: typed[k] for k in ("relationship", "from", "to") if typed[k]}}  # fmt: skip
    try:
        data = DeclarationInputSchema().load(raw)
    except ValidationError as error:
        errors |= field_errors(error)
    if errors:
        return _page(400, form="declaration", errors=errors, typed=typed)
    try:
        declarations.declare(ctx(), _me(), data, entered_by="practitioner")
    except ValidationFailed as error:
        return _page(400, form="declaration", errors=_chinese(error.errors), typed=typed)
    except RegistryError as error:
        return _page(
            error.status, form="declaration", errors={"_": [labels.message(error.detail)]}, typed=typed
        )
    return _done("declaration", "declarations")


@portal.route("/me/availability", methods=["POST"])
@practitioner_only
def me_availability() -> Any:
    """Declare a period the person cannot serve (both days inclusive; the reason is private)."""
    typed = {key: request.form.get(key, "").strip() for key in ("from", "to", "reason")}
    try:
        data = AvailabilityInputSchema().load({k: v for k, v in typed.items() if v})
        availability.declare(ctx(), _me(), data)
    except ValidationError as error:
        return _page(400, form="availability", errors=field_errors(error), typed=typed)
    except ValidationFailed as error:
        return _page(400, form="availability", errors=_chinese(error.errors), typed=typed)
    except RegistryError as error:
        errors = error.extra.get("errors") or {"_": [error.detail]}
        return _page(error.status, form="availability", errors=_chinese(errors), typed=typed)
    return _done("availability", "availability")


@portal.route("/me/availability/<string:period_id>/withdraw", methods=["POST"])
@practitioner_only
def me_availability_withdraw(period_id: str) -> Any:
    """Withdraw one of the person's periods."""
    if len(period_id) > 64:
        abort(404)
    availability.remove(ctx(), _me(), period_id)
    return _done("withdrawn", "availability")


@portal.route("/me/invitations/<string:draw_id>", methods=["POST"])
@practitioner_only
def me_invitation(draw_id: str) -> Any:
    """Accept an invitation, or decline it with a reason, before its deadline."""
    if len(draw_id) > 64:
        abort(404)
    typed = {"response": request.form.get("response", ""), "reason": request.form.get("reason", "").strip()}
    try:
        data = InvitationAnswerSchema().load({k: v for k, v in typed.items() if v})
        invitations.answer(ctx(), _me(), draw_id, data["response"], data.get("reason"))
    except ValidationError as error:
        return _page(400, form=f"invitation-{draw_id}", errors=field_errors(error), typed=typed)
    except ValidationFailed as error:
        return _page(400, form=f"invitation-{draw_id}", errors=_chinese(error.errors), typed=typed)
    except RegistryError as error:
        if error.status == 404:
            raise
        return _page(error.status, form=f"invitation-{draw_id}", errors={"_": [labels.message(error.detail)]},
                     typed=typed)  # fmt: skip
    return _done(data["response"], "invitations")


@portal.route("/me/export.<any(json, xlsx):kind>")
@practitioner_only
def me_export(kind: str) -> Response:
    """A copy of everything the registry stores about the person (the same as GET /me/export)."""
    data = personal_data.export(ctx(), _me())
    if kind == "xlsx":
        return Response(export_workbook(data), mimetype=XLSX_MEDIA_TYPE,
                        headers={"Content-Disposition": 'attachment; filename="my-registry-data.xlsx"'})  # fmt: skip
    return Response(
        json.dumps(jsonable(data), ensure_ascii=False, indent=2),
        mimetype="application/json",
        headers={"Content-Disposition": 'attachment; filename="my-registry-data.json"'},
    )
