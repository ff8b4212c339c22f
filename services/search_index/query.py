"""Search over the index: the filters, sorts, paging and facets of graph/search.py, answered with numpy.

Each rule below restates one line of graph/search.py (the reference): the tests run both on the same graph and
require the same ids in the same order, the same total and the same facet counts.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

import numpy as np

from graph.search import SearchFilters
from services.search_index.columns import (
    LEVEL_RANKS,
    NO_EVALUATION,
    NO_LEVEL,
    POOL_CODES,
    POOL_INDEX,
    WORK_TYPE_CODES,
    WORK_TYPE_INDEX,
    bits,
    hidden_bit,
)
from services.search_index.store import Store

FACET_DIMENSIONS = ("work_type", "level", "pool", "region", "industry")


@dataclass
class Hits:
    ids: list[str]  # the page, in order
    total: int
    facets: dict[str, dict[str, int]] | None
    scores: dict[str, float]


def certificate_bits(filters: SearchFilters, skip: str | None = None) -> int:
    """The (work type, level) bits a valid certificate must have: search.py's `_certificate_condition`."""
    work_types = [filters.work_type] if filters.work_type and skip != "work_type" else WORK_TYPE_CODES
    levels = [filters.level] if filters.level and skip != "level" else LEVEL_RANKS
    if filters.min_level:
        levels = [level for level in levels if level <= filters.min_level]
    return bits([w for w in work_types if w in WORK_TYPE_INDEX], [lv for lv in levels if lv in LEVEL_RANKS])


def _rows_with(entries, code: int, size: int) -> np.ndarray:
    mask = np.zeros(size, dtype=bool)
    if code > 0:
        mask[entries.rows[entries.code == code]] = True
    return mask


def hides(store: Store, audience: str | None, field: str, rows: np.ndarray | None = None) -> np.ndarray:
    """Per row (every row, or these `rows`): whether the person hides `field` from `audience` (never, for an
    admin's search: None)."""
    hidden = store.hidden[: store.size] if rows is None else store.hidden[rows]
    if audience is None:
        return np.zeros(len(hidden), dtype=bool)
    return (hidden & hidden_bit(audience, field)) != 0


def evaluation_means(store: Store, work_type: str | None) -> np.ndarray:
    """Per row: search.py's EVALUATION_MEAN, the mean in `work_type` (over every work type when None), -1 for
    nobody evaluated."""
    n = store.size
    if work_type is None:
        return store.evaluation_mean[:n]
    means = np.full(n, NO_EVALUATION)
    e = store.evaluations
    chosen = e.kind == WORK_TYPE_INDEX.get(work_type, -1)
    means[e.rows[chosen]] = e.mean[chosen]
    means[0] = NO_EVALUATION  # where detached entries point
    return means


def _names_contain(store: Store, rows: np.ndarray, words: list[str]) -> np.ndarray:
    """Per row: whether the name contains every word, ignoring case (search.py's `$name_words` rule)."""
    names = [
        None if store.no_name[row] else bytes(store.names[row]).decode().lower() for row in rows.tolist()
    ]
    return np.array([name is not None and all(w in name for w in words) for name in names], dtype=bool)


