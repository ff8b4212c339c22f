"""看板: charts drawn with Apache ECharts served from the app; each with its data as CSV and XLSX.

Everyone sees the showcase's counts (the search facets over the people the visitor may see). Visitors whose key may
read issue 15's statistics (`services.statistics.allowed`: client keys the supply, government and admin keys every
statistic) see the registry's statistics too — supply by province, work type × level, trends over time, coverage
of key emitters, expiring certificates — from the same service, suppressed exactly as the API suppresses them for
that role. A chart's download links call the same service with the visitor's role.
"""

from __future__ import annotations

import json
from collections import defaultdict
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from flask import Response, abort, render_template, request

from adapters.spreadsheets import CSV_MEDIA_TYPE, XLSX_MEDIA_TYPE, to_csv, to_xlsx
from interface import presenters
from interface.context import ctx
from services import activity_stats, search
from services import statistics as stats_service
from web import labels
from web.pages import INDUSTRY_NAMES, REGION_NAMES
from web.portal import portal, principal
from web.province_grid import MEASURES, headlines, measures_for, province_grid

# showcase chart → (title, the facet it counts, how a value is named)
CHARTS: dict[str, tuple[str, str, Any]] = {
    "provinces": ("各省（区、市）持证人数", "region", lambda v: REGION_NAMES.get(v, v)),
    "work_types": ("各工种有效持证人数", "work_type", labels.work_type),
    "levels": ("各等级有效持证人数", "level", labels.level),
    "pools": ("人才库与专家库", "pool", labels.pool),
    "industries": ("行业经验分布", "industry", lambda v: INDUSTRY_NAMES.get(v, v)),
}
HIDDEN_NOTE = "人数少于隐私阈值的单元格已隐藏（显示为空），合计按未隐藏的单元格计算。"


def chart_rows() -> dict[str, list[tuple[str, str, int]]]:
    """Each showcase chart's rows (code, name, count), counted over everyone the visitor may see."""
    args = {"page": 1, "per_page": 1, "sort": "level"}
    facets = (
        search.search(
            ctx(), args, public_only=presenters.public_only(), audience=presenters.search_audience()
        ).facets
        or {}
    )
    rows = {}
    for chart, (_, dimension, name) in CHARTS.items():
        counts = facets.get(dimension, {})
        rows[chart] = sorted(
            ((code, name(code), n) for code, n in counts.items()), key=lambda r: (-r[2], r[0])
        )
    return rows


def _bar(
    title: str, names: list[str], series: list[dict[str, Any]], horizontal: bool = True
) -> dict[str, Any]:
    category = {"type": "category", "data": names, **({"inverse": True} if horizontal else {})}
    value = {"type": "value"}
    return {
        "title": {"text": title, "left": "center", "textStyle": {"fontSize": 14}},
        "tooltip": {"trigger": "axis"},
        "legend": {"bottom": 0} if len(series) > 1 else {"show": False},
        "grid": {
            "left": 110 if horizontal else 50,
            "right": 20,
            "top": 40,
            "bottom": 40,
            "containLabel": False,
        },
        "xAxis": value if horizontal else category,
        "yAxis": category if horizontal else value,
        "series": series,
    }


def _num(value: Any) -> float:
    return 0 if value is None else value


def _province_name(row: dict[str, Any]) -> str:
    """The row's province, 未注明地区 for people (or units) whose record names none."""
    return row.get("province_name") or (
        labels.UNSTATED_REGION if row.get("province") is None else row["province"]
    )


def _named(row: dict[str, Any]) -> dict[str, Any]:
    return row | {"province_name": _province_name(row)} if "province_name" in row else row


# --- Statistics charts: each is one statistics answer and a function drawing it ------------------------------


@dataclass(frozen=True)
class StatChart:
    title: str
    statistic: str
    table: str
    draw: Callable[[dict[str, Any]], dict[str, Any]]


def _supply_by_province(answer: dict[str, Any]) -> dict[str, Any]:
    totals: dict[str, float] = defaultdict(float)
    for row in answer["rows"]:
        totals[_province_name(row)] += _num(row["holders"])
    ranked = sorted(totals.items(), key=lambda item: (-item[1], item[0]))
    return _bar("各省有效持证人数（由多到少）", [n for n, _ in ranked],
                [{"type": "bar", "name": "有效持证人数", "data": [v for _, v in ranked]}])  # fmt: skip


def _work_type_by_level(answer: dict[str, Any]) -> dict[str, Any]:
    cells: dict[tuple[str, int], float] = defaultdict(float)
    for row in answer["rows"]:
        cells[(row["work_type"], row["level"])] += _num(row["holders"])
    work_types = sorted({w for w, _ in cells})
    levels = sorted({lv for _, lv in cells})
    series = [{"type": "bar", "stack": "level", "name": labels.level(lv),
               "data": [cells.get((w, lv), 0) for w in work_types]} for lv in levels]  # fmt: skip
    return _bar("工种 × 等级有效持证人数", [labels.work_type(w) for w in work_types], series)


