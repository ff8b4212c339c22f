"""How the registry's views are shown to each role: the one place that decides who sees what.

Personal data (`id_card_tail`, `phone`, `email`) goes to admin only; callers without a client-or-higher
key (the public, and practitioners outside their own `/me`) see masked names unless the person consented
to the public showcase.
"""

from __future__ import annotations

from typing import Any

from api.auth import CLIENT_PLUS, current_role
from api.schemas.practitioner import FULL, WITHOUT_PII
from registry.masking import mask_name


def practitioner(view: dict[str, Any], role: str | None = None) -> dict[str, Any]:
    """A practitioner as `role` (default: the caller's) may see them."""
    role = role or current_role()
    data = (FULL if role == "admin" else WITHOUT_PII).dump(view)
    if role not in CLIENT_PLUS and not view.get("public_profile"):
        data["name"] = mask_name(data["name"])
    return data


def practitioners(
    views: list[dict[str, Any]], scores: dict[str, float] | None = None
) -> list[dict[str, Any]]:
    """A page of practitioners for the caller, each with its relevance score when the search had one."""
    role = current_role()
    items = [practitioner(view, role) for view in views]
    if scores is not None:
        for item in items:
            item["score"] = scores.get(item["id"])
    return items


def sees_deleted() -> bool:
    """Whether the caller may see deleted practitioners (admins only)."""
    return current_role() == "admin"


def public_only() -> bool:
    """Whether the caller sees only practitioners who consented to the public showcase."""
    return current_role() not in CLIENT_PLUS
