"""Deterministic synthetic registries: organizations, practitioners, certificates and engagements.

`generate(size, seed, today)` returns a `SyntheticRegistry` whose content depends only on (size, seed, today).
Organizations are built at once (about size/25 + 40 of them); practitioners are produced lazily, block by
block, so memory stays bounded by one batch even for a million people:

- practitioner `i` draws everything from `random.Random(f"{seed}:p:{i}")` and engagement `e` from
  `random.Random(f"{seed}:e:{e}")`, so no draw depends on how the stream is cut into batches;
- engagements are built per block of 100 practitioners from that block's people only, and batches are whole
  blocks, so an engagement always travels with its team;
- identifiers that must be unique (ID card, phone, certificate number, USCC) are derived from the index
  through a bijection rather than drawn and checked, since no set of used values can be kept across batches.

All people, companies and numbers are invented; the ID cards and USCCs only satisfy the check-digit rules.
"""

from __future__ import annotations

import bisect
import csv
import itertools
import math
import random
import uuid
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, Generic, TypeVar

from registry.identifiers import make_id_card, make_uscc
from registry.matching import RELEVANT_QUALIFICATIONS
from registry.taxonomy import EDUCATION_LEVELS, LEVEL_BY_RANK, WORK_TYPE_BY_CODE
from seed.names import pick_name
from seed.reference import CITIES, INDUSTRIES, PROVINCES, QUALIFICATIONS, SPECIALTIES, province_of

T = TypeVar("T")

OCCUPATION_START = date(2021, 7, 1)  # the occupation, and so its first certificates, dates from 2021
BLOCK_SIZE = 100  # practitioners per engagement block; batches are whole blocks
CERTIFICATE_TERM_YEARS = 4
MAX_CERTIFICATES_PER_PERSON = 3
PROGRESSION_GAP_DAYS = 365  # level 3 needs a year of work after level 4; the same gap is used for 2 and 1
ISSUE_DATE_SKEW = 0.8  # issue dates are first + span * u**skew: a density rising gently towards today

# --- Distributions -------------------------------------------------------------------------------------------

WORK_TYPE_WEIGHTS: dict[str, float] = {
    "verification": 24, "accounting": 24, "monitoring": 16, "consulting": 16, "trading": 12, "aviation": 8,
}  # fmt: skip
# The best level a person reaches; lower levels then come from progressions and from extra work types, so that
# over all certificates level 4 ≈ 55 %, 3 ≈ 28 %, 2 ≈ 13 %, 1 ≈ 4 % (tests/unit/test_synthetic.py checks it).
TOP_LEVEL_WEIGHTS: dict[int, float] = {4: 59.0, 3: 20.0, 2: 14.5, 1: 6.5}
EXPERT_MIN_AGE = 28  # nobody younger reaches level 2 or 1: experts have years of practice behind them
# Chance that a level-n holder also holds level n+1 of the same work type, issued at least a year earlier.
LOWER_CERTIFICATE_SHARE: dict[int, float] = {1: 0.85, 2: 0.85, 3: 0.25}
# Chance of a certificate in another work type: a first extra one, then a second.
EXTRA_WORK_TYPE_SHARE: tuple[float, float] = (0.17, 0.12)
EXTRA_LEVEL_WEIGHTS: dict[int, float] = {4: 65, 3: 33, 2: 2}
CERTIFICATE_STATUS_WEIGHTS: dict[str, float] = {"valid": 92, "suspended": 3, "revoked": 2, "expired": 3}
NO_EXPIRY_SHARE = 0.10
EXPIRED_STORED_AS_EXPIRED_SHARE = 0.5  # the other half is stored "valid" with a past expires_on

EDUCATION_TARGET: dict[str, float] = {
    "secondary": 10, "college": 25, "bachelor": 45, "master": 17, "doctorate": 3,
}  # fmt: skip
# Level 3 without an earlier level 4 needs a bachelor's degree (DESIGN.md §2), so such holders draw from
# DEGREE_EDUCATION and everyone else from a mix chosen so that the overall shares match EDUCATION_TARGET.
DEGREE_EDUCATION: dict[str, float] = {"bachelor": 65, "master": 28, "doctorate": 7}
OTHER_EDUCATION: dict[str, float] = {
    "secondary": 15.9, "college": 39.7, "bachelor": 33.2, "master": 10.5, "doctorate": 0.7,
}  # fmt: skip
WORK_START_AGE: dict[str, tuple[int, int]] = {
    "secondary": (18, 21), "college": (20, 22), "bachelor": (22, 24), "master": (24, 27), "doctorate": (27, 31),
}  # fmt: skip
# In-service study (在职研究生, 函授) is common early in a career; people not yet at work are always enrolled.
ENROLLED_SHARE: tuple[tuple[int, float], ...] = ((30, 0.17), (40, 0.06), (200, 0.025))
MALE_SHARE = 0.6
PUBLIC_PROFILE_SHARE = 0.3

# Age pyramid of the occupation (mostly engineers in mid-career), as relative weights by age in years.
AGE_WEIGHTS: dict[int, float] = {
    **{age: 0.4 for age in range(21, 25)}, **{age: 1.2 for age in range(25, 30)},
    **{age: 1.8 for age in range(30, 35)}, **{age: 2.0 for age in range(35, 40)},
    **{age: 1.7 for age in range(40, 45)}, **{age: 1.3 for age in range(45, 50)},
    **{age: 0.8 for age in range(50, 55)}, **{age: 0.35 for age in range(55, 61)},
}  # fmt: skip

