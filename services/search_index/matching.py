"""/match from the index: the hard filters and the score of registry/matching.py over every candidate at once.

The score is computed for all candidates with numpy (the same table as registry.matching), the top `limit`
are taken in the same order (score, then best level, then id), and only those become `Candidate`s that
`registry.matching.score` scores again for their reasons. The conflict-of-interest check stays a graph query
(graph/search_index.py CONFLICTED), asked from the organization's side and intersected with the candidates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from registry import matching as rules
from registry.matching import Candidate, MatchRequest
from services.search_index.columns import LEVEL_RANKS, WORK_TYPE_INDEX, bits
from services.search_index.query import best_levels, top
from services.search_index.store import Store


@dataclass
class Reference:
    """Names and categories of the reference codes, as stored in the graph."""

    industry_names: dict[str, str]
    region_names: dict[str, str]
    specialties: dict[str, tuple[str, str]]  # code → (name_zh, category)
    qualification_names: dict[str, str]


@dataclass
class Shortlist:
    rows: np.ndarray  # the top `limit`, best first
    scores: np.ndarray
    best: np.ndarray  # their best level
    total: int  # candidates left after the conflict check
    excluded_rows: np.ndarray


def candidate_rows(store: Store, request: MatchRequest) -> tuple[np.ndarray, np.ndarray]:
    """Active holders of a valid certificate of the work type at min_level or higher, with their best level."""
    n = store.size
    if request.work_type not in WORK_TYPE_INDEX:
        return np.zeros(0, dtype=np.int64), np.zeros(0, dtype=np.int64)
    allowed = bits([request.work_type], [lv for lv in LEVEL_RANKS if lv <= request.min_level])
    mask = store.active[:n] & ((store.cert_bits[:n] & allowed) != 0)
    mask[0] = False
    rows = np.flatnonzero(mask)
    return rows, best_levels(store.cert_bits[rows], allowed)


def _engagement_facts(store: Store, request: MatchRequest, mask: np.ndarray):
    """Per row: completed engagements of the work type in the industry, in the region, and the last one's day."""
    e = store.engagements
    chosen = mask[e.rows] & (e.kind == WORK_TYPE_INDEX[request.work_type])
    rows, industry, region = e.rows[chosen], e.industry[chosen], e.region[chosen]
    last_day = np.where(e.end[chosen] > 0, e.end[chosen], e.start[chosen])
    n = store.size
    in_industry = np.zeros(n, dtype=np.int64)
    if request.industry:
        code = store.industries.get(request.industry)
        in_industry = np.bincount(rows[industry == code], minlength=n) if code > 0 else in_industry
    in_region = np.zeros(n, dtype=np.int64)
    if request.region:
        wanted = store.regions.get(request.region)
        if wanted > 0:
            in_region = np.bincount(rows[store.within(region, wanted)], minlength=n)
    last = np.zeros(n, dtype=np.int64)
    np.maximum.at(last, rows, last_day)
    return in_industry, in_region, last


def _count(entries: Any, codes: set[int], mask: np.ndarray) -> np.ndarray:
    chosen = mask[entries.rows] & np.isin(entries.code, sorted(codes))
    return np.bincount(entries.rows[chosen], minlength=len(mask))


