"""Invented organizations: names from a place, a trade name and a sector's suffix, and a valid USCC."""

from __future__ import annotations

import random
from typing import Any

from registry.identifiers import make_uscc
from registry.reference import CITIES, PROVINCES
from seed.distributions import (
    INDUSTRY_CHOICE,
    INDUSTRY_REGION_SHARE,
    INDUSTRY_REGIONS,
    ORGANIZATION_KIND_PATTERN,
    pick_region,
)
from seed.numbering import Bijection, new_id

_REGION_ZH: dict[str, str] = dict(PROVINCES) | dict(CITIES)
_REGION_SUFFIXES = ("维吾尔自治区", "壮族自治区", "回族自治区", "特别行政区", "自治区", "省", "市")
# Characters for trade names (字号); two of them make one, e.g. 恒泰, 瑞源.
_TRADE_NAME_CHARACTERS = (
    "华鑫恒泰瑞源宏达金盛嘉远新凯鼎博联创丰德利通昌隆兴安顺晟瀚宇海天润泽诚信益和正永明光辉"
)
_ORGANIZATION_SUFFIXES: dict[str, tuple[str, ...]] = {
    "power": ("热电有限公司", "发电有限公司", "电力有限责任公司", "能源发电有限公司"),
    "petrochemical": ("石化有限公司", "炼化有限公司", "石油化工股份有限公司"),
    "chemical": ("化工有限公司", "化学工业有限公司", "精细化工股份有限公司", "煤化工有限公司"),
    "building_materials": ("水泥有限公司", "建材集团有限公司", "水泥股份有限公司", "玻璃有限公司"),
    "steel": ("钢铁集团有限公司", "特钢有限公司", "钢铁股份有限公司"),
    "nonferrous": ("铝业有限公司", "有色金属集团有限公司", "电解铝有限公司"),
    "paper": ("纸业有限公司", "造纸有限公司"),
    "aviation": ("航空有限公司", "航空股份有限公司", "通用航空有限公司"),
    "consultancy": ("碳资产管理有限公司", "低碳科技有限公司", "节能环保咨询有限公司", "绿色发展咨询有限公司"),
    "verification_body": ("检测认证中心有限公司", "质量认证有限公司", "环境技术评价中心有限公司"),
    "training_base": ("职业技能培训学校", "碳排放管理员培训基地", "绿色低碳职业培训中心"),
}


def short_region_name(code: str) -> str:
    name = _REGION_ZH[code]
    for suffix in _REGION_SUFFIXES:
        if name.endswith(suffix) and len(name) > len(suffix) + 1:
            return name[: -len(suffix)]
    return name


def _organization_code(body: str) -> str:
    """The 9-character organization code (GB 11714): 8 characters and their MOD 11 check character."""
    total = sum(
        (int(char) if char.isdigit() else ord(char) - 55) * weight
        for char, weight in zip(body, (3, 7, 9, 10, 5, 8, 4, 2), strict=True)
    )
    check = 11 - total % 11
    return body + {10: "X", 11: "0"}.get(check, str(check))


def make_organization(
    seed: int, number: int, taken: set[str], codes: tuple[Bijection, Bijection]
) -> dict[str, Any]:
    rng = random.Random(f"{seed}:o:{number}")
    kind = ORGANIZATION_KIND_PATTERN[number % len(ORGANIZATION_KIND_PATTERN)]
    organization_id = new_id(rng)
    industry: str | None = None
    if kind == "enterprise":
        industry = INDUSTRY_CHOICE.pick(rng)
        clustered = rng.random() < INDUSTRY_REGION_SHARE
        region = rng.choice(INDUSTRY_REGIONS[industry]) if clustered else pick_region(rng)
        suffixes = _ORGANIZATION_SUFFIXES[industry]
    else:
        region = pick_region(rng)
        suffixes = _ORGANIZATION_SUFFIXES[kind]
    place = short_region_name(region)
    for _ in range(20):
        name = place + "".join(rng.sample(_TRADE_NAME_CHARACTERS, 2)) + rng.choice(suffixes)
        if name not in taken:
            break
    else:  # a crowded region and sector: number the branch instead of drawing forever
        name = (
            f"{name[: -len('有限公司')]}第{number}分公司"
            if name.endswith("有限公司")
            else f"{name}（{number}）"
        )
    taken.add(name)
    # Newer registrations carry an "MA…" organization code; both namespaces are bijections of the number.
    recent_share = 0.15 if kind == "enterprise" else 0.6
    plain, recent = codes
    body = f"MA{recent(number):06d}" if rng.random() < recent_share else f"{plain(number):08d}"
    uscc = make_uscc("91" + region + _organization_code(body))
    return {
        "id": organization_id,
        "name": name,
        "kind": kind,
        "uscc": uscc,
        "region": region,
        "industry": industry,
    }
