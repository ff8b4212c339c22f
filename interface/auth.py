"""Who is calling, from the `X-API-Key` header: a role, and for some keys a binding.

Roles: admin, government and client (either optionally bound to one organization: a department publishes
its public-welfare activities, a client reads its own records), practitioner (bound to one person, for
self-service); no key is `public`. Keys are random tokens; only an HMAC of each is stored.
Each request looks its key up afresh (one read by the unique `ApiKey.hash`, about a millisecond), so a key
revoked by any process — `registry revoke-key`, a deletion request — is refused on the next request in every
worker: a per-process cache would keep it alive there until it expired.
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import g, request

from interface.context import ctx
from registry.errors import RegistryError
from services import keys
from services.keys import ROLES

__all__ = [
    "ADMIN",
    "CLIENT_PLUS",
    "PUBLIC",
    "ROLES",
    "Principal",
    "current_principal",
    "current_role",
    "require",
]

PUBLIC = "public"
CLIENT_PLUS: tuple[str, ...] = ("client", "government", "admin")
ADMIN: tuple[str, ...] = ("admin",)


class Unauthorized(RegistryError):
    status = 401
    title = "Unauthorized"
    slug = "unauthorized"


class Forbidden(RegistryError):
    status = 403
    title = "Forbidden"
    slug = "forbidden"


@dataclass(frozen=True)
class Principal:
    role: str
    prefix: str | None = None
    label: str | None = None
    practitioner_id: str | None = None  # a practitioner's own key
    organization_id: str | None = None  # a client or government key bound to its organization


ANONYMOUS = Principal(role=PUBLIC)


def _load(key: str) -> Principal | None:
    record = keys.principal_for(ctx(), key)
    return Principal(**record) if record else None


def current_principal() -> Principal:
    """The caller: role, key prefix and label, and the key's binding; 401 for a key that is not valid."""
    if "principal" in g:
        return g.principal
    key = request.headers.get("X-API-Key", "").strip()
    if not key:
        principal: Principal | None = ANONYMOUS
    else:
        principal = _load(key)
        if principal is None:
            raise Unauthorized("The API key is not valid.")
    g.principal = principal
    g.role = principal.role
    return principal


def current_role() -> str:
    """The caller's role; 401 for a key that is not (or no longer) valid."""
    return current_principal().role


def require(roles: tuple[str, ...]) -> Callable[[Callable[..., Any]], Callable[..., Any]]:
    """Decorate a resource method so only `roles` may call it (401 without a key, 403 with a lesser one).

    Put it outermost, above `accepts`/`returns`, so callers without the role learn that before validation.
    """

    def decorator(method: Callable[..., Any]) -> Callable[..., Any]:
        @functools.wraps(method)
        def wrapper(*args: Any, **kwargs: Any) -> Any:
            role = current_role()
            if role not in roles:
                if role == PUBLIC:
                    raise Unauthorized(f"This endpoint needs an API key with role {' or '.join(roles)}.")
                raise Forbidden(f"Role {role} may not do this; it needs {' or '.join(roles)}.")
            return method(*args, **kwargs)

        documented = getattr(method, "__apidoc__", {})
        # x-roles: who may call it (api/openapi.py documents the 401 and 403 from it).
        vendor = {**documented.get("vendor", {}), "x-roles": list(roles)}
        wrapper.__apidoc__ = {**documented, "security": "apikey", "vendor": vendor}  # type: ignore[attr-defined]
        return wrapper

    return decorator