def matching_rows(store: Store, filters: SearchFilters, candidates: np.ndarray | None = None) -> np.ndarray:
    """A boolean mask over rows: who passes every filter (search.py's `where_clauses` and, for an audience,
    its `visibility_clauses`: a filter never matches a field the person hides from whoever searches)."""
    n = store.size
    audience = filters.audience
    mask = store.active[:n].copy()
    if candidates is not None:
        found = np.zeros(n, dtype=bool)
        found[candidates] = True
        mask &= found
        if filters.q and audience is not None:
            # With the bio hidden, only the name may match the words.
            hiding = candidates[hides(store, audience, "bio")[candidates]]
            words = [word.lower() for word in filters.q.split()]
            mask[hiding[~_names_contain(store, hiding, words)]] = False
    if filters.public_only:
        mask &= store.public[:n]
    if filters.work_type or filters.level or filters.min_level:
        mask &= (store.cert_bits[:n] & certificate_bits(filters)) != 0
    if filters.pool:
        mask &= (store.pool_bits[:n] & (1 << POOL_INDEX.get(filters.pool, 7))) != 0
    if filters.region:
        wanted = store.regions.get(filters.region)
        mask &= (store.region_key[:n] == wanted) | store.within(store.region[:n], wanted)
    if filters.industry:
        code = store.industries.get(filters.industry)
        mask &= _rows_with(store.industry_keys, code, n)
        if audience is not None:  # a hidden industry is still found through the person's engagements
            mask &= ~hides(store, audience, "industries") | _rows_with(store.engaged, code, n)
    if filters.specialty:
        mask &= _rows_with(store.specialty, store.specialties.get(filters.specialty), n)
        mask &= ~hides(store, audience, "specialties")
    if filters.qualification:
        mask &= _rows_with(store.qualification, store.qualifications.get(filters.qualification), n)
        mask &= ~hides(store, audience, "qualifications")
    if filters.min_evaluation is not None:
        mask &= evaluation_means(store, filters.work_type) >= filters.min_evaluation
    mask[0] = False
    return mask


def best_levels(cert_bits: np.ndarray, allowed: int) -> np.ndarray:
    """The best (smallest) level among the allowed valid certificates, NO_LEVEL without one."""
    best = np.full(len(cert_bits), NO_LEVEL, dtype=np.int64)
    for level in reversed(LEVEL_RANKS):
        level_bits = allowed & bits(WORK_TYPE_CODES, [level])
        if level_bits:
            best[(cert_bits & level_bits) != 0] = level
    return best


def best_levels_of(store: Store, rows: np.ndarray, allowed: int) -> np.ndarray:
    """`best_levels` of these rows, worked out once per distinct certificate mask (`Store.combos`)."""
    return best_levels(store.combos, allowed)[store.combo[rows]]


def top(keys: list[np.ndarray], count: int) -> np.ndarray:
    """Positions of the `count` smallest items by the lexicographic `keys` (first key most significant)."""
    size = len(keys[0])
    if count <= 0 or size == 0:
        return np.zeros(0, dtype=np.int64)
    if count < size:
        # Only items whose first key is at most the count-th smallest can be in the top: sort just those.
        threshold = np.partition(keys[0], count - 1)[count - 1]
        subset = np.flatnonzero(keys[0] <= threshold)
    else:
        subset = np.arange(size)
    order = np.lexsort([key[subset] for key in reversed(keys)])
    return subset[order[:count]]


def sort_keys(store: Store, filters: SearchFilters, rows: np.ndarray, best: np.ndarray, sort: str,
              scores: np.ndarray | None):  # fmt: skip
    """The ORDER BY of search.py's `_order_by`, as integer keys (or scores and means first) per match."""
    if sort == "name":
        return [store.name_rank[rows]]
    if sort not in ("relevance", "evaluation", "experience") or (sort == "relevance" and scores is None):
        # Below the level: work start year, then id (worked out for the matches only: kept for every row, the key
        # was 8 MB a process at a million people, and a gather of the two columns costs about as much as one).
        return [(best << 58) | (store.year[rows].astype(np.int64) << 40) | store.id_rank[rows]]
    id_rank = store.id_rank[rows]
    if sort == "relevance":
        return [-scores, best * (1 << 40) + id_rank]
    if sort == "evaluation":
        return [-evaluation_means(store, filters.work_type)[rows], best * (1 << 40) + id_rank]
    return [(store.year[rows].astype(np.int64) << 44) | (best << 40) | id_rank]


