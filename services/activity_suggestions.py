"""Suggestions for a public-welfare activity: who fits its needs, ranked with checkable reasons (docs/activities.md).

Answered from the process's search index (the one /match and search use): the hard filters of
registry/activity_fit.py and its score for everyone at once with numpy, then the page's people scored again by
the rule itself for their reasons. What concerns this activity alone — who signed up or was invited, who declared
themselves unavailable on its days — is read from the graph in the same transaction. Without an index, and as
the reference the index is tested against, `suggestions_in_graph` answers by Cypher and the same rules.
"""

from __future__ import annotations

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
from services.context import Context, Page
from services.search_index.columns import LEVEL_RANKS, WORK_TYPE_CODES, WORK_TYPE_INDEX, bits
from services.search_index.query import best_levels_of, hides, top
from services.search_index.store import Store


@dataclass(frozen=True)
class Asker:
    """Who asks for suggestions: the key's role and the organization a government key is bound to."""

    role: str
    organization_id: str | None = None


def _check(asker: Asker, activity: dict[str, Any]) -> Needs:
    """The activity's needs, once the asker may see its suggestions and it is open (403, 409 otherwise)."""
    activities.require_organizer(asker.role, asker.organization_id, activity["organizer_id"])
    if activity["status"] != rules.SUGGESTED_STATUS:
        raise Conflict(
            f"Suggestions are made for open activities; activity {activity['id']} is {activity['status']}.",
            status=activity["status"],
        )
    return Needs.of(activity)


def suggestions(ctx: Context, asker: Asker, activity_id: str, page: int = 1, per_page: int = 20) -> Page:
    """A page of `(Suggested, view)` for an open activity, best first, and how many fit in all."""
    index = search_index.of(ctx.graph)
    if index is None:
        return suggestions_in_graph(ctx, asker, activity_id, page, per_page)
    audience = visibility.audience_of(asker.role)

    def work(tx: neo4j.ManagedTransaction) -> Page:
        needs = _check(asker, found(repo.activity(tx, activity_id), "activity", activity_id))
        left_out = repo.taken(tx, activity_id) | repo.unavailable(tx, needs.starts_on, needs.ends_on)
        index.refresh(tx)
        store, reference = index.store, index.reference
        assert store is not None and reference is not None  # refresh() leaves the index warm
        with index.lock:
            rows, total = _ranked(store, needs, audience, left_out, page * per_page, ctx)
            rows = rows[(page - 1) * per_page :]
            ids = store.id_of(rows)
        shown = index.views(tx, ids, ctx.today)
        names = repo.names(tx, needs)
        items = []
        with index.lock:
            for row, person in zip(rows.tolist(), ids, strict=True):
                certificate = rules.best_certificate(shown.get(person, {}).get("certificates", ()), needs)
                if certificate is None:  # changed since the index was read; the next call sees the change
                    continue
                fit = _fit_of_row(store, needs, audience, row, person, certificate, names)
                items.append((rules.score(fit, needs), shown[person]))
        return Page(items, total)

    index.warm()
    return ctx.graph.read_leader(work)  # the index's revision check must see every write


def _entries_with(entries: Any, code: int, size: int) -> np.ndarray:
    """Per row: whether the entry list holds `code` for it."""
    mask = np.zeros(size, dtype=bool)
    if code > 0:
        mask[entries.rows[entries.code == code]] = True
    mask[0] = False  # where detached entries point
    return mask


def _engagements_in(store: Store, needs: Needs) -> tuple[np.ndarray, np.ndarray]:
    """Per row: completed engagements in the needed industry, and in the activity's region (0 when not needed)."""
    n, e = store.size, store.engagements
    live = e.rows != 0
    in_industry = np.zeros(n, dtype=np.int64)
    if needs.industry and (code := store.industries.get(needs.industry)) > 0:
        in_industry = np.bincount(e.rows[live & (e.industry == code)], minlength=n)
    in_region = np.zeros(n, dtype=np.int64)
    if needs.region and (wanted := store.regions.get(needs.region)) > 0:
        in_region = np.bincount(e.rows[live & store.within(e.region, wanted)], minlength=n)
    return in_industry, in_region


