"""Matching: a ranked shortlist of practitioners for a client's job, with checkable reasons."""

from __future__ import annotations

from dataclasses import dataclass, replace
from typing import Any

import neo4j

from graph import matching as repo
from graph import profiles, views
from registry import visibility
from registry.matching import Candidate, MatchRequest, Scored, rank
from services import credit, reference, search_index
from services.context import Context

# The index scores /match exactly as registry.matching did before evaluations (#12), declared conflicts (#13),
# confirmed-only qualifications and field visibility were added to the Cypher reference; until the index holds
# those too (services/search_index/matching.py), /match answers from the Cypher path so it never disagrees.
MATCH_FROM_INDEX = False


@dataclass
class MatchResult:
    ranked: list[tuple[Scored, dict[str, Any]]]  # (score, practitioner view) for the top `limit`
    total: int  # candidates that passed the hard filters and the conflict check
    excluded: list[dict[str, Any]]  # who the conflict check removed, and why


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


def match(ctx: Context, request: MatchRequest) -> MatchResult:
    """Rank the practitioners who can take on `request`, excluding conflicted ones."""
    reference.check_codes(ctx.graph, vars(request), {"industry": "industries", "region": "regions"})
    index = search_index.of(ctx.graph) if MATCH_FROM_INDEX else None
    if index is not None:
        # Candidates and scores from the search index; the conflict check and the views from the graph.
        start = repo.window_start(ctx.today, ctx.settings.conflict_window_years)
        top, total, excluded = index.match(request, ctx.today, start)
        ids = [scored.candidate.id for scored in top]
        page_views = ctx.graph.read(views.practitioners, ids, ctx.today)
        return MatchResult([(s, page_views[s.candidate.id]) for s in top if s.candidate.id in page_views],
                           total, excluded)  # fmt: skip

    def work(tx: neo4j.ManagedTransaction) -> MatchResult:
        found, excluded = repo.candidates(tx, request, ctx.today, ctx.settings.conflict_window_years)
        found = _as_seen_by(tx, found, ctx.actor.role or "public")
        top = rank(found, request, ctx.today, credit.rules(ctx).factor)[: request.limit]
        ids = [scored.candidate.id for scored in top]
        page_views = views.practitioners(tx, ids, ctx.today)
        return MatchResult([(s, page_views[s.candidate.id]) for s in top], len(found), excluded)

    return ctx.graph.read(work)
