"""Suggestions for a public-welfare activity: who fits its needs, ranked with checkable reasons (docs/activities.md).

Answered from the process's search index (the one /match and search use): the hard filters of
registry/activity_fit.py and its score for everyone at once with numpy, then the page's people scored again by
the rule itself for their reasons. What concerns this activity alone — who signed up or was invited, who declared
themselves unavailable on its days — is read from the graph in the same transaction. Without an index, and as
the reference the index is tested against, `suggestions_in_graph` answers by Cypher and the same rules.
"""

from __future__ import annotations

import threading
import weakref
from collections import OrderedDict
from dataclasses import dataclass
from typing import Any

import neo4j
import numpy as np

from graph import activity_suggestions as repo
from graph import views
from graph.records import found
from registry import activities, visibility
from registry import activity_fit as rules
from registry.activity_fit import Fit, Needs, Suggested
from registry.errors import Conflict
from registry.matching import LEVEL_POINTS
from services import search_index
from services.activities import Caller
from services.context import Context, Page
from services.search_index.columns import LEVEL_RANKS, WORK_TYPE_CODES, WORK_TYPE_INDEX, bits
from services.search_index.query import best_levels, hides
from services.search_index.store import Store


def _check(asker: Caller, activity: dict[str, Any]) -> Needs:
    """The activity's needs, once the asker may see its suggestions and it is open (403, 409 otherwise)."""
    activities.require_organizer(asker.role, asker.organization_id, activity["organizer_id"])
    if activity["status"] != rules.SUGGESTED_STATUS:
        raise Conflict(
            f"Suggestions are made for open activities; activity {activity['id']} is {activity['status']}.",
            activity_status=activity["status"],
        )
    return Needs.of(activity)


def suggestions(ctx: Context, asker: Caller, activity_id: str, page: int = 1, per_page: int = 20) -> Page:
    """A page of `(Suggested, view)` for an open activity, best first, and how many fit in all."""
    index = search_index.of(ctx.graph)
    if index is None:
        return suggestions_in_graph(ctx, asker, activity_id, page, per_page)
    audience = visibility.audience_of(asker.role)

    def work(tx: neo4j.ManagedTransaction) -> Page:
        activity, left_out, names = repo.setting(tx, activity_id)
        needs = _check(asker, found(activity, "activity", activity_id))
        index.refresh(tx)
        store, reference = index.store, index.reference
        assert store is not None and reference is not None  # refresh() leaves the index warm
        with index.lock:
            chosen, total, order = _ranked(store, needs, audience, left_out, page * per_page, ctx)
            chosen = chosen[(page - 1) * per_page :]
            ids = store.id_of(order.rows[chosen])
        shown = index.views(tx, ids, ctx.today)
        items = []
        for at, person in zip(chosen.tolist(), ids, strict=True):
            certificate = rules.best_certificate(shown.get(person, {}).get("certificates", ()), needs)
            if certificate is None:  # changed since the index was read; the next call sees the change
                continue
            items.append(
                (rules.score(_fit_of(order, at, needs, person, certificate, names), needs), shown[person])
            )
        return Page(items, total)

    index.warm()
    return ctx.graph.read_leader(work)  # the index's revision check must see every write


def _with_entry(
    entries: Any, code: int, size: int, store: Store, audience: str | None, field: str
) -> np.ndarray:
    """Per row: whether the entry list holds `code` for it and the person shows `field` to the audience (worked
    out over the entries holding the code, not over every row)."""
    mask = np.zeros(size, dtype=bool)
    if code > 0:
        rows = entries.rows[entries.code == code]
        mask[rows[~hides(store, audience, field, rows)]] = True
    mask[0] = False  # where detached entries point
    return mask


MAX_POINTS = max(LEVEL_POINTS.values()) + rules.INDUSTRY_ENGAGEMENT_CAP + rules.REGION_ENGAGEMENT_CAP
LEVEL_POINTS_OF = np.array([0] + [LEVEL_POINTS.get(level, 0) for level in range(1, 16)], dtype=np.int64)
# Orders kept per index: a needs set's order costs a pass over every row and engagement once, then each page of
# any activity with those needs is a partition of its candidates. Each holds 16 bytes per candidate (15 MB for a
# national activity without needs at a million people) and the needs' per-row counts, so only a few are kept.
ORDERS_KEPT = 8


