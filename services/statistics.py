"""Statistics for government dashboards and daily open data.

The graph is read once per revision into a snapshot of plain facts (graph/statistics.py); every statistic is a
pure aggregation over it (registry/statistics.py), and each answer is kept, per revision, until the graph
changes. A request costs a revision check plus, the first time, one pass over the facts; the same request
again is a dictionary look-up. Privacy suppression applies to every caller but an administrator.
"""

from __future__ import annotations

import os
import threading
import weakref
from collections import OrderedDict
from collections.abc import Callable, Mapping
from dataclasses import asdict, dataclass, replace
from datetime import date
from typing import Any

from graph import statistics as repo
from graph.driver import Graph
from registry import statistics as stats
from registry.errors import NotFound, ValidationFailed
from services.context import Context
from services.exports import CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE, to_csv, to_xlsx

# Each statistic answers one table at a time (`table=`), the first being the default.
STATISTICS: dict[str, tuple[str, ...]] = {
    "supply": ("holders", "pools"),
    "trends": ("periods",),
    "demand": ("coverage", "key_emitters", "engagements"),
    "expiring": ("provinces",),
    "engagements": ("provinces", "distribution", "busiest"),
}
# What a client key may read: the aggregates open data publishes anyway.
PUBLIC_STATISTICS: frozenset[str] = frozenset({"supply"})
# Rows sharing a value of these dimensions add up to a total someone can get (another answer, a filter):
# secondary suppression keeps each such group from giving back a blanked cell.
SUPPRESSION_GROUPS: dict[tuple[str, str], tuple[str, ...]] = {
    ("supply", "holders"): ("province", "work_type"),
    ("trends", "periods"): ("period", "work_type"),
    ("expiring", "provinces"): ("province", "work_type"),
}
FORMATS: tuple[str, ...] = ("json", "csv", "xlsx")
MAX_WITHIN_DAYS = 3660

OPEN_DATA_COLUMNS: tuple[str, ...] = ("date", "measure", "province", "work_type", "level", "pool", "value")
OPEN_DATA_SCHEMA = "cmr-open-data/1"
OPEN_DATA_LICENCE = (
    "# 碳排放管理员人才库每日汇总开放数据 Carbon Manager Registry daily aggregates · schema {schema} · "
    "licence CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/) · "
    "cells under {minimum} people are left blank · date {date}"
)
OPEN_DATA_FIRST_DAY = date(2021, 7, 1)  # the occupation's first certificates


@dataclass(frozen=True)
class StatisticsSettings:
    """Rules an operator may change: the privacy threshold and what coverage counts."""

    minimum_cell: int = stats.DEFAULT_MINIMUM_CELL
    verifier_max_level: int = stats.DEFAULT_VERIFIER_MAX_LEVEL
    coverage_target: float = stats.DEFAULT_COVERAGE_TARGET
    cache_size: int = 512

    @classmethod
    def from_env(cls, env: Mapping[str, str] = os.environ) -> StatisticsSettings:
        return cls(
            minimum_cell=int(env.get("STATS_MINIMUM_CELL", stats.DEFAULT_MINIMUM_CELL)),
            verifier_max_level=int(env.get("STATS_VERIFIER_MAX_LEVEL", stats.DEFAULT_VERIFIER_MAX_LEVEL)),
            coverage_target=float(env.get("STATS_COVERAGE_TARGET", stats.DEFAULT_COVERAGE_TARGET)),
            cache_size=int(env.get("STATS_CACHE_SIZE", 512)),
        )


@dataclass(frozen=True)
class StatisticsRequest:
    """One statistic's question: which table, as of when, the common filters and the statistic's own ones."""

    statistic: str
    as_of: date
    table: str | None = None
    region: str | None = None
    work_type: str | None = None
    level: int | None = None
    interval: str = "month"
    start: date | None = None
    end: date | None = None
    within: int = 90


# --- The snapshot ------------------------------------------------------------------------------------------


