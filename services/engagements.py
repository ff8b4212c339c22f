"""Engagements: a client's project and the practitioners who worked on it."""

from __future__ import annotations

import uuid
from typing import Any

import neo4j

from graph import engagements as repo
from graph import practitioners as practitioner_repo
from graph.records import found
from registry.engagements import engagement_problems, member_roles, site_visit_problems
from registry.errors import ValidationFailed
from services import audit, conflicts, reference
from services.context import Context, Page
from services.pools import rederive

CODE_FIELDS = {"industry": "industries", "region": "regions"}
AUDITED = ("title", "kind", "status", "start_on", "end_on", "outcome")


def _plain(data: dict[str, Any]) -> dict[str, Any]:
    """UUIDs as strings, the way the graph stores them; each member's roles, primary first (`role`)."""
    data = dict(data)
    for key in ("client_id", "provider_id", "practitioner_id"):
        if data.get(key) is not None:
            data[key] = str(data[key])
    if data.get("team") is not None:
        team = []
        for member in data["team"]:
            roles = member_roles(member.get("role"), member.get("roles"))
            team.append({"practitioner_id": str(member["practitioner_id"]), "role": roles[0], "roles": roles})
        data["team"] = team
    if data.get("acknowledged_conflicts") is not None:
        data["acknowledged_conflicts"] = {
            str(entry["practitioner_id"]): entry["reason"] for entry in data["acknowledged_conflicts"]
        }
    if data.get("site_visits") is not None:
        data["site_visits"] = [
            {**visit, "practitioner_id": str(visit["practitioner_id"])} for visit in data["site_visits"]
        ]
    return data


def _visit_regions(data: dict[str, Any]) -> dict[str, Any]:
    """The region codes of the site visits, for the reference check."""
    return {"site_visits": [visit["region"] for visit in data.get("site_visits") or []]}


def _audit_fields(view: dict[str, Any] | None) -> dict[str, Any] | None:
    if view is None:
        return None
    return {key: view.get(key) for key in AUDITED} | {
        "client_id": (view.get("client") or {}).get("id"),
        "industry": (view.get("industry") or {}).get("code"),
        "region": (view.get("region") or {}).get("code"),
        "provider_id": (view.get("provider") or {}).get("id"),
        "team": [f"{m['practitioner']['id']}:{'+'.join(m['roles'])}" for m in view.get("team") or []],
        "site_visits": [
            f"{v['practitioner']['id']}:{v['date']}:{v['region']['code']}"
            for v in view.get("site_visits") or []
        ],
    }


def _check_merged(current: dict[str, Any], changes: dict[str, Any]) -> None:
    merged = {**current, **changes}
    team = changes.get("team")
    if team is None:
        team = [{"practitioner_id": m["practitioner"]["id"]} for m in current.get("team") or []]
    visits = changes.get("site_visits")
    if visits is None:
        visits = [
            {"practitioner_id": v["practitioner"]["id"], "date": v["date"]} for v in current["site_visits"]
        ]
    start_on, end_on = merged.get("start_on"), merged.get("end_on")
    errors = engagement_problems(start_on, end_on, merged.get("status"), team)
    errors |= site_visit_problems(visits, [m["practitioner_id"] for m in team], start_on, end_on)
    if errors:
        raise ValidationFailed(errors)


def _check_team(
    tx: neo4j.ManagedTransaction,
    ctx: Context,
    engagement_id: str,
    data: dict[str, Any],
    current: dict[str, Any],
) -> None:
    """Refuse a team member conflicted with the client (409 with the paths) unless acknowledged; record the
    acknowledgements in the audit chain. Checked when the team, client, kind or start changes."""
    if not {"team", "client_id", "kind", "start_on"} & set(data):
        return
    team = data["team"] if "team" in data else [{"practitioner_id": i} for i in repo.team_ids(current)]
    engagement = {
        "id": engagement_id,
        "client_id": data.get("client_id") or (current.get("client") or {}).get("id"),
        "kind": data.get("kind") or current.get("kind"),
        "start_on": data.get("start_on") or current.get("start_on"),
        "team_ids": [member["practitioner_id"] for member in team or []],
    }
    acknowledged = conflicts.check_team(tx, ctx, engagement, data.get("acknowledged_conflicts") or {})
    if acknowledged:
        audit.record(
            tx, ctx, "engagement", engagement_id, "acknowledge_conflicts",
            after={"acknowledged": acknowledged}, subjects=[entry["practitioner_id"] for entry in acknowledged],
        )  # fmt: skip


def create(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    """Record an engagement with its client, industry, region and team."""
    data = _plain(data)
    reference.check_codes(ctx.graph, data, CODE_FIELDS)
    reference.check_codes(ctx.graph, _visit_regions(data), {"site_visits": "regions"})
    engagement_id = str(uuid.uuid4())

    def work(tx: neo4j.ManagedTransaction) -> dict[str, Any]:
        repo.check_references(tx, data)
        team = [member["practitioner_id"] for member in data.get("team") or []]
        practitioner_repo.lock(tx, team)
        _check_team(tx, ctx, engagement_id, data, {})
        repo.save(tx, engagement_id, data, new=True)
        rederive(tx, team, ctx.today)  # their industry experience now includes this one
        view = found(repo.view(tx, engagement_id), "engagement", engagement_id)
        audit.record(tx, ctx, "engagement", engagement_id, "create", after=_audit_fields(view), subjects=team)
        return view

    return ctx.graph.write(work)


def get(ctx: Context, engagement_id: str) -> dict[str, Any]:
    """One engagement with its team, or NotFound."""
    return found(ctx.graph.read(repo.view, engagement_id), "engagement", engagement_id)


def update(ctx: Context, engagement_id: str, data: dict[str, Any]) -> dict[str, Any]:
    """Apply a partial update (validated merged with what is stored); `team` replaces the whole team."""
    data = _plain(data)
    reference.check_codes(ctx.graph, data, CODE_FIELDS)
    reference.check_codes(ctx.graph, _visit_regions(data), {"site_visits": "regions"})

    def work(tx: neo4j.ManagedTransaction) -> dict[str, Any]:
        current = found(repo.view(tx, engagement_id), "engagement", engagement_id)
        _check_merged(current, data)
        repo.check_references(tx, data)
        members = repo.team_ids(current) + [m["practitioner_id"] for m in data.get("team") or []]
        practitioner_repo.lock(tx, members)
        _check_team(tx, ctx, engagement_id, data, current)
        repo.save(tx, engagement_id, data)
        rederive(tx, members, ctx.today)  # old and new members
        view = found(repo.view(tx, engagement_id), "engagement", engagement_id)
        audit.record(
            tx, ctx, "engagement", engagement_id, "update",
            before=_audit_fields(current), after=_audit_fields(view), subjects=members,
        )  # fmt: skip
        return view

    return ctx.graph.write(work)


def search(ctx: Context, filters: dict[str, Any], page: int, per_page: int) -> Page:
    """A page of engagements, newest first, by kind, status, client, practitioner, industry or region."""
    filters = _plain(filters)
    reference.check_codes(ctx.graph, filters, CODE_FIELDS)
    return Page.of(ctx.graph.read(repo.search, filters, page, per_page))
