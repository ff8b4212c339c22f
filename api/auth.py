"""Roles from the `X-API-Key` header: admin, government, client; no key is `public`.

Keys are random tokens; only an HMAC of each (keyed by REGISTRY_SECRET_KEY) is stored. Lookups are cached
briefly per process so a request costs no extra round trip to Neo4j; a revoked key stops working within
`CACHE_SECONDS`.
"""

from __future__ import annotations

import functools
import hashlib
import hmac
import secrets
import threading
import time
from collections.abc import Callable
from typing import Any

from flask import g, request

from api import get_graph, get_settings
from graph import api_keys
from registry.errors import RegistryError

ROLES: tuple[str, ...] = ("admin", "government", "client")
PUBLIC = "public"
CLIENT_PLUS: tuple[str, ...] = ("client", "government", "admin")
ADMIN: tuple[str, ...] = ("admin",)
KEY_PREFIX = "cmr_"
CACHE_SECONDS = 30.0


class Unauthorized(RegistryError):
    status = 401
    title = "Unauthorized"
    slug = "unauthorized"


class Forbidden(RegistryError):
    status = 403
    title = "Forbidden"
    slug = "forbidden"


def hash_key(key: str, secret: bytes) -> str:
    """The stored form of an API key."""
    return hmac.new(secret, key.encode(), hashlib.sha256).hexdigest()


def new_key() -> str:
    """A fresh random API key."""
    return KEY_PREFIX + secrets.token_urlsafe(32)


class _RoleCache:
    def __init__(self) -> None:
        self._entries: dict[str, tuple[float, str | None]] = {}
        self._lock = threading.Lock()

    def get(self, key_hash: str, load: Callable[[str], str | None]) -> str | None:
        now = time.monotonic()
        with self._lock:
            entry = self._entries.get(key_hash)
        if entry and now - entry[0] < CACHE_SECONDS:
            return entry[1]
        role = load(key_hash)
        with self._lock:
            if len(self._entries) > 10_000:  # unknown keys must not grow the cache without bound
                self._entries.clear()
            self._entries[key_hash] = (now, role)
        return role

    def clear(self) -> None:
        with self._lock:
            self._entries.clear()


role_cache = _RoleCache()


def current_role() -> str:
    """The caller's role; 401 for a key that is not (or no longer) valid."""
    if "role" in g:
        return g.role
    key = request.headers.get("X-API-Key", "").strip()
    if not key:
        g.role = PUBLIC
        return g.role
    role = role_cache.get(
        hash_key(key, get_settings().api_key_key), lambda h: api_keys.role_for_hash(get_graph(), h)
    )
    if role is None:
        raise Unauthorized("The API key is not valid.")
    g.role = role
    return role


def require(roles: tuple[str, ...]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorate a resource method so only `roles` may call it (401 without a key, 403 with a lesser one)."""

    def decorator(method: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(method)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            role = current_role()
            if role not in roles:
                if role == PUBLIC:
                    raise Unauthorized(f"This endpoint needs an API key with role {' or '.join(roles)}.")
                raise Forbidden(f"Role {role} may not do this; it needs {' or '.join(roles)}.")
            return method(*args, **kwargs)

        wrapper.__apidoc__ = {**getattr(method, "__apidoc__", {}), "security": "apikey"}  # type: ignore[attr-defined]
        return wrapper

    return decorator
