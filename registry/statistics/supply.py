"""Supply: valid certificate holders and pool members by province, and their trends over time."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import date

from registry.statistics.facts import ExamRecord, MembershipRecord, PersonRecord, StatusEventRecord
from registry.statistics.periods import period_key, period_start, periods_between
from registry.statistics.tables import _POOL_OF_LEVEL, Query, Table, _work_type_order
from registry.taxonomy import WORK_TYPES

# --- 1. Supply -----------------------------------------------------------------------------------------------


def supply(people: Iterable[PersonRecord], query: Query) -> Table:
    """Valid certificate holders by province × work type × level; the total counts each person once.

    Only active practitioners count: a suspended or deleted person practises under no certificate.
    """
    cells: Counter[tuple[str | None, str, int]] = Counter()
    holders = 0
    day = query.as_of
    for person in people:
        if person.status != "active" or not query.in_region(person.region):
            continue
        held = {
            (c.work_type, c.level)
            for c in person.certificates
            if query.certificate_matches(c.work_type, c.level) and c.valid_on(day)
        }
        if not held:
            continue
        holders += 1
        for work_type, level in held:
            cells[(person.province, work_type, level)] += 1
    rows = [
        {"province": province, "work_type": work_type, "level": level, "holders": count}
        for (province, work_type, level), count in sorted(
            cells.items(), key=lambda item: (item[0][0] or "", _work_type_order(item[0][1]), -item[0][2])
        )
    ]
    return Table(
        ("province", "work_type", "level", "holders"),
        rows,
        {"holders": holders},
        people_measures=("holders",),
    )


def pool_members(people: Iterable[PersonRecord], query: Query) -> Table:
    """Pool members by province: active people with a valid certificate at the pool's levels.

    Pools are derived from certificates (DESIGN.md §2), so members on any day follow from validity that day;
    with `work_type`/`level`, only certificates matching them grant membership.
    """
    cells: dict[str | None, Counter[str]] = defaultdict(Counter)
    totals: Counter[str] = Counter()
    day = query.as_of
    for person in people:
        if person.status != "active" or not query.in_region(person.region):
            continue
        pools = {
            _POOL_OF_LEVEL[c.level]
            for c in person.certificates
            if c.level in _POOL_OF_LEVEL
            and query.certificate_matches(c.work_type, c.level)
            and c.valid_on(day)
        }
        for pool in pools:
            cells[person.province][pool] += 1
            totals[pool] += 1
    rows = [
        {"province": province, "talent_members": counts["talent"], "expert_members": counts["expert"]}
        for province, counts in sorted(cells.items(), key=lambda item: item[0] or "")
    ]
    measures = ("talent_members", "expert_members")
    return Table(
        ("province", *measures),
        rows,
        {"talent_members": totals["talent"], "expert_members": totals["expert"]},
        people_measures=measures,
    )


# --- 2. Trends -----------------------------------------------------------------------------------------------

TREND_MEASURES: tuple[str, ...] = (
    "issued",
    "expired",
    "suspended",
    "revoked",
    "talent_joins",
    "talent_leaves",
    "expert_joins",
    "expert_leaves",
    "exams_sat",
    "exams_passed",
)


def trends(
    people: Iterable[PersonRecord],
    status_events: Iterable[StatusEventRecord],
    memberships: Iterable[MembershipRecord],
    exams: Iterable[ExamRecord],
    query: Query,
    interval: str,
    start: date,
    end: date,
) -> Table:
    """Per period × work type: certificates issued, expired, suspended, revoked; pool joins and leaves; exams.

    - issued: by `issued_on` (imported certificates carry their real issue date, their import event does not);
    - expired: by `expires_on` once that day has passed, unless the certificate was revoked before it;
    - suspended / revoked: by the day the event was recorded (for imports, the import day);
    - joins / leaves: by MEMBER_OF/WAS_MEMBER_OF `since` and `until`, under the granting certificate's work type;
    - exams: sittings by `sat_on`, passes among them.
    Periods are whole: `start` moves back to its period's first day; `end` is clipped to `as_of`.
    """
    start = period_start(start, interval)
    end = min(end, query.as_of)
    keys = periods_between(start, end, interval)
    work_types = [query.work_type] if query.work_type else [w.code for w in WORK_TYPES]
    counts: dict[tuple[str, str], Counter[str]] = {(p, w): Counter() for p in keys for w in work_types}

    def add(day: date | None, work_type: str | None, measure: str) -> None:
        if day is None or day < start or day > end:
            return
        cell = counts.get((period_key(day, interval), work_type or ""))
        if cell is not None:
            cell[measure] += 1

    for person in people:
        if not query.in_region(person.region):
            continue
        for c in person.certificates:
            if not query.certificate_matches(c.work_type, c.level):
                continue
            add(c.issued_on, c.work_type, "issued")
            if c.expires_on is not None and c.expires_on < query.as_of:
                revoked_first = (
                    c.status == "revoked"
                    and c.status_changed_on is not None
                    and c.status_changed_on <= c.expires_on
                )
                if not revoked_first:
                    add(c.expires_on, c.work_type, "expired")
    for event in status_events:
        if query.in_region(event.region) and query.certificate_matches(event.work_type, event.level):
            add(event.on, event.work_type, event.status)
    for spell in memberships:
        if not query.in_region(spell.region):
            continue
        if spell.work_type is not None and spell.level is not None:
            if not query.certificate_matches(spell.work_type, spell.level):
                continue
        elif query.work_type is not None or query.level is not None:
            continue
        add(spell.since, spell.work_type, f"{spell.pool}_joins")
        add(spell.until, spell.work_type, f"{spell.pool}_leaves")
    for exam in exams:
        if query.in_region(exam.region) and query.certificate_matches(exam.work_type, exam.level):
            add(exam.sat_on, exam.work_type, "exams_sat")
            if exam.passed:
                add(exam.sat_on, exam.work_type, "exams_passed")

    rows = [
        {
            "period": period,
            "work_type": work_type,
            **{m: counts[(period, work_type)][m] for m in TREND_MEASURES},
        }
        for period in keys
        for work_type in work_types
    ]
    totals = {m: sum(row[m] for row in rows) for m in TREND_MEASURES}
    return Table(
        ("period", "work_type", *TREND_MEASURES),
        rows,
        totals,
        people_measures=("talent_joins", "talent_leaves", "expert_joins", "expert_leaves"),
    )
