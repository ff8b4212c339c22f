"""Public-welfare activities for government dashboards (`/stats/activities`): pure aggregations over plain facts.

A fact is one published activity of the year (kind, region, first day) with the people whose participation
counts (registry/activities.py: attended, not cancelled), each as an opaque number and the hours recorded; and,
for the pools, how many current members of each pool per region took part this year or not. Nothing here names a
person. Three tables: `provinces` (province × kind), `months` (month × kind) and `pools` (each pool's share that
took part). National activities (no region) are the row whose province is null.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from registry.statistics.periods import period_key
from registry.statistics.tables import Query, Table, _province_or_none
from registry.taxonomy import POOLS

# Activities counted on a dashboard: published ones. A draft was never announced and a cancelled one never held
# (its sign-ups stay in the graph, issue 25, but give no hours).
PUBLISHED_STATUSES: tuple[str, ...] = ("open", "closed", "completed")
TABLES: tuple[str, ...] = ("provinces", "months", "pools")
MEASURES: tuple[str, ...] = ("activities", "participants", "participations", "hours")
# Hours and participations are sums over the people counted in a cell: blanked with that count.
_DERIVED = {"participations": ("participants",), "hours": ("participants",)}

HEADERS_ZH: dict[str, str] = {
    "kind": "活动类型",
    "month": "月份",
    "activities": "活动数",
    "participants": "参与人数",
    "participations": "参与人次",
    "hours": "服务时长（小时）",
    "members": "在库人数",
    "share": "参与比例",
}


@dataclass(frozen=True)
class ActivityFact:
    """One published activity: its kind, region (None: national), first day, and who counts, with hours."""

    kind: str
    region: str | None
    starts_on: date
    participants: tuple[tuple[int, float], ...]


@dataclass(frozen=True)
class PoolCount:
    """How many current members of a pool, based in a region, took part in a counted activity this year (or not)."""

    pool: str
    region: str | None
    took_part: bool
    people: int


@dataclass(frozen=True)
class ActivityQuery:
    """The question: a calendar year, a region (a province with its cities, or a city), a kind."""

    as_of: date
    year: int
    region: str | None = None
    kind: str | None = None

    def matches(self, fact: ActivityFact) -> bool:
        return (
            fact.starts_on.year == self.year
            and (self.kind is None or fact.kind == self.kind)
            and Query(self.as_of, self.region).in_region(fact.region)
        )


def _hours(value: float) -> float:
    return round(value, 2)


class _Cell:
    __slots__ = ("activities", "hours", "participations", "people")

    def __init__(self) -> None:
        self.activities = 0
        self.participations = 0
        self.hours = 0.0
        self.people: set[int] = set()

    def add(self, fact: ActivityFact) -> None:
        self.activities += 1
        self.participations += len(fact.participants)
        self.hours += sum(hours for _, hours in fact.participants)
        self.people.update(key for key, _ in fact.participants)

    def measures(self) -> dict[str, Any]:
        return {
            "activities": self.activities,
            "participants": len(self.people),
            "participations": self.participations,
            "hours": _hours(self.hours),
        }


def _table(
    facts: Iterable[ActivityFact],
    query: ActivityQuery,
    dimensions: tuple[str, ...],
    key: Callable[[ActivityFact], tuple[Any, ...]],
) -> Table:
    cells: dict[tuple[Any, ...], _Cell] = defaultdict(_Cell)
    whole = _Cell()
    for fact in facts:
        if query.matches(fact):
            cells[key(fact)].add(fact)
            whole.add(fact)
    order = sorted(cells, key=lambda k: tuple((v is None, v or "") for v in k))
    rows = [{**dict(zip(dimensions, k, strict=True)), **cells[k].measures()} for k in order]
    return Table((*dimensions, *MEASURES), rows, whole.measures(), ("participants",), _DERIVED)


def by_province(facts: Iterable[ActivityFact], query: ActivityQuery) -> Table:
    """Activities, people who took part (each once per cell), participations and hours by province × kind."""
    return _table(facts, query, ("province", "kind"), lambda f: (_province_or_none(f.region), f.kind))


def by_month(facts: Iterable[ActivityFact], query: ActivityQuery) -> Table:
    """The same measures by month of the activity's first day (`2026-05`) × kind."""
    return _table(facts, query, ("month", "kind"), lambda f: (period_key(f.starts_on, "month"), f.kind))


def provinces_only(facts: Iterable[ActivityFact], query: ActivityQuery) -> Table:
    """The same measures by province, every kind together (the open data's rows)."""
    return _table(facts, query, ("province",), lambda f: (_province_or_none(f.region),))


def pool_shares(counts: Iterable[PoolCount], query: ActivityQuery) -> Table:
    """Per pool: current members (of the region asked), how many took part in the year, and the share."""
    members: dict[str, int] = defaultdict(int)
    took_part: dict[str, int] = defaultdict(int)
    for count in counts:
        if Query(query.as_of, query.region).in_region(count.region):
            members[count.pool] += count.people
            if count.took_part:
                took_part[count.pool] += count.people
    rows = [
        {
            "pool": pool.code,
            "members": members[pool.code],
            "participants": took_part[pool.code],
            "share": round(took_part[pool.code] / members[pool.code], 4) if members[pool.code] else None,
        }
        for pool in POOLS
    ]
    # A person in both pools is one member of each: the pools' totals would count them twice, so none is given.
    return Table(
        ("pool", "members", "participants", "share"),
        rows,
        {},
        ("members", "participants"),
        {"share": ("members", "participants")},
    )


def compute(
    table: str, activities: Iterable[ActivityFact], pools: Iterable[PoolCount], query: ActivityQuery
) -> Table:
    """One of TABLES for the query (unsuppressed)."""
    if table == "provinces":
        return by_province(activities, query)
    if table == "months":
        return by_month(activities, query)
    if table == "pools":
        return pool_shares(pools, query)
    raise ValueError(f"no table {table!r}; use one of {', '.join(TABLES)}")


def headers(columns: Iterable[str], lang: str | None, common: dict[str, str]) -> list[str]:
    """Column headers: the keys, or in Chinese for `lang=zh` (this statistic's names, then the common ones)."""
    if lang != "zh":
        return list(columns)
    return [HEADERS_ZH.get(column) or common.get(column, column) for column in columns]
