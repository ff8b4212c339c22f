"""管理: administrators' pages — practitioners and certificates with lifecycle actions."""

from __future__ import annotations

import functools
from collections.abc import Callable
from typing import Any

from flask import abort, redirect, render_template, request, url_for

from interface import presenters
from interface.context import ctx
from registry.certificates import LIFECYCLE_ACTIONS
from registry.errors import RegistryError
from services import certificates, jobs, practitioners, search
from web.portal import portal, principal

ACTION_LABELS = {"suspend": "暂停", "reinstate": "恢复", "revoke": "撤销"}


def admin_only(view: Callable[..., Any]) -> Callable[..., Any]:
    """Administrators only: others are sent to log in (or refused when logged in with another role)."""

    @functools.wraps(view)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        if principal().role == "public":
            return redirect(url_for("portal.login"))
        if principal().role != "admin":
            abort(403)
        return view(*args, **kwargs)

    return wrapper


@portal.route("/admin")
@admin_only
def admin_home() -> str:
    """The administrator's start page: pool sizes, the scheduled jobs' last runs, the practitioners to look after."""
    context = ctx()
    pools = {pool["code"]: pool["members"] for pool in search.pool_sizes(context)}
    query = request.args.get("q", "").strip()
    args = {
        "page": 1,
        "per_page": 20,
        "sort": "relevance" if query else "name",
        **({"q": query} if query else {}),
    }
    found = search.search(context, args, public_only=False)
    return render_template("admin/home.html", pools=pools, people=presenters.practitioners(found.items),
                           total=found.total, query=query, jobs=jobs.overview(context))  # fmt: skip


@portal.route("/admin/practitioners/<uuid:practitioner_id>")
@admin_only
def admin_practitioner(practitioner_id: Any) -> str:
    """A practitioner with personal data and every certificate, each with its lifecycle actions."""
    view = practitioners.get(ctx(), str(practitioner_id))
    return _practitioner_page(view, message=request.args.get("done"))


@portal.route(
    "/admin/certificates/<string:number>/<any(suspend, reinstate, revoke):action>", methods=["POST"]
)
@admin_only
def admin_certificate_action(number: str, action: str) -> Any:
    """Suspend, reinstate or revoke a certificate with a reason; back to its holder's page."""
    reason = request.form.get("reason", "").strip()
    holder = request.form.get("holder", "")
    if not reason or len(reason) > 500:
        return _practitioner_with_error(holder, number, "请填写原因（不超过 500 字）。"), 400
    try:
        view = certificates.change_status(ctx(), number, action, reason)
    except RegistryError as error:
        return _practitioner_with_error(holder, number, error.detail), error.status
    return redirect(url_for("portal.admin_practitioner", practitioner_id=view["holder"]["id"],
                            done=f"证书 {number} 已{ACTION_LABELS[action]}"))  # fmt: skip


def _practitioner_with_error(holder: str, number: str, message: str) -> str:
    view = practitioners.get(ctx(), holder) if holder else abort(404)
    return _practitioner_page(view, error={"number": number, "message": message})


def _practitioner_page(view: dict[str, Any], **extra: Any) -> str:
    return render_template(
        "admin/practitioner.html", person=presenters.practitioner(view), actions=LIFECYCLE_ACTIONS,
        action_labels=ACTION_LABELS, **{"message": None, "error": None, **extra},
    )  # fmt: skip
