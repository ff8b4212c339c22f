"""Demand: key emitting units, engagements per year, and verifier coverage of the key emitters."""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Iterable, Sequence
from datetime import date

from registry.statistics.facts import EmitterRecord, EngagementRecord, PersonRecord, counts_on
from registry.statistics.periods import change, same_day_a_year_before
from registry.statistics.rules import DEFAULT_COVERAGE_TARGET, DEFAULT_VERIFIER_MAX_LEVEL, VERIFIER_WORK_TYPE
from registry.statistics.tables import Query, Table, _province_or_none

# --- 3. Demand -----------------------------------------------------------------------------------------------


def listed_in(emitter: EmitterRecord, year: int) -> bool:
    """A unit is a key emitter for a compliance year when that year's list names it."""
    return year in emitter.listed_years


def key_emitters(emitters: Iterable[EmitterRecord], query: Query, year: int | None = None) -> Table:
    """Key emitting units listed for `year` (default: the year of as_of) by province × industry."""
    year = year or query.as_of.year
    cells: Counter[tuple[str | None, str | None]] = Counter()
    for emitter in emitters:
        if listed_in(emitter, year) and query.in_region(emitter.region):
            cells[(_province_or_none(emitter.region), emitter.industry)] += 1
    rows = [
        {"province": province, "industry": industry, "year": year, "key_emitters": count}
        for (province, industry), count in sorted(cells.items(), key=lambda i: (i[0][0] or "", i[0][1] or ""))
    ]
    return Table(
        ("province", "industry", "year", "key_emitters"), rows, {"key_emitters": sum(cells.values())}
    )


def engagements_by_year(engagements: Iterable[EngagementRecord], query: Query) -> Table:
    """Engagements per province (of the engagement's region) per year they started; work_type = kind."""
    cells: Counter[tuple[str | None, int]] = Counter()
    for engagement in engagements:
        if not counts_on(engagement, query.as_of) or not query.in_region(engagement.region):
            continue
        if query.work_type is not None and engagement.kind != query.work_type:
            continue
        assert engagement.start_on is not None
        cells[(_province_or_none(engagement.region), engagement.start_on.year)] += 1
    rows = [
        {"province": province, "year": year, "engagements": count}
        for (province, year), count in sorted(cells.items(), key=lambda i: (i[0][0] or "", i[0][1]))
    ]
    return Table(("province", "year", "engagements"), rows, {"engagements": sum(cells.values())})


def _verifiers_by_province(
    people: Iterable[PersonRecord], query: Query, day: date, max_level: int
) -> Counter[str | None]:
    counts: Counter[str | None] = Counter()
    for person in people:
        if person.status != "active" or not query.in_region(person.region):
            continue
        if any(
            c.work_type == VERIFIER_WORK_TYPE and c.level <= max_level and c.valid_on(day)
            for c in person.certificates
        ):
            counts[person.province] += 1
    return counts


def _emitters_by_province(emitters: Iterable[EmitterRecord], query: Query, year: int) -> Counter[str | None]:
    counts: Counter[str | None] = Counter()
    for emitter in emitters:
        if listed_in(emitter, year) and query.in_region(emitter.region):
            counts[_province_or_none(emitter.region)] += 1
    return counts


def coverage_ratio(verifiers: int, emitters: int) -> float | None:
    """Valid verifiers per 100 key emitters, 2 decimals; None where there are no key emitters."""
    return round(verifiers * 100 / emitters, 2) if emitters else None


def shortfall(verifiers: int, emitters: int, target: float) -> int:
    """Verifiers missing to reach `target` per 100 key emitters (0 when met)."""
    return max(0, math.ceil(target * emitters / 100 - 1e-9) - verifiers)


def coverage(
    people: Sequence[PersonRecord],
    emitters: Sequence[EmitterRecord],
    query: Query,
    *,
    max_level: int = DEFAULT_VERIFIER_MAX_LEVEL,
    target: float = DEFAULT_COVERAGE_TARGET,
) -> Table:
    """Per province: valid verifiers (level ≤ max_level) per 100 key emitters listed for the year of as_of,
    the shortfall against `target`, and the change against the same day a year before (with that year's list).

    Rows come largest shortfall first. `work_type` and `level` do not apply: coverage is about verifiers.
    """
    year = query.as_of.year
    before = same_day_a_year_before(query.as_of)
    verifiers = _verifiers_by_province(people, query, query.as_of, max_level)
    previous_verifiers = _verifiers_by_province(people, query, before, max_level)
    listed = _emitters_by_province(emitters, query, year)
    previous_listed = _emitters_by_province(emitters, query, year - 1)
    rows = []
    for province in set(verifiers) | set(listed) | set(previous_verifiers) | set(previous_listed):
        now = coverage_ratio(verifiers[province], listed[province])
        then = coverage_ratio(previous_verifiers[province], previous_listed[province])
        rows.append(
            {
                "province": province,
                "key_emitters": listed[province],
                "verifiers": verifiers[province],
                "coverage": now,
                "target": target,
                "shortfall": shortfall(verifiers[province], listed[province], target),
                "previous_key_emitters": previous_listed[province],
                "previous_verifiers": previous_verifiers[province],
                "previous_coverage": then,
                "coverage_change": change(now, then),
            }
        )
    rows.sort(key=lambda row: (-row["shortfall"], row["province"] or ""))
    for rank, row in enumerate(rows, start=1):
        row["rank"] = rank
    total_emitters, total_verifiers = sum(listed.values()), sum(verifiers.values())
    previous_emitters, previous_total = sum(previous_listed.values()), sum(previous_verifiers.values())
    now_total = coverage_ratio(total_verifiers, total_emitters)
    then_total = coverage_ratio(previous_total, previous_emitters)
    totals = {
        "key_emitters": total_emitters,
        "verifiers": total_verifiers,
        "coverage": now_total,
        "target": target,
        "shortfall": sum(row["shortfall"] for row in rows),
        "previous_key_emitters": previous_emitters,
        "previous_verifiers": previous_total,
        "previous_coverage": then_total,
        "coverage_change": change(now_total, then_total),
    }
    columns = (
        "rank",
        "province",
        "key_emitters",
        "verifiers",
        "coverage",
        "target",
        "shortfall",
        "previous_key_emitters",
        "previous_verifiers",
        "previous_coverage",
        "coverage_change",
    )
    return Table(
        columns,
        [{column: row[column] for column in columns} for row in rows],
        totals,
        people_measures=("verifiers", "previous_verifiers"),
        derived={
            "coverage": ("verifiers",),
            "shortfall": ("verifiers",),
            "previous_coverage": ("previous_verifiers",),
            "coverage_change": ("verifiers", "previous_verifiers"),
        },
    )