def _trends(answer: dict[str, Any]) -> dict[str, Any]:
    measures = {"issued": "发证", "expired": "到期", "suspended": "暂停", "revoked": "撤销"}
    periods = sorted({row["period"] for row in answer["rows"]})
    sums = {m: dict.fromkeys(periods, 0.0) for m in measures}
    for row in answer["rows"]:
        for m in measures:
            sums[m][row["period"]] += _num(row[m])
    series = [
        {"type": "line", "name": name, "data": [sums[m][p] for p in periods]} for m, name in measures.items()
    ]
    return _bar("证书发放与变动趋势（按月）", periods, series, horizontal=False)


def _coverage(answer: dict[str, Any]) -> dict[str, Any]:
    # Coverage sets a province's verifiers against its key emitters: people with no province have no list to be
    # set against, so 未注明地区 stays in the table and out of the chart.
    rows = [row for row in answer["rows"] if row["province"] is not None]
    names = [_province_name(row) for row in rows]
    target = rows[0]["target"] if rows else None
    series: list[dict[str, Any]] = [
        {"type": "bar", "name": "每百家重点排放单位核查员数", "data": [row["coverage"] for row in rows]}
    ]
    if target is not None:
        series[0]["markLine"] = {"data": [{"xAxis": target, "name": "目标"}], "symbol": "none"}
    return _bar("重点排放单位核查力量覆盖", names, series)


def _expiring(answer: dict[str, Any]) -> dict[str, Any]:
    totals: dict[str, float] = defaultdict(float)
    for row in answer["rows"]:
        totals[_province_name(row)] += _num(row["certificates"])
    ranked = sorted(totals.items(), key=lambda item: (-item[1], item[0]))
    return _bar("90 天内到期的证书（按省）", [n for n, _ in ranked],
                [{"type": "bar", "name": "到期证书数", "data": [v for _, v in ranked]}])  # fmt: skip


STAT_CHARTS: dict[str, StatChart] = {
    "supply-provinces": StatChart("各省有效持证人数", "supply", "holders", _supply_by_province),
    "work-type-level": StatChart("工种 × 等级", "supply", "holders", _work_type_by_level),
    "trends": StatChart("趋势", "trends", "periods", _trends),
    "coverage": StatChart("重点排放单位覆盖", "demand", "coverage", _coverage),
    "expiring": StatChart("即将到期的证书", "expiring", "provinces", _expiring),
}


def _activities_by_month(answer: dict[str, Any]) -> dict[str, Any]:
    cells: dict[tuple[str, str], float] = defaultdict(float)
    hours: dict[str, float] = defaultdict(float)
    for row in answer["rows"]:
        cells[(row["month"], row["kind"])] += row["activities"]
        hours[row["month"]] += _num(row["hours"])
    months = sorted({month for month, _ in cells})
    kinds = [kind for kind in labels.ACTIVITY_KINDS if any(k == kind for _, k in cells)]
    series: list[dict[str, Any]] = [
        {"type": "bar", "stack": "kind", "name": labels.ACTIVITY_KINDS[kind],
         "data": [cells.get((month, kind), 0) for month in months]}
        for kind in kinds
    ]  # fmt: skip
    series.append({"type": "line", "name": "服务时长（小时）", "yAxisIndex": 1,
                   "data": [round(hours[month], 1) for month in months]})  # fmt: skip
    option = _bar(
        f"公益活动（{answer['filters']['year']} 年，按月、按类型）", months, series, horizontal=False
    )
    option["yAxis"] = [{"type": "value", "name": "活动数"}, {"type": "value", "name": "小时"}]
    return option


# The public-welfare chart (issue 25): its own statistic (services/activity_stats.py), for the roles it allows.
ACTIVITY_CHART = ("activities", "公益活动", "months")


def _activity_chart(role: str) -> dict[str, Any] | None:
    key, title, table = ACTIVITY_CHART
    if not activity_stats.allowed(role):
        return None
    request = activity_stats.ActivityStatsRequest(as_of=ctx().today, table=table)
    answer = activity_stats.answer(ctx(), request, role, "zh")
    rows = [row | {"kind": labels.ACTIVITY_KINDS.get(row["kind"], row["kind"])} for row in answer["rows"]]
    return {
        "key": key, "title": title, "statistic": activity_stats.STATISTIC, "table": table,
        "option": json.dumps(_activities_by_month(answer), ensure_ascii=False, default=str),
        "labels": answer["labels"], "columns": answer["columns"], "rows": rows,
        "suppressed": bool(answer["suppression"]["cells"]),
    }  # fmt: skip


# A chart's data table on the page shows its first rows; the whole table is its CSV / XLSX download. An
# administrator's unsuppressed tables run to thousands of cells, and writing them all made the page slow (p99 2.3 s
# at 100 000 people under load).
TABLE_ROWS = 50


def _request(statistic: str, table: str) -> stats_service.StatisticsRequest:
    return stats_service.StatisticsRequest(statistic=statistic, as_of=ctx().today, table=table)