def _revision(tx: Any) -> tuple[Any, ...]:
    return repo.revision(tx)


class StatisticsCache:
    """Facts of the current revision and the answers computed on them; thread-safe, one per process."""

    def __init__(self, settings: StatisticsSettings | None = None) -> None:
        self.settings = settings or StatisticsSettings()
        self._lock = threading.Lock()
        self._key: tuple[Any, ...] | None = None
        self._facts: stats.Facts | None = None
        self._answers: OrderedDict[tuple[Any, ...], Any] = OrderedDict()

    def facts(self, graph: Graph, today: date) -> tuple[tuple[Any, ...], stats.Facts]:
        """The facts of the graph's current revision, read again only when it has changed."""
        key = (graph.read(_revision), today)
        with self._lock:
            if self._key != key or self._facts is None:
                self._facts = graph.read(repo.read_facts, today)
                self._key = key
                self._answers.clear()
            return self._key, self._facts

    def remember(self, key: tuple[Any, ...], compute: Callable[[], Any]) -> Any:
        """The cached value for `key`, computing and keeping it (least recently used first out)."""
        with self._lock:
            if key in self._answers:
                self._answers.move_to_end(key)
                return self._answers[key]
        value = compute()
        with self._lock:
            self._answers[key] = value
            while len(self._answers) > self.settings.cache_size:
                self._answers.popitem(last=False)
        return value

    def clear(self) -> None:
        with self._lock:
            self._key, self._facts = None, None
            self._answers.clear()


_CACHES: weakref.WeakKeyDictionary[Graph, StatisticsCache] = weakref.WeakKeyDictionary()
_CACHES_LOCK = threading.Lock()


def cache_for(graph: Graph) -> StatisticsCache:
    """The process's statistics cache for this graph (one per driver), settings from STATS_* variables."""
    with _CACHES_LOCK:
        cache = _CACHES.get(graph)
        if cache is None:
            cache = _CACHES[graph] = StatisticsCache(StatisticsSettings.from_env())
        return cache


# --- Validation --------------------------------------------------------------------------------------------


def check_request(request: StatisticsRequest, role: str, today: date) -> StatisticsRequest:
    """The request with its default table, or ValidationFailed / NotFound naming what is wrong."""
    tables = STATISTICS.get(request.statistic)
    if tables is None:
        raise NotFound(f"no statistic {request.statistic!r}")
    errors: dict[str, list[str]] = {}
    table = request.table or tables[0]
    if table not in tables:
        errors["table"] = [f"must be one of: {', '.join(tables)}"]
    if request.as_of > today:
        errors["as_of"] = ["must not be in the future"]
    if request.interval not in stats.INTERVALS:
        errors["interval"] = [f"must be one of: {', '.join(stats.INTERVALS)}"]
    if request.start and request.end and request.start > request.end:
        errors["from"] = ["must not be after to"]
    if not 0 <= request.within <= MAX_WITHIN_DAYS:
        errors["within"] = [f"must be between 0 and {MAX_WITHIN_DAYS} days"]
    if errors:
        raise ValidationFailed(errors, "invalid statistics request")
    return replace(request, table=table)


def allowed(statistic: str, role: str) -> bool:
    """Administrators and government read every statistic; clients the public aggregates."""
    return role in ("admin", "government") or (role == "client" and statistic in PUBLIC_STATISTICS)


# --- Computing ---------------------------------------------------------------------------------------------


