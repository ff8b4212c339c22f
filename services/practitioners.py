"""Practitioners: register, read, edit, soft-delete, and what hangs off one person."""

from __future__ import annotations

import uuid
from typing import Any, overload

import neo4j

from graph import engagements as engagement_repo
from graph import organizations as organization_repo
from graph import practitioners as repo
from graph import views
from graph.neighbourhood import neighbourhood as neighbourhood_of
from graph.records import found
from registry.errors import NotFound, ValidationFailed
from registry.identifiers import id_card_hash, id_card_tail
from services import audit, reference
from services.context import Context
from services.pools import rederive

# Request fields holding reference codes, and the kind of code each holds.
CODE_FIELDS = {
    "region": "regions",
    "specialties": "specialties",
    "qualifications": "qualifications",
    "industries": "industries",
}


def with_hashed_id_card(data: dict[str, Any], key: bytes) -> dict[str, Any]:
    """`data` with `id_card` replaced by its keyed hash and last 4 characters (the number is never stored)."""
    data = dict(data)
    if "id_card" in data:
        id_card = data.pop("id_card")
        data["id_card_hash"] = id_card_hash(id_card, key)
        data["id_card_tail"] = id_card_tail(id_card)
    if data.get("employer_id") is not None:
        data["employer_id"] = str(data["employer_id"])
    return data


@overload
def audit_fields(view: dict[str, Any]) -> dict[str, Any]: ...
@overload
def audit_fields(view: None) -> None: ...


def audit_fields(view: dict[str, Any] | None) -> dict[str, Any] | None:
    """A view flattened to the fields the audit trail compares (links by code or id)."""
    if view is None:
        return None
    fields = {
        key: view.get(key)
        for key in (
            "name", "gender", "education", "enrolled", "work_start_year", "status", "public_profile",
            "bio", "phone", "email", "id_card_tail",
        )
    }  # fmt: skip
    fields["region"] = (view.get("region") or {}).get("code")
    fields["employer_id"] = (view.get("employer") or {}).get("id")
    for key in ("specialties", "industries", "qualifications"):
        fields[key] = [item["code"] for item in view.get(key) or []]
    return fields


def _check_employer(tx: neo4j.ManagedTransaction, employer_id: str | None) -> None:
    if employer_id is not None and not organization_repo.exists(tx, employer_id):
        raise ValidationFailed({"employer_id": [f"No organization with id {employer_id}."]})


def register(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    """Register a practitioner; 409 when the ID card is registered already. Pools follow at once."""
    reference.check_codes(ctx.graph, data, CODE_FIELDS)
    data = with_hashed_id_card(data, ctx.settings.id_card_key)
    practitioner_id = str(uuid.uuid4())

    def work(tx: neo4j.ManagedTransaction) -> dict[str, Any]:
        repo.check_unique_id_card(tx, practitioner_id, data["id_card_hash"])
        _check_employer(tx, data.get("employer_id"))
        repo.create(tx, practitioner_id, data, ctx.today)
        rederive(tx, [practitioner_id], ctx.today)
        view = found(views.practitioner(tx, practitioner_id, ctx.today), "practitioner", practitioner_id)
        audit.record(
            tx, ctx, "practitioner", practitioner_id, "register",
            after=audit_fields(view), subjects=[practitioner_id],
        )  # fmt: skip
        return view

    return ctx.graph.write(work)


def get(ctx: Context, practitioner_id: str, *, include_deleted: bool = True) -> dict[str, Any]:
    """One practitioner's view as of today; NotFound when unknown (or deleted, unless included)."""
    view = found(
        ctx.graph.read(views.practitioner, practitioner_id, ctx.today), "practitioner", practitioner_id
    )
    if view["status"] == "deleted" and not include_deleted:
        raise NotFound(f"No practitioner with id {practitioner_id}.")
    return view


def update(ctx: Context, practitioner_id: str, data: dict[str, Any]) -> dict[str, Any]:
    """Apply a partial update; lists replace, a new employer closes the previous employment."""
    reference.check_codes(ctx.graph, data, CODE_FIELDS)
    data = with_hashed_id_card(data, ctx.settings.id_card_key)

    def work(tx: neo4j.ManagedTransaction) -> dict[str, Any]:
        repo.lock(tx, [practitioner_id])
        before = found(views.practitioner(tx, practitioner_id, ctx.today), "practitioner", practitioner_id)
        repo.check_unique_id_card(tx, practitioner_id, data.get("id_card_hash"))
        _check_employer(tx, data.get("employer_id"))
        repo.update(tx, practitioner_id, data, ctx.today)
        rederive(tx, [practitioner_id], ctx.today)  # status, region or industries may have changed
        view = found(views.practitioner(tx, practitioner_id, ctx.today), "practitioner", practitioner_id)
        after = audit_fields(view)
        if "id_card_hash" in data and data["id_card_hash"] is not None:
            after = {**after, "id_card": "new"}  # the number is never kept; say that it changed
        audit.record(
            tx, ctx, "practitioner", practitioner_id, "update",
            before=audit_fields(before), after=after, subjects=[practitioner_id],
        )  # fmt: skip
        return view

    return ctx.graph.write(work)


def soft_delete(ctx: Context, practitioner_id: str) -> dict[str, Any]:
    """Mark a practitioner deleted (history and certificates stay) and end their pool memberships."""

    def work(tx: neo4j.ManagedTransaction) -> dict[str, Any]:
        repo.lock(tx, [practitioner_id])
        before = found(views.practitioner(tx, practitioner_id, ctx.today), "practitioner", practitioner_id)
        repo.soft_delete(tx, practitioner_id)
        rederive(tx, [practitioner_id], ctx.today)
        view = found(views.practitioner(tx, practitioner_id, ctx.today), "practitioner", practitioner_id)
        audit.record(
            tx, ctx, "practitioner", practitioner_id, "delete",
            before=audit_fields(before), after=audit_fields(view), subjects=[practitioner_id],
        )  # fmt: skip
        return view

    return ctx.graph.write(work)


def certificates(ctx: Context, practitioner_id: str, *, include_deleted: bool) -> list[dict[str, Any]]:
    """A practitioner's certificates with their status today."""
    return get(ctx, practitioner_id, include_deleted=include_deleted)["certificates"]


def engagements(
    ctx: Context, practitioner_id: str, page: int, per_page: int, *, include_deleted: bool
) -> tuple[list[dict[str, Any]], int]:
    """The engagements a practitioner worked on, newest first; deleted colleagues only when included."""

    def work(tx: neo4j.ManagedTransaction) -> tuple[list[dict[str, Any]], int]:
        view = found(views.practitioner(tx, practitioner_id, ctx.today), "practitioner", practitioner_id)
        if view["status"] == "deleted" and not include_deleted:
            raise NotFound(f"No practitioner with id {practitioner_id}.")
        return engagement_repo.search(tx, {"practitioner_id": practitioner_id}, page, per_page)

    items, total = ctx.graph.read(work)
    if not include_deleted:  # a deleted colleague stays in the history, but only admins see them
        items = [
            {
                **e,
                "team": [m for m in e["team"] if m["practitioner"]["status"] != "deleted"],
                "site_visits": [v for v in e["site_visits"] if v["practitioner"]["status"] != "deleted"],
            }
            for e in items
        ]
    return items, total


def neighbourhood(ctx: Context, practitioner_id: str) -> dict[str, Any]:
    """{nodes, edges} around one practitioner, bounded in size."""
    return found(
        ctx.graph.read(neighbourhood_of, practitioner_id, ctx.today), "practitioner", practitioner_id
    )