@dataclass
class _Order:
    """Everyone who fits a needs set before an activity's own exclusions, in ascending rows, with one integer per
    candidate that sorts them best first (fewer points missing, the better level, the id: `rules.order_key`); the
    facts their reasons name are kept per row of the index (None where the needs do not ask for them)."""

    rows: np.ndarray
    key: np.ndarray
    in_industry: np.ndarray | None  # per row: completed engagements in the needed industry
    in_region: np.ndarray | None  # per row: completed engagements in the activity's region
    declares: np.ndarray | None  # per row: declares the needed industry, as the audience may see it


_ORDERS: weakref.WeakKeyDictionary[Store, OrderedDict[tuple[Any, ...], _Order]] = weakref.WeakKeyDictionary()
_ORDERS_LOCK = threading.Lock()


def _order_of(store: Store, needs: Needs, audience: str | None) -> _Order:
    """Who fits the needs as `audience` may see them, ordered, kept until the index's rows or day change."""
    wanted = (store.version, needs.work_type, needs.level_at_least, needs.region, needs.specialty, needs.industry,
              audience)  # fmt: skip
    with _ORDERS_LOCK:
        kept = _ORDERS.setdefault(store, OrderedDict())
        if (order := kept.get(wanted)) is not None:
            kept.move_to_end(wanted)
            return order
    order = _order(store, needs, audience)
    with _ORDERS_LOCK:
        kept[wanted] = order
        while len(kept) > ORDERS_KEPT or (kept and next(iter(kept))[0] != store.version):
            kept.popitem(last=False)
    return order


def _order(store: Store, needs: Needs, audience: str | None) -> _Order:
    # Every step is a whole-array operation: over the rows, the candidates (boolean compress, not gathers), the
    # entries holding one code, or the distinct certificate masks (`Store.combos`, a few hundred).
    n, e = store.size, store.engagements
    in_industry = in_region = declares = None
    work_types = [needs.work_type] if needs.work_type else WORK_TYPE_CODES
    allowed = bits([w for w in work_types if w in WORK_TYPE_INDEX],
                   [lv for lv in LEVEL_RANKS if lv <= needs.level_at_least])  # fmt: skip
    meets = store.memo(("activity-contactable",), lambda: store.active[:n] & store.contact[:n])
    meets = meets & ((store.cert_bits[:n] & allowed) != 0)
    if needs.region:
        wanted = store.regions.get(needs.region)
        if wanted > 0:
            in_region = np.bincount(e.rows[(e.rows != 0) & store.within(e.region, wanted)], minlength=n)
            meets &= store.within(store.region[:n], wanted)
        else:
            meets[:] = False
    if needs.specialty:
        meets &= _with_entry(store.specialty, store.specialties.get(needs.specialty), n, store, audience,
                             "specialties")  # fmt: skip
    if needs.industry:
        code = store.industries.get(needs.industry)
        in_industry = np.zeros(n, dtype=np.int64)
        if code > 0:
            in_industry = np.bincount(e.rows[(e.rows != 0) & (e.industry == code)], minlength=n)
        declares = _with_entry(store.declared, code, n, store, audience, "industries")
        meets &= declares | (in_industry > 0)
    meets[0] = False
    rows = np.flatnonzero(meets)
    # Per candidate, taken by row number when they are few, by the mask when many (a pass without gathers).
    chosen = rows if len(rows) * 4 < n else meets
    # One int64: points below the most any row can earn (bits 44 on), the level (40–43), the id rank (below 2^40).
    # The level's part is worked out per certificate mask, then taken for each candidate.
    best = best_levels(store.combos, allowed).astype(np.int64)
    high = ((MAX_POINTS - LEVEL_POINTS_OF[best]) << 44) | (best << 40)
    id_rank = store.memo(("id-rank-int64",), lambda: store.id_rank[:n].astype(np.int64))
    key = high[store.combo[:n][chosen]] | id_rank[chosen]
    if in_industry is not None:
        key -= (
            np.minimum(rules.INDUSTRY_ENGAGEMENT_CAP, rules.INDUSTRY_ENGAGEMENT_POINTS * in_industry[chosen])
            << 44
        )
    if in_region is not None:
        key -= (
            np.minimum(rules.REGION_ENGAGEMENT_CAP, rules.REGION_ENGAGEMENT_POINTS * in_region[chosen]) << 44
        )
    return _Order(rows, key, in_industry, in_region, declares)