# Industrial provinces dominate the national ETS, and so the demand for carbon managers.
PROVINCE_WEIGHTS: dict[str, float] = {
    "110000": 5, "120000": 3, "130000": 8, "140000": 5, "150000": 5, "210000": 5, "220000": 1.5,
    "230000": 2, "310000": 4, "320000": 8, "330000": 5, "340000": 3.5, "350000": 3, "360000": 2,
    "370000": 9, "410000": 6, "420000": 6, "430000": 3, "440000": 7, "450000": 2, "460000": 0.6,
    "500000": 2, "510000": 4, "520000": 1.5, "530000": 2, "540000": 0.3, "610000": 3.5, "620000": 1.5,
    "630000": 0.6, "640000": 1.5, "650000": 2.5,
}  # fmt: skip
CITY_SHARE = 0.6  # how often a region is a city rather than the whole province, when the province has cities

INDUSTRY_WEIGHTS: dict[str, float] = {
    "power": 30, "building_materials": 14, "steel": 14, "chemical": 12, "petrochemical": 9,
    "nonferrous": 8, "paper": 5, "aviation": 3,
}  # fmt: skip
DECLARED_INDUSTRY_COUNT_WEIGHTS: dict[int, float] = {0: 25, 1: 50, 2: 25}
# Where each sector's plants cluster; an enterprise of that sector is placed there 60 % of the time.
INDUSTRY_REGIONS: dict[str, tuple[str, ...]] = {
    "steel": ("130200", "130400", "210300", "340500", "420700", "370000", "320000"),
    "nonferrous": ("150200", "370000", "410000", "650000", "450000", "530000"),
    "petrochemical": ("210200", "370500", "330200", "650200", "230600", "440000"),
    "chemical": ("370000", "320000", "150600", "610800", "420500"),
    "building_materials": ("340000", "130000", "370000", "420200", "440000", "510000"),
    "power": ("150000", "140000", "370000", "320000", "440000", "610800"),
    "paper": ("370000", "330000", "440000", "320000", "350000"),
    "aviation": ("110000", "310000", "440100", "440300", "510100", "500000"),
}
INDUSTRY_REGION_SHARE = 0.6

# Organization kinds repeat in this pattern (65 % enterprise, 20 % consultancy, 10 % verification body, 5 %
# training base), so even the smallest registry (40 organizations) has every kind.
ORGANIZATION_KIND_PATTERN: tuple[str, ...] = (
    *["enterprise"] * 13, *["consultancy"] * 4, *["verification_body"] * 2, "training_base",
)  # fmt: skip
# Employer kind by the person's main work type; None means no employer on record.
EMPLOYER_KIND_WEIGHTS: dict[str, dict[str | None, float]] = {
    "verification": {"verification_body": 45, "consultancy": 35, "enterprise": 12, "training_base": 3, None: 5},
    "monitoring": {"enterprise": 50, "consultancy": 25, "verification_body": 12, "training_base": 5, None: 8},
    "aviation": {"enterprise": 55, "consultancy": 25, "verification_body": 12, "training_base": 3, None: 5},
}  # fmt: skip
DEFAULT_EMPLOYER_KIND_WEIGHTS: dict[str | None, float] = {
    "consultancy": 45, "enterprise": 30, "verification_body": 12, "training_base": 5, None: 8,
}  # fmt: skip
SAME_PROVINCE_EMPLOYER_SHARE = 0.7

ENGAGEMENTS_PER_PRACTITIONER: tuple[float, float] = (0.4, 0.6)  # per block, uniform; mean 0.5
ENGAGEMENT_STATUS_WEIGHTS: dict[str, float] = {"completed": 75, "active": 12, "planned": 8, "cancelled": 5}
TEAM_SIZE_WEIGHTS: dict[int, float] = {1: 20, 2: 35, 3: 30, 4: 15}
LEAD_LEVEL_WEIGHTS: dict[int, float] = {1: 8, 2: 5, 3: 2, 4: 1}

SUSPENSION_REASONS: tuple[str, ...] = (
    "继续教育学时未达到要求，暂停至补足学时",
    "涉嫌出具不实核查报告，调查期间暂停",
    "被投诉违反职业道德规范，核实期间暂停",
    "未按期参加年度能力复核",
)
REVOCATION_REASONS: tuple[str, ...] = (
    "以欺骗手段取得证书",
    "出具虚假核查报告，经查属实",
    "本人申请注销",
    "严重违反职业道德规范",
)
EXPIRY_REASON = "有效期届满，未申请延续"

# --- Import file ---------------------------------------------------------------------------------------------

IMPORT_HEADERS: tuple[str, ...] = (
    "姓名", "身份证号", "性别", "学历", "参加工作年份", "地区代码", "手机", "邮箱", "单位统一社会信用代码", "公开",
    "工种", "等级", "证书编号", "发证日期", "有效期至", "状态", "专业领域", "资质",
)  # fmt: skip
_GENDER_ZH = {"male": "男", "female": "女"}
_EDUCATION_ZH = dict(EDUCATION_LEVELS)
_STATUS_ZH = {"valid": "有效", "suspended": "暂停", "revoked": "撤销", "expired": "过期"}

