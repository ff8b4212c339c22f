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
from interface.auth import CLIENT_PLUS
from interface.context import ctx
from registry.statistics.periods import province_code
from services import search
from services import statistics as stats_service
from web import labels
from web.pages import INDUSTRY_NAMES, REGION_NAMES
from web.portal import portal, principal

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
            "labels": answer["labels"], "columns": answer["columns"], "rows": [_named(r) for r in answer["rows"]],
            "suppressed": bool((answer.get("suppression") or {}).get("cells")),
        })  # fmt: skip
    return shown


def _showcase_option(chart: str, rows: list[tuple[str, str, int]]) -> dict[str, Any]:
    names = [name for _, name, _ in rows]
    return _bar(CHARTS[chart][0], names, [{"type": "bar", "data": [count for _, _, count in rows]}])


# --- The first screen: headline numbers, and the provinces as a tile grid -------------------------------------

# China's 34 provincial-level divisions on a fixed grid, short name → (column, row), west → east and north → south.
# Every division gets the same square, so small ones (Beijing, Macao) are as visible as large ones, and a tile grid
# is no boundary map (a published map of China needs a 审图号 approval; docs/portal.md).
PROVINCE_TILES: dict[str, tuple[str, int, int]] = {
    "230000": ("黑龙江", 7, 1),
    "150000": ("内蒙古", 4, 2), "220000": ("吉林", 7, 2),
    "650000": ("新疆", 1, 3), "620000": ("甘肃", 2, 3), "640000": ("宁夏", 3, 3), "140000": ("山西", 4, 3),
    "130000": ("河北", 5, 3), "110000": ("北京", 6, 3), "210000": ("辽宁", 7, 3),
    "540000": ("西藏", 1, 4), "630000": ("青海", 2, 4), "610000": ("陕西", 3, 4), "410000": ("河南", 4, 4),
    "370000": ("山东", 5, 4), "120000": ("天津", 6, 4),
    "510000": ("四川", 2, 5), "500000": ("重庆", 3, 5), "420000": ("湖北", 4, 5), "340000": ("安徽", 5, 5),
    "320000": ("江苏", 6, 5), "310000": ("上海", 7, 5),
    "530000": ("云南", 2, 6), "520000": ("贵州", 3, 6), "430000": ("湖南", 4, 6), "360000": ("江西", 5, 6),
    "330000": ("浙江", 6, 6),
    "450000": ("广西", 3, 7), "440000": ("广东", 4, 7), "350000": ("福建", 5, 7), "710000": ("台湾", 6, 7),
    "460000": ("海南", 3, 8), "820000": ("澳门", 4, 8), "810000": ("香港", 5, 8),
}  # fmt: skip
EXPIRING_WITHIN = 90
HIDDEN = "人数少于隐私阈值，已隐藏"
NO_KEY_EMITTERS = "无重点排放单位"


@dataclass(frozen=True)
class Measure:
    """What the tile grid can be coloured by: a statistic the role may read (None: the showcase's own counts)."""

    label: str
    statistic: str | None
    unit: str = "人"


MEASURES: dict[str, Measure] = {
    "holders": Measure("有效持证人数", "supply"),
    "talent": Measure("人才库人数", "supply"),
    "expert": Measure("专家库人数", "supply"),
    "expiring": Measure(f"{EXPIRING_WITHIN} 天内到期的证书", "expiring", "张"),
    "coverage": Measure("每百家重点排放单位核查员数", "demand", ""),
    "showcase": Measure("可检索人员", None),
}


def measures_for(role: str) -> list[str]:
    """The grid's measures this role may read: the statistics it may read, else the showcase's counts."""
    allowed = [
        code for code, m in MEASURES.items() if m.statistic and stats_service.allowed(m.statistic, role)
    ]
    return allowed or ["showcase"]