def facet_counts(store: Store, filters: SearchFilters, mask: np.ndarray, rows: np.ndarray):
    """Facet counts over all matches (search.py's FACETS): each person counts once per value. Work types and
    levels are counted once per distinct certificate mask (`Store.combos`), pools once per pool mask."""
    facets: dict[str, dict[str, int]] = {name: {} for name in FACET_DIMENSIONS}
    if not len(rows):
        return facets
    per_combo = np.bincount(store.combo[rows], minlength=len(store.combos))
    held = np.flatnonzero(per_combo)
    values, counts = store.combos[held], per_combo[held]
    work_type_bits = certificate_bits(filters, skip="work_type")
    for work_type in WORK_TYPE_CODES:
        count = int(counts[(values & (work_type_bits & bits([work_type], LEVEL_RANKS))) != 0].sum())
        if count:
            facets["work_type"][work_type] = count
    level_bits = certificate_bits(filters, skip="level")
    for level in LEVEL_RANKS:
        count = int(counts[(values & (level_bits & bits(WORK_TYPE_CODES, [level]))) != 0].sum())
        if count:
            facets["level"][str(level)] = count
    per_pools = np.bincount(store.pool_bits[rows].astype(np.uint8), minlength=1 << len(POOL_CODES))
    for pool in POOL_CODES:
        count = int(sum(c for value, c in enumerate(per_pools.tolist()) if value & (1 << POOL_INDEX[pool])))
        if count:
            facets["pool"][pool] = count
    for index, count in enumerate(np.bincount(store.region_key[rows], minlength=1).tolist()):
        code = store.regions.codes[index]  # None at index 0: no region
        if code is not None and count:
            facets["region"][code] = count
    # An industry the person hides from this audience is counted only where their engagements show it.
    hiding = hides(store, filters.audience, "industries")
    keys, engaged = store.industry_keys, store.engaged
    counted = np.bincount(keys.code[(mask & ~hiding)[keys.rows]], minlength=len(store.industries))
    counted += np.bincount(engaged.code[(mask & hiding)[engaged.rows]], minlength=len(store.industries))
    for index, count in enumerate(counted.tolist()):
        code = store.industries.codes[index]  # None at index 0: no industry
        if code is not None and count:
            facets["industry"][code] = count
    return {name: dict(sorted(values.items())) for name, values in facets.items()}


def search(
    store: Store,
    filters: SearchFilters,
    *,
    today: date,
    page: int = 1,
    per_page: int = 20,
    sort: str = "level",
    with_facets: bool = True,
    fulltext: tuple[np.ndarray, np.ndarray] | None = None,
) -> Hits:
    """One page of matching ids, the total, and facet counts; `fulltext` = (rows, scores) when `q` is given."""
    store.at(today)
    candidates, candidate_scores = fulltext if fulltext is not None else (None, None)
    mask = matching_rows(store, filters, candidates)
    rows = np.flatnonzero(mask)
    scores = None
    if candidates is not None:
        by_row = np.zeros(store.size, dtype=np.float64)
        by_row[candidates] = candidate_scores
        scores = by_row[rows]
    best = best_levels_of(store, rows, certificate_bits(filters))
    skip = (page - 1) * per_page
    chosen = top(sort_keys(store, filters, rows, best, sort, scores if filters.q else None), skip + per_page)
    page_rows = rows[chosen[skip:]]
    ids = store.id_of(page_rows)
    page_scores = scores[chosen[skip:]] if scores is not None else np.zeros(len(page_rows))
    facets = None
    if with_facets:
        # The same filters (full text included: its candidates change only with a person's row) give the same
        # counts until the rows or the day change, and dashboards repeat their broad queries: counted once per
        # version, like a search engine's request cache.
        counted = store.memo(("facets", filters), lambda: facet_counts(store, filters, mask, rows))
        facets = {name: dict(values) for name, values in counted.items()}  # the caller's own copy
    return Hits(ids, len(rows), facets, dict(zip(ids, page_scores.tolist(), strict=True)))
