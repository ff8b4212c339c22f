"""Portal logins: an API key is exchanged for a server-side session that expires."""

from __future__ import annotations

import hashlib
import hmac
import secrets
from datetime import UTC, datetime, timedelta
from typing import Any

import neo4j

from graph import api_keys as key_repo
from graph import web_sessions as repo
from services import keys
from services.context import Context

SESSION_HOURS = 8  # a working day; the session then has to be opened again


def _hash(ctx: Context, session_id: str) -> str:
    return hmac.new(
        ctx.settings.api_key_key, b"web-session:" + session_id.encode(), hashlib.sha256
    ).hexdigest()


def login(ctx: Context, key: str) -> tuple[str, dict[str, Any]] | None:
    """A new session id and its session for a valid API key, or None (the key is not valid).

    The session is tied to the key: revoking the key ends it (services/keys.py, services/personal_data.py)."""
    key_hash = keys.hash_key(key, ctx.settings.api_key_key)
    session_id = secrets.token_urlsafe(32)
    csrf = secrets.token_urlsafe(24)
    expires_at = datetime.now(UTC) + timedelta(hours=SESSION_HOURS)

    def work(tx: neo4j.ManagedTransaction) -> dict[str, Any] | None:
        principal = key_repo.key_for_hash(tx, key_hash)
        if principal is not None:
            repo.create(tx, _hash(ctx, session_id), key_hash, principal, csrf, expires_at)
        return principal

    principal = ctx.graph.write(work)
    if principal is None:
        return None
    return session_id, {**principal, "key_prefix": principal.get("prefix"), "csrf": csrf}


def session(ctx: Context, session_id: str) -> dict[str, Any] | None:
    """The live session for this id, or None (unknown, ended, expired, or its key revoked)."""
    return ctx.graph.read(repo.find, _hash(ctx, session_id), datetime.now(UTC))


def logout(ctx: Context, session_id: str) -> None:
    """End the session."""
    ctx.graph.write(repo.end, _hash(ctx, session_id))
