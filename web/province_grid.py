"""看板's first screen: the headline numbers a government user opens the dashboard for, and the provinces as a
tile grid coloured by a chosen measure — each number the statistics service's answer for the visitor's role,
suppressed as the API suppresses it."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from typing import Any

from interface.auth import CLIENT_PLUS
from interface.context import ctx
from registry.statistics.periods import province_code
from services import search
from services import statistics as stats_service
from web import labels
from web.pages import REGION_NAMES

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
        for code, _, count in showcase or ():
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
