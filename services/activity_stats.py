"""`/stats/activities`: public-welfare activities for government dashboards, and their open-data rows.

Read from the graph (one read transaction: the year's published activities with the people whose participation
counts, or the pools' members), aggregated by registry/statistics/activities.py, suppressed like every other
statistic for every caller but an administrator, exported as CSV / XLSX like the others. Each answer is kept in the
process under the graph's change key (`graph.activity_stats.change_key`: the activities' revision and attendance
counter, two counts, and for the pools table the registry's revision), so a dashboard asks the graph again only after
a write the answer depends on.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from dataclasses import dataclass, replace
from datetime import date
from typing import Any

import neo4j

from adapters.spreadsheets import CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE, to_csv, to_xlsx
from graph import activity_stats as repo
from graph.driver import Graph
from registry import statistics as stats
from registry.activities import KINDS
from registry.errors import ValidationFailed
from registry.statistics import activities as welfare
from registry.statistics.open_data import OPEN_DATA_COLUMNS
from registry.statistics.rules import HEADERS_ZH
from services.context import Context
from services.settings import Settings
from services.statistics import FORMATS, Export, cache_for

STATISTIC = "activities"
TABLES = welfare.TABLES
SUPPRESSION_GROUPS: dict[str, tuple[str, ...]] = {
    "provinces": ("province", "kind"),
    "months": ("month", "kind"),
    "pools": ("pool",),
}
# The open data's measure names for the activity rows (registry/statistics/open_data.py's long form).
OPEN_DATA_MEASURES: tuple[tuple[str, str], ...] = (
    ("activities", "activities"),
    ("activity_participants", "participants"),
    ("activity_hours", "hours"),
)
KEPT_ANSWERS = 256  # answers kept per process, the oldest dropped first
FIRST_YEAR = 2021  # the occupation's first certificates (registry/statistics/open_data.OPEN_DATA_FIRST_DAY)


@dataclass(frozen=True)
class ActivityStatsRequest:
    """Which table, as of when, for which year (default: as_of's), region and kind."""

    as_of: date
    table: str | None = None
    year: int | None = None
    region: str | None = None
    kind: str | None = None


def allowed(role: str) -> bool:
    """Government and administrators read the activity statistics (clients read the open data)."""
    return role in ("admin", "government")


def check(request: ActivityStatsRequest, today: date) -> ActivityStatsRequest:
    """The request with its defaults, or ValidationFailed naming each bad field."""
    errors: dict[str, list[str]] = {}
    table = request.table or welfare.TABLES[0]
    if table not in welfare.TABLES:
        errors["table"] = [f"must be one of: {', '.join(welfare.TABLES)}"]
    if request.as_of > today:
        errors["as_of"] = ["must not be in the future"]
    year = request.year or request.as_of.year
    if not FIRST_YEAR <= year <= today.year + 1:
        errors["year"] = [f"must be between {FIRST_YEAR} and {today.year + 1}"]
    if request.kind is not None and request.kind not in KINDS:
        errors["kind"] = [f"must be one of: {', '.join(KINDS)}"]
    if errors:
        raise ValidationFailed(errors, "invalid statistics request")
    return replace(request, table=table, year=year)


def _read(tx: neo4j.ManagedTransaction, request: ActivityStatsRequest) -> tuple[stats.Table, dict[str, str]]:
    year = request.year or request.as_of.year
    query = welfare.ActivityQuery(request.as_of, year, request.region, request.kind)
    table = request.table or welfare.TABLES[0]
    facts = repo.activity_facts(tx, year) if table != "pools" else []
    pools = repo.pool_counts(tx, year) if table == "pools" else []
    return welfare.compute(table, facts, pools, query), repo.province_names(tx)


class _Kept:
    """Answers by (request, suppressed, change key), bounded; one per process."""

    def __init__(self) -> None:
        self.lock = threading.Lock()
        self.answers: OrderedDict[tuple[Any, ...], Any] = OrderedDict()

    def get(self, key: tuple[Any, ...]) -> Any:
        with self.lock:
            return self.answers.get(key)

    def put(self, key: tuple[Any, ...], answer: Any) -> None:
        with self.lock:
            self.answers[key] = answer
            while len(self.answers) > KEPT_ANSWERS:
                self.answers.popitem(last=False)


_KEPT = _Kept()


def _with_province_names(table: stats.Table, names: dict[str, str]) -> stats.Table:
    if "province" not in table.columns:
        return table
    columns = ("province", "province_name", *table.columns[1:])
    rows = [{"province_name": names.get(row["province"] or ""), **row} for row in table.rows]
    return replace(table, columns=columns, rows=[{c: row[c] for c in columns} for row in rows])


def answer(ctx: Context, request: ActivityStatsRequest, role: str, lang: str | None = None) -> dict[str, Any]:
    """`{statistic, table, tables, as_of, filters, columns, labels, rows, totals, suppression}`, as the other
    statistics answer; counts of people under the minimum are null for every caller but an administrator."""
    request = check(request, ctx.today)
    minimum = cache_for(ctx.graph).settings.minimum_cell
    suppressed = role != "admin"
    changed = ctx.graph.read(repo.change_key, request.table == "pools")
    key = (request, suppressed, minimum, lang, ctx.today, changed)
    kept = _KEPT.get(key)
    if kept is not None:
        return kept
    table, names = ctx.graph.read(_read, request)
    if suppressed:
        table = stats.suppress(table, minimum, SUPPRESSION_GROUPS[request.table or ""])
    table = _with_province_names(table, names)
    result = {
        "statistic": STATISTIC,
        "table": request.table,
        "tables": list(welfare.TABLES),
        "as_of": request.as_of.isoformat(),
        "filters": {"year": request.year, "region": request.region, "kind": request.kind},
        "columns": list(table.columns),
        "labels": welfare.headers(table.columns, lang, HEADERS_ZH),
        "rows": table.rows,
        "totals": table.totals,
        "suppression": {
            "minimum": minimum if suppressed else None,
            "cells": table.suppressed,
            "measures": list(table.people_measures),
        },
    }
    _KEPT.put(key, result)
    return result


def warm_up(graph: Graph, today: date, settings: Settings) -> None:
    """The dashboard's public-welfare chart read once at a server's start, for administrators and government, so
    that the first dashboard after a start does not read every activity (1.5–1.8 s at 100 000 people)."""
    ctx = Context(graph=graph, settings=settings, today=today)
    request = ActivityStatsRequest(as_of=today, table="months")
    for role in ("admin", "government"):
        answer(ctx, request, role, "zh")


def answer_as(
    ctx: Context, request: ActivityStatsRequest, role: str, fmt: str = "json", lang: str | None = None
) -> dict[str, Any] | Export:
    """The answer as JSON (a dict) or as an Export for csv / xlsx."""
    if fmt not in FORMATS:
        raise ValidationFailed({"format": [f"must be one of: {', '.join(FORMATS)}"]}, "invalid format")
    result = answer(ctx, request, role, lang)
    if fmt == "json":
        return result
    columns = result["columns"]
    rows = result["rows"]
    labels = result["labels"]
    name = f"activities-{result['table']}-{result['filters']['year']}"
    if fmt == "csv":
        return Export(to_csv(columns, rows, labels, bom=lang == "zh"), CSV_MEDIA_TYPE, f"{name}.csv")
    return Export(to_xlsx(columns, rows, labels, sheet=f"activities-{result['table']}"), XLSX_MEDIA_TYPE,
                  f"{name}.xlsx")  # fmt: skip


def open_data_rows(ctx: Context, day: date, minimum: int) -> list[dict[str, Any]]:
    """The open data's activity rows for `day`: activities of the year begun by that day, the people who took part
    and their hours, by province and in all (long form, the open data's columns; no names; people counts under
    `minimum` blank, and the hours with them)."""
    query = welfare.ActivityQuery(day, day.year)

    def read(tx: neo4j.ManagedTransaction) -> stats.Table:
        facts = [fact for fact in repo.activity_facts(tx, day.year) if fact.starts_on <= day]
        return welfare.provinces_only(facts, query)

    table = stats.suppress(ctx.graph.read(read), minimum, ("province",))
    iso = day.isoformat()
    blank = {"work_type": None, "level": None, "pool": None}
    rows = [
        {"date": iso, "measure": measure, "province": row["province"], **blank, "value": row[column]}
        for row in table.rows
        for measure, column in OPEN_DATA_MEASURES
    ]
    rows += [
        {
            "date": iso,
            "measure": f"{measure}_total",
            "province": None,
            **blank,
            "value": table.totals.get(column),
        }
        for measure, column in OPEN_DATA_MEASURES
    ]
    return rows


def open_data_lines(ctx: Context, day: date, minimum: int) -> bytes:
    """`open_data_rows` as CSV lines in the open data's columns, without a header (they follow the day's rows);
    kept like the answers until the next write."""
    key = ("open-data", day, minimum, ctx.today, ctx.graph.read(repo.change_key))
    kept = _KEPT.get(key)
    if kept is None:
        kept = to_csv(OPEN_DATA_COLUMNS, open_data_rows(ctx, day, minimum)).split(b"\r\n", 1)[1]
        _KEPT.put(key, kept)
    return kept