def scores(
    store: Store, ref: Reference, request: MatchRequest, today: date, rows: np.ndarray, best: np.ndarray
):
    """registry.matching.score's total for each candidate row, vectorized."""
    n = store.size
    mask = np.zeros(n, dtype=bool)
    mask[rows] = True
    points = np.array([0] + [rules.LEVEL_POINTS.get(level, 0) for level in range(1, 10)])[best]
    in_industry, in_region, last = _engagement_facts(store, request, mask)
    if request.industry:
        points = points + np.minimum(
            rules.INDUSTRY_ENGAGEMENT_CAP, rules.INDUSTRY_ENGAGEMENT_POINTS * in_industry[rows]
        )
        code = store.industries.get(request.industry)
        declared = _count(store.declared, {code}, mask)[rows] > 0 if code > 0 else np.zeros(len(rows), bool)
        points = points + np.where(declared, rules.DECLARED_INDUSTRY_POINTS, 0)
    if request.region:
        points = points + np.minimum(
            rules.REGION_ENGAGEMENT_CAP, rules.REGION_ENGAGEMENT_POINTS * in_region[rows]
        )
        wanted = store.regions.get(request.region)
        based = store.within(store.region[rows], wanted) if wanted > 0 else np.zeros(len(rows), bool)
        points = points + np.where(based, rules.BASED_IN_REGION_POINTS, 0)
    # Recency: (today - last).days / 365.25 <= 1 (or <= 3) is exactly days <= 365 (or <= 1095).
    age = today.toordinal() - last[rows]
    has_last = last[rows] > 0
    points = points + np.where(has_last & (age <= 365), rules.RECENT_1Y_POINTS,
                               np.where(has_last & (age <= 1095), rules.RECENT_3Y_POINTS, 0))  # fmt: skip
    of_work_type = {
        store.specialties.get(c) for c, (_, cat) in ref.specialties.items() if cat == request.work_type
    }
    specialties = _count(store.specialty, of_work_type - {-1, 0}, mask)[rows]
    points = points + np.minimum(rules.SPECIALTY_CAP, rules.SPECIALTY_POINTS * specialties)
    relevant = {store.qualifications.get(c) for c in rules.RELEVANT_QUALIFICATIONS.get(request.work_type, ())}
    qualifications = _count(store.qualification, relevant - {-1, 0}, mask)[rows]
    return points + np.minimum(rules.QUALIFICATION_CAP, rules.QUALIFICATION_POINTS * qualifications)


def shortlist(
    store: Store, ref: Reference, request: MatchRequest, today: date, conflicted: set[str]
) -> Shortlist:
    """The best `limit` candidates without a conflict, the number of such candidates, and who was excluded."""
    store.at(today)
    rows, best = candidate_rows(store, request)
    conflicted_rows = store.rows_of(sorted(conflicted))
    is_conflicted = np.isin(rows, conflicted_rows[conflicted_rows > 0])
    excluded = rows[is_conflicted]
    rows, best = rows[~is_conflicted], best[~is_conflicted]
    points = scores(store, ref, request, today, rows, best)
    chosen = top([-points, (best << 40) | store.id_rank[rows]], request.limit)
    return Shortlist(rows[chosen], points[chosen], best[chosen], len(rows), excluded)


def candidate(
    store: Store, ref: Reference, request: MatchRequest, row: int, certificate: dict[str, Any]
) -> Candidate:
    """What registry.matching.score needs about one shortlisted row (`certificate`: its best certificate)."""
    e = store.engagements
    mine = np.flatnonzero((e.rows == row) & (e.kind == WORK_TYPE_INDEX[request.work_type]))
    industry_code = store.industries.get(request.industry) if request.industry else -1
    region_code = store.regions.get(request.region) if request.region else -1
    in_industry = [i for i in mine.tolist() if e.industry[i] == industry_code]
    starts = [int(e.start[i]) for i in in_industry if e.start[i] > 0]
    in_region = [
        i for i in mine.tolist() if region_code > 0 and store.within(e.region[i : i + 1], region_code)[0]
    ]
    last_days = [int(e.end[i] or e.start[i]) for i in mine.tolist() if e.end[i] or e.start[i]]

    def codes(entries: Any, table: Any) -> list[str]:
        return sorted(table.codes[c] for c in entries.code[entries.rows == row].tolist())

    specialties = [ref.specialties[c][0] for c in codes(store.specialty, store.specialties)
                   if c in ref.specialties and ref.specialties[c][1] == request.work_type]  # fmt: skip
    relevant = rules.RELEVANT_QUALIFICATIONS.get(request.work_type, frozenset())
    qualifications = [ref.qualification_names[c] for c in codes(store.qualification, store.qualifications)
                      if c in relevant and c in ref.qualification_names]  # fmt: skip
    declared = request.industry in codes(store.declared, store.industries) if request.industry else False
    based = bool(region_code > 0 and store.within(store.region[row : row + 1], region_code)[0])
    return Candidate(
        id=store.id_of([row])[0],
        best_level=certificate["level"],
        certificate_number=certificate["number"],
        certificate_expires_on=certificate["expires_on"],
        industry_engagements=len(in_industry),
        industry_engagements_since=date.fromordinal(min(starts)) if starts else None,
        region_engagements=len(in_region),
        based_in_region=bool(request.region) and based,
        declared_industry=bool(declared),
        last_engagement_on=date.fromordinal(max(last_days)) if last_days else None,
        specialties=tuple(specialties),
        qualifications=tuple(qualifications),
        industry_name=ref.industry_names.get(request.industry) if request.industry else None,
        region_name=ref.region_names.get(request.region) if request.region else None,
    )