def statistics_charts() -> list[dict[str, Any]]:
    """The statistics charts this visitor's role may read, each with its option, its table and its links."""
    role = principal().role
    shown = []
    for key, chart in STAT_CHARTS.items():
        if not stats_service.allowed(chart.statistic, role):
            continue
        answer = stats_service.answer(ctx(), _request(chart.statistic, chart.table), role, "zh")
        shown.append({
            "key": key, "title": chart.title, "statistic": chart.statistic, "table": chart.table,
            "option": json.dumps(chart.draw(answer), ensure_ascii=False, default=str),
            "labels": answer["labels"], "columns": answer["columns"],
            "rows": [_named(r) for r in answer["rows"][:TABLE_ROWS]], "row_count": len(answer["rows"]),
            "suppressed": bool((answer.get("suppression") or {}).get("cells")),
        })  # fmt: skip
    activities = _activity_chart(role)
    return shown + ([activities] if activities else [])


def _showcase_option(chart: str, rows: list[tuple[str, str, int]]) -> dict[str, Any]:
    names = [name for _, name, _ in rows]
    return _bar(CHARTS[chart][0], names, [{"type": "bar", "data": [count for _, _, count in rows]}])


@portal.route("/dashboards")
def dashboards() -> str:
    """The dashboard page: headline numbers, provinces as a tile grid (`?measure=`), then the charts."""
    role = principal().role
    measures = measures_for(role)
    chosen = request.args.get("measure", "")
    measure = chosen if chosen in measures else measures[0]  # one the role may not read: the default
    rows = chart_rows()
    options = {
        chart: json.dumps(_showcase_option(chart, rows[chart]), ensure_ascii=False) for chart in CHARTS
    }
    return render_template("dashboards.html", charts=CHARTS, rows=rows, options=options,
                           headlines=headlines(role), grid=province_grid(measure, role, rows["provinces"]),
                           measures={code: MEASURES[code].label for code in measures},
                           statistics=statistics_charts(), hidden_note=HIDDEN_NOTE)  # fmt: skip


@portal.route("/dashboards/province-grid/<string:measure>.<any(csv, xlsx):fmt>")
def province_grid_download(measure: str, fmt: str) -> Response:
    """The tile grid's table (province, its name, the measure) as CSV or XLSX, for the visitor's role."""
    role = principal().role
    if measure not in MEASURES:
        abort(404)
    if measure not in measures_for(role):
        abort(403 if role != "public" else 401)
    grid = province_grid(measure, role, chart_rows()["provinces"] if measure == "showcase" else None)
    columns = ("province", "province_name", "value")
    headers = ("省份代码", "省份", grid["label"])
    if fmt == "csv":
        content, media_type = to_csv(columns, grid["table"], headers, bom=True), CSV_MEDIA_TYPE
    else:
        content, media_type = to_xlsx(columns, grid["table"], headers, sheet=measure), XLSX_MEDIA_TYPE
    return Response(content, mimetype=media_type,
                    headers={"Content-Disposition": f'attachment; filename="provinces-{measure}.{fmt}"'})  # fmt: skip


@portal.route("/dashboards/<string:chart>.<any(csv, xlsx):fmt>")
def dashboard_download(chart: str, fmt: str) -> Response:
    """A showcase chart's data as CSV (UTF-8 with BOM so spreadsheet programs read the Chinese) or XLSX."""
    if chart not in CHARTS:
        abort(404)
    columns, headers = ("code", "name", "count"), ("代码", "名称", "人数")
    data = [dict(zip(columns, row, strict=True)) for row in chart_rows()[chart]]
    if fmt == "csv":
        content, media_type = to_csv(columns, data, headers, bom=True), CSV_MEDIA_TYPE
    else:
        content, media_type = to_xlsx(columns, data, headers, sheet=chart), XLSX_MEDIA_TYPE
    return Response(content, mimetype=media_type,
                    headers={"Content-Disposition": f'attachment; filename="{chart}.{fmt}"'})  # fmt: skip


@portal.route("/dashboards/statistics/<string:statistic>/<string:table>.<any(csv, xlsx):fmt>")
def statistics_download(statistic: str, table: str, fmt: str) -> Response:
    """A statistic's table as CSV or XLSX with Chinese headers — the API's export, for the visitor's role."""
    role = principal().role
    if statistic == activity_stats.STATISTIC and table in activity_stats.TABLES:
        if not activity_stats.allowed(role):
            abort(403 if role != "public" else 401)
        asked = activity_stats.ActivityStatsRequest(as_of=ctx().today, table=table)
        exported = activity_stats.answer_as(ctx(), asked, role, fmt, "zh")
    elif table not in stats_service.STATISTICS.get(statistic, ()):
        abort(404)
    elif not stats_service.allowed(statistic, role):
        abort(403 if role != "public" else 401)
    else:
        exported = stats_service.answer_as(ctx(), _request(statistic, table), role, fmt, "zh")
    assert isinstance(exported, stats_service.Export)
    disposition = f'attachment; filename="{exported.filename}"'
    return Response(
        exported.content, mimetype=exported.media_type, headers={"Content-Disposition": disposition}
    )