# --- Names of things -----------------------------------------------------------------------------------------

_ACTIVITY_ZH: dict[str, str] = {
    "monitoring": "碳排放监测", "accounting": "碳排放核算", "verification": "碳排放核查",
    "consulting": "碳排放咨询", "trading": "碳排放交易", "aviation": "民航碳排放管理",
}  # fmt: skip
_INDUSTRY_ZH: dict[str, str] = {code: name for code, name, _ in INDUSTRIES}
_SPECIALTY_ZH: dict[str, str] = {code: name for code, name, _ in SPECIALTIES}
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
_ENGAGEMENT_TITLES: dict[str, tuple[str, ...]] = {
    # {report} is the year before the start: a year's emissions are accounted and verified the next year.
    "verification": ("{client}{report}年度碳排放核查", "{client}{report}年度温室气体排放报告核查"),
    "accounting": (
        "{client}{report}年度碳盘查",
        "{client}产品碳足迹核算",
        "{client}{report}年度温室气体排放报告编制",
    ),
    "monitoring": ("{client}{year}年度碳排放监测计划编制", "{client}排放在线监测（CEMS）数据质量评估"),
    "consulting": ("{client}能源审计", "{client}碳达峰路线图", "{client}节能诊断", "{client}碳中和实施方案"),
    "trading": ("{client}{year}年度碳资产管理与配额履约", "{client}CCER 项目开发咨询"),
    "aviation": ("{client}{report}年度民航碳排放监测与报告核查", "{client}CORSIA 排放监测计划编制"),
}
_MOBILE_PREFIXES: tuple[str, ...] = (
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153", "155", "156",
    "157", "158", "159", "166", "173", "176", "177", "180", "181", "182", "183", "185", "186", "187", "188",
    "189", "198", "199",
)  # fmt: skip


# --- Small tools ---------------------------------------------------------------------------------------------


class _Weighted(Generic[T]):
    """A weighted choice drawn with one rng.random(): cheaper than rng.choices and just as deterministic."""

    def __init__(self, weights: Mapping[T, float] | Iterable[tuple[T, float]]) -> None:
        pairs = list(weights.items()) if isinstance(weights, Mapping) else list(weights)
        self.items: list[T] = [item for item, weight in pairs if weight > 0]
        self.cumulative = list(itertools.accumulate(weight for _, weight in pairs if weight > 0))
        self.total = self.cumulative[-1]

    def pick(self, rng: random.Random) -> T:
        return self.items[bisect.bisect_right(self.cumulative, rng.random() * self.total)]


