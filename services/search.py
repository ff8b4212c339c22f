"""Practitioner search and the pools it reads: filters, sorts, paging and facet counts."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import neo4j

from graph import pools as pool_repo
from graph import search as repo
from graph import views
from graph.search import FILTER_FIELDS, SORTS, SearchFilters
from registry.errors import NotFound
from registry.taxonomy import POOL_CODES, POOLS
from services import pools, reference, search_index
from services.context import Context

__all__ = [
    "FILTER_FIELDS",
    "SORTS",
    "SearchFilters",
    "SearchPage",
    "filters_from",
    "pool_sizes",
    "run",
    "search",
]

# Query parameters holding reference codes, and the kind of code each holds.
CODE_FIELDS = {
    "region": "regions",
    "industry": "industries",
    "specialty": "specialties",
    "qualification": "qualifications",
}


@dataclass
class SearchPage:
    items: list[dict[str, Any]]  # practitioner views, in order
    total: int
    facets: dict[str, dict[str, int]] | None
    scores: dict[str, float]


def filters_from(
    ctx: Context, args: dict[str, Any], *, public_only: bool, audience: str | None = None, **overrides: Any
) -> SearchFilters:
    """Search filters from validated query arguments (codes checked against the reference data);
    `audience` (public, clients) keeps filters off the fields people hide from it."""
    reference.check_codes(ctx.graph, args, CODE_FIELDS)
    values = {key: args.get(key) for key in (*FILTER_FIELDS, "q")} | overrides
    return SearchFilters(**values, public_only=public_only, audience=audience)


def run(
    ctx: Context, filters: SearchFilters, *, page: int = 1, per_page: int = 20, sort: str = "level"
) -> SearchPage:
    """One page of practitioners matching `filters`, the total, and facet counts over all matches.

    Answered by the process's search index when it has one (with the page views it keeps, the rest read from the
    graph); otherwise, and as the reference the index is tested against, by the Cypher of graph/search.py.
    """
    index = search_index.of(ctx.graph)
    paging = {"today": ctx.today, "page": page, "per_page": per_page, "sort": sort}

    def work(tx: neo4j.ManagedTransaction) -> SearchPage:
        # The index answers in this transaction (its revision check, full text, the views it does not keep).
        if index is None:
            found = repo.search(tx, filters, **paging)
            by_id = views.practitioners(tx, found.ids, ctx.today)
        else:
            found = index.search(filters, **paging, tx=tx)
            by_id = index.views(tx, found.ids, ctx.today)
        page_views = views.in_order(by_id, found.ids)
        return SearchPage(page_views, found.total, found.facets, found.scores)

    if index is None:
        return ctx.graph.read(work)
    index.warm()
    return ctx.graph.read_leader(work)  # the index's revision check must see every write


def search(
    ctx: Context,
    args: dict[str, Any],
    *,
    public_only: bool,
    pool: str | None = None,
    audience: str | None = None,
) -> SearchPage:
    """The search for validated query arguments (filters, `q`, `sort`, `page`, `per_page`); within one
    pool when `pool` is given; only consenting practitioners when `public_only`; filters never match what
    people hide from `audience`."""
    if pool is not None and pool not in POOL_CODES:
        raise NotFound(f"No pool {pool!r}; pools are {', '.join(sorted(POOL_CODES))}.")
    overrides = {"pool": pool} if pool is not None else {}
    filters = filters_from(ctx, args, public_only=public_only, audience=audience, **overrides)
    return run(
        ctx,
        filters,
        page=args.get("page", 1),
        per_page=args.get("per_page", 20),
        sort=args.get("sort", "level"),
    )


def pool_sizes(ctx: Context) -> list[dict[str, Any]]:
    """Both pools with their current number of members (from the search index when the process has one)."""
    index = search_index.of(ctx.graph)
    if index is None:
        return ctx.graph.read(pool_repo.pool_sizes, ctx.today)
    members = index.pool_sizes(ctx.today)
    return [
        {"code": p.code, "name_zh": p.name_zh, "name_en": p.name_en, "levels": sorted(p.levels),
         "members": members[p.code]}
        for p in sorted(POOLS, key=lambda pool: pool.code, reverse=True)
    ]  # fmt: skip


def derive_missing_keys(ctx: Context, batch_size: int = 2000) -> int:
    """Derive pools and search keys for practitioners stored before search keys existed; the number done."""
    ids = ctx.graph.read(pool_repo.without_search_keys)
    for start in range(0, len(ids), batch_size):
        ctx.graph.write(pools.rederive, ids[start : start + batch_size], ctx.today)
    return len(ids)
