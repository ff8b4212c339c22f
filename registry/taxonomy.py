"""The occupation's fixed vocabulary: work types, levels, pools and the codes the API uses for them.

The seed loader and the API read these constants; nothing else spells them out again.
"""

from __future__ import annotations

from dataclasses import dataclass

OCCUPATION_CODE = "4-09-07-04"
OCCUPATION_NAME_ZH = "碳排放管理员"


@dataclass(frozen=True)
class WorkType:
    code: str
    name_zh: str
    name_en: str


WORK_TYPES: tuple[WorkType, ...] = (
    WorkType("monitoring", "碳排放监测员", "Carbon emission monitor"),
    WorkType("accounting", "碳排放核算员", "Carbon emission accountant"),
    WorkType("verification", "碳排放核查员", "Carbon emission verifier"),
    WorkType("consulting", "碳排放咨询员", "Carbon emission consultant"),
    WorkType("trading", "碳排放交易员", "Carbon emission trader"),
    WorkType("aviation", "民航碳排放管理员", "Civil aviation carbon emission manager"),
)
WORK_TYPE_CODES: frozenset[str] = frozenset(w.code for w in WORK_TYPES)
WORK_TYPE_BY_CODE: dict[str, WorkType] = {w.code: w for w in WORK_TYPES}


@dataclass(frozen=True)
class Level:
    rank: int  # 4 is the entry level, 1 the highest
    name_zh: str
    name_en: str


LEVELS: tuple[Level, ...] = (
    Level(4, "四级", "Level 4"),
    Level(3, "三级", "Level 3"),
    Level(2, "二级", "Level 2"),
    Level(1, "一级", "Level 1"),
)
LEVEL_RANKS: frozenset[int] = frozenset(level.rank for level in LEVELS)
LEVEL_BY_RANK: dict[int, Level] = {level.rank: level for level in LEVELS}


@dataclass(frozen=True)
class Pool:
    code: str
    name_zh: str
    name_en: str
    levels: frozenset[int]  # a valid certificate at one of these levels gives membership


POOLS: tuple[Pool, ...] = (
    Pool(
        "talent", "全国碳排放管理员人才库", "National carbon emission manager talent pool", frozenset({3, 4})
    ),
    Pool("expert", "国家级碳排放专家库", "National carbon emission expert pool", frozenset({1, 2})),
)
POOL_CODES: frozenset[str] = frozenset(p.code for p in POOLS)
POOL_BY_CODE: dict[str, Pool] = {p.code: p for p in POOLS}

# Education, lowest first; the order matters for eligibility ("X or above").
EDUCATION_LEVELS: tuple[tuple[str, str], ...] = (
    ("junior_high", "初中及以下"),
    ("secondary", "中职/中专/高中"),
    ("college", "大专"),
    ("bachelor", "本科"),
    ("master", "硕士"),
    ("doctorate", "博士"),
)
EDUCATION_CODES: tuple[str, ...] = tuple(code for code, _ in EDUCATION_LEVELS)
EDUCATION_RANK: dict[str, int] = {code: rank for rank, code in enumerate(EDUCATION_CODES)}

GENDERS: tuple[str, ...] = ("male", "female")
PRACTITIONER_STATUSES: tuple[str, ...] = ("active", "suspended", "deleted")

ORGANIZATION_KINDS: tuple[str, ...] = (
    "enterprise",
    "consultancy",
    "verification_body",
    "training_base",
    "issuer",
    "government",
    "other",
)

CERTIFICATE_STATUSES: tuple[str, ...] = ("valid", "suspended", "revoked", "expired")
CERTIFICATE_NAME_ZH = "碳排放管理员职业能力水平评价证书"
DEFAULT_ISSUER_NAME = "中国石油和化学工业联合会"

ENGAGEMENT_STATUSES: tuple[str, ...] = ("planned", "active", "completed", "cancelled")
ENGAGEMENT_ROLES: tuple[str, ...] = ("lead", "member", "signer", "reviewer")  # issue 23 adds the last two