def _new_id(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _coprime_multiplier(modulus: int, fraction: float = 0.6180339887) -> int:
    # A multiplier near modulus/φ spreads consecutive indices evenly over the range (Fibonacci hashing).
    multiplier = max(1, int(modulus * fraction))
    while math.gcd(multiplier, modulus) != 1:
        multiplier += 1
    return multiplier


class _Bijection:
    """index → (index * a + b) mod n: a permutation of range(n) that scatters consecutive indices."""

    def __init__(self, modulus: int, offset: int) -> None:
        self.modulus = modulus
        self.multiplier = _coprime_multiplier(modulus)
        self.offset = offset % modulus

    def __call__(self, index: int) -> int:
        return (index * self.multiplier + self.offset) % self.modulus


def _add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a common year
        return day.replace(year=day.year + years, day=28)


def _short_region_name(code: str) -> str:
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


# Region choice: a province by weight, then one of its listed cities some of the time.
_PROVINCE_CHOICE = _Weighted(PROVINCE_WEIGHTS)
_CITIES_BY_PROVINCE: dict[str, list[str]] = {}
for _code, _ in CITIES:
    _CITIES_BY_PROVINCE.setdefault(province_of(_code), []).append(_code)


def _pick_region(rng: random.Random) -> str:
    province = _PROVINCE_CHOICE.pick(rng)
    cities = _CITIES_BY_PROVINCE.get(province)
    if cities and rng.random() < CITY_SHARE:
        return rng.choice(cities)
    return province


_WORK_TYPE_CHOICE = _Weighted(WORK_TYPE_WEIGHTS)
_TOP_LEVEL_CHOICE = _Weighted(TOP_LEVEL_WEIGHTS)
_EXTRA_LEVEL_CHOICE = _Weighted(EXTRA_LEVEL_WEIGHTS)
_STATUS_CHOICE = _Weighted(CERTIFICATE_STATUS_WEIGHTS)
_DEGREE_EDUCATION_CHOICE = _Weighted(DEGREE_EDUCATION)
_OTHER_EDUCATION_CHOICE = _Weighted(OTHER_EDUCATION)
_INDUSTRY_CHOICE = _Weighted(INDUSTRY_WEIGHTS)
_INDUSTRY_COUNT_CHOICE = _Weighted(DECLARED_INDUSTRY_COUNT_WEIGHTS)
_EMPLOYER_KIND_CHOICE: dict[str, _Weighted[str | None]] = {
    code: _Weighted(EMPLOYER_KIND_WEIGHTS.get(code, DEFAULT_EMPLOYER_KIND_WEIGHTS))
    for code in WORK_TYPE_WEIGHTS
}
_ENGAGEMENT_STATUS_CHOICE = _Weighted(ENGAGEMENT_STATUS_WEIGHTS)
_TEAM_SIZE_CHOICE = _Weighted(TEAM_SIZE_WEIGHTS)
_SPECIALTY_COUNT_CHOICE = _Weighted({1: 45, 2: 35, 3: 20})
_EXPERT_QUALIFICATION_COUNT_CHOICE = _Weighted({1: 55, 2: 30, 3: 15})
_QUALIFICATION_COUNT_CHOICE = _Weighted({1: 75, 2: 25})
_SPECIALTIES_BY_WORK_TYPE: dict[str, list[str]] = {code: [] for code in WORK_TYPE_BY_CODE}
for _code, _, _category in SPECIALTIES:
    _SPECIALTIES_BY_WORK_TYPE[_category].append(_code)
# Reference order, never frozenset order: set iteration of strings changes with PYTHONHASHSEED.
_QUALIFICATION_ORDER: dict[str, int] = {
    code: position for position, (code, _, _) in enumerate(QUALIFICATIONS)
}
_SPECIALTY_ORDER: dict[str, int] = {code: position for position, (code, _, _) in enumerate(SPECIALTIES)}
_WORK_TYPE_ORDER: dict[str, int] = {code: position for position, code in enumerate(WORK_TYPE_BY_CODE)}


# --- Identifiers derived from the index ----------------------------------------------------------------------

_ID_SERIALS_PER_DAY = 500  # ID card sequence numbers 000–999: 500 per gender and birth date


class _BirthSlots:
    """A bijection from practitioner index to (age, day of the birth year, serial), shaped by AGE_WEIGHTS.

    Each age owns a share of a slot range proportional to its weight (at most 365 days × 500 serials); an
    index is scattered over the range by a bijection, so two people never share region-independent ID digits.
    """

    def __init__(self, seed: int) -> None:
        heaviest = max(AGE_WEIGHTS.values())
        capacity = 365 * _ID_SERIALS_PER_DAY
        sizes = [(age, round(weight / heaviest * capacity)) for age, weight in sorted(AGE_WEIGHTS.items())]
        self.ages = [age for age, _ in sizes]
        self.starts = [0, *itertools.accumulate(size for _, size in sizes)][:-1]
        self.capacity = sum(size for _, size in sizes)
        self.bijection = _Bijection(self.capacity, random.Random(f"{seed}:birth").getrandbits(64))

    def locate(self, index: int) -> tuple[int, int, int]:
        slot = self.bijection(index)
        position = bisect.bisect_right(self.starts, slot) - 1
        within = slot - self.starts[position]
        return self.ages[position], within % 365, within // 365


# --- The registry --------------------------------------------------------------------------------------------


@dataclass
class Batch:
    """Consecutive practitioners with their certificates and the engagements their teams worked on."""

    practitioners: list[dict[str, Any]]
    certificates: list[dict[str, Any]]
    engagements: list[dict[str, Any]]


@dataclass
class SyntheticRegistry:
    """A deterministic synthetic registry: organizations now, practitioners in batches on demand."""

    size: int
    seed: int
    today: date
    organizations: list[dict[str, Any]]
    _births: _BirthSlots = field(repr=False)
    _phones: _Bijection = field(repr=False)
    _organizations_by_id: dict[str, dict[str, Any]] = field(repr=False)
    # Organization positions by kind, by (kind, province) and, for enterprises, by industry.
    _by_kind: dict[str, list[int]] = field(repr=False)
    _by_kind_province: dict[tuple[str, str], list[int]] = field(repr=False)
    _enterprises_by_industry: dict[str, list[int]] = field(repr=False)
    _counts: dict[str, int] | None = field(default=None, repr=False)

    # -- public ---------------------------------------------------------------------------------------------

    def batches(self, batch_size: int = 5000) -> Iterator[Batch]:
        """Yield the practitioners in order, batch by batch; batch_size is rounded up to a multiple of 100.

        The content (and order) of practitioners, certificates and engagements is the same for any batch size.
        """
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        blocks_per_batch = -(-batch_size // BLOCK_SIZE)
        batch = Batch([], [], [])
        for number, block in enumerate(self._blocks()):
            batch.practitioners.extend(block.practitioners)
            batch.certificates.extend(block.certificates)
            batch.engagements.extend(block.engagements)
            if (number + 1) % blocks_per_batch == 0:
                yield batch
                batch = Batch([], [], [])
        if batch.practitioners:
            yield batch

    def counts(self) -> dict[str, int]:
        """Totals the batches will hold: practitioners, certificates, engagements, organizations.

        Costs about a tenth of a full generation (each person's certificate plan is drawn again); cached.
        """
        if self._counts is None:
            certificates = sum(
                len(_certificate_plan(random.Random(f"{self.seed}:p:{index}"), self._births.locate(index)[0]))
                for index in range(self.size)
            )
            engagements = sum(
                self._engagement_count(number, min(BLOCK_SIZE, self.size - start))
                for number, start in enumerate(range(0, self.size, BLOCK_SIZE))
            )
            self._counts = {
                "practitioners": self.size,
                "certificates": certificates,
                "engagements": engagements,
                "organizations": len(self.organizations),
            }
        return dict(self._counts)

    def key_emitters(self) -> list[dict[str, Any]]:
        """Key emitting units (重点排放单位) listed up to this registry's year: seed/key_emitters.py."""
        from seed.key_emitters import generate_key_emitters  # it builds on this module's tools

        return generate_key_emitters(self.seed, latest_year=self.today.year)

    def employer_uscc(self, employer_id: str | None) -> str | None:
        """The USCC of an organization of this registry, or None."""
        organization = self._organizations_by_id.get(employer_id) if employer_id else None
        return organization["uscc"] if organization else None

    # -- practitioners --------------------------------------------------------------------------------------

    def _blocks(self, *, engagements: bool = True) -> Iterator[Batch]:
        """Blocks of 100 practitioners, the unit that every draw and every engagement team stays within."""
        for number, start in enumerate(range(0, self.size, BLOCK_SIZE)):
            people, certificates = self._block_people(start, min(start + BLOCK_SIZE, self.size))
            work = self._block_engagements(number, people, certificates) if engagements else []
            yield Batch(people, certificates, work)

    def _block_people(self, start: int, stop: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        people: list[dict[str, Any]] = []
        certificates: list[dict[str, Any]] = []
        for index in range(start, stop):
            person, held = self._practitioner(index)
            people.append(person)
            certificates.extend(held)
        return people, certificates

    def _practitioner(self, index: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        rng = random.Random(f"{self.seed}:p:{index}")
        today = self.today
        age, birth_day, serial = self._births.locate(index)
        # The plan comes first so that counts() can replay it without drawing the rest.
        plan = _certificate_plan(rng, age)
        practitioner_id = _new_id(rng)
        gender = "male" if rng.random() < MALE_SHARE else "female"
        name = pick_name(rng, gender)
        birth = date(today.year - age, 1, 1) + timedelta(days=birth_day)
        region = _pick_region(rng)
        id_card = make_id_card(region, birth, serial * 2 + (1 if gender == "male" else 0))

        work_types = sorted({work_type for work_type, _, _ in plan}, key=_WORK_TYPE_ORDER.__getitem__)
        needs_degree = any(level <= 3 and (work_type, 4, None) not in plan for work_type, level, _ in plan)
        education = (_DEGREE_EDUCATION_CHOICE if needs_degree else _OTHER_EDUCATION_CHOICE).pick(rng)
        low, high = WORK_START_AGE[education]
        started = birth.year + rng.randint(low, high)
        if started > today.year:  # still studying full time
            work_start_year, enrolled = None, True
        else:
            share = next(share for limit, share in ENROLLED_SHARE if age < limit)
            work_start_year, enrolled = started, rng.random() < share

        employer_id = self._pick_employer(rng, plan[0][0], region)
        specialties = _pick_specialties(rng, work_types)
        best_level = min(level for _, level, _ in plan)
        qualifications = _pick_qualifications(rng, work_types, best_level)
        industries = _pick_industries(rng, work_types)
        public_profile = rng.random() < PUBLIC_PROFILE_SHARE
        certificates = self._certificates(rng, index, practitioner_id, plan)
        bio = _bio(rng, work_types, industries, specialties, work_start_year, today)

        person = {
            "id": practitioner_id,
            "name": name,
            "id_card": id_card,
            "gender": gender,
            "education": education,
            "enrolled": enrolled,
            "work_start_year": work_start_year,
            "region": region,
            "employer_id": employer_id,
            "phone": self._phone(index),
            "email": f"u{index}@example.cn",
            "public_profile": public_profile,
            "specialties": specialties,
            "qualifications": qualifications,
            "industries": industries,
            "bio": bio,
        }
        return person, certificates

    def _phone(self, index: int) -> str:
        number = self._phones(index)
        return f"{_MOBILE_PREFIXES[number // 100_000_000]}{number % 100_000_000:08d}"

    def _pick_employer(self, rng: random.Random, work_type: str, region: str) -> str | None:
        kind = _EMPLOYER_KIND_CHOICE[work_type].pick(rng)
        if kind is None:
            return None
        candidates = self._by_kind[kind]
        if kind == "enterprise" and work_type == "aviation":
            candidates = self._enterprises_by_industry.get("aviation") or candidates
        elif rng.random() < SAME_PROVINCE_EMPLOYER_SHARE:
            candidates = self._by_kind_province.get((kind, province_of(region))) or candidates
        return self.organizations[rng.choice(candidates)]["id"]

    def _certificates(
        self, rng: random.Random, index: int, holder_id: str, plan: list[tuple[str, int, int | None]]
    ) -> list[dict[str, Any]]:
        start, today = OCCUPATION_START.toordinal(), self.today.toordinal()
        # A certificate is good on its expires_on date, so one issued on or after this day is still valid today.
        earliest_current = _add_years(self.today, -CERTIFICATE_TERM_YEARS)
        while _add_years(earliest_current, CERTIFICATE_TERM_YEARS) < self.today:
            earliest_current += timedelta(days=1)
        latest_expired = earliest_current.toordinal() - 1

        kinds: list[str] = []
        no_expiry: list[bool] = []
        windows: list[list[int]] = []
        for _ in plan:
            kind = _STATUS_CHOICE.pick(rng)
            if kind == "expired" and latest_expired < start:
                kind = "valid"  # too early in the occupation's life for anything to have run out
            never = kind != "expired" and rng.random() < NO_EXPIRY_SHARE
            if kind == "expired":
                window = [start, latest_expired]
            elif kind == "valid" and not never:
                window = [max(start, earliest_current.toordinal()), today]
            else:
                window = [start, today]
            kinds.append(kind)
            no_expiry.append(never)
            windows.append(window)
        # A lower certificate must leave room for the higher one a year later; when the windows are too tight
        # it is issued as early as its window allows.
        for position, (_, _, lower) in enumerate(plan):
            if lower is not None:
                low_window, high_end = windows[lower], windows[position][1]
                low_window[1] = max(low_window[0], min(low_window[1], high_end - PROGRESSION_GAP_DAYS))

        issued: list[date] = []
        certificates = []
        for position, (work_type, level, lower) in enumerate(plan):
            first, last = windows[position]
            if lower is not None:
                first = min(max(first, issued[lower].toordinal() + PROGRESSION_GAP_DAYS), last)
            # A power below 1 skews issue dates late a little: more certificates every year as the occupation grows.
            issued_on = date.fromordinal(first + int((last - first + 1) * rng.random() ** ISSUE_DATE_SKEW))
            issued.append(issued_on)
            kind = kinds[position]
            expires_on = None if no_expiry[position] else _add_years(issued_on, CERTIFICATE_TERM_YEARS)
            status, reason = kind, None
            if kind == "suspended":
                reason = rng.choice(SUSPENSION_REASONS)
            elif kind == "revoked":
                reason = rng.choice(REVOCATION_REASONS)
            elif kind == "expired":
                if rng.random() < EXPIRED_STORED_AS_EXPIRED_SHARE:
                    reason = EXPIRY_REASON
                else:
                    status = "valid"  # the registry derives the expiry from expires_on
            serial = index * MAX_CERTIFICATES_PER_PERSON + position
            certificates.append(
                {
                    "number": f"CPCIF-{issued_on.year}-{serial:07d}",
                    "practitioner_id": holder_id,
                    "work_type": work_type,
                    "level": level,
                    "issued_on": issued_on,
                    "expires_on": expires_on,
                    "status": status,
                    "status_reason": reason,
                }
            )
        return certificates

    # -- engagements ----------------------------------------------------------------------------------------

    def _engagement_count(self, block: int, people: int) -> int:
        low, high = ENGAGEMENTS_PER_PRACTITIONER
        return round(people * random.Random(f"{self.seed}:b:{block}").uniform(low, high))

    def _block_engagements(
        self, block: int, people: list[dict[str, Any]], certificates: list[dict[str, Any]]
    ) -> list[dict[str, Any]]:
        count = self._engagement_count(block, len(people))
        if not count:
            return []
        position_of = {person["id"]: position for position, person in enumerate(people)}
        # Who can lead or staff work of each kind: holders of a certificate that was not suspended or revoked.
        holders: dict[str, list[tuple[int, dict[str, Any]]]] = {}
        for certificate in certificates:
            if certificate["status"] in ("valid", "expired"):
                holders.setdefault(certificate["work_type"], []).append(
                    (position_of[certificate["practitioner_id"]], certificate)
                )
        if not holders:  # a tiny block where every certificate is suspended or revoked
            for certificate in certificates:
                holders.setdefault(certificate["work_type"], []).append(
                    (position_of[certificate["practitioner_id"]], certificate)
                )
        available = _Weighted(
            (code, WORK_TYPE_WEIGHTS[code]) for code in WORK_TYPE_WEIGHTS if code in holders
        )
        return [
            self._engagement(block * BLOCK_SIZE + number, people, holders, available)
            for number in range(count)
        ]

    def _engagement(
        self,
        index: int,
        people: list[dict[str, Any]],
        holders: dict[str, list[tuple[int, dict[str, Any]]]],
        available: _Weighted[str],
    ) -> dict[str, Any]:
        rng = random.Random(f"{self.seed}:e:{index}")
        engagement_id = _new_id(rng)
        kind = _WORK_TYPE_CHOICE.pick(rng)
        if kind not in holders:
            kind = available.pick(rng)
        candidates = holders[kind]
        lead_position, _ = _Weighted(
            ((position, certificate), LEAD_LEVEL_WEIGHTS[certificate["level"]])
            for position, certificate in candidates
        ).pick(rng)
        lead = people[lead_position]

        size = min(_TEAM_SIZE_CHOICE.pick(rng), len(people))
        qualified = sorted({position for position, _ in candidates} - {lead_position})
        members = rng.sample(qualified, min(size - 1, len(qualified)))
        if len(members) < size - 1:  # not enough holders of this kind in the block: others help
            others = [p for p in range(len(people)) if p != lead_position and p not in members]
            members += rng.sample(others, size - 1 - len(members))
        team = [lead, *(people[position] for position in members)]

        client = self._pick_client(rng, kind, lead, {person["employer_id"] for person in team})
        status, start_on, end_on = self._engagement_dates(rng)
        year = start_on.year
        title = rng.choice(_ENGAGEMENT_TITLES[kind]).format(client=client["name"], year=year, report=year - 1)
        return {
            "id": engagement_id,
            "title": title,
            "kind": kind,
            "client_id": client["id"],
            "industry": client["industry"],
            "region": client["region"],
            "start_on": start_on,
            "end_on": end_on,
            "status": status,
            "team": [
                {"practitioner_id": person["id"], "role": "lead" if number == 0 else "member"}
                for number, person in enumerate(team)
            ],
        }

    def _pick_client(
        self, rng: random.Random, kind: str, lead: dict[str, Any], employers: set[str | None]
    ) -> dict[str, Any]:
        enterprises = self._by_kind["enterprise"]
        candidates = enterprises
        if kind == "aviation":
            candidates = self._enterprises_by_industry.get("aviation") or enterprises
        elif lead["industries"] and rng.random() < 0.6:
            candidates = self._enterprises_by_industry.get(rng.choice(lead["industries"])) or enterprises
        elif rng.random() < 0.5:
            candidates = (
                self._by_kind_province.get(("enterprise", province_of(lead["region"]))) or enterprises
            )
        client = self.organizations[rng.choice(candidates)]
        # Nobody verifies or advises their own employer; a few redraws almost always find another client.
        for _ in range(5):
            if client["id"] not in employers:
                break
            client = self.organizations[rng.choice(enterprises)]
        return client

    def _engagement_dates(self, rng: random.Random) -> tuple[str, date, date | None]:
        # Leads may have done such work before the occupation's certificate existed, so any date since the
        # occupation began will do, whatever the lead's issue date.
        today, first = self.today, OCCUPATION_START
        status = _ENGAGEMENT_STATUS_CHOICE.pick(rng)
        if status == "completed" and (today - first).days < 7:
            status = "active"  # the occupation is days old: nothing can have been finished yet
        if status == "planned":
            start_on = today + timedelta(days=rng.randint(7, 90))
            end_on = start_on + timedelta(days=rng.randint(30, 180)) if rng.random() < 0.5 else None
        elif status == "active":
            start_on = first + timedelta(
                days=rng.randint(max(0, (today - first).days - 180), (today - first).days)
            )
            end_on = None if rng.random() < 0.4 else today + timedelta(days=rng.randint(1, 150))
        elif status == "completed":
            start_on = first + timedelta(days=rng.randint(0, (today - first).days - 7))
            end_on = min(start_on + timedelta(days=rng.randint(20, 180)), today)
        else:  # cancelled: some ended the day they were called off, some never had an end date
            start_on = first + timedelta(days=rng.randint(0, (today - first).days))
            end_on = (
                None
                if rng.random() < 0.5
                else start_on + timedelta(days=rng.randint(0, (today - start_on).days))
            )
        return status, start_on, end_on


# --- Per-person choices --------------------------------------------------------------------------------------


def _certificate_plan(rng: random.Random, age: int) -> list[tuple[str, int, int | None]]:
    """(work_type, level, position of the lower certificate it builds on) in issue order."""
    work_type = _WORK_TYPE_CHOICE.pick(rng)
    top = _TOP_LEVEL_CHOICE.pick(rng)
    if top <= 2 and age < EXPERT_MIN_AGE:
        top = 3
    if rng.random() < LOWER_CERTIFICATE_SHARE.get(top, 0.0):
        plan: list[tuple[str, int, int | None]] = [(work_type, top + 1, None), (work_type, top, 0)]
    else:
        plan = [(work_type, top, None)]
    held = {work_type}
    for share in EXTRA_WORK_TYPE_SHARE:
        if len(plan) >= MAX_CERTIFICATES_PER_PERSON or rng.random() >= share:
            break
        extra = _WORK_TYPE_CHOICE.pick(rng)
        while extra in held:
            extra = _WORK_TYPE_CHOICE.pick(rng)
        held.add(extra)
        plan.append((extra, _EXTRA_LEVEL_CHOICE.pick(rng), None))
    return plan


def _pick_specialties(rng: random.Random, work_types: Sequence[str]) -> list[str]:
    pool = [code for work_type in work_types for code in _SPECIALTIES_BY_WORK_TYPE[work_type]]
    chosen = rng.sample(pool, min(_SPECIALTY_COUNT_CHOICE.pick(rng), len(pool)))
    return sorted(chosen, key=_SPECIALTY_ORDER.__getitem__)


def _pick_qualifications(rng: random.Random, work_types: Sequence[str], best_level: int) -> list[str]:
    expert = best_level <= 2
    if rng.random() >= (0.7 if expert else 0.15):
        return []
    pool = sorted(
        {code for work_type in work_types for code in RELEVANT_QUALIFICATIONS[work_type]},
        key=_QUALIFICATION_ORDER.__getitem__,
    )
    count = (_EXPERT_QUALIFICATION_COUNT_CHOICE if expert else _QUALIFICATION_COUNT_CHOICE).pick(rng)
    return sorted(rng.sample(pool, min(count, len(pool))), key=_QUALIFICATION_ORDER.__getitem__)


def _pick_industries(rng: random.Random, work_types: Sequence[str]) -> list[str]:
    count = _INDUSTRY_COUNT_CHOICE.pick(rng)
    industries = ["aviation"] if "aviation" in work_types else []
    while len(industries) < count:
        industry = _INDUSTRY_CHOICE.pick(rng)
        if industry not in industries:
            industries.append(industry)
    return industries


def _bio(
    rng: random.Random,
    work_types: Sequence[str],
    industries: Sequence[str],
    specialties: Sequence[str],
    work_start_year: int | None,
    today: date,
) -> str:
    years = today.year - work_start_year if work_start_year is not None else 0
    lead_in = "长期从事" if years >= 10 and rng.random() < 0.5 else rng.choice(("从事", "主要从事"))
    parts = [lead_in + "、".join(_ACTIVITY_ZH[code] for code in work_types) + "工作"]
    if years >= 1:
        parts.append(f"参加工作{years}年")
    elif work_start_year is None:
        parts.append("在读")
    if industries:
        parts.append("熟悉" + "、".join(_INDUSTRY_ZH[code] for code in industries) + "行业")
    if specialties:
        parts.append("擅长" + _SPECIALTY_ZH[rng.choice(specialties)])
    return "，".join(parts) + "。"


# --- Organizations -------------------------------------------------------------------------------------------


def _organization(
    seed: int, number: int, taken: set[str], codes: tuple[_Bijection, _Bijection]
) -> dict[str, Any]:
    rng = random.Random(f"{seed}:o:{number}")
    kind = ORGANIZATION_KIND_PATTERN[number % len(ORGANIZATION_KIND_PATTERN)]
    organization_id = _new_id(rng)
    industry: str | None = None
    if kind == "enterprise":
        industry = _INDUSTRY_CHOICE.pick(rng)
        clustered = rng.random() < INDUSTRY_REGION_SHARE
        region = rng.choice(INDUSTRY_REGIONS[industry]) if clustered else _pick_region(rng)
        suffixes = _ORGANIZATION_SUFFIXES[industry]
    else:
        region = _pick_region(rng)
        suffixes = _ORGANIZATION_SUFFIXES[kind]
    place = _short_region_name(region)
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


# --- Entry points --------------------------------------------------------------------------------------------


def generate(size: int, seed: int = 42, today: date | None = None) -> SyntheticRegistry:
    """Build a synthetic registry of `size` practitioners; the same (size, seed, today) gives the same data."""
    today = today or date.today()
    if size < 0:
        raise ValueError("size must not be negative")
    if today < OCCUPATION_START:
        raise ValueError(
            f"today must not be before {OCCUPATION_START.isoformat()}, when the occupation began"
        )
    births = _BirthSlots(seed)
    if size > births.capacity:
        raise ValueError(f"size must be at most {births.capacity} (unique ID card numbers run out beyond)")
    code_rng = random.Random(f"{seed}:uscc")
    codes = (_Bijection(10**8, code_rng.getrandbits(64)), _Bijection(10**6, code_rng.getrandbits(64)))
    taken: set[str] = set()
    organizations = [_organization(seed, number, taken, codes) for number in range(size // 25 + 40)]

    by_kind: dict[str, list[int]] = {}
    by_kind_province: dict[tuple[str, str], list[int]] = {}
    by_industry: dict[str, list[int]] = {}
    for position, organization in enumerate(organizations):
        kind = organization["kind"]
        by_kind.setdefault(kind, []).append(position)
        by_kind_province.setdefault((kind, province_of(organization["region"])), []).append(position)
        if kind == "enterprise":
            by_industry.setdefault(organization["industry"], []).append(position)
    phones = _Bijection(len(_MOBILE_PREFIXES) * 100_000_000, random.Random(f"{seed}:phone").getrandbits(64))
    return SyntheticRegistry(
        size=size,
        seed=seed,
        today=today,
        organizations=organizations,
        _births=births,
        _phones=phones,
        _organizations_by_id={organization["id"]: organization for organization in organizations},
        _by_kind=by_kind,
        _by_kind_province=by_kind_province,
        _enterprises_by_industry=by_industry,
    )


def import_rows(registry: SyntheticRegistry, limit: int | None = None) -> Iterator[dict[str, str]]:
    """Yield the registry as bulk-import rows (one per certificate, Chinese headers, text values), streaming.

    `limit` caps the number of rows.
    """
    if limit is not None and limit <= 0:
        return
    emitted = 0
    # Block by block and without engagements: the file has no place for them, and a limit stops early.
    for batch in registry._blocks(engagements=False):
        people = {person["id"]: person for person in batch.practitioners}
        for certificate in batch.certificates:
            person = people[certificate["practitioner_id"]]
            expires_on = certificate["expires_on"]
            yield {
                "姓名": person["name"],
                "身份证号": person["id_card"],
                "性别": _GENDER_ZH[person["gender"]],
                "学历": _EDUCATION_ZH[person["education"]],
                "参加工作年份": "" if person["work_start_year"] is None else str(person["work_start_year"]),
                "地区代码": person["region"],
                "手机": person["phone"],
                "邮箱": person["email"],
                "单位统一社会信用代码": registry.employer_uscc(person["employer_id"]) or "",
                "公开": "是" if person["public_profile"] else "否",
                "工种": WORK_TYPE_BY_CODE[certificate["work_type"]].name_zh,
                "等级": LEVEL_BY_RANK[certificate["level"]].name_zh,
                "证书编号": certificate["number"],
                "发证日期": certificate["issued_on"].isoformat(),
                "有效期至": expires_on.isoformat() if expires_on else "",
                "状态": _STATUS_ZH[certificate["status"]],
                "专业领域": ";".join(person["specialties"]),
                "资质": ";".join(person["qualifications"]),
            }
            emitted += 1
            if limit is not None and emitted >= limit:
                return


def write_csv(path: str | Path, rows: Iterable[Mapping[str, str]]) -> int:
    """Write import rows to a UTF-8 CSV with a BOM (so Excel reads the Chinese), streaming; returns the row count."""
    count = 0
    with open(path, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.DictWriter(handle, fieldnames=IMPORT_HEADERS)
        writer.writeheader()
        for row in rows:
            writer.writerow(row)
            count += 1
    return count
