"""A practitioner's own record (self-service): their edits, their keys, and admin confirmation of their claims.

The person changes only `registry.self_service.SELF_EDITABLE_FIELDS`; the authority's fields are refused
before anything is read. An edit is one transaction: lock the person, check, write, re-derive (industries
feed the search keys), read the view back, record the audit entry.
"""

from __future__ import annotations

from typing import Any

import neo4j

from graph import activity_stats as activity_repo
from graph import practitioners as practitioner_repo
from graph import profiles as repo
from graph import views
from graph.links import replace_links
from graph.records import found
from graph.revision import stamp
from registry import public_welfare, visibility
from registry.errors import Conflict, NotFound, ValidationFailed
from registry.self_service import patch_problems, qualification_changes, qualification_problems
from services import audit, keys, reference
from services.context import Context
from services.pools import rederive
from services.practitioners import audit_fields

SELF_CODE_FIELDS = {
    "specialties": "specialties",
    "industries": "industries",
    "qualifications": "qualifications",
}
PROPERTY_FIELDS = ("bio", "phone", "email", "public_profile", "contact_for_activities")


def stored_visibility(settings: dict[str, str]) -> dict[str, Any]:
    """The node properties for a person's visibility choices: the choices and what each audience cannot see."""
    return {
        "visibility": visibility.encode(settings),
        "hidden_public": visibility.hidden_from(settings, visibility.PUBLIC),
        "hidden_clients": visibility.hidden_from(settings, visibility.CLIENTS),
    }


def _audit_view(view: dict[str, Any]) -> dict[str, Any]:
    fields = audit_fields(view) or {}
    fields["visibility"] = visibility.effective(view.get("visibility"))
    fields["contact_for_activities"] = view.get("contact_for_activities")
    fields["qualifications"] = [
        f"{q['code']}:{q.get('status', 'confirmed')}" for q in view.get("qualifications") or []
    ]
    return fields


def _active_view(tx: neo4j.ManagedTransaction, ctx: Context, practitioner_id: str) -> dict[str, Any]:
    view = found(views.practitioner(tx, practitioner_id, ctx.today), "practitioner", practitioner_id)
    if view["status"] == "deleted":
        raise Conflict(
            "This record is deleted; it can no longer be changed.", practitioner_id=practitioner_id
        )
    return view


def public_welfare_record(tx: neo4j.ManagedTransaction, practitioner_id: str) -> dict[str, Any]:
    """The person's public-welfare record: `{activities, hours, by_year}` of counted participation."""
    return public_welfare.record(activity_repo.record(tx, practitioner_id))


def public_welfare_of(ctx: Context, practitioner_id: str) -> dict[str, Any]:
    """The profile's `public_welfare` (shown as the person's `public_welfare` visibility allows)."""
    return ctx.graph.read(public_welfare_record, practitioner_id)


def _with_public_welfare(tx: neo4j.ManagedTransaction, view: dict[str, Any]) -> dict[str, Any]:
    return view | {"public_welfare": public_welfare_record(tx, view["id"])}


def get_own(ctx: Context, practitioner_id: str) -> dict[str, Any]:
    """The person's own view, as of today, with their public-welfare record."""

    def work(tx: neo4j.ManagedTransaction) -> dict[str, Any]:
        view = found(views.practitioner(tx, practitioner_id, ctx.today), "practitioner", practitioner_id)
        return _with_public_welfare(tx, view)

    return ctx.graph.read(work)


def update_own(ctx: Context, practitioner_id: str, data: dict[str, Any]) -> dict[str, Any]:
    """Apply the person's edit of their own record; claimed qualifications are stored as declared."""
    errors = patch_problems(data)
    if errors:
        raise ValidationFailed(errors, detail="These fields are not yours to change.")
    reference.check_codes(ctx.graph, data, SELF_CODE_FIELDS)

    def work(tx: neo4j.ManagedTransaction) -> dict[str, Any]:
        practitioner_repo.lock(tx, [practitioner_id])
        before = _active_view(tx, ctx, practitioner_id)
        claims = None
        if "qualifications" in data:
            claims = qualification_changes(
                repo.qualification_statuses(tx, practitioner_id), data["qualifications"] or []
            )
            if problems := qualification_problems(claims):
                raise ValidationFailed(problems)
        props = {key: data[key] for key in PROPERTY_FIELDS if key in data}
        if "visibility" in data:
            props |= stored_visibility({**before["visibility"], **data["visibility"]})
        repo.set_profile(tx, practitioner_id, props)
        if "specialties" in data:
            replace_links(tx, practitioner_repo.SET_SPECIALTIES, practitioner_id, data["specialties"])
        if "industries" in data:
            replace_links(tx, practitioner_repo.SET_INDUSTRIES, practitioner_id, data["industries"])
        if claims is not None:
            repo.withdraw_qualifications(tx, practitioner_id, list(claims.withdraw))
            repo.declare_qualifications(tx, practitioner_id, list(claims.declare), ctx.today)
        rederive(tx, [practitioner_id], ctx.today)
        view = found(views.practitioner(tx, practitioner_id, ctx.today), "practitioner", practitioner_id)
        audit.record(
            tx, ctx, "practitioner", practitioner_id, "self_update",
            before=_audit_view(before), after=_audit_view(view), subjects=[practitioner_id],
        )  # fmt: skip
        return _with_public_welfare(tx, view)

    return ctx.graph.write(work)


def confirm_qualification(ctx: Context, practitioner_id: str, code: str) -> dict[str, Any]:
    """An admin confirms a qualification the person claimed (idempotent for a confirmed one)."""

    def work(tx: neo4j.ManagedTransaction) -> dict[str, Any]:
        practitioner_repo.lock(tx, [practitioner_id])
        found(views.practitioner(tx, practitioner_id, ctx.today), "practitioner", practitioner_id)
        before = repo.confirm_qualification(tx, practitioner_id, code)
        if before is None:
            raise NotFound(f"Practitioner {practitioner_id} has no qualification {code!r}.")
        view = found(views.practitioner(tx, practitioner_id, ctx.today), "practitioner", practitioner_id)
        if before != "confirmed":
            stamp(tx, [practitioner_id])  # a confirmed qualification now earns match points (search index)
            audit.record(
                tx, ctx, "practitioner", practitioner_id, "confirm_qualification",
                before={"qualification": f"{code}:{before}"}, after={"qualification": f"{code}:confirmed"},
                subjects=[practitioner_id],
            )  # fmt: skip
        return view

    return ctx.graph.write(work)


def issue_key(ctx: Context, practitioner_id: str, label: str) -> dict[str, Any]:
    """A new key bound to the practitioner (admin): the key itself is in the answer, once."""
    view = found(
        ctx.graph.read(views.practitioner, practitioner_id, ctx.today), "practitioner", practitioner_id
    )
    if view["status"] == "deleted":
        raise Conflict("This practitioner is deleted; restore them before issuing a key.")
    key, record = keys.create(ctx, "practitioner", label, practitioner_id=practitioner_id)
    return {"key": key, **record}


def evaluations(ctx: Context, practitioner_id: str) -> list[dict[str, Any]]:
    """The evaluations of the person's work, newest first."""
    return ctx.graph.read(repo.evaluations_of, practitioner_id)
