"""Synthetic key emitting units (重点排放单位) shaped like the national ETS lists, deterministic by seed.

The national carbon market listed power generation first (the 2019–2020 compliance cycle, lists from 2021), then
added iron and steel, cement and aluminium smelting for 2024 emissions (the Ministry of Ecology and Environment's
2025 expansion, first listed in 2025). A recent list holds about 2 100–3 800 units across 29–31 provinces:
power about 60 %, steel about 18 %, cement about 15 %, aluminium the rest. Every unit, name and code here is
invented; the USCCs only satisfy the check-character rule.
"""

from __future__ import annotations

import random
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import Any

from adapters.spreadsheets import to_csv, to_xlsx
from registry.identifiers import make_uscc
from registry.reference import PROVINCES, province_of
from seed.distributions import INDUSTRY_REGIONS, Weighted, pick_region
from seed.numbering import Bijection, new_id
from seed.organizations import _organization_code, short_region_name

# Shares of the latest list by sector (industry codes of registry/reference.py: cement is building_materials,
# aluminium nonferrous).
INDUSTRY_SHARES: dict[str, float] = {"power": 60, "steel": 18, "building_materials": 15, "nonferrous": 7}
# The first compliance year each sector was listed for.
FIRST_LISTED: dict[str, int] = {"power": 2021, "steel": 2025, "building_materials": 2025, "nonferrous": 2025}
# Units on the latest list, drawn per seed from this range.
LATEST_LIST_SIZE: tuple[int, int] = (2900, 3600)
# Power units that joined after the first list (new plants crossing 26 000 t CO2e), and units that left a list
# (closed or merged), by share.
LATE_ENTRY_SHARE = 0.25
DELISTED_SHARE = 0.04
CLUSTER_SHARE = 0.5  # a unit sits in one of its sector's cluster regions this often

_SUFFIXES: dict[str, tuple[str, ...]] = {
    "power": ("热电有限公司", "发电有限公司", "电力有限责任公司", "能源发电有限公司", "电厂"),
    "steel": ("钢铁集团有限公司", "特钢有限公司", "钢铁股份有限公司", "钢铁有限公司"),
    "building_materials": ("水泥有限公司", "水泥股份有限公司", "建材水泥有限公司"),
    "nonferrous": ("铝业有限公司", "电解铝有限公司", "铝电有限公司"),
}
_TRADE_CHARACTERS = (
    "华鑫恒泰瑞源宏达金盛嘉远新凯鼎博联创丰德利通昌隆兴安顺晟瀚宇海天润泽诚信益和正永明光辉中国大唐"
)

# Sector names as the Ministry's lists print them, for the spreadsheet written by `write_list`.
INDUSTRY_LIST_NAMES: dict[str, str] = {
    "power": "发电",
    "steel": "钢铁",
    "building_materials": "水泥熟料生产",
    "nonferrous": "铝冶炼",
}
LIST_HEADERS: tuple[str, ...] = (
    "序号",
    "省份",
    "地区代码",
    "单位名称",
    "统一社会信用代码",
    "行业",
    "纳入年度",
)

_INDUSTRY_CHOICE = Weighted(INDUSTRY_SHARES)


def _pick_place(rng: random.Random, industry: str) -> str:
    if rng.random() < CLUSTER_SHARE:
        return rng.choice(INDUSTRY_REGIONS[industry])
    return pick_region(rng)


def _listed_years(rng: random.Random, industry: str, latest: int) -> list[int]:
    first = FIRST_LISTED[industry]
    if first < latest and rng.random() < LATE_ENTRY_SHARE:
        first = rng.randint(first + 1, latest)
    last = latest
    if first < latest and rng.random() < DELISTED_SHARE:
        last = rng.randint(first, latest - 1)
    return list(range(first, last + 1))


def generate_key_emitters(
    seed: int = 42, latest_year: int = 2026, count: int | None = None
) -> list[dict[str, Any]]:
    """Key emitting units for lists up to `latest_year`; the same (seed, latest_year, count) gives the same units.

    Each is an organization row (`id`, `name`, `kind`, `uscc`, `region`, `industry`) with `key_emitter` and
    `listed_years`. `count` is the number generated (default: drawn from LATEST_LIST_SIZE, plus the delisted).
    """
    rng = random.Random(f"{seed}:key-emitters")
    if count is None:
        count = round(rng.randint(*LATEST_LIST_SIZE) / (1 - DELISTED_SHARE * INDUSTRY_SHARES["power"] / 100))
    # "MB…" organization codes: a namespace the synthetic registry's organizations ("MA…", digits) never use.
    codes = Bijection(10**6, rng.getrandbits(64))
    taken: set[str] = set()
    units = []
    for number in range(count):
        unit_rng = random.Random(f"{seed}:ke:{number}")
        industry = _INDUSTRY_CHOICE.pick(unit_rng)
        region = _pick_place(unit_rng, industry)
        place = short_region_name(region)
        name = place + "".join(unit_rng.sample(_TRADE_CHARACTERS, 2)) + unit_rng.choice(_SUFFIXES[industry])
        if name in taken:
            name = f"{name}（{number}）"
        taken.add(name)
        units.append(
            {
                "id": new_id(unit_rng),
                "name": name,
                "kind": "enterprise",
                "uscc": make_uscc("91" + region + _organization_code(f"MB{codes(number):06d}")),
                "region": region,
                "industry": industry,
                "key_emitter": True,
                "listed_years": _listed_years(unit_rng, industry, latest_year),
            }
        )
    return units


def list_rows(units: Iterable[Mapping[str, Any]], year: int) -> list[dict[str, str]]:
    """The units listed for `year`, as rows of a Ministry-style list (序号, 省份, 单位名称, 统一社会信用代码, 行业)."""
    province_names = dict(PROVINCES)
    listed = [u for u in units if year in u["listed_years"]]
    listed.sort(key=lambda u: (province_of(u["region"]), u["industry"], u["name"]))
    return [
        {
            "序号": str(position),
            "省份": province_names[province_of(u["region"])],
            "地区代码": u["region"],
            "单位名称": u["name"],
            "统一社会信用代码": u["uscc"],
            "行业": INDUSTRY_LIST_NAMES.get(u["industry"], u["industry"]),
            "纳入年度": str(year),
        }
        for position, u in enumerate(listed, start=1)
    ]


def write_list(path: str | Path, units: Iterable[Mapping[str, Any]], year: int) -> int:
    """Write the `year` list as CSV (UTF-8 with BOM) or XLSX by the path's suffix; returns the row count."""
    rows = list_rows(units, year)
    path = Path(path)
    if path.suffix.lower() == ".xlsx":
        path.write_bytes(to_xlsx(LIST_HEADERS, rows, sheet=f"{year}年度重点排放单位名录"))
    else:
        path.write_bytes(to_csv(LIST_HEADERS, rows, bom=True))
    return len(rows)