def compute(facts: stats.Facts, request: StatisticsRequest, settings: StatisticsSettings) -> stats.Table:
    """The unsuppressed table for a checked request."""
    query = stats.Query(request.as_of, request.region, request.work_type, request.level)
    people = facts.people_in(request.region)
    match (request.statistic, request.table):
        case ("supply", "holders"):
            return stats.supply(people, query)
        case ("supply", "pools"):
            return stats.pool_members(people, query)
        case ("trends", _):
            start = request.start or stats.default_trend_start(request.as_of, request.interval)
            end = request.end or request.as_of
            return stats.trends(
                people,
                facts.status_events,
                facts.memberships,
                facts.exams,
                query,
                request.interval,
                start,
                end,
            )
        case ("demand", "coverage"):
            return stats.coverage(
                people,
                facts.emitters,
                query,
                max_level=settings.verifier_max_level,
                target=settings.coverage_target,
            )
        case ("demand", "key_emitters"):
            return stats.key_emitters(facts.emitters, query)
        case ("demand", "engagements"):
            return stats.engagements_by_year(facts.engagements_in(request.region), query)
        case ("expiring", _):
            return stats.expiring(people, query, request.within)
        case ("engagements", "provinces"):
            return stats.engagements_by_province(facts.engagements_in(request.region), query)
        case ("engagements", "distribution"):
            return stats.engagement_distribution(facts.engagements_in(request.region), query)
        case ("engagements", "busiest"):
            return stats.busiest_experts(facts.engagements_in(request.region), query)
    raise NotFound(f"no table {request.table!r} in {request.statistic!r}")


def _with_province_names(table: stats.Table, names: Mapping[str, str]) -> stats.Table:
    if "province" not in table.columns:
        return table
    at = table.columns.index("province") + 1
    columns = (*table.columns[:at], "province_name", *table.columns[at:])
    rows = [
        {c: (names.get(row["province"]) if c == "province_name" else row[c]) for c in columns}
        for row in table.rows
    ]
    return replace(table, columns=columns, rows=rows)


def _filters(request: StatisticsRequest) -> dict[str, Any]:
    filters: dict[str, Any] = {
        "region": request.region,
        "work_type": request.work_type,
        "level": request.level,
    }
    if request.statistic == "trends":
        start = request.start or stats.default_trend_start(request.as_of, request.interval)
        filters |= {
            "interval": request.interval,
            "from": stats.period_start(start, request.interval).isoformat(),
            "to": min(request.end or request.as_of, request.as_of).isoformat(),
        }
    if request.statistic == "expiring":
        filters["within"] = request.within
    return filters


def answer(
    ctx: Context,
    request: StatisticsRequest,
    role: str,
    lang: str | None = None,
    cache: StatisticsCache | None = None,
) -> dict[str, Any]:
    """The JSON answer `{statistic, table, as_of, filters, columns, labels, rows, totals, suppression}`."""
    cache = cache or cache_for(ctx.graph)
    request = check_request(request, role, ctx.today)
    revision, facts = cache.facts(ctx.graph, ctx.today)
    suppressed = role != "admin"

    def build() -> dict[str, Any]:
        settings = cache.settings
        table = compute(facts, request, settings)
        if suppressed:
            groups = SUPPRESSION_GROUPS.get((request.statistic, request.table or ""), ("province",))
            table = stats.suppress(table, settings.minimum_cell, groups)
        table = _with_province_names(table, facts.region_names)
        return {
            "statistic": request.statistic,
            "table": request.table,
            "tables": list(STATISTICS[request.statistic]),
            "as_of": request.as_of.isoformat(),
            "filters": _filters(request),
            "columns": list(table.columns),
            "rows": table.rows,
            "totals": table.totals,
            "suppression": {
                "minimum": settings.minimum_cell if suppressed else None,
                "cells": table.suppressed,
                "measures": list(table.people_measures),
            },
        }

    result = cache.remember((revision, "answer", request, suppressed), build)
    return {**result, "labels": stats.headers(result["columns"], lang)}


@dataclass(frozen=True)
class Export:
    content: bytes
    media_type: str
    filename: str


