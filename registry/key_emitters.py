"""Key emitting units (重点排放单位): the rule for the flag and the rows of a published list.

Source: 《碳排放权交易管理办法（试行）》 (MEE order 19, 2020) art. 8 — the provincial authorities list the units
emitting 26 000 t CO2e a year or more in the covered sectors, and the Ministry publishes the lists (名录) each
year. A list names the unit, its USCC, its province and its sector; one file is one year's list. The sector
names below are the ones the lists print, mapped to this registry's industry codes.
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from registry.errors import InvalidIdentifier, ValidationFailed
from registry.formulas import FORMULA_RULE, looks_like_formula
from registry.identifiers import normalize_uscc
from registry.import_values import echoed

FIRST_LIST_YEAR = 2019  # the national market's first compliance cycle covered 2019–2020
MAX_NAME_LENGTH = 200

# Header aliases of the published lists (and of seed/key_emitters.py's writer) → column key.
LIST_HEADER_ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("单位名称", "企业名称", "重点排放单位名称", "名称", "name"),
    "uscc": ("统一社会信用代码", "社会信用代码", "信用代码", "uscc"),
    "province": ("省份", "省（区、市）", "省(区、市)", "所在省份", "省", "province"),
    "region": ("地区代码", "行政区划代码", "region"),
    "industry": ("行业", "行业类别", "所属行业", "行业名称", "子行业", "industry"),
    "year": ("纳入年度", "年度", "名录年度", "year"),
}
REQUIRED_LIST_COLUMNS: tuple[str, ...] = ("name", "uscc", "industry")

# Sector names as lists print them → industry code (registry/reference.py INDUSTRIES).
INDUSTRY_NAMES: dict[str, str] = {
    "发电": "power", "电力": "power", "发电行业": "power", "纯发电": "power", "热电联产": "power",
    "电网": "power", "自备电厂": "power",
    "钢铁": "steel", "钢铁行业": "steel", "钢铁生产": "steel",
    "水泥": "building_materials", "水泥熟料生产": "building_materials", "水泥熟料": "building_materials",
    "建材": "building_materials", "平板玻璃": "building_materials",
    "铝冶炼": "nonferrous", "电解铝": "nonferrous", "有色": "nonferrous", "有色金属": "nonferrous",
    "石化": "petrochemical", "原油加工": "petrochemical", "化工": "chemical", "造纸": "paper",
    "民航": "aviation", "航空": "aviation",
}  # fmt: skip


def _plain(text: Any) -> str:
    return re.sub(r"\s+", "", unicodedata.normalize("NFKC", str(text))) if text is not None else ""


_HEADER_KEYS: dict[str, str] = {
    _plain(alias).lower(): key for key, aliases in LIST_HEADER_ALIASES.items() for alias in aliases
}


def list_column(header: Any) -> str | None:
    """The column key a list header means, or None (full-width forms and spaces do not matter)."""
    return _HEADER_KEYS.get(_plain(header).lower())


def industry_code(value: Any, known: Iterable[str] = ()) -> str | None:
    """The industry code for a sector name as printed (发电, 水泥熟料生产 …) or a code itself."""
    text = _plain(value)
    if text in INDUSTRY_NAMES:
        return INDUSTRY_NAMES[text]
    if text.lower() in set(known) or text.lower() in INDUSTRY_NAMES.values():
        return text.lower()
    for name, code in INDUSTRY_NAMES.items():  # "发电（含热电联产）", "钢铁行业重点排放单位"
        if text.startswith(name):
            return code
    return None


@dataclass(frozen=True)
class ListedUnit:
    """One validated row of a key emitter list."""

    row: int
    name: str
    uscc: str
    industry: str
    region: str | None
    year: int


def listed_years_for(
    key_emitter: bool | None, listed_years: Sequence[int] | None, this_year: int
) -> list[int]:
    """The stored years for an organization's `key_emitter`/`listed_years` input.

    The flag and the years say one thing: a unit is a key emitter exactly when some list names it. The flag
    alone lists it for this year; the years alone set the flag; the flag false with years is a contradiction.
    """
    years = sorted(set(listed_years or ()))
    errors: dict[str, list[str]] = {}
    if key_emitter is False and years:
        errors["listed_years"] = ["must be empty when key_emitter is false"]
    bad = [y for y in years if y < FIRST_LIST_YEAR or y > this_year + 1]
    if bad:
        errors["listed_years"] = [
            f"years run from {FIRST_LIST_YEAR} to {this_year + 1}: {bad} is out of range"
        ]
    if errors:
        raise ValidationFailed(errors)
    if key_emitter and not years:
        return [this_year]
    return years


def _quoted(value: Any) -> str:
    """A cell as a problem quotes it: its repr, a long text cut (the answer repeats it for every row)."""
    return repr(echoed(value) if isinstance(value, str) else value)


def parse_list_row(
    index: int,
    raw: Mapping[str, Any],
    *,
    year: int | None,
    province_codes: Mapping[str, str],
    regions: Iterable[str],
    industries: Iterable[str],
) -> tuple[ListedUnit | None, list[str]]:
    """A validated unit, or None and the reasons, for one row {column key: raw value} of a list.

    `province_codes` maps province names (full or short: 河北省, 河北) to codes; `regions` are the known codes.
    """
    problems: list[str] = []
    name = str(raw.get("name") or "").strip()
    if not name:
        problems.append("单位名称 (name) is empty")
    elif len(name) > MAX_NAME_LENGTH:
        problems.append(f"单位名称 (name) is longer than {MAX_NAME_LENGTH} characters")
    elif looks_like_formula(name):
        problems.append(f"单位名称 (name) {FORMULA_RULE}")
    uscc = ""
    try:
        uscc = normalize_uscc(str(raw.get("uscc") or ""))
    except InvalidIdentifier as error:
        problems.append(f"统一社会信用代码 (uscc): {error}")
    industry = industry_code(raw.get("industry"), industries)
    if industry is None:
        problems.append(f"行业 (industry) {_quoted(raw.get('industry'))} is not a known sector")
    known = set(regions)
    region: str | None = None
    code = _plain(raw.get("region"))
    if code:
        if code not in known:
            problems.append(f"地区代码 (region) {_quoted(code)} is not a known region code")
        region = code
    elif raw.get("province"):
        province = _plain(raw.get("province"))
        region = province_codes.get(province) or (province if province in known else None)
        if region is None:
            problems.append(f"省份 (province) {_quoted(raw.get('province'))} is not a known province")
    elif uscc and uscc[2:8] in known:
        region = uscc[2:8]  # the registration authority's region code inside the USCC
    listed = year
    if raw.get("year") not in (None, ""):
        try:
            listed = int(str(raw["year"]).strip().removesuffix("年").removesuffix(".0"))
        except ValueError:
            problems.append(f"纳入年度 (year) {_quoted(raw['year'])} is not a year")
    if listed is None:
        problems.append("纳入年度 (year) is missing and no year was given for the list")
    elif listed < FIRST_LIST_YEAR:
        problems.append(f"纳入年度 (year) {listed} is before the first list ({FIRST_LIST_YEAR})")
    if problems:
        return None, problems
    assert industry is not None and listed is not None
    return ListedUnit(index, name, uscc, industry, region, listed), []


def province_names(names: Mapping[str, str]) -> dict[str, str]:
    """{name → code} for province names in full and short form (河北省 and 河北, 内蒙古自治区 and 内蒙古)."""
    result: dict[str, str] = {}
    for code, name in names.items():
        if not code.endswith("0000"):
            continue
        result[name] = code
        for suffix in ("维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "省", "市"):
            if name.endswith(suffix) and len(name) > len(suffix) + 1:
                result[name[: -len(suffix)]] = code
                break
    return result
