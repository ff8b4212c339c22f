"""Statistics for government dashboards and daily open data.

The graph is read into a snapshot of plain facts (graph/statistics.py, kept by services/statistics_cache.py:
saved between starts, brought up to date by reading what changed); every statistic is a pure aggregation over
it (registry/statistics/), and each answer is kept with the snapshot it came from. A request costs, the first
time, one pass over the facts; the same request again is a dictionary look-up. After a write the next snapshot is
read in the background while the previous one answers.
Privacy suppression applies to every caller but an administrator.
"""

from __future__ import annotations

import threading
import weakref
from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

from adapters.spreadsheets import CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE, to_csv, to_xlsx
from graph.driver import Graph
from registry import statistics as stats
from registry.errors import NotFound, ValidationFailed
from registry.reference import PROVINCES
from registry.statistics import open_data
from services.context import Context
from services.settings import Settings
from services.statistics_cache import Snapshot, SnapshotCache, SnapshotFile, StatisticsSettings

__all__ = ["Snapshot", "StatisticsCache", "StatisticsSettings"]  # with the answers, where callers find them

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
# The dashboard's tile grid asks these per province (web/province_grid.py); the start and each refresh warm them.
DASHBOARD_GRID: tuple[tuple[str, str], ...] = (("supply", "holders"), ("expiring", "provinces"))
FORMATS: tuple[str, ...] = ("json", "csv", "xlsx")
MAX_WITHIN_DAYS = 3660
MAX_PERIODS = 240  # 20 years of months


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


# --- The snapshot (services/statistics_cache.py) -------------------------------------------------------------


class StatisticsCache(SnapshotCache):
    """The process's snapshot, whose refreshes compute the usual answers before they are swapped in."""

    def warm(self, snapshot: Snapshot, today: date) -> None:
        warm(snapshot, self.settings, today)


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
    elif request.interval in stats.INTERVALS and request.start:
        end = min(request.end or request.as_of, request.as_of)
        if len(stats.periods_between(request.start, end, request.interval)) > MAX_PERIODS:
            errors["from"] = [
                f"at most {MAX_PERIODS} periods per answer; use a longer interval or a later from"
            ]
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


def build_answer(
    facts: stats.Facts,
    request: StatisticsRequest,
    suppressed: bool,
    settings: StatisticsSettings,
    table: stats.Table | None = None,
) -> dict[str, Any]:
    """The answer to a checked request: suppressed for every caller but an administrator (`table`: its
    unsuppressed table, when computed already)."""
    table = table if table is not None else compute(facts, request, settings)
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


def warm_up(graph: Graph, today: date, settings: Settings | None = None) -> None:
    """Make this process's statistics snapshot of `graph` ready, with the usual answers, before a server worker
    takes requests: from the snapshot the host saved (STATS_SNAPSHOTS) and what changed since, or read whole."""
    cache = cache_for(graph)
    file = None
    if settings is not None and cache.settings.snapshots:
        file = SnapshotFile.of(
            cache.settings.snapshots, settings.neo4j_uri, settings.neo4j_database, settings.secret_key
        )
    cache.start(graph, today, file)


def warm(snapshot: Snapshot, settings: StatisticsSettings, today: date) -> None:
    """Compute the default answer of every table and the province totals the dashboard's tile grid asks for, as
    government and client keys see them (suppressed) and as administrators do (not), and today's open data, so
    that a dashboard's usual requests never wait for an aggregation after a refresh or a start (the answers are
    kept in the saved snapshot too)."""
    requests = [
        StatisticsRequest(statistic=statistic, as_of=today, table=table)
        for statistic, tables in STATISTICS.items()
        for table in tables
    ]
    requests += [
        StatisticsRequest(statistic=statistic, as_of=today, table=table, region=code)
        for statistic, table in DASHBOARD_GRID
        for code, _ in PROVINCES
    ]
    for request in requests:
        _keep_both_answers(snapshot, request, settings)
    snapshot.remember(
        ("open-data", today), lambda: open_data_csv(snapshot.facts, today, settings.minimum_cell)
    )


def _keep_both_answers(snapshot: Snapshot, request: StatisticsRequest, settings: StatisticsSettings) -> None:
    """Keep a request's suppressed answer (government and client keys) and its unsuppressed one (administrators),
    its table computed once, and only when one of them is not kept yet."""
    tables: list[stats.Table] = []

    def answer(suppressed: bool) -> dict[str, Any]:
        if not tables:
            tables.append(compute(snapshot.facts, request, settings))
        return build_answer(snapshot.facts, request, suppressed, settings, tables[0])

    snapshot.remember(("answer", request, True), lambda: answer(True))
    snapshot.remember(("answer", request, False), lambda: answer(False))


def _answer(
    ctx: Context, request: StatisticsRequest, role: str, cache: StatisticsCache
) -> tuple[Snapshot, bool, StatisticsRequest, dict[str, Any]]:
    request = check_request(request, role, ctx.today)
    snapshot, fresh = cache.snapshot(ctx.graph, ctx.today)
    suppressed = role != "admin"
    result = snapshot.remember(
        ("answer", request, suppressed),
        lambda: build_answer(snapshot.facts, request, suppressed, cache.settings),
    )
    return snapshot, fresh, request, result


def answer(
    ctx: Context,
    request: StatisticsRequest,
    role: str,
    lang: str | None = None,
    cache: StatisticsCache | None = None,
) -> dict[str, Any]:
    """The JSON answer `{statistic, table, as_of, filters, columns, labels, rows, totals, suppression,
    snapshot}`; `snapshot.fresh` is false while a newer snapshot is being read."""
    snapshot, fresh, _, result = _answer(ctx, request, role, cache or cache_for(ctx.graph))
    return {
        **result,
        "labels": stats.headers(result["columns"], lang),
        "snapshot": {"read_at": snapshot.read_at.isoformat(timespec="milliseconds"), "fresh": fresh},
    }


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
    if fmt == "json":
        return answer(ctx, request, role, lang, cache)
    snapshot, _, checked, result = _answer(ctx, request, role, cache)
    return snapshot.remember(
        ("export", checked, role == "admin", fmt, lang),
        lambda: export(result, fmt, lang),
    )


def open_data_csv(facts: stats.Facts, day: date, minimum: int) -> bytes:
    """The open-data file of `day` after its comment lines: the header and the day's rows."""
    return to_csv(open_data.OPEN_DATA_COLUMNS, open_data.open_data_rows(facts, day, minimum))
