"""The shares and weights a synthetic registry is drawn from, and the per-person choices made with them.

Every weight is a plausible figure for the occupation (see the comments); tests/unit/test_synthetic.py
checks that generated registries come out with these shares.
"""

from __future__ import annotations

import bisect
import itertools
import random
from collections.abc import Iterable, Mapping, Sequence
from datetime import date
from typing import Generic, TypeVar

from registry.matching import RELEVANT_QUALIFICATIONS
from registry.reference import CITIES, INDUSTRIES, QUALIFICATIONS, SPECIALTIES, province_of
from registry.taxonomy import WORK_TYPE_BY_CODE

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
# A team is drawn from the lead's block and the blocks just before it (issue 23: blocks that only work with
# themselves would be closed circles); the engagement travels with the latest of them, so every member is stored
# before it.
TEAM_WINDOW_BLOCKS = 5
# The market (seed/market.py): share of each sector's plants that belong to a group of companies, group sizes in
# plants, the size from which a group has regional subsidiaries between its head and its plants.
GROUP_SHARE: dict[str, float] = {"power": 0.5, "steel": 0.5, "other": 0.15}
GROUP_SIZE_RANGE: tuple[int, int] = (5, 50)
SUBSIDIARY_LEVEL_FROM = 12
# Provider sizes follow a Pareto law above a floor: a few national firms take much of the work, and even the smallest
# firm has a steady book of clients (a firm with two clients that only it verifies would look like a closed circle).
PROVIDER_SIZE_PARETO = 1.2
PROVIDER_SIZE_FLOOR = 2.0
# A client's roster: verification bodies (at least two, so verification can rotate) and consultancies.
ROSTER_VERIFIERS: tuple[int, int] = (2, 3)
ROSTER_CONSULTANCIES: tuple[int, int] = (1, 2)
# How many employers a person had before the current one (between consultancies and verification bodies).
CAREER_MOVES_WEIGHTS: dict[int, float] = {0: 45, 1: 35, 2: 20}
# Who signs a verification report: the lead most of the time, else another member; a reviewer some of the time.
SIGNER_NOT_LEAD_SHARE = 0.3
REVIEWER_SHARE = 0.4
LEAD_VISITS_SHARE = 0.5  # a lead who does not sign visits the site this often
# Anomalies planted into the background (seed/plants.py), per 100 000 practitioners, and the conflict cases the
# conflict-path benchmark looks for. The truth goes to a file only the benchmark reads.
ANOMALY_RATES: dict[str, float] = {
    "signed_not_on_site": 40, "two_places": 30, "overload": 20, "familiar_pair": 30, "closed_circle": 10,
}  # fmt: skip
CONFLICT_CASE_RATES: dict[str, float] = {"group_employment": 20, "consult_then_verify": 20}
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


# --- Weighted choices -----------------------------------------------------------------------------------------


class Weighted(Generic[T]):
    """A weighted choice drawn with one rng.random(): cheaper than rng.choices and just as deterministic."""

    def __init__(self, weights: Mapping[T, float] | Iterable[tuple[T, float]]) -> None:
        pairs = list(weights.items()) if isinstance(weights, Mapping) else list(weights)
        self.items: list[T] = [item for item, weight in pairs if weight > 0]
        self.cumulative = list(itertools.accumulate(weight for _, weight in pairs if weight > 0))
        self.total = self.cumulative[-1]

    def pick(self, rng: random.Random) -> T:
        return self.items[bisect.bisect_right(self.cumulative, rng.random() * self.total)]


# Region choice: a province by weight, then one of its listed cities some of the time.
PROVINCE_CHOICE = Weighted(PROVINCE_WEIGHTS)
_CITIES_BY_PROVINCE: dict[str, list[str]] = {}
for _code, _ in CITIES:
    _CITIES_BY_PROVINCE.setdefault(province_of(_code), []).append(_code)


def pick_region(rng: random.Random) -> str:
    province = PROVINCE_CHOICE.pick(rng)
    cities = _CITIES_BY_PROVINCE.get(province)
    if cities and rng.random() < CITY_SHARE:
        return rng.choice(cities)
    return province


