"""登录 / 退出: an API key is exchanged for a server-side session."""

from __future__ import annotations

from typing import Any

from flask import make_response, redirect, render_template, request, url_for

from interface.context import ctx
from services import web_sessions
from web.portal import SESSION_COOKIE, portal

HOME_OF_ROLE = {"admin": "portal.admin_home", "practitioner": "portal.me"}


@portal.route("/login", methods=["GET", "POST"])
def login() -> Any:
    """The login form; a valid key opens a session (HttpOnly, SameSite=Strict; Secure behind HTTPS)."""
    if request.method == "GET":
        return render_template("login.html", error=None)
    key = request.form.get("key", "").strip()
    opened = web_sessions.login(ctx(), key) if 10 <= len(key) <= 200 else None
    if opened is None:
        return render_template("login.html", error="密钥无效或已被吊销。"), 401
    session_id, session = opened
    response = make_response(redirect(url_for(HOME_OF_ROLE.get(session["role"], "portal.home"))))
    response.set_cookie(
        SESSION_COOKIE, session_id, max_age=web_sessions.SESSION_HOURS * 3600,
        httponly=True, samesite="Strict", secure=request.is_secure,
    )  # fmt: skip
    return response


@portal.route("/logout", methods=["POST"])
def logout() -> Any:
    """End the session and forget the cookie."""
    session_id = request.cookies.get(SESSION_COOKIE)
    if session_id and len(session_id) < 100:
        web_sessions.logout(ctx(), session_id)
    response = make_response(redirect(url_for("portal.home")))
    response.delete_cookie(SESSION_COOKIE)
    return response
