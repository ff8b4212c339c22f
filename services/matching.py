"""Matching: a ranked shortlist of practitioners for a client's job, with checkable reasons."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import neo4j

from graph import matching as repo
from graph import views
from registry.matching import MatchRequest, Scored, rank
from services import reference, search_index
from services.context import Context


@dataclass
class MatchResult:
    ranked: list[tuple[Scored, dict[str, Any]]]  # (score, practitioner view) for the top `limit`
    total: int  # candidates that passed the hard filters and the conflict check
    excluded: list[dict[str, Any]]  # who the conflict check removed, and why


def match(ctx: Context, request: MatchRequest) -> MatchResult:
    """Rank the practitioners who can take on `request`, excluding conflicted ones."""
    reference.check_codes(ctx.graph, vars(request), {"industry": "industries", "region": "regions"})
    index = search_index.of(ctx.graph)
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
        top = rank(found, request, ctx.today)[: request.limit]
        ids = [scored.candidate.id for scored in top]
        page_views = views.practitioners(tx, ids, ctx.today)
        return MatchResult([(s, page_views[s.candidate.id]) for s in top], len(found), excluded)

    return ctx.graph.read(work)
