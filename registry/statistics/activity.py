"""Expiring certificates (renewal campaigns) and engagements per expert."""

from __future__ import annotations

from collections import Counter, defaultdict
from collections.abc import Iterable
from datetime import timedelta
from typing import Any

from registry.statistics.facts import EngagementRecord, PersonRecord, counts_on
from registry.statistics.rules import BUSIEST_LIMIT, ENGAGEMENT_BUCKETS, VERIFIER_WORK_TYPE
from registry.statistics.tables import (
    _LEVELS_BY_POOL,
    _POOL_OF_LEVEL,
    Query,
    Table,
    _province_or_none,
    _work_type_order,
)

# --- 4. Expiring ---------------------------------------------------------------------------------------------


def expiring(people: Iterable[PersonRecord], query: Query, within: int) -> Table:
    """Certificates valid on as_of whose last valid day falls within `within` days (as_of included), by
    province × work type; their holders; and the people who leave a pool with them (no other certificate at
    the pool's levels keeps them in after the window), counted under each lapsing certificate's work type.
    """
    day = query.as_of
    last = day + timedelta(days=within)
    after = last + timedelta(days=1)
    certificates: Counter[tuple[str | None, str]] = Counter()
    holders: dict[tuple[str | None, str], set[int]] = defaultdict(set)
    leavers: dict[tuple[str | None, str, str], set[int]] = defaultdict(set)
    total_holders: set[int] = set()
    total_leavers: dict[str, set[int]] = defaultdict(set)
    for person in people:
        if person.status != "active" or not query.in_region(person.region):
            continue
        lapsing = [
            c
            for c in person.certificates
            if c.expires_on is not None
            and day <= c.expires_on <= last
            and query.certificate_matches(c.work_type, c.level)
            and c.valid_on(day)
        ]
        if not lapsing:
            continue
        total_holders.add(person.key)
        for c in lapsing:
            certificates[(person.province, c.work_type)] += 1
            holders[(person.province, c.work_type)].add(person.key)
        for pool in {_POOL_OF_LEVEL[c.level] for c in lapsing if c.level in _POOL_OF_LEVEL}:
            levels = _LEVELS_BY_POOL[pool]
            if any(c.level in levels and c.valid_on(after) for c in person.certificates):
                continue
            total_leavers[pool].add(person.key)
            for c in lapsing:
                if c.level in levels:
                    leavers[(person.province, c.work_type, pool)].add(person.key)
    rows = [
        {
            "province": province,
            "work_type": work_type,
            "certificates": count,
            "holders": len(holders[(province, work_type)]),
            "talent_leavers": len(leavers.get((province, work_type, "talent"), ())),
            "expert_leavers": len(leavers.get((province, work_type, "expert"), ())),
        }
        for (province, work_type), count in sorted(
            certificates.items(), key=lambda i: (i[0][0] or "", _work_type_order(i[0][1]))
        )
    ]
    measures = ("certificates", "holders", "talent_leavers", "expert_leavers")
    totals = {
        "certificates": sum(certificates.values()),
        "holders": len(total_holders),
        "talent_leavers": len(total_leavers["talent"]),
        "expert_leavers": len(total_leavers["expert"]),
    }
    return Table(("province", "work_type", *measures), rows, totals, people_measures=measures)


# --- 5. Engagements ------------------------------------------------------------------------------------------


def _selected(engagements: Iterable[EngagementRecord], query: Query) -> list[EngagementRecord]:
    return [
        e
        for e in engagements
        if counts_on(e, query.as_of)
        and query.in_region(e.region)
        and (query.work_type is None or e.kind == query.work_type)
    ]


def engagements_by_province(engagements: Iterable[EngagementRecord], query: Query) -> Table:
    """Per province of the engagement: engagements, average team size, verification engagements, and the
    share of verification assignments (team places) taken by experts based in the same province."""
    cells: dict[str | None, Counter[str]] = defaultdict(Counter)
    for e in _selected(engagements, query):
        province = _province_or_none(e.region)
        cell = cells[province]
        cell["engagements"] += 1
        cell["team_places"] += len(e.team)
        if e.kind == VERIFIER_WORK_TYPE:
            cell["verification_engagements"] += 1
            cell["verification_assignments"] += len(e.team)
            cell["same_province_assignments"] += sum(
                1 for m in e.team if m.province is not None and m.province == province
            )

    def measures(cell: Counter[str]) -> dict[str, Any]:
        return {
            "engagements": cell["engagements"],
            "average_team_size": round(cell["team_places"] / cell["engagements"], 2)
            if cell["engagements"]
            else None,
            "verification_engagements": cell["verification_engagements"],
            "verification_assignments": cell["verification_assignments"],
            "same_province_assignments": cell["same_province_assignments"],
            "same_province_share": round(
                cell["same_province_assignments"] / cell["verification_assignments"], 4
            )
            if cell["verification_assignments"]
            else None,
        }

    rows = [
        {"province": province, **measures(cell)}
        for province, cell in sorted(cells.items(), key=lambda i: i[0] or "")
    ]
    overall: Counter[str] = Counter()
    for cell in cells.values():
        overall.update(cell)
    columns = (
        "province",
        "engagements",
        "average_team_size",
        "verification_engagements",
        "verification_assignments",
        "same_province_assignments",
        "same_province_share",
    )
    return Table(columns, rows, measures(overall))


def _engagements_per_person(engagements: Iterable[EngagementRecord], query: Query) -> Counter[int]:
    per_person: Counter[int] = Counter()
    for e in _selected(engagements, query):
        for person in {m.person for m in e.team}:
            per_person[person] += 1
    return per_person


def _bucket(count: int) -> str:
    for low, high, label in ENGAGEMENT_BUCKETS:
        if count >= low and (high is None or count <= high):
            return label
    raise ValueError(f"no bucket for {count}")


def engagement_distribution(engagements: Iterable[EngagementRecord], query: Query) -> Table:
    """How many experts worked on 1, 2, 3, 4–5, 6–9, 10+ engagements (those with at least one)."""
    per_person = _engagements_per_person(engagements, query)
    buckets = Counter(_bucket(count) for count in per_person.values())
    rows = [
        {"engagements_per_expert": label, "experts": buckets[label]}
        for _, _, label in ENGAGEMENT_BUCKETS
        if buckets[label]
    ]
    return Table(
        ("engagements_per_expert", "experts"),
        rows,
        {"experts": len(per_person)},
        people_measures=("experts",),
    )


def busiest_experts(
    engagements: Iterable[EngagementRecord], query: Query, limit: int = BUSIEST_LIMIT
) -> Table:
    """The largest engagement counts of single experts, by rank only: no name, key or place."""
    per_person = _engagements_per_person(engagements, query)
    top = sorted(per_person.values(), reverse=True)[:limit]
    rows = [{"rank": rank, "engagements": count} for rank, count in enumerate(top, start=1)]
    return Table(("rank", "engagements"), rows, {"experts": len(per_person)})