def export(result: Mapping[str, Any], fmt: str, lang: str | None) -> Export:
    """The answer's rows as CSV or XLSX; `lang=zh` gives Chinese headers and work type / level names."""
    columns = result["columns"]
    rows = result["rows"]
    if lang == "zh":
        rows = [{c: stats.label_value(c, row[c]) for c in columns} for row in rows]
    headers = stats.headers(columns, lang)
    name = f"{result['statistic']}-{result['table']}-{result['as_of']}"
    if fmt == "csv":
        return Export(to_csv(columns, rows, headers, bom=lang == "zh"), CSV_MEDIA_TYPE, f"{name}.csv")
    if fmt == "xlsx":
        return Export(to_xlsx(columns, rows, headers, sheet=f"{result['statistic']}-{result['table']}"),
                      XLSX_MEDIA_TYPE, f"{name}.xlsx")  # fmt: skip
    raise ValidationFailed({"format": [f"must be one of: {', '.join(FORMATS)}"]}, "invalid format")


def answer_as(
    ctx: Context,
    request: StatisticsRequest,
    role: str,
    fmt: str = "json",
    lang: str | None = None,
    cache: StatisticsCache | None = None,
) -> dict[str, Any] | Export:
    """The answer as JSON (a dict) or as an Export for csv/xlsx, cached like the answer itself."""
    if fmt not in FORMATS:
        raise ValidationFailed({"format": [f"must be one of: {', '.join(FORMATS)}"]}, "invalid format")
    cache = cache or cache_for(ctx.graph)
    result = answer(ctx, request, role, lang, cache)
    if fmt == "json":
        return result
    revision, _ = cache.facts(ctx.graph, ctx.today)
    return cache.remember(
        (revision, "export", check_request(request, role, ctx.today), role == "admin", fmt, lang),
        lambda: export(result, fmt, lang),
    )


# --- Open data ---------------------------------------------------------------------------------------------


def open_data_rows(facts: stats.Facts, day: date, minimum: int) -> list[dict[str, Any]]:
    """The day's public aggregates in long form: holders by province × work type × level, pool members."""
    query = stats.Query(day)
    holders = stats.suppress(stats.supply(facts.people, query), minimum, ("province", "work_type"))
    pools = stats.suppress(stats.pool_members(facts.people, query), minimum, ("province",))
    iso = day.isoformat()
    rows = [
        {"date": iso, "measure": "holders", "province": r["province"], "work_type": r["work_type"],
         "level": r["level"], "pool": None, "value": r["holders"]}
        for r in holders.rows
    ]  # fmt: skip
    for r in pools.rows:
        for pool in ("talent", "expert"):
            rows.append(
                {"date": iso, "measure": "pool_members", "province": r["province"], "work_type": None,
                 "level": None, "pool": pool, "value": r[f"{pool}_members"]}
            )  # fmt: skip
    rows.append({"date": iso, "measure": "holders_total", "province": None, "work_type": None, "level": None,
                 "pool": None, "value": holders.totals["holders"]})  # fmt: skip
    for pool in ("talent", "expert"):
        rows.append({"date": iso, "measure": "pool_members_total", "province": None, "work_type": None,
                     "level": None, "pool": pool, "value": pools.totals[f"{pool}_members"]})  # fmt: skip
    return rows


def open_data(ctx: Context, day: date, cache: StatisticsCache | None = None) -> bytes:
    """`/open-data/{date}.csv`: a licence line, then the stable OPEN_DATA_COLUMNS header and rows."""
    if day > ctx.today or day < OPEN_DATA_FIRST_DAY:
        raise NotFound(
            f"no open data for {day.isoformat()}: dates run from {OPEN_DATA_FIRST_DAY.isoformat()} to today"
        )
    cache = cache or cache_for(ctx.graph)
    revision, facts = cache.facts(ctx.graph, ctx.today)
    minimum = cache.settings.minimum_cell

    def build() -> bytes:
        licence = OPEN_DATA_LICENCE.format(schema=OPEN_DATA_SCHEMA, minimum=minimum, date=day.isoformat())
        return to_csv(OPEN_DATA_COLUMNS, open_data_rows(facts, day, minimum), preamble=[licence])

    return cache.remember((revision, "open-data", day), build)


def settings_summary(settings: StatisticsSettings) -> dict[str, Any]:
    """The rules in force, for the API's documentation of an answer."""
    return asdict(settings)
