"""How the registry's views are shown to each role: the one place that decides who sees what.

Every practitioner view passes through `registry.visibility.present`, the one rule: the person's per-field
visibility (public, clients, private) against the viewer's role; the person themself and admins see everything;
the ID card tail is for them only; callers without a client-or-higher key (the public, and practitioners
outside their own record) see masked names unless the person consented to the public showcase.
"""

from __future__ import annotations

import json
from datetime import UTC, datetime
from typing import Any

from interface.auth import CLIENT_PLUS, Forbidden, current_principal, current_role
from interface.schemas.draw import DrawSchema
from interface.schemas.practitioner import FULL, PRESENTED
from registry import visibility
from registry.draws import exclusions_by_rule
from registry.errors import NotFound
from services import draws

_DRAW = DrawSchema()


def _is_self(view: dict[str, Any]) -> bool:
    principal = current_principal()
    return principal.practitioner_id is not None and principal.practitioner_id == view.get("id")


def practitioner(
    view: dict[str, Any], role: str | None = None, *, is_self: bool | None = None
) -> dict[str, Any]:
    """A practitioner as `role` (default: the caller's) may see them; the caller's own record in full."""
    role = role or current_role()
    is_self = _is_self(view) if is_self is None else is_self
    shown = visibility.present(view, role, is_self)
    schema = FULL if visibility.sees_everything(role, is_self) else PRESENTED
    data = schema.dump(shown)
    for name in visibility.hidden_fields(view.get("visibility"), role, is_self):
        data.pop(name, None)  # computed fields (experience_years) follow the field they come from
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


def neighbourhood(drawing: dict[str, Any]) -> dict[str, Any]:
    """A neighbourhood drawing without the parts the person's settings hide from the caller."""
    settings = drawing.pop("visibility", None)
    person_id = drawing.pop("person_id", None)
    role = current_role()
    hidden = visibility.hidden_fields(settings, role, _is_self({"id": person_id}))
    edge_types = {"employer": "EMPLOYED_BY"}
    dropped_types = {edge_types[name] for name in hidden if name in edge_types}
    if not dropped_types:
        return drawing
    edges = [edge for edge in drawing["edges"] if edge["type"] not in dropped_types]
    linked = {edge["source"] for edge in edges} | {edge["target"] for edge in edges}
    me = f"Practitioner:{person_id}"
    nodes = [node for node in drawing["nodes"] if node["id"] in linked or node["id"] == me]
    return {**drawing, "nodes": nodes, "edges": edges}


def excluded(entries: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """Who a conflict check excluded, for the caller (registry.visibility.conflict_as_seen): a path step the
    caller may not see is `{type, hidden: true}`; `entry["visibility"]` holds the settings of every person on the
    entry's paths, by id (services/matching.py)."""
    role = current_role()
    if role == "admin":
        return [{key: value for key, value in entry.items() if key != "visibility"} for entry in entries]
    return [
        {
            **{key: value for key, value in entry.items() if key != "visibility"},
            "conflicts": [
                visibility.conflict_as_seen(c, entry, entry["visibility"], role) for c in entry["conflicts"]
            ],
        }
        for entry in entries
    ]


def sees_deleted() -> bool:
    """Whether the caller may see deleted practitioners (admins only)."""
    return current_role() == "admin"


def public_only() -> bool:
    """Whether the caller sees only practitioners who consented to the public showcase."""
    return current_role() not in CLIENT_PLUS


def check_sees_employer(view: dict[str, Any]) -> None:
    """Let the caller read the person's employment history only as their `employer` field's visibility allows:
    admins and the person always; without a client key, only a person on the showcase (404 otherwise, as the
    profile); a 403 when the person keeps their employer hidden from the caller's role."""
    role = current_role()
    is_self = _is_self(view)
    if visibility.sees_everything(role, is_self):
        return
    if public_only() and (view.get("status") != "active" or not view.get("public_profile")):
        raise NotFound(f"No practitioner with id {view.get('id')}.")
    if "employer" in visibility.hidden_fields(view.get("visibility"), role, is_self):
        raise Forbidden(
            "This person keeps their employer hidden from your role, and so their employment history."
        )


def search_audience() -> str | None:
    """The visibility audience a search runs for: `public`, `clients`, or None (admin: everything)."""
    role = current_role()
    if role == "admin":
        return None
    return visibility.CLIENTS if role in CLIENT_PLUS else visibility.PUBLIC


def draw(view: dict[str, Any], role: str, now: datetime | None = None) -> dict[str, Any]:
    """The draw as `role` may see it: names hidden from non-admins until disclosed; exclusions and events admin-only."""
    now = now or datetime.now(UTC)
    admin = role == "admin"
    hidden = not admin and not view.get("disclosed")
    rotation = view.get("rotation") or {}  # a verification review's warnings (services/draws.get)

    def seat(row: dict[str, Any]) -> dict[str, Any]:
        person = row.get("practitioner") or {}
        deadline = row.get("deadline")
        return {
            "practitioner": None if hidden else {"id": person.get("id"), "name": person.get("name")},
            "order": row.get("order"),
            "status": row.get("status"),
            "role": row.get("role"),
            "via": row.get("via"),
            "replaces": None if hidden else row.get("replaces"),
            "invited_at": row.get("invited_at"),
            "deadline": deadline,
            "overdue": row.get("status") == "invited" and deadline is not None and deadline < now,
            "reason": row.get("reason") if admin else None,
            "rotation": None if hidden else rotation.get(person.get("id")),
        }

    seats = view.get("seats") or []
    excluded = [
        {
            "practitioner_id": x["practitioner_id"],
            "rule": x["rule"],
            "detail": x["detail"],
            "stage": x.get("stage"),
            "path": json.loads(x["path"]) if x.get("path") else None,  # sealed as JSON text
        }
        for x in view.get("excluded") or []
    ]
    by_rule = exclusions_by_rule(draws.exclusion_rows(view))
    shaped = {
        **{k: view.get(k) for k in _DRAW.fields if k in view and k not in ("reserves", "excluded", "events")},
        "reserve_count": view.get("reserves"),
        "names_hidden": hidden,
        "panel": [seat(s) for s in seats if s.get("role") == "panel"],
        "reserves": [seat(s) for s in seats if s.get("role") == "reserve"],
        "accepted": sum(1 for s in seats if s.get("role") == "panel" and s.get("status") == "accepted"),
        "excluded": excluded if admin else [],
        "exclusions_by_rule": by_rule,
        "rules": {
            "window_years": view.get("window_years"),
            "draw_cap": view.get("draw_cap"),
            "response_hours": view.get("response_hours"),
        },
        "events": (view.get("events") or []) if admin else [],
    }
    return _DRAW.dump(shaped)