def _ranked(
    store: Store, needs: Needs, audience: str | None, left_out: set[str], count: int, ctx: Context
) -> tuple[np.ndarray, int]:
    """The best `count` rows that fit (best first) and how many fit in all."""
    store.at(ctx.today)
    n = store.size
    work_types = [needs.work_type] if needs.work_type else WORK_TYPE_CODES
    allowed = bits([w for w in work_types if w in WORK_TYPE_INDEX],
                   [lv for lv in LEVEL_RANKS if lv <= needs.level_at_least])  # fmt: skip
    mask = store.active[:n] & store.contact[:n] & ((store.cert_bits[:n] & allowed) != 0)
    if needs.region:
        wanted = store.regions.get(needs.region)
        mask &= store.within(store.region[:n], wanted) if wanted > 0 else False
    if needs.specialty:
        mask &= _entries_with(store.specialty, store.specialties.get(needs.specialty), n)
        mask &= ~hides(store, audience, "specialties")
    in_industry, in_region = _engagements_in(store, needs)
    if needs.industry:
        code = store.industries.get(needs.industry)
        declared = _entries_with(store.declared, code, n) & ~hides(store, audience, "industries")
        mask &= declared | (in_industry > 0)
    mask[0] = False
    taken = store.rows_of(sorted(left_out))
    mask[taken[taken > 0]] = False
    rows = np.flatnonzero(mask)
    best = best_levels_of(store, rows, allowed)
    level_points = np.array([0] + [LEVEL_POINTS.get(level, 0) for level in range(1, 10)])
    points = level_points[best]
    if needs.industry:
        points = points + np.minimum(
            rules.INDUSTRY_ENGAGEMENT_CAP, rules.INDUSTRY_ENGAGEMENT_POINTS * in_industry[rows]
        )
    if needs.region:
        points = points + np.minimum(
            rules.REGION_ENGAGEMENT_CAP, rules.REGION_ENGAGEMENT_POINTS * in_region[rows]
        )
    chosen = top([-points, (best.astype(np.int64) << 40) | store.id_rank[rows]], count)
    return rows[chosen], len(rows)


def _fit_of_row(
    store: Store, needs: Needs, audience: str | None, row: int, person: str, certificate: dict[str, Any],
    names: dict[str, str | None],
) -> Fit:  # fmt: skip
    """What registry.activity_fit.score needs about one suggested row."""
    e = store.engagements
    mine = np.flatnonzero(e.rows == row)
    industry_code = store.industries.get(needs.industry) if needs.industry else -1
    region_code = store.regions.get(needs.region) if needs.region else -1
    declared = store.declared
    declares = industry_code > 0 and bool(np.any((declared.rows == row) & (declared.code == industry_code)))
    hidden = hides(store, audience, "industries", np.array([row]))[0]
    return Fit(
        id=person,
        best_level=certificate["level"],
        certificate_number=certificate["number"],
        certificate_work_type=certificate["work_type"],
        certificate_expires_on=certificate["expires_on"],
        region_name=names["region"] if needs.region else None,
        specialty_name=names["specialty"] if needs.specialty else None,
        industry_name=names["industry"] if needs.industry else None,
        declared_industry=declares and not hidden,
        industry_engagements=int(np.count_nonzero(e.industry[mine] == industry_code))
        if industry_code > 0
        else 0,
        region_engagements=int(np.count_nonzero(store.within(e.region[mine], region_code)))
        if region_code > 0
        else 0,
    )


def suggestions_in_graph(
    ctx: Context, asker: Asker, activity_id: str, page: int = 1, per_page: int = 20
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


__all__ = ["Asker", "Suggested", "suggestions", "suggestions_in_graph"]