def _answer(statistic: str, table: str, role: str, region: str | None = None) -> dict[str, Any]:
    request = stats_service.StatisticsRequest(
        statistic=statistic, as_of=ctx().today, table=table, region=region, within=EXPIRING_WITHIN
    )
    return stats_service.answer(ctx(), request, role, "zh")


@dataclass(frozen=True)
class Cell:
    value: float | None
    note: str = ""  # why there is no value


def province_values(
    measure: str, role: str, showcase: list[tuple[str, str, int]] | None = None
) -> dict[str | None, Cell]:
    """Province code (None: 未注明地区, where the statistic has it) → the measure's value, as the API answers the
    same question for this role: a province's total is `GET /stats/...?region=<province>`'s total, suppressed."""
    if measure == "showcase":
        counts: dict[str | None, int] = defaultdict(int)
        for code, _, count in chart_rows()["provinces"] if showcase is None else showcase:
            counts[province_code(code)] += count
        return {code: Cell(counts.get(code, 0)) for code in PROVINCE_TILES}
    if measure in ("holders", "expiring"):
        statistic, table, total = {"holders": ("supply", "holders", "holders"),
                                   "expiring": ("expiring", "provinces", "certificates")}[measure]  # fmt: skip
        values: dict[str | None, Cell] = {}
        for code in PROVINCE_TILES:
            value = _answer(statistic, table, role, code)["totals"].get(total)
            values[code] = Cell(value, "" if value is not None else HIDDEN)
        return values
    if measure in ("talent", "expert"):
        column = f"{measure}_members"
        rows = {row["province"]: row[column] for row in _answer("supply", "pools", role)["rows"]}
        return {code: Cell(n, "" if n is not None else HIDDEN)
                for code, n in ({**dict.fromkeys(PROVINCE_TILES, 0), **rows}).items()}  # fmt: skip
    values = {code: Cell(None, NO_KEY_EMITTERS) for code in PROVINCE_TILES}  # coverage
    for row in _answer("demand", "coverage", role)["rows"]:
        note = NO_KEY_EMITTERS if row["key_emitters"] == 0 else HIDDEN
        values[row["province"]] = Cell(row["coverage"], "" if row["coverage"] is not None else note)
    return values


@dataclass(frozen=True)
class Scale:
    """Colour classes 1–4 by lower bound (0 has its own, lightest class), each with its legend label."""

    lowers: tuple[float, float, float, float]
    labels: tuple[str, str, str, str]

    def shade(self, value: float | None) -> str:
        if value is None:
            return "none"
        if not value:
            return "0"
        return str(1 + sum(value >= lower for lower in self.lowers[1:]))


