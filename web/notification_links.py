"""Notifications in the portal: the answer links of invitation messages (no login) and a practitioner's
通知 page (their notifications, mark read, channels per kind), with the unread count in the header.

Accept is one click (GET /n/accept/<token>); decline opens a short page asking the reason (GET, then POST with
the visitor's CSRF token). An edited, expired or already used link opens a page saying so and changes nothing.
Pages under /n/ are never cached, indexed or sent on as a Referer: the token is in their address.
"""

from __future__ import annotations

from typing import Any

from flask import abort, g, make_response, redirect, render_template, request, url_for

from interface.context import ctx
from registry.errors import NotFound, RegistryError, ValidationFailed
from registry.notifications import CHANNEL_NAMES, CHANNELS, DECLINE_REASONS, draw_message_data
from services import notification_answers, notifications
from services.notification_links import LinkExpired, LinkInvalid
from web.admin import admin_only
from web.me import practitioner_only
from web.portal import portal, principal

TOKEN_MAX = 400  # a token is ~120 characters; anything far longer is not one of ours
STATUS_PAGES = {
    "accepted": (200, "已接受邀请", "感谢您接受邀请。平台将另行发送评审确认，请按时参加。"),
    "declined": (200, "已谢绝邀请", "已记录您的答复，平台将依次递补其他专家。"),
    "invalid": (400, "链接无效", "该链接不完整或已被改动，无法使用。请从邀请消息中重新打开，或登录“我的档案”答复。"),
    "expired": (410, "链接已过期", "答复期限已过，该邀请已不能通过此链接答复。如有疑问，请联系平台管理员。"),
    "answered": (409, "邀请已答复", "该邀请已经答复过（或已逾期递补），本次操作未作任何更改。"),
    "missing": (404, "邀请不存在", "没有找到该邀请，可能已被撤回。"),
}  # fmt: skip


def _page(template: str, status: int = 200, **context: Any) -> Any:
    response = make_response(render_template(template, **context), status)
    response.headers["Cache-Control"] = "no-store"
    response.headers["X-Robots-Tag"] = "noindex"
    response.headers["Referrer-Policy"] = "no-referrer"
    return response


def _outcome(key: str, **extra: Any) -> Any:
    status, title, detail = STATUS_PAGES[key]
    return _page("notifications/answer.html", status, outcome=key, title=title, detail=detail, **extra)


def _answer(token: str, response: str, reason: str | None = None) -> Any:
    try:
        notification_answers.answer(ctx(), token, response, reason)
    except LinkInvalid:
        return _outcome("invalid")
    except LinkExpired:
        return _outcome("expired")
    except NotFound:
        return _outcome("missing")
    except RegistryError as error:
        if error.status == 409:
            return _outcome("answered")
        raise
    return _outcome(response)


@portal.route("/n/accept/<path:token>")
def invitation_accept(token: str) -> Any:
    """Accept an invitation in one click, from the link in its message."""
    if len(token) > TOKEN_MAX:
        return _outcome("invalid")
    return _answer(token, "accepted")


@portal.route("/n/decline/<path:token>", methods=["GET", "POST"])
def invitation_decline(token: str) -> Any:
    """Decline an invitation: a short page asking the reason, then the answer."""
    if len(token) > TOKEN_MAX:
        return _outcome("invalid")
    try:
        seat, concealed = notification_answers.invitation(ctx(), token)
    except LinkInvalid:
        return _outcome("invalid")
    except LinkExpired:
        return _outcome("expired")
    if seat is None:
        return _outcome("missing")
    if seat.get("status") != "invited":
        return _outcome("answered")
    error = None
    if request.method == "POST":
        choice = request.form.get("reason", "")
        other = request.form.get("other", "").strip()[:500]
        reason = other if choice == "其他原因" and other else choice
        if choice not in DECLINE_REASONS or (choice == "其他原因" and not other):
            error = "请选择谢绝原因；选择“其他原因”时请简要说明。"
        else:
            return _answer(token, "declined", reason)
    organization = seat.get("organization") or {}
    shown = draw_message_data({**seat, "organization_name": organization.get("name")}, concealed)
    return _page(
        "notifications/decline.html", 400 if error else 200,
        seat=seat, shown=shown, reasons=DECLINE_REASONS, error=error, token=token,
    )  # fmt: skip


# --- 通知: the practitioner's notifications ---------------------------------------------------------------


@portal.app_context_processor
def unread_count() -> dict[str, Any]:
    """`unread_notifications()` for the header: a logged-in practitioner's unread count (read once a page)."""

    def count() -> int:
        visitor = principal()
        if visitor.role != "practitioner" or not visitor.practitioner_id:
            return 0
        if "unread_notifications" not in g:
            g.unread_notifications = notifications.unread_count(ctx(), visitor.practitioner_id)
        return g.unread_notifications

    def failed() -> int:
        return notifications.failed(ctx(), 1, 1).total if principal().role == "admin" else 0

    return {"unread_notifications": count, "failed_notifications": failed}


@portal.route("/me/notifications")
@practitioner_only
def my_notifications() -> Any:
    """通知: the person's notifications, newest first, and where each kind goes."""
    return _mine()


def _mine(status: int = 200, error: str | None = None) -> Any:
    person = str(principal().practitioner_id)
    page_number = max(1, min(request.args.get("page", 1, type=int) or 1, 10_000))
    page = notifications.of_practitioner(ctx(), person, page_number, 20)
    return render_template(
        "notifications/mine.html",
        items=page.items, total=page.total, page=page_number, per_page=20,
        preferences=notifications.preferences(ctx(), person), channels=CHANNELS, channel_names=CHANNEL_NAMES,
        done=request.args.get("done") == "channels", error=error,
    ), status  # fmt: skip


@portal.route("/me/notifications/<string:notification_id>/read", methods=["POST"])
@practitioner_only
def my_notification_read(notification_id: str) -> Any:
    """Mark one notification read."""
    if len(notification_id) > 64:
        abort(404)
    notifications.mark_read(ctx(), str(principal().practitioner_id), notification_id)
    return redirect(url_for("portal.my_notifications", _anchor=f"n-{notification_id}"))


@portal.route("/me/notification-channels", methods=["POST"])
@practitioner_only
def my_notification_channels() -> Any:
    """Save the channels of every kind (checkboxes `kind:channel`)."""
    person = str(principal().practitioner_id)
    ticked = set(request.form.getlist("channel"))
    choice = {
        item["kind"]: [c for c in CHANNELS if f"{item['kind']}:{c}" in ticked]
        for item in notifications.preferences(ctx(), person)["items"]
    }
    try:
        notifications.set_preferences(ctx(), person, choice)
    except ValidationFailed:
        return _mine(400, "专家抽取邀请和递补邀请不能关闭，请至少选择一种接收方式。")
    return redirect(url_for("portal.my_notifications", done="channels", _anchor="channels"))


@portal.route("/admin/notifications")
@admin_only
def admin_notifications() -> Any:
    """Deliveries that kept failing: kind, channel, the recipient, each attempt's time and error."""
    page = notifications.failed(ctx(), 1, 100)
    return render_template(
        "notifications/failed.html", items=page.items, total=page.total, counts=notifications.delivery_counts(ctx()),
        kind_names=notifications.kind_names(), channel_names=CHANNEL_NAMES,
    )  # fmt: skip
