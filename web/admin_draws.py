"""管理 · 专家抽取: administrators draw expert panels (issue 11), see avoidance and the result, record the experts'
answers and check that a draw verifies — through services.draws and the API's own presenter of a draw."""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request, url_for
from marshmallow import ValidationError

from interface import presenters
from interface.context import ctx
from interface.schemas.draw import CreateDrawSchema, InvitationResponseSchema
from registry.draw_rules import RULE_BY_CODE
from registry.draws import PURPOSES
from registry.errors import RegistryError, ValidationFailed
from registry.taxonomy import LEVEL_BY_RANK, WORK_TYPE_BY_CODE
from services import draw_reports, draws, organizations
from web import labels
from web.admin import admin_only
from web.pages import field_errors
from web.portal import portal

PER_PAGE = 20
FORM_FIELDS = ("purpose", "title", "organization_id", "work_type", "min_level", "region", "specialty", "size",
               "reserves", "panel_date")  # fmt: skip
INTEGERS = ("min_level", "size", "reserves")
DRAW_STATUS = {"inviting": "邀请中", "complete": "已组成", "short": "人数不足"}
SEAT_STATUS = {
    "invited": "待答复", "accepted": "已接受", "declined": "已谢绝", "no_response": "未答复", "waiting": "候补",
    "appointed": "指定", "replaced": "已递补", "standby": "候补待命",
}  # fmt: skip
EVENT_NAMES = {
    "created": "记录种子承诺", "sealed": "封存候选名单", "excluded": "回避", "selected": "抽中", "invited": "发出邀请",
    "responded": "答复", "skipped": "跳过", "reserve_called": "候补递补", "replacement_drawn": "顺序补抽",
    "shortfall": "人数不足", "appointed": "指定",
    "disclosed": "公开名单", "note": "备注",
}  # fmt: skip
RESPONSE_NAMES = {"accepted": "接受", "declined": "谢绝", "no_response": "未答复"}
PURPOSE_NAMES = {p.code: p.name_zh for p in PURPOSES}


def _choices() -> dict[str, Any]:
    found = organizations.search(ctx(), {}, 1, 200).items
    return {
        "purposes": PURPOSE_NAMES,
        "organizations": [(o["id"], o["name"]) for o in found],
        "work_types": {code: w.name_zh for code, w in WORK_TYPE_BY_CODE.items()},
        "levels": {rank: lv.name_zh for rank, lv in sorted(LEVEL_BY_RANK.items())},
    }


def _list_page(status: int = 200, **extra: Any) -> Any:
    page = max(1, request.args.get("page", 1, type=int) or 1)
    items, total = draws.list_draws(ctx(), {}, page, PER_PAGE)
    form = {"purpose": "review_panel", "min_level": "2", "size": "5", "reserves": "2"}
    return render_template(
        "admin/draws.html", items=items, total=total, page=page, pages=-(-total // PER_PAGE),
        draw_status=DRAW_STATUS, **_choices(), **{"form": form, "errors": {}, **extra},
    ), status  # fmt: skip


@portal.route("/admin/draws")
@admin_only
def admin_draws() -> Any:
    """Draws, newest first, and the form for a new one."""
    return _list_page()


@portal.route("/admin/draws", methods=["POST"])
@admin_only
def admin_draw_create() -> Any:
    """Draw a panel; field errors go back to the form, in Chinese."""
    form = {name: request.form.get(name, "").strip() for name in FORM_FIELDS}
    raw: dict[str, Any] = {k: v for k, v in form.items() if v}
    for name in INTEGERS:
        if name in raw and raw[name].isdigit():
            raw[name] = int(raw[name])
    try:
        data = CreateDrawSchema().load(raw)
        view = draws.create(ctx(), data)
    except ValidationError as error:
        return _list_page(400, form=form, errors=field_errors(error))
    except ValidationFailed as error:
        errors = {k: [labels.message(m) for m in v] for k, v in error.errors.items()}
        return _list_page(400, form=form, errors=errors)
    except RegistryError as error:
        return _list_page(error.status, form=form, errors={"_": [labels.message(error.detail)]})
    return redirect(url_for("portal.admin_draw", draw_id=view["id"]))


def _draw_page(draw_id: str, status: int = 200, **extra: Any) -> Any:
    stored = draws.get(ctx(), draw_id)
    view = presenters.draw(stored, "admin")
    names = {x["practitioner_id"]: x.get("name") for x in stored.get("excluded") or []}
    # an indirect conflict's evidence path, as the draw record sealed it (issue 23), keyed as the avoidance rows
    paths = {(x["practitioner_id"], x["rule"], x.get("detail")): x["path"]
             for x in stored.get("excluded") or [] if x.get("path")}  # fmt: skip
    verification = draw_reports.verify(ctx(), draw_id) if request.args.get("verify") else None
    return render_template(
        "admin/draw.html", draw=view, verification=verification, purposes=PURPOSE_NAMES, draw_status=DRAW_STATUS,
        seat_status=SEAT_STATUS, responses=RESPONSE_NAMES, rules=RULE_BY_CODE, names=names, events=EVENT_NAMES,
        paths=paths,
        checks=labels.VERIFY_CHECKS,
        **{"message": request.args.get("done"), "error": None, **extra},
    ), status  # fmt: skip


@portal.route("/admin/draws/<string:draw_id>")
@admin_only
def admin_draw(draw_id: str) -> Any:
    """A draw: criteria, avoidance by rule and by person, panel and reserves, the event log; `?verify=1` checks it."""
    return _draw_page(draw_id[:64])


@portal.route("/admin/draws/<string:draw_id>/responses", methods=["POST"])
@admin_only
def admin_draw_response(draw_id: str) -> Any:
    """Record an expert's answer (e.g. taken by phone); a decline calls the next reserve."""
    raw = {k: request.form.get(k, "").strip() for k in ("practitioner_id", "response", "reason")}
    try:
        data = InvitationResponseSchema().load({k: v for k, v in raw.items() if v})
        draws.respond(ctx(), draw_id[:64], data)
    except ValidationError as error:
        message = "；".join(m for ms in field_errors(error).values() for m in ms)
        return _draw_page(draw_id, 400, error={"seat": raw["practitioner_id"], "message": message})
    except RegistryError as error:
        if error.status == 404:
            raise
        return _draw_page(draw_id, error.status, error={"seat": raw["practitioner_id"],
                                                         "message": labels.message(error.detail)})  # fmt: skip
    return redirect(
        url_for("portal.admin_draw", draw_id=draw_id, done=f"已记录：{RESPONSE_NAMES[data['response']]}")
    )
