"""The portal's request plumbing: the session cookie, CSRF tokens, who the visitor is, friendly error pages.

A visitor logs in with an API key; the portal keeps a server-side session (graph node `WebSession`) and gives
the browser only a random id in an HttpOnly, SameSite=Strict cookie (Secure behind HTTPS). Every form carries
a CSRF token that must match the visitor's: the session's token once logged in, otherwise a token bound to a
per-browser cookie. The visitor's principal is put where the API's presenters read it, so the pages show
exactly what the same key would see through the API.
"""

from __future__ import annotations

import hashlib
import hmac
import secrets
from typing import Any

from flask import Blueprint, Response, abort, current_app, g, render_template, request
from werkzeug.exceptions import HTTPException

from interface.auth import ANONYMOUS, Principal
from interface.context import ctx, get_settings
from interface.errors import problem_for
from interface.limits import allow_upload, read_form
from services import web_sessions

SESSION_COOKIE = "cmr_session"
BROWSER_COOKIE = "cmr_browser"  # binds an anonymous visitor's CSRF token (login form, verification)
CSRF_FIELD = "csrf_token"

portal = Blueprint(
    "portal", __name__, template_folder="templates", static_folder="static", static_url_path="/static"
)


def _browser_token() -> str:
    token = request.cookies.get(BROWSER_COOKIE, "")
    if not (16 <= len(token) <= 64 and token.replace("-", "").replace("_", "").isalnum()):
        token = g.setdefault("new_browser_token", secrets.token_urlsafe(24))
    return token


def csrf_token() -> str:
    """The token this visitor's forms must carry."""
    session = g.get("web_session")
    if session:
        return session["csrf"]
    return hmac.new(
        get_settings().api_key_key, b"csrf:" + _browser_token().encode(), hashlib.sha256
    ).hexdigest()


def check_csrf() -> None:
    """400 unless the posted form carries this visitor's CSRF token."""
    sent = request.form.get(CSRF_FIELD, "")
    if not sent or not hmac.compare_digest(sent, csrf_token()):
        abort(400, description="表单已失效或来源不明（缺少 CSRF 令牌），请刷新页面后重试。")


def accepts_upload(view: Any) -> Any:
    """Mark a view whose form carries a spreadsheet: an administrator's post is read within the upload limit."""
    view.accepts_upload = True
    return view


def limit_form() -> None:
    """A form is read within the app's body limit (1 MB; 413 past it, chunked too) before its CSRF token is
    checked; an administrator's upload within the upload limit. Nobody else makes a worker read more."""
    view = current_app.view_functions.get(request.endpoint or "")
    if getattr(view, "accepts_upload", False) and principal().role == "admin":
        allow_upload()  # the multipart parser stops at the upload limit with a 413
    else:
        read_form()


def principal() -> Principal:
    return g.get("principal") or ANONYMOUS


@portal.before_app_request
def identify_visitor() -> None:
    """Portal pages only: the session cookie (if any) names the visitor; the API keeps its own header auth, and
    static files need no visitor (nor the graph: they answer while Neo4j is down)."""
    if (
        request.path.startswith("/api/")
        or request.path.startswith("/docs")
        or request.path.startswith("/swaggerui")
        or request.endpoint == "portal.static"
    ):
        return
    g.principal = ANONYMOUS
    g.role = ANONYMOUS.role
    session_id = request.cookies.get(SESSION_COOKIE)
    if session_id and len(session_id) < 100:
        session = web_sessions.session(ctx(), session_id)
        if session:
            g.web_session = session
            g.principal = Principal(
                role=session["role"], prefix=session.get("key_prefix"), label=session.get("label"),
                practitioner_id=session.get("practitioner_id"), organization_id=session.get("organization_id"),
            )  # fmt: skip
            g.role = session["role"]
    if request.method == "POST":
        limit_form()
        check_csrf()


@portal.after_app_request
def set_browser_cookie(response: Response) -> Response:
    token = g.get("new_browser_token")
    if token:
        response.set_cookie(BROWSER_COOKIE, token, httponly=True, samesite="Strict", secure=request.is_secure)
    if not request.path.startswith("/api/"):
        response.headers.setdefault("X-Frame-Options", "DENY")
        response.headers.setdefault("Referrer-Policy", "same-origin")
    return response


@portal.app_context_processor
def page_context() -> dict[str, Any]:
    return {"visitor": principal(), "csrf_token": csrf_token, "CSRF_FIELD": CSRF_FIELD}


PAGE_TITLES = {
    400: ("请求无效", "请检查填写的内容后重试。"),
    401: ("请先登录", "此页面需要登录。"),
    403: ("无权访问", "您的账户无权查看此页面。"),
    404: ("页面不存在", "没有找到您要查看的内容，请检查网址或返回首页。"),
    405: ("不支持的请求", "请从页面上的链接或表单进入。"),
    409: ("操作冲突", "记录的状态已变化，请刷新后重试。"),
    413: ("上传内容过大", "请缩小文件后重试。"),
    503: ("服务暂时不可用", "数据服务正在维护或暂时无法连接，请稍后再试。"),
}


def error_page(error: Exception) -> Any:
    """Every error: a problem+json answer on API paths, a friendly Chinese page (never a traceback) elsewhere."""
    answer = problem_for(error)  # the one classification of errors (and the one place they are logged)
    if request.path.startswith("/api/"):
        return answer
    status = answer.status_code
    title, detail = PAGE_TITLES.get(status, ("出错了", "服务出现意外错误，已记录，请稍后再试。"))
    if status == 400 and isinstance(error, HTTPException) and error.description:
        detail = error.description
    headers = {"Retry-After": answer.headers["Retry-After"]} if "Retry-After" in answer.headers else {}
    return render_template("error.html", status=status, title=title, detail=detail), status, headers