def scale_for(measure: str, values: list[float], target: float | None) -> Scale:
    """Coverage against its target (the last class: the target met); counts in four equal steps up to the largest."""
    if measure == "coverage" and target:
        third = round(target / 3, 2)
        return Scale((0, third, round(2 * target / 3, 2), target),
                     (f"低于 {third}", f"{third}–{round(2 * target / 3, 2)}", f"{round(2 * target / 3, 2)} 至目标",
                      f"达到目标 {target:g}"))  # fmt: skip
    step = max(1, -(-int(max(values, default=0)) // 4))
    lowers = (1, step + 1, 2 * step + 1, 3 * step + 1)
    labels_ = tuple(f"{low}–{low + step - 1}" if step > 1 else f"{low}" for low in lowers[:3])
    return Scale(lowers, (*labels_, f"{lowers[3]} 及以上"))  # type: ignore[arg-type]


def _shown(value: float | None) -> str:
    if value is None:
        return "—"
    return f"{value:g}" if isinstance(value, float) else str(value)


def province_grid(
    measure: str, role: str, showcase: list[tuple[str, str, int]] | None = None
) -> dict[str, Any]:
    """The tile grid for a measure: tiles (name, place, value as text, colour class), legend, table rows."""
    values = province_values(measure, role, showcase)
    target = None
    if measure == "coverage":
        target = _answer("demand", "coverage", role)["totals"].get("target")
    scale = scale_for(measure, [c.value for c in values.values() if c.value is not None], target)
    label = MEASURES[measure].label if measure != "showcase" or role in CLIENT_PLUS else "同意公开展示的人员"
    tiles = []
    for code, (short, column, row) in PROVINCE_TILES.items():
        cell = values[code]
        tiles.append({
            "code": code, "short": short, "name": REGION_NAMES.get(code, short), "column": column, "row": row,
            "value": _shown(cell.value), "note": cell.note, "shade": scale.shade(cell.value),
        })  # fmt: skip
    unstated = values.get(None)
    table = [{"province": code, "province_name": REGION_NAMES.get(code, short), "value": values[code].value,
              "note": values[code].note} for code, (short, _, _) in PROVINCE_TILES.items()]  # fmt: skip
    if unstated is not None:
        table.append({"province": None, "province_name": labels.UNSTATED_REGION,
                      "value": unstated.value, "note": unstated.note})  # fmt: skip
    legend = [{"shade": "0", "label": "0"}] + [
        {"shade": str(k), "label": text} for k, text in enumerate(scale.labels, start=1)
    ]
    return {"measure": measure, "label": label, "unit": MEASURES[measure].unit, "tiles": tiles, "legend": legend,
            "table": table, "unstated": unstated, "target": target}  # fmt: skip


def headlines(role: str) -> list[dict[str, Any]]:
    """The few numbers a dashboard opens with, from the same answers (and suppression) as the API's."""
    shown: list[dict[str, Any]] = []
    measures = measures_for(role)

    def add(key: str, label: str, value: Any, note: str = "", missing: str = HIDDEN) -> None:
        shown.append({"key": key, "label": label, "value": _shown(value), "note": note if value is not None else missing,
                      "measure": key if key in measures else None})  # fmt: skip

    if stats_service.allowed("supply", role):
        add("holders", "持有效证书的人数", _answer("supply", "holders", role)["totals"].get("holders"))
        pools = _answer("supply", "pools", role)["totals"]
        add("talent", "全国碳排放管理员人才库（三、四级）", pools.get("talent_members"))
        add("expert", "国家级碳排放专家库（一、二级）", pools.get("expert_members"))
    else:  # the pools' sizes are public (首页 shows them)
        sizes = {p["code"]: p["members"] for p in search.pool_sizes(ctx())}
        add("talent", "全国碳排放管理员人才库（三、四级）", sizes.get("talent", 0))
        add("expert", "国家级碳排放专家库（一、二级）", sizes.get("expert", 0))
    if stats_service.allowed("expiring", role):
        totals = _answer("expiring", "provinces", role)["totals"]
        holders = totals.get("holders")
        add("expiring", f"{EXPIRING_WITHIN} 天内到期的证书", totals.get("certificates"),
            f"涉及持证人 {holders} 人" if holders is not None else "")  # fmt: skip
    if stats_service.allowed("demand", role):
        totals = _answer("demand", "coverage", role)["totals"]
        target, shortfall = _shown(totals.get("target")), totals.get("shortfall")
        note = f"目标 {target}" + (f"，尚缺 {shortfall} 名核查员" if shortfall else "")
        missing = f"目标 {target}；" + (NO_KEY_EMITTERS if not totals.get("key_emitters") else HIDDEN)
        add("coverage", "核查员覆盖：每百家重点排放单位的有效核查员数", totals.get("coverage"), note, missing)
    return shown


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
    grid = province_grid(measure, role)
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
    if table not in stats_service.STATISTICS.get(statistic, ()):
        abort(404)
    role = principal().role
    if not stats_service.allowed(statistic, role):
        abort(403 if role != "public" else 401)
    exported = stats_service.answer_as(ctx(), _request(statistic, table), role, fmt, "zh")
    assert isinstance(exported, stats_service.Export)
    disposition = f'attachment; filename="{exported.filename}"'
    return Response(
        exported.content, mimetype=exported.media_type, headers={"Content-Disposition": disposition}
    )
