"""Organizations: employers, clients, verification bodies, training bases, issuers."""

from __future__ import annotations

import uuid
from typing import Any

import neo4j

from graph import organizations as repo
from graph.records import found
from graph.revision import stamp
from registry.key_emitters import listed_years_for
from services import audit, reference
from services.context import Context, Page

CODE_FIELDS = {"region": "regions", "industry": "industries"}
AUDITED = ("name", "kind", "uscc", "key_emitter", "listed_years")
SHOWN_AS_EMPLOYER = ("name", "kind")  # what a practitioner's view shows of their employer


def _audit_fields(view: dict[str, Any]) -> dict[str, Any]:
    return {key: view.get(key) for key in AUDITED} | {
        "region": (view.get("region") or {}).get("code"),
        "industries": [i["code"] for i in view.get("industries") or []],
    }


def _key_emitter_fields(
    ctx: Context, data: dict[str, Any], before: dict[str, Any] | None = None
) -> dict[str, Any]:
    """`key_emitter` and `listed_years` made to agree (registry.key_emitters), when either is given."""
    if "key_emitter" not in data and "listed_years" not in data:
        return data
    flag, years = data.get("key_emitter"), data.get("listed_years")
    if "listed_years" not in data and before is not None and flag:
        years = before.get("listed_years")  # PATCH key_emitter: true keeps the years already listed
    years = listed_years_for(flag, years, ctx.today.year)
    return {**data, "key_emitter": bool(years), "listed_years": years}


def create(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    """Register an organization; 409 when its USCC is taken."""
    reference.check_codes(ctx.graph, data, CODE_FIELDS)
    data = _key_emitter_fields(ctx, data)
    organization_id = str(uuid.uuid4())

    def work(tx: neo4j.ManagedTransaction) -> dict[str, Any]:
        repo.check_unique_uscc(tx, organization_id, data.get("uscc"))
        repo.save(tx, organization_id, data, new=True)
        view = found(repo.view(tx, organization_id), "organization", organization_id)
        audit.record(tx, ctx, "organization", organization_id, "create", after=_audit_fields(view))
        return view

    return ctx.graph.write(work)


def get(ctx: Context, organization_id: str) -> dict[str, Any]:
    """One organization, or NotFound."""
    return found(ctx.graph.read(repo.view, organization_id), "organization", organization_id)


def update(ctx: Context, organization_id: str, data: dict[str, Any]) -> dict[str, Any]:
    """Apply a partial update."""
    reference.check_codes(ctx.graph, data, CODE_FIELDS)

    def work(tx: neo4j.ManagedTransaction) -> dict[str, Any]:
        before = found(repo.view(tx, organization_id), "organization", organization_id)
        repo.check_unique_uscc(tx, organization_id, data.get("uscc"))
        repo.save(tx, organization_id, _key_emitter_fields(ctx, data, before))
        view = found(repo.view(tx, organization_id), "organization", organization_id)
        if any(before.get(key) != view.get(key) for key in SHOWN_AS_EMPLOYER):
            stamp(tx, repo.current_employees(tx, organization_id))  # the page views kept by search indexes
        audit.record(
            tx, ctx, "organization", organization_id, "update",
            before=_audit_fields(before), after=_audit_fields(view),
        )  # fmt: skip
        return view

    return ctx.graph.write(work)


def search(ctx: Context, filters: dict[str, Any], page: int, per_page: int) -> Page:
    """A page of organizations by name, kind, region and industry."""
    reference.check_codes(ctx.graph, filters, CODE_FIELDS)
    return Page.of(ctx.graph.read(repo.search, filters, page, per_page))