WORK_TYPE_CHOICE = Weighted(WORK_TYPE_WEIGHTS)
TOP_LEVEL_CHOICE = Weighted(TOP_LEVEL_WEIGHTS)
EXTRA_LEVEL_CHOICE = Weighted(EXTRA_LEVEL_WEIGHTS)
STATUS_CHOICE = Weighted(CERTIFICATE_STATUS_WEIGHTS)
DEGREE_EDUCATION_CHOICE = Weighted(DEGREE_EDUCATION)
OTHER_EDUCATION_CHOICE = Weighted(OTHER_EDUCATION)
INDUSTRY_CHOICE = Weighted(INDUSTRY_WEIGHTS)
INDUSTRY_COUNT_CHOICE = Weighted(DECLARED_INDUSTRY_COUNT_WEIGHTS)
EMPLOYER_KIND_CHOICE: dict[str, Weighted[str | None]] = {
    code: Weighted(EMPLOYER_KIND_WEIGHTS.get(code, DEFAULT_EMPLOYER_KIND_WEIGHTS))
    for code in WORK_TYPE_WEIGHTS
}
ENGAGEMENT_STATUS_CHOICE = Weighted(ENGAGEMENT_STATUS_WEIGHTS)
TEAM_SIZE_CHOICE = Weighted(TEAM_SIZE_WEIGHTS)
SPECIALTY_COUNT_CHOICE = Weighted({1: 45, 2: 35, 3: 20})
EXPERT_QUALIFICATION_COUNT_CHOICE = Weighted({1: 55, 2: 30, 3: 15})
QUALIFICATION_COUNT_CHOICE = Weighted({1: 75, 2: 25})
_SPECIALTIES_BY_WORK_TYPE: dict[str, list[str]] = {code: [] for code in WORK_TYPE_BY_CODE}
for _code, _, _category in SPECIALTIES:
    _SPECIALTIES_BY_WORK_TYPE[_category].append(_code)
# Reference order, never frozenset order: set iteration of strings changes with PYTHONHASHSEED.
_QUALIFICATION_ORDER: dict[str, int] = {
    code: position for position, (code, _, _) in enumerate(QUALIFICATIONS)
}
_SPECIALTY_ORDER: dict[str, int] = {code: position for position, (code, _, _) in enumerate(SPECIALTIES)}
WORK_TYPE_ORDER: dict[str, int] = {code: position for position, code in enumerate(WORK_TYPE_BY_CODE)}


# --- Per-person choices --------------------------------------------------------------------------------------


def certificate_plan(rng: random.Random, age: int) -> list[tuple[str, int, int | None]]:
    """(work_type, level, position of the lower certificate it builds on) in issue order."""
    work_type = WORK_TYPE_CHOICE.pick(rng)
    top = TOP_LEVEL_CHOICE.pick(rng)
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
        extra = WORK_TYPE_CHOICE.pick(rng)
        while extra in held:
            extra = WORK_TYPE_CHOICE.pick(rng)
        held.add(extra)
        plan.append((extra, EXTRA_LEVEL_CHOICE.pick(rng), None))
    return plan


def pick_specialties(rng: random.Random, work_types: Sequence[str]) -> list[str]:
    pool = [code for work_type in work_types for code in _SPECIALTIES_BY_WORK_TYPE[work_type]]
    chosen = rng.sample(pool, min(SPECIALTY_COUNT_CHOICE.pick(rng), len(pool)))
    return sorted(chosen, key=_SPECIALTY_ORDER.__getitem__)


def pick_qualifications(rng: random.Random, work_types: Sequence[str], best_level: int) -> list[str]:
    expert = best_level <= 2
    if rng.random() >= (0.7 if expert else 0.15):
        return []
    pool = sorted(
        {code for work_type in work_types for code in RELEVANT_QUALIFICATIONS[work_type]},
        key=_QUALIFICATION_ORDER.__getitem__,
    )
    count = (EXPERT_QUALIFICATION_COUNT_CHOICE if expert else QUALIFICATION_COUNT_CHOICE).pick(rng)
    return sorted(rng.sample(pool, min(count, len(pool))), key=_QUALIFICATION_ORDER.__getitem__)


def pick_industries(rng: random.Random, work_types: Sequence[str]) -> list[str]:
    count = INDUSTRY_COUNT_CHOICE.pick(rng)
    industries = ["aviation"] if "aviation" in work_types else []
    while len(industries) < count:
        industry = INDUSTRY_CHOICE.pick(rng)
        if industry not in industries:
            industries.append(industry)
    return industries


_ACTIVITY_ZH: dict[str, str] = {
    "monitoring": "碳排放监测", "accounting": "碳排放核算", "verification": "碳排放核查",
    "consulting": "碳排放咨询", "trading": "碳排放交易", "aviation": "民航碳排放管理",
}  # fmt: skip
_INDUSTRY_ZH: dict[str, str] = {code: name for code, name, _ in INDUSTRIES}
_SPECIALTY_ZH: dict[str, str] = {code: name for code, name, _ in SPECIALTIES}


def write_bio(
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
