"""管理 · 待办: curation queues — certificates about to lapse, declared qualifications to confirm, complaints to
triage — with the actions that clear them (confirm a qualification, move a complaint on with a reason)."""

from __future__ import annotations

from typing import Any

from flask import redirect, render_template, request, url_for
from marshmallow import ValidationError

from interface.context import ctx
from interface.schemas.credit import ComplaintDecisionSchema
from registry.appeals import COMPLAINT_TRANSITIONS
from registry.errors import RegistryError
from services import complaints, curation, profiles
from web import labels
from web.admin import admin_only
from web.pages import field_errors
from web.portal import portal

COMPLAINT_STATUS = {"received": "已收到", "investigating": "调查中", "upheld": "成立", "dismissed": "不成立"}


def _page_number() -> int:
    asked = request.args.get("page", "1")
    return min(int(asked), 100_000) if asked.isdigit() and int(asked) >= 1 else 1


def _page(status: int = 200, **extra: Any) -> Any:
    return render_template(
        "admin/queues.html", queues=curation.queues(ctx(), page=_page_number()), complaint_status=COMPLAINT_STATUS,
        transitions=COMPLAINT_TRANSITIONS, **{"message": request.args.get("done"), "error": None, **extra},
    ), status  # fmt: skip


@portal.route("/admin/queues")
@admin_only
def admin_queues() -> Any:
    """The three queues, each with its total and a page of its items (`?page=`)."""
    return _page()


@portal.route(
    "/admin/practitioners/<uuid:practitioner_id>/qualifications/<string:code>/confirm", methods=["POST"]
)
@admin_only
def admin_confirm_qualification(practitioner_id: Any, code: str) -> Any:
    """Confirm a qualification a person declared: it then counts in matching."""
    profiles.confirm_qualification(ctx(), str(practitioner_id), code[:60])
    return redirect(url_for("portal.admin_queues", done="资格已确认", _anchor="qualifications"))


@portal.route("/admin/complaints/<string:complaint_id>/decide", methods=["POST"])
@admin_only
def admin_complaint_decide(complaint_id: str) -> Any:
    """Move a complaint on: received → investigating → upheld (optionally with a misconduct record) | dismissed."""
    raw: dict[str, Any] = {
        "status": request.form.get("status", ""),
        "reason": request.form.get("reason", "").strip(),
    }
    raw["create_record"] = request.form.get("create_record") == "on"
    try:
        data = ComplaintDecisionSchema().load({k: v for k, v in raw.items() if v not in ("", None)})
        complaints.decide_complaint(ctx(), complaint_id[:64], data)
    except ValidationError as error:
        return _page(400, error={"complaint": complaint_id, "errors": field_errors(error)})
    except RegistryError as error:
        if error.status == 404:
            raise
        errors = getattr(error, "errors", None) or {"_": [error.detail]}
        errors = {k: [labels.message(m) for m in v] for k, v in errors.items()}
        return _page(error.status, error={"complaint": complaint_id, "errors": errors})
    return redirect(url_for("portal.admin_queues", done=f"投诉已处理：{COMPLAINT_STATUS[data['status']]}",
                            _anchor="complaints"))  # fmt: skip
