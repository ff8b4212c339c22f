"""Matching: a ranked shortlist of practitioners for a client's job, with checkable reasons."""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

import neo4j

from graph import matching as repo
from graph import profiles, views
from registry import visibility
from registry.conflicts import VERIFICATION_JOBS
from registry.matching import Candidate, MatchRequest, Scored, rank
from services import conflicts, credit, independence, reference, search_index
from services.context import Context


@dataclass
class MatchResult:
    ranked: list[tuple[Scored, dict[str, Any]]]  # (score, practitioner view) for the top `limit`
    total: int  # candidates that passed the hard filters and the conflict check
    excluded: list[dict[str, Any]]  # who the conflict check removed, and why
    rotation: dict[str, dict[str, Any]] = field(default_factory=dict)  # ranked id → rotation warning


def _rotation(
    tx: neo4j.ManagedTransaction, ctx: Context, request: MatchRequest, ids: list[str]
) -> dict[str, dict[str, Any]]:
    """For verification work for a known client: each ranked person's run of consecutive years verifying it
    (their own or their employer's), as the caller may see it (services/independence.py)."""
    if request.work_type not in VERIFICATION_JOBS or not request.conflict_org_id or not ids:
        return {}
    role = ctx.actor.role or visibility.PUBLIC_ROLE
    return independence.warnings(tx, request.conflict_org_id, ids, ctx.today, role)


def _as_seen_by(tx: neo4j.ManagedTransaction, found: list[Candidate], role: str) -> list[Candidate]:
    """Candidates without the facts their owners hide from this viewer: a hidden field earns no points and
    gives no reason (registry/visibility.py)."""
    if role == "admin" or not found:
        return found
    stored = profiles.visibility_of(tx, [candidate.id for candidate in found])
    seen = []
    for candidate in found:
        blanked = visibility.visible_facts(visibility.decode(stored.get(candidate.id)), role)
        seen.append(replace(candidate, **blanked) if blanked else candidate)
    return seen


def _with_visibility(tx: neo4j.ManagedTransaction, excluded: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The excluded people, each with the visibility settings of everyone on its conflicts' paths, by id: the
    presenter hides what a conflict rests on when its owner keeps it from the caller (a private employer)."""
    people = {entry["id"] for entry in excluded} | {
        node["id"]
        for entry in excluded
        for conflict in entry["conflicts"]
        for step in conflict.get("path") or []
        for node in (step["from"], step["to"])
        if node.get("type") == "Practitioner" and node.get("id")
    }
    stored = profiles.visibility_of(tx, sorted(people)) if people else {}
    settings = {person: visibility.decode(value) for person, value in stored.items()}
    return [{**entry, "visibility": settings} for entry in excluded]


def match(ctx: Context, request: MatchRequest) -> MatchResult:
    """Rank the practitioners who can take on `request`, excluding conflicted ones, as the caller may see them.

    Answered by the process's search index when it has one (the conflict check still reads the graph, and so do
    the shortlisted people's views the index does not keep); otherwise, and as the reference the index is tested
    against, by the Cypher of graph/matching.py.
    """
    reference.check_codes(ctx.graph, vars(request), {"industry": "industries", "region": "regions"})
    index = search_index.of(ctx.graph)
    if index is None:
        return match_in_graph(ctx, request)
    factor = credit.rules(ctx).factor

    def work(tx: neo4j.ManagedTransaction) -> MatchResult:
        found = index.match(
            request, ctx.today, conflicts.rules_of(ctx),
            audience=visibility.audience_of(ctx.actor.role or visibility.PUBLIC_ROLE),
            factor=factor, tx=tx,
        )  # fmt: skip
        ids = [s.candidate.id for s in found.ranked]
        return MatchResult(
            [(s, found.views[s.candidate.id]) for s in found.ranked],
            found.total,
            _with_visibility(tx, found.excluded),
            _rotation(tx, ctx, request, ids),
        )

    index.warm()
    return ctx.graph.read_leader(work)  # the index's revision check must see every write


def match_in_graph(ctx: Context, request: MatchRequest) -> MatchResult:
    """`match` answered by Cypher alone (graph/matching.py): the reference for the search index."""

    def work(tx: neo4j.ManagedTransaction) -> MatchResult:
        conflicted: dict[str, dict[str, Any]] = {}
        if request.conflict_org_id:
            conflicted = conflicts.for_match(
                tx, request.conflict_org_id, ctx.today, conflicts.rules_of(ctx), request.work_type
            )
        everyone = repo.candidates(tx, request, ctx.today)
        excluded = sorted((conflicted[c.id] for c in everyone if c.id in conflicted), key=lambda e: e["id"])
        found = [c for c in everyone if c.id not in conflicted]
        found = _as_seen_by(tx, found, ctx.actor.role or visibility.PUBLIC_ROLE)
        top = rank(found, request, ctx.today, credit.rules(ctx).factor)[: request.limit]
        ids = [scored.candidate.id for scored in top]
        page_views = views.practitioners(tx, ids, ctx.today)
        ranked = [(s, page_views[s.candidate.id]) for s in top]
        rotation = _rotation(tx, ctx, request, ids)
        return MatchResult(ranked, len(found), _with_visibility(tx, excluded), rotation)

    return ctx.graph.read(work)
