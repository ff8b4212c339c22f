"""/match from the index: the hard filters and the score of registry/matching.py over every candidate at once.

The score is computed for all candidates with numpy (the same table as registry.matching), the top `limit`
are taken in the same order (score, then best level, then id), and only those become `Candidate`s that
`registry.matching.score` scores again for their reasons. As in services/matching.py, a fact the person hides
from the viewer's audience (specialties, qualifications, declared industries) earns no points, only confirmed
qualifications count, and the mean evaluation in the work type scores by the credit rules' `EvaluationFactor`.
The conflict-of-interest check stays a graph query (graph/search_index.py CONFLICTED), asked from the
organization's side and intersected with the candidates.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np

from registry import matching as rules
from registry.evaluations import (
    DEFAULT_FACTOR,
    NO_EVALUATIONS,
    EvaluationFactor,
    EvaluationSummary,
    evaluation_points,
)
from registry.matching import Candidate, MatchRequest
from services.search_index.columns import LEVEL_RANKS, WORK_TYPE_INDEX, bits, hidden_bit
from services.search_index.query import best_levels_of, hides, top
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
    return rows, best_levels_of(store, rows, allowed)


def _completed(store: Store, work_type: str) -> dict[str, np.ndarray]:
    """The completed engagements of a work type (row, industry, region, the day each ended, or began if it
    has no end), kept until the rows change: each /match reads only its own work type's."""

    def select() -> dict[str, np.ndarray]:
        e = store.engagements
        at = np.flatnonzero((e.kind == WORK_TYPE_INDEX[work_type]) & (e.rows != 0))
        end, start = e.end[at], e.start[at]
        last = np.where(end > 0, end, start)
        return {"rows": e.rows[at], "industry": e.industry[at], "region": e.region[at], "last": last}

    return store.memo(("completed", work_type), select)


def _engagement_facts(store: Store, request: MatchRequest, mask: np.ndarray, today: date):
    """Per row: completed engagements of the work type in the industry, in the region, and whether the last one
    ended within 1 year and within 3 years. (today − last).days / 365.25 ≤ 1 (or ≤ 3) is exactly days ≤ 365 (or
    ≤ 1095), and the latest is that recent exactly when any is."""
    completed = _completed(store, request.work_type)
    chosen = np.flatnonzero(mask[completed["rows"]])
    rows, region, last_day = completed["rows"][chosen], completed["region"][chosen], completed["last"][chosen]
    n = store.size
    in_industry = np.zeros(n, dtype=np.int64)
    if request.industry:
        code = store.industries.get(request.industry)
        industry = completed["industry"][chosen]
        in_industry = np.bincount(rows[industry == code], minlength=n) if code > 0 else in_industry
    in_region = np.zeros(n, dtype=np.int64)
    if request.region:
        wanted = store.regions.get(request.region)
        if wanted > 0:
            in_region = np.bincount(rows[store.within(region, wanted)], minlength=n)
    has_day = last_day > 0
    age = today.toordinal() - last_day
    within_1y = np.bincount(rows[has_day & (age <= 365)], minlength=n) > 0
    within_3y = np.bincount(rows[has_day & (age <= 1095)], minlength=n) > 0
    return in_industry, in_region, within_1y, within_3y


TABLES = {"specialty": "specialties", "qualification": "qualifications"}  # each entry list's code table


def _per_row(store: Store, name: str, codes: set[int]) -> np.ndarray:
    """Per row: how many entries of the list `name` have one of `codes` (only confirmed qualifications count:
    a claim the registry has not checked ranks nobody), kept until the rows change."""

    def count() -> np.ndarray:
        entries = getattr(store, name)
        wanted = np.zeros(len(getattr(store, TABLES[name])) + 1, dtype=bool)
        wanted[[code for code in codes if 0 < code < len(wanted)]] = True
        chosen = wanted[entries.code] & (entries.rows != 0)
        if "confirmed" in entries.columns:
            chosen &= entries.confirmed
        return np.bincount(entries.rows[chosen], minlength=store.size).astype(np.int32)

    return store.memo((name, frozenset(codes)), count)


def _declares(store: Store, code: int, rows: np.ndarray) -> np.ndarray:
    """Per candidate row: whether the person declared experience in the industry `code`."""
    declared = store.declared
    has = np.zeros(store.size, dtype=bool)
    has[declared.rows[declared.code == code]] = True
    has[0] = False  # where detached entries point
    return has[rows]