def _ranked(
    store: Store, needs: Needs, audience: str | None, left_out: set[str], count: int, ctx: Context
) -> tuple[np.ndarray, int, _Order]:
    """Positions (in the order's candidates) of the best `count` not left out, best first; how many fit in all."""
    store.at(ctx.today)
    order = _order_of(store, needs, audience)
    rows, key = order.rows, order.key
    # Kept with the rows' version too: a long list of unavailable people costs a lookup per id only once.
    wanted = frozenset(left_out)
    taken = store.memo(("activity-left-out", wanted), lambda: np.unique(store.rows_of(list(wanted))))
    at = np.searchsorted(rows, taken)
    hit = at[(at < len(rows)) & (rows[np.minimum(at, len(rows) - 1)] == taken)] if len(rows) else at[:0]
    if len(hit):
        key = key.copy()
        key[hit] = np.iinfo(np.int64).max  # sorts after everyone, and is cut below
    total = len(rows) - len(hit)
    count = min(count, total)
    chosen = np.argpartition(key, count - 1)[:count] if 0 < count < len(key) else np.arange(count)
    return chosen[np.argsort(key[chosen], kind="stable")], total, order


def _fit_of(
    order: _Order,
    at: int,
    needs: Needs,
    person: str,
    certificate: dict[str, Any],
    names: dict[str, str | None],
) -> Fit:
    """What registry.activity_fit.score needs about the candidate at position `at` of the order."""
    row = order.rows[at]
    return Fit(
        id=person,
        best_level=certificate["level"],
        certificate_number=certificate["number"],
        certificate_work_type=certificate["work_type"],
        certificate_expires_on=certificate["expires_on"],
        region_name=names["region"] if needs.region else None,
        specialty_name=names["specialty"] if needs.specialty else None,
        industry_name=names["industry"] if needs.industry else None,
        declared_industry=bool(order.declares[row]) if order.declares is not None else False,
        industry_engagements=int(order.in_industry[row]) if order.in_industry is not None else 0,
        region_engagements=int(order.in_region[row]) if order.in_region is not None else 0,
    )


def suggestions_in_graph(
    ctx: Context, asker: Caller, activity_id: str, page: int = 1, per_page: int = 20
) -> Page:
    """`suggestions` answered by Cypher alone (graph/activity_suggestions.py FITS) and the rules in Python."""
    audience = visibility.audience_of(asker.role)

    def work(tx: neo4j.ManagedTransaction) -> Page:
        needs = _check(asker, found(repo.activity(tx, activity_id), "activity", activity_id))
        left_out = repo.taken(tx, activity_id) | repo.unavailable(tx, needs.starts_on, needs.ends_on)
        names = repo.names(tx, needs)
        fits = [
            fit for row in repo.fits(tx, needs, ctx.today) if row["id"] not in left_out
            if (fit := _fit_of_record(row, needs, audience, names)) is not None
        ]  # fmt: skip
        ranked = rules.rank(fits, needs)
        shown = ranked[(page - 1) * per_page : page * per_page]
        page_views = views.practitioners(tx, [s.fit.id for s in shown], ctx.today)
        return Page([(s, page_views[s.fit.id]) for s in shown], len(ranked))

    return ctx.graph.read(work)


def _fit_of_record(
    row: dict[str, Any], needs: Needs, audience: str | None, names: dict[str, str | None]
) -> Fit | None:
    """The person of one FITS row, or None when a need they do not meet (as `audience` sees them) rules them out."""
    hidden = set(row["hidden_public"] if audience == "public" else row["hidden_clients"] if audience else ())
    if needs.specialty and (needs.specialty not in row["specialties"] or "specialties" in hidden):
        return None
    declares = bool(needs.industry) and needs.industry in row["declared"] and "industries" not in hidden
    if needs.industry and not declares and not row["industry_engagements"]:
        return None
    best = row["best"]
    return Fit(
        id=row["id"],
        best_level=best["level"],
        certificate_number=best["number"],
        certificate_work_type=best["work_type"],
        certificate_expires_on=best["expires_on"],
        region_name=names["region"] if needs.region else None,
        specialty_name=names["specialty"] if needs.specialty else None,
        industry_name=names["industry"] if needs.industry else None,
        declared_industry=declares,
        industry_engagements=row["industry_engagements"] if needs.industry else 0,
        region_engagements=row["region_engagements"] if needs.region else 0,
    )


__all__ = ["Caller", "Suggested", "suggestions", "suggestions_in_graph"]
