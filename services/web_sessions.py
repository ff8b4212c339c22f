"""Portal logins: an API key is exchanged for a server-side session that expires."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

from graph import web_sessions as repo
from services import keys
from services.context import Context

SESSION_HOURS = 8  # a working day; the session then has to be opened again


def _hash(ctx: Context, session_id: str) -> str:
    return hmac.new(
        ctx.settings.api_key_key, b"web-session:" + session_id.encode(), hashlib.sha256
    ).hexdigest()


def login(ctx: Context, key: str) -> tuple[str, dict[str, Any]] | None:
    """A new session id and its session for a valid API key, or None (the key is not valid)."""
    principal = keys.principal_for(ctx, key)
    if principal is None:
        return None
    session_id = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(24)
    expires_at = datetime.now(UTC) + timedelta(hours=SESSION_HOURS)
    ctx.graph.write(repo.create, _hash(ctx, session_id), principal, csrf, expires_at)
    return session_id, {**principal, "key_prefix": principal.get("prefix"), "csrf": csrf}


def session(ctx: Context, session_id: str) -> dict[str, Any] | None:
    """The live session for this id, or None (unknown, ended or expired)."""
    return ctx.graph.read(repo.find, _hash(ctx, session_id), datetime.now(UTC))


def logout(ctx: Context, session_id: str) -> None:
    """End the session."""
    ctx.graph.write(repo.end, _hash(ctx, session_id))