def evaluations_in(store: Store, work_type: str, rows: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """Per row of the ascending `rows`: (count, mean) of the evaluations in `work_type` that still count
    (0, 0.0 for none). Evaluations are few, so they are matched to the rows by binary search."""
    e = store.evaluations
    chosen = np.flatnonzero((e.kind == WORK_TYPE_INDEX[work_type]) & (e.rows != 0))
    counts, means = np.zeros(len(rows), dtype=np.int64), np.zeros(len(rows))
    if not len(rows) or not len(chosen):
        return counts, means
    evaluated = e.rows[chosen]
    at = np.minimum(np.searchsorted(rows, evaluated), len(rows) - 1)
    hit = rows[at] == evaluated
    counts[at[hit]], means[at[hit]] = e.count[chosen][hit], e.mean[chosen][hit]
    return counts, means


def _evaluation_points(
    store: Store, work_type: str, rows: np.ndarray, factor: EvaluationFactor
) -> np.ndarray:
    # Means have one decimal: the few distinct (count, mean) pairs are scored by the rule itself, exactly.
    counts, means = evaluations_in(store, work_type, rows)
    points = np.zeros(len(rows), dtype=np.int64)
    evaluated = np.flatnonzero(counts > 0)
    pairs = list(zip(counts[evaluated].tolist(), means[evaluated].tolist(), strict=True))
    table = {pair: evaluation_points(EvaluationSummary(*pair), work_type, factor)[0] for pair in set(pairs)}
    points[evaluated] = [table[pair] for pair in pairs]
    return points


def scores(
    store: Store, ref: Reference, request: MatchRequest, today: date, rows: np.ndarray, best: np.ndarray,
    audience: str | None = None, factor: EvaluationFactor = DEFAULT_FACTOR,
):  # fmt: skip
    """registry.matching.score's total for each candidate row as `audience` may see them, vectorized."""
    n = store.size
    mask = np.zeros(n, dtype=bool)
    mask[rows] = True
    points = np.array([0] + [rules.LEVEL_POINTS.get(level, 0) for level in range(1, 10)])[best]
    in_industry, in_region, within_1y, within_3y = _engagement_facts(store, request, mask, today)
    if request.industry:
        points = points + np.minimum(
            rules.INDUSTRY_ENGAGEMENT_CAP, rules.INDUSTRY_ENGAGEMENT_POINTS * in_industry[rows]
        )
        code = store.industries.get(request.industry)
        declared = _declares(store, code, rows) if code > 0 else np.zeros(len(rows), bool)
        declared &= ~hides(store, audience, "industries", rows)
        points = points + np.where(declared, rules.DECLARED_INDUSTRY_POINTS, 0)
    if request.region:
        points = points + np.minimum(
            rules.REGION_ENGAGEMENT_CAP, rules.REGION_ENGAGEMENT_POINTS * in_region[rows]
        )
        wanted = store.regions.get(request.region)
        based = store.within(store.region[rows], wanted) if wanted > 0 else np.zeros(len(rows), bool)
        points = points + np.where(based, rules.BASED_IN_REGION_POINTS, 0)
    points = points + np.where(within_1y[rows], rules.RECENT_1Y_POINTS,
                               np.where(within_3y[rows], rules.RECENT_3Y_POINTS, 0))  # fmt: skip
    of_work_type = {
        store.specialties.get(c) for c, (_, cat) in ref.specialties.items() if cat == request.work_type
    }
    specialties = _per_row(store, "specialty", of_work_type - {-1, 0})[rows]
    specialties[hides(store, audience, "specialties", rows)] = 0
    points = points + np.minimum(rules.SPECIALTY_CAP, rules.SPECIALTY_POINTS * specialties)
    relevant = {store.qualifications.get(c) for c in rules.RELEVANT_QUALIFICATIONS.get(request.work_type, ())}
    qualifications = _per_row(store, "qualification", relevant - {-1, 0})[rows]
    qualifications[hides(store, audience, "qualifications", rows)] = 0
    points = points + np.minimum(rules.QUALIFICATION_CAP, rules.QUALIFICATION_POINTS * qualifications)
    return points + _evaluation_points(store, request.work_type, rows, factor)


def shortlist(
    store: Store, ref: Reference, request: MatchRequest, today: date, conflicted: set[str],
    audience: str | None = None, factor: EvaluationFactor = DEFAULT_FACTOR,
) -> Shortlist:  # fmt: skip
    """The best `limit` candidates without a conflict, as `audience` may see them (None: an admin), the number
    of such candidates, and who was excluded."""
    store.at(today)
    rows, best = candidate_rows(store, request)
    conflicted_rows = store.rows_of(sorted(conflicted))
    is_conflicted = np.isin(rows, conflicted_rows[conflicted_rows > 0])
    excluded = rows[is_conflicted]
    rows, best = rows[~is_conflicted], best[~is_conflicted]
    points = scores(store, ref, request, today, rows, best, audience, factor)
    chosen = top([-points, (best << 40) | store.id_rank[rows]], request.limit)
    return Shortlist(rows[chosen], points[chosen], best[chosen], len(rows), excluded)


def _grouped(entries: Any, wanted: np.ndarray) -> dict[int, list[int]]:
    """Positions of the entries of each wanted row (one pass over the list)."""
    found: dict[int, list[int]] = {}
    for i in np.flatnonzero(wanted[entries.rows]).tolist():
        found.setdefault(int(entries.rows[i]), []).append(i)
    return found


def candidates(
    store: Store, ref: Reference, request: MatchRequest, rows: list[int], best: dict[int, dict[str, Any]],
    audience: str | None = None,
) -> list[Candidate]:  # fmt: skip
    """What registry.matching.score needs about the shortlisted rows (`best`: each one's best certificate, as
    registry.matching.best_certificate picks it from their views), without what each person hides from `audience`."""
    wanted = np.zeros(store.size, dtype=bool)
    wanted[rows] = True
    lists = ("engagements", "specialty", "qualification", "declared", "evaluations")
    entries_of = {name: _grouped(getattr(store, name), wanted) for name in lists}
    return [_candidate(store, ref, request, row, best[row], entries_of, audience) for row in rows]


def _candidate(
    store: Store, ref: Reference, request: MatchRequest, row: int, certificate: dict[str, Any],
    entries_of: dict[str, dict[int, list[int]]], audience: str | None,
) -> Candidate:  # fmt: skip
    def mine(name: str) -> list[int]:
        return entries_of[name].get(row, [])

    def hidden(field: str) -> bool:
        return audience is not None and bool(int(store.hidden[row]) & hidden_bit(audience, field))

    e, kind = store.engagements, WORK_TYPE_INDEX[request.work_type]
    industry_code = store.industries.get(request.industry) if request.industry else -1
    region_code = store.regions.get(request.region) if request.region else -1
    of_kind = [i for i in mine("engagements") if e.kind[i] == kind]
    in_industry = [i for i in of_kind if e.industry[i] == industry_code]
    starts = [int(e.start[i]) for i in in_industry if e.start[i] > 0]
    in_region = [i for i in of_kind if region_code > 0 and store.within(e.region[i : i + 1], region_code)[0]]
    last_days = [int(e.end[i] or e.start[i]) for i in of_kind if e.end[i] or e.start[i]]
    specialties = sorted(store.specialties.codes[store.specialty.code[i]] for i in mine("specialty"))
    q = store.qualification
    confirmed = sorted(store.qualifications.codes[q.code[i]] for i in mine("qualification") if q.confirmed[i])
    relevant = rules.RELEVANT_QUALIFICATIONS.get(request.work_type, frozenset())
    ev = store.evaluations
    evaluations = [EvaluationSummary(int(ev.count[i]), float(ev.mean[i])) for i in mine("evaluations")
                   if ev.kind[i] == kind]  # fmt: skip
    declares = industry_code > 0 and any(store.declared.code[i] == industry_code for i in mine("declared"))
    based = region_code > 0 and store.within(store.region[row : row + 1], region_code)[0]
    return Candidate(
        id=store.id_of([row])[0],
        best_level=certificate["level"],
        certificate_number=certificate["number"],
        certificate_expires_on=certificate["expires_on"],
        industry_engagements=len(in_industry),
        industry_engagements_since=date.fromordinal(min(starts)) if starts else None,
        region_engagements=len(in_region),
        based_in_region=bool(request.region) and bool(based),
        declared_industry=bool(declares) and not hidden("industries"),
        last_engagement_on=date.fromordinal(max(last_days)) if last_days else None,
        specialties=() if hidden("specialties") else tuple(
            ref.specialties[c][0] for c in specialties
            if c in ref.specialties and ref.specialties[c][1] == request.work_type
        ),
        qualifications=() if hidden("qualifications") else tuple(
            ref.qualification_names[c] for c in confirmed if c in relevant and c in ref.qualification_names
        ),
        industry_name=ref.industry_names.get(request.industry) if request.industry else None,
        region_name=ref.region_names.get(request.region) if request.region else None,
        evaluations=evaluations[0] if evaluations else NO_EVALUATIONS,
    )  # fmt: skip
