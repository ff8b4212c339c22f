"""Statistics for government dashboards: pure aggregations over plain per-person and per-certificate facts.

Every statistic here is a function from facts (read once per graph revision, or from the search index) and a
`Query` (as_of, region, work_type, level) to a `Table`: flat rows whose keys are dimensions (`province`,
`work_type`, `level`, `period` …) and measures (`holders`, `issued` …), plus `totals`. Nothing here names a
person: facts carry an opaque key only so that people can be counted once.

Dates in the past are answered from what the graph keeps (see `CertificateRecord.valid_on`); rules that cannot
be reconstructed exactly are named beside the function that approximates them.
"""

from __future__ import annotations

import math
from collections import Counter, defaultdict
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from registry.taxonomy import LEVEL_BY_RANK, POOLS, WORK_TYPE_BY_CODE, WORK_TYPES

# --- Rules as data -------------------------------------------------------------------------------------------

# Cells counting fewer people than this are suppressed for every caller but an administrator. Source: the
# "threshold rule" of statistical disclosure control (Eurostat, *Handbook on Statistical Disclosure Control*,
# 2010, §4.2; UK ONS uses 5 for small-area counts) — no Chinese rule sets a number for this registry.
DEFAULT_MINIMUM_CELL = 5

# Coverage counts verifiers at this level or higher (a smaller number is a higher level): level 3 is the first
# level whose holders lead a verification on their own (brochure: 三级 and above for 核查 teams). Configurable.
DEFAULT_VERIFIER_MAX_LEVEL = 3
VERIFIER_WORK_TYPE = "verification"

# Verifiers needed per 100 key emitters: a planning assumption, not a published norm. A verifier takes part in
# about ten annual verifications (a team of two or three, two to four weeks each, in the March–June season of
# NDRC order 26 of 2024 / 碳排放权交易管理暂行条例 §11), so 100 units need about 25 verifiers.
DEFAULT_COVERAGE_TARGET = 25.0

INTERVALS: tuple[str, ...] = ("month", "quarter", "year")

# Engagements per expert, bucketed so that no bucket names a single person by an extreme count.
ENGAGEMENT_BUCKETS: tuple[tuple[int, int | None, str], ...] = (
    (1, 1, "1"),
    (2, 2, "2"),
    (3, 3, "3"),
    (4, 5, "4-5"),
    (6, 9, "6-9"),
    (10, None, "10+"),
)
BUSIEST_LIMIT = 10

# Chinese column headers for `lang=zh`; every key a table can carry is here.
HEADERS_ZH: dict[str, str] = {
    "province": "省份代码",
    "province_name": "省份",
    "work_type": "工种",
    "level": "等级",
    "pool": "库",
    "industry": "行业",
    "year": "年度",
    "period": "期间",
    "holders": "有效持证人数",
    "talent_members": "人才库人数",
    "expert_members": "专家库人数",
    "issued": "发证数",
    "expired": "到期数",
    "suspended": "暂停数",
    "revoked": "撤销数",
    "talent_joins": "入人才库人数",
    "talent_leaves": "出人才库人数",
    "expert_joins": "入专家库人数",
    "expert_leaves": "出专家库人数",
    "exams_sat": "参考人次",
    "exams_passed": "合格人次",
    "key_emitters": "重点排放单位数",
    "engagements": "项目数",
    "verifiers": "有效核查员人数",
    "coverage": "每百家重点排放单位核查员数",
    "target": "目标值",
    "shortfall": "缺口人数",
    "previous_key_emitters": "上年重点排放单位数",
    "previous_verifiers": "上年有效核查员人数",
    "previous_coverage": "上年每百家核查员数",
    "coverage_change": "较上年变化",
    "rank": "排名",
    "certificates": "证书数",
    "talent_leavers": "将出人才库人数",
    "expert_leavers": "将出专家库人数",
    "engagements_per_expert": "人均项目数区间",
    "experts": "专家人数",
    "average_team_size": "平均团队人数",
    "verification_engagements": "核查项目数",
    "verification_assignments": "核查人次",
    "same_province_assignments": "本省核查人次",
    "same_province_share": "本省专家承担核查比例",
    "measure": "指标",
    "value": "数值",
    "date": "日期",
}


# --- Periods -------------------------------------------------------------------------------------------------


def period_key(day: date, interval: str) -> str:
    """The key of the period holding `day`: `2026-11` (month), `2026-Q4` (quarter), `2026` (year)."""
    if interval == "month":
        return f"{day.year:04d}-{day.month:02d}"
    if interval == "quarter":
        return f"{day.year:04d}-Q{(day.month - 1) // 3 + 1}"
    if interval == "year":
        return f"{day.year:04d}"
    raise ValueError(f"unknown interval {interval!r}; use one of {', '.join(INTERVALS)}")


def period_start(day: date, interval: str) -> date:
    """The first day of the period holding `day`."""
    if interval == "month":
        return day.replace(day=1)
    if interval == "quarter":
        return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    if interval == "year":
        return date(day.year, 1, 1)
    raise ValueError(f"unknown interval {interval!r}; use one of {', '.join(INTERVALS)}")


def _next_period_start(start: date, interval: str) -> date:
    months = {"month": 1, "quarter": 3, "year": 12}[interval]
    month = start.month - 1 + months
    return date(start.year + month // 12, month % 12 + 1, 1)


def periods_between(start: date, end: date, interval: str) -> list[str]:
    """Keys of every period from the one holding `start` to the one holding `end`, in order."""
    keys: list[str] = []
    current = period_start(start, interval)
    while current <= end:
        keys.append(period_key(current, interval))
        current = _next_period_start(current, interval)
    return keys


def default_trend_start(as_of: date, interval: str) -> date:
    """Without `from`, trends show the last 12 months, 8 quarters or 5 years up to `as_of`."""
    back = {"month": 11, "quarter": 21, "year": 48}[interval]
    month = as_of.year * 12 + as_of.month - 1 - back
    return period_start(date(month // 12, month % 12 + 1, 1), interval)


def same_day_a_year_before(day: date) -> date:
    """The same calendar day one year earlier (29 February → 28 February)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def change(current: float | None, previous: float | None) -> float | None:
    """Year-over-year change `current - previous`, rounded to 2 places; None when either side is unknown."""
    if current is None or previous is None:
        return None
    return round(current - previous, 2)


# --- Regions -------------------------------------------------------------------------------------------------


def province_code(region: str) -> str:
    """The province-level code a GB/T 2260 region code belongs to (first two digits, then 0000)."""
    return region[:2] + "0000"


def is_province(region: str) -> bool:
    """Whether a GB/T 2260 code names a province-level division rather than a city."""
    return region.endswith("0000")


# --- Facts ---------------------------------------------------------------------------------------------------

_SUSPENDED_OR_REVOKED = frozenset({"suspended", "revoked"})


@dataclass(frozen=True, slots=True)
class CertificateRecord:
    """What statistics need of one certificate; `status_changed_on` is the day its stored status was set."""

    work_type: str
    level: int
    status: str
    issued_on: date
    expires_on: date | None = None
    status_changed_on: date | None = None

    def valid_on(self, day: date) -> bool:
        """Whether the certificate was valid on `day`.

        Within its dates, a certificate is valid unless it is suspended or revoked — and a suspension or
        revocation counts from the day it was recorded. Approximation: a suspension later lifted is not kept
        as an interval (the graph keeps the event, not a status per day), so a reinstated certificate counts
        as valid through its suspension; on `day` = today this is exactly `registry.certificates.is_valid`.
        """
        if day < self.issued_on or (self.expires_on is not None and day > self.expires_on):
            return False
        if self.status in _SUSPENDED_OR_REVOKED:
            return self.status_changed_on is not None and self.status_changed_on > day
        return True


@dataclass(frozen=True, slots=True)
class PersonRecord:
    """One practitioner as statistics see them: where, whether active, and their certificates."""

    key: int  # opaque: counts a person once, never shown
    region: str | None
    status: str
    certificates: tuple[CertificateRecord, ...] = ()
    province: str | None = field(default=None)

    def __post_init__(self) -> None:
        if self.province is None and self.region is not None:
            object.__setattr__(self, "province", province_code(self.region))


@dataclass(frozen=True, slots=True)
class StatusEventRecord:
    """A certificate's recorded suspension or revocation (imports of an already suspended one included)."""

    work_type: str
    level: int
    region: str | None
    status: str  # suspended / revoked
    on: date


@dataclass(frozen=True, slots=True)
class MembershipRecord:
    """One spell of pool membership (current MEMBER_OF or past WAS_MEMBER_OF) with its granting certificate."""

    pool: str
    region: str | None
    since: date
    until: date | None  # the day it ended; None while current
    work_type: str | None = None
    level: int | None = None


@dataclass(frozen=True, slots=True)
class ExamRecord:
    """One exam sitting; `passed` at the pass mark (brochure: 60 of 100)."""

    work_type: str
    level: int
    region: str | None
    sat_on: date
    passed: bool


@dataclass(frozen=True, slots=True)
class EmitterRecord:
    """A key emitting unit (重点排放单位): where, which sector, the compliance years it is listed for."""

    region: str | None
    industry: str | None
    listed_years: frozenset[int]


@dataclass(frozen=True, slots=True)
class TeamMember:
    person: int  # PersonRecord.key
    province: str | None


@dataclass(frozen=True, slots=True)
class EngagementRecord:
    """One engagement: kind (a work type), where, when, status and its team."""

    kind: str
    region: str | None
    start_on: date | None
    status: str
    team: tuple[TeamMember, ...] = ()


def counts_on(engagement: EngagementRecord, day: date) -> bool:
    """Engagements count once started (start_on ≤ day) and not cancelled; undated ones are left out."""
    return engagement.status != "cancelled" and engagement.start_on is not None and engagement.start_on <= day


@dataclass
class Facts:
    """Everything the statistics read, as one snapshot; `people_in`/`engagements_in` narrow by province first."""

    people: list[PersonRecord]
    status_events: list[StatusEventRecord] = field(default_factory=list)
    memberships: list[MembershipRecord] = field(default_factory=list)
    exams: list[ExamRecord] = field(default_factory=list)
    emitters: list[EmitterRecord] = field(default_factory=list)
    engagements: list[EngagementRecord] = field(default_factory=list)
    region_names: dict[str, str] = field(default_factory=dict)
    _people_by_province: dict[str | None, list[PersonRecord]] = field(default_factory=dict, repr=False)
    _engagements_by_province: dict[str | None, list[EngagementRecord]] = field(
        default_factory=dict, repr=False
    )

    def __post_init__(self) -> None:
        for person in self.people:
            self._people_by_province.setdefault(person.province, []).append(person)
        for engagement in self.engagements:
            self._engagements_by_province.setdefault(_province_or_none(engagement.region), []).append(
                engagement
            )

    def people_in(self, region: str | None) -> list[PersonRecord]:
        """People of the region's province (all without a region); the statistic still applies the filter."""
        return self.people if region is None else self._people_by_province.get(province_code(region), [])

    def engagements_in(self, region: str | None) -> list[EngagementRecord]:
        """Engagements in the region's province (all without a region)."""
        if region is None:
            return self.engagements
        return self._engagements_by_province.get(province_code(region), [])


@dataclass
class FactStore:
    """Facts kept by practitioner and engagement id, so that a refresh replaces only what changed.

    `keys` numbers practitioner ids once and for all (engagement teams refer to the numbers); `read_at` is the
    graph's clock when the facts were read, the point a refresh reads changes from.
    """

    keys: dict[str, int]
    people: dict[str, PersonRecord]
    status_events: dict[str, tuple[StatusEventRecord, ...]]
    memberships: dict[str, tuple[MembershipRecord, ...]]
    exams: dict[str, tuple[ExamRecord, ...]]
    engagements: dict[str, EngagementRecord]
    emitters: list[EmitterRecord]
    region_names: dict[str, str]
    read_at: Any = None

    def key(self, practitioner_id: str) -> int:
        """The number of a practitioner, given on first sight."""
        return self.keys.setdefault(practitioner_id, len(self.keys))

    def updated(
        self,
        people: Mapping[str, PersonRecord],
        status_events: Mapping[str, tuple[StatusEventRecord, ...]],
        memberships: Mapping[str, tuple[MembershipRecord, ...]],
        exams: Mapping[str, tuple[ExamRecord, ...]],
        engagements: Mapping[str, EngagementRecord],
        emitters: list[EmitterRecord],
        read_at: Any,
    ) -> FactStore:
        """A new store with these people's facts (all of them: missing kinds mean none) and these engagements
        replaced; this one is left as it is, since it may still be answering."""
        events, spells, sittings = dict(self.status_events), dict(self.memberships), dict(self.exams)
        for practitioner_id in people:
            events[practitioner_id] = status_events.get(practitioner_id, ())
            spells[practitioner_id] = memberships.get(practitioner_id, ())
            sittings[practitioner_id] = exams.get(practitioner_id, ())
        return FactStore(
            self.keys,
            {**self.people, **people},
            events,
            spells,
            sittings,
            {**self.engagements, **engagements},
            emitters,
            self.region_names,
            read_at,
        )

    def facts(self) -> Facts:
        """The flat facts the statistics read."""
        return Facts(
            list(self.people.values()),
            [event for events in self.status_events.values() for event in events],
            [spell for spells in self.memberships.values() for spell in spells],
            [exam for exams in self.exams.values() for exam in exams],
            self.emitters,
            list(self.engagements.values()),
            self.region_names,
        )


# --- Query and answer ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    """The filters every statistic takes. `region` is a province (its cities included) or a city."""

    as_of: date
    region: str | None = None
    work_type: str | None = None
    level: int | None = None

    def in_region(self, region: str | None) -> bool:
        if self.region is None:
            return True
        if region is None:
            return False
        if is_province(self.region):
            return province_code(region) == self.region
        return region == self.region

    def certificate_matches(self, work_type: str, level: int) -> bool:
        return (self.work_type is None or work_type == self.work_type) and (
            self.level is None or level == self.level
        )

    def as_dict(self) -> dict[str, Any]:
        return {"region": self.region, "work_type": self.work_type, "level": self.level}


@dataclass
class Table:
    """A statistic's answer: flat rows, their column order, totals and which measures may be suppressed."""

    columns: tuple[str, ...]
    rows: list[dict[str, Any]]
    totals: dict[str, Any]
    people_measures: tuple[str, ...] = ()  # counts of people: the cells privacy suppression looks at
    derived: Mapping[str, tuple[str, ...]] = field(
        default_factory=dict
    )  # measure → measures it is built from
    suppressed: int = 0


def _province_or_none(region: str | None) -> str | None:
    return province_code(region) if region else None


_LEVELS_BY_POOL: dict[str, frozenset[int]] = {pool.code: pool.levels for pool in POOLS}
_POOL_OF_LEVEL: dict[int, str] = {level: pool.code for pool in POOLS for level in pool.levels}
_WORK_TYPE_ORDER: dict[str, int] = {w.code: i for i, w in enumerate(WORK_TYPES)}


def _work_type_order(code: str | None) -> int:
    return _WORK_TYPE_ORDER.get(code or "", len(_WORK_TYPE_ORDER))


# --- 1. Supply -----------------------------------------------------------------------------------------------


def supply(people: Iterable[PersonRecord], query: Query) -> Table:
    """Valid certificate holders by province × work type × level; the total counts each person once.

    Only active practitioners count: a suspended or deleted person practises under no certificate.
    """
    cells: Counter[tuple[str | None, str, int]] = Counter()
    holders = 0
    day = query.as_of
    for person in people:
        if person.status != "active" or not query.in_region(person.region):
            continue
        held = {
            (c.work_type, c.level)
            for c in person.certificates
            if query.certificate_matches(c.work_type, c.level) and c.valid_on(day)
        }
        if not held:
            continue
        holders += 1
        for work_type, level in held:
            cells[(person.province, work_type, level)] += 1
    rows = [
        {"province": province, "work_type": work_type, "level": level, "holders": count}
        for (province, work_type, level), count in sorted(
            cells.items(), key=lambda item: (item[0][0] or "", _work_type_order(item[0][1]), -item[0][2])
        )
    ]
    return Table(
        ("province", "work_type", "level", "holders"),
        rows,
        {"holders": holders},
        people_measures=("holders",),
    )


def pool_members(people: Iterable[PersonRecord], query: Query) -> Table:
    """Pool members by province: active people with a valid certificate at the pool's levels.

    Pools are derived from certificates (DESIGN.md §2), so members on any day follow from validity that day;
    with `work_type`/`level`, only certificates matching them grant membership.
    """
    cells: dict[str | None, Counter[str]] = defaultdict(Counter)
    totals: Counter[str] = Counter()
    day = query.as_of
    for person in people:
        if person.status != "active" or not query.in_region(person.region):
            continue
        pools = {
            _POOL_OF_LEVEL[c.level]
            for c in person.certificates
            if c.level in _POOL_OF_LEVEL
            and query.certificate_matches(c.work_type, c.level)
            and c.valid_on(day)
        }
        for pool in pools:
            cells[person.province][pool] += 1
            totals[pool] += 1
    rows = [
        {"province": province, "talent_members": counts["talent"], "expert_members": counts["expert"]}
        for province, counts in sorted(cells.items(), key=lambda item: item[0] or "")
    ]
    measures = ("talent_members", "expert_members")
    return Table(
        ("province", *measures),
        rows,
        {"talent_members": totals["talent"], "expert_members": totals["expert"]},
        people_measures=measures,
    )


# --- 2. Trends -----------------------------------------------------------------------------------------------

TREND_MEASURES: tuple[str, ...] = (
    "issued",
    "expired",
    "suspended",
    "revoked",
    "talent_joins",
    "talent_leaves",
    "expert_joins",
    "expert_leaves",
    "exams_sat",
    "exams_passed",
)


def trends(
    people: Iterable[PersonRecord],
    status_events: Iterable[StatusEventRecord],
    memberships: Iterable[MembershipRecord],
    exams: Iterable[ExamRecord],
    query: Query,
    interval: str,
    start: date,
    end: date,
) -> Table:
    """Per period × work type: certificates issued, expired, suspended, revoked; pool joins and leaves; exams.

    - issued: by `issued_on` (imported certificates carry their real issue date, their import event does not);
    - expired: by `expires_on` once that day has passed, unless the certificate was revoked before it;
    - suspended / revoked: by the day the event was recorded (for imports, the import day);
    - joins / leaves: by MEMBER_OF/WAS_MEMBER_OF `since` and `until`, under the granting certificate's work type;
    - exams: sittings by `sat_on`, passes among them.
    Periods are whole: `start` moves back to its period's first day; `end` is clipped to `as_of`.
    """
    start = period_start(start, interval)
    end = min(end, query.as_of)
    keys = periods_between(start, end, interval)
    work_types = [query.work_type] if query.work_type else [w.code for w in WORK_TYPES]
    counts: dict[tuple[str, str], Counter[str]] = {(p, w): Counter() for p in keys for w in work_types}

    def add(day: date | None, work_type: str | None, measure: str) -> None:
        if day is None or day < start or day > end:
            return
        cell = counts.get((period_key(day, interval), work_type or ""))
        if cell is not None:
            cell[measure] += 1

    for person in people:
        if not query.in_region(person.region):
            continue
        for c in person.certificates:
            if not query.certificate_matches(c.work_type, c.level):
                continue
            add(c.issued_on, c.work_type, "issued")
            if c.expires_on is not None and c.expires_on < query.as_of:
                revoked_first = (
                    c.status == "revoked"
                    and c.status_changed_on is not None
                    and c.status_changed_on <= c.expires_on
                )
                if not revoked_first:
                    add(c.expires_on, c.work_type, "expired")
    for event in status_events:
        if query.in_region(event.region) and query.certificate_matches(event.work_type, event.level):
            add(event.on, event.work_type, event.status)
    for spell in memberships:
        if not query.in_region(spell.region):
            continue
        if spell.work_type is not None and spell.level is not None:
            if not query.certificate_matches(spell.work_type, spell.level):
                continue
        elif query.work_type is not None or query.level is not None:
            continue
        add(spell.since, spell.work_type, f"{spell.pool}_joins")
        add(spell.until, spell.work_type, f"{spell.pool}_leaves")
    for exam in exams:
        if query.in_region(exam.region) and query.certificate_matches(exam.work_type, exam.level):
            add(exam.sat_on, exam.work_type, "exams_sat")
            if exam.passed:
                add(exam.sat_on, exam.work_type, "exams_passed")

    rows = [
        {
            "period": period,
            "work_type": work_type,
            **{m: counts[(period, work_type)][m] for m in TREND_MEASURES},
        }
        for period in keys
        for work_type in work_types
    ]
    totals = {m: sum(row[m] for row in rows) for m in TREND_MEASURES}
    return Table(
        ("period", "work_type", *TREND_MEASURES),
        rows,
        totals,
        people_measures=("talent_joins", "talent_leaves", "expert_joins", "expert_leaves"),
    )


# --- 3. Demand -----------------------------------------------------------------------------------------------


def listed_in(emitter: EmitterRecord, year: int) -> bool:
    """A unit is a key emitter for a compliance year when that year's list names it."""
    return year in emitter.listed_years


def key_emitters(emitters: Iterable[EmitterRecord], query: Query, year: int | None = None) -> Table:
    """Key emitting units listed for `year` (default: the year of as_of) by province × industry."""
    year = year or query.as_of.year
    cells: Counter[tuple[str | None, str | None]] = Counter()
    for emitter in emitters:
        if listed_in(emitter, year) and query.in_region(emitter.region):
            cells[(_province_or_none(emitter.region), emitter.industry)] += 1
    rows = [
        {"province": province, "industry": industry, "year": year, "key_emitters": count}
        for (province, industry), count in sorted(cells.items(), key=lambda i: (i[0][0] or "", i[0][1] or ""))
    ]
    return Table(
        ("province", "industry", "year", "key_emitters"), rows, {"key_emitters": sum(cells.values())}
    )


def engagements_by_year(engagements: Iterable[EngagementRecord], query: Query) -> Table:
    """Engagements per province (of the engagement's region) per year they started; work_type = kind."""
    cells: Counter[tuple[str | None, int]] = Counter()
    for engagement in engagements:
        if not counts_on(engagement, query.as_of) or not query.in_region(engagement.region):
            continue
        if query.work_type is not None and engagement.kind != query.work_type:
            continue
        assert engagement.start_on is not None
        cells[(_province_or_none(engagement.region), engagement.start_on.year)] += 1
    rows = [
        {"province": province, "year": year, "engagements": count}
        for (province, year), count in sorted(cells.items(), key=lambda i: (i[0][0] or "", i[0][1]))
    ]
    return Table(("province", "year", "engagements"), rows, {"engagements": sum(cells.values())})


def _verifiers_by_province(
    people: Iterable[PersonRecord], query: Query, day: date, max_level: int
) -> Counter[str | None]:
    counts: Counter[str | None] = Counter()
    for person in people:
        if person.status != "active" or not query.in_region(person.region):
            continue
        if any(
            c.work_type == VERIFIER_WORK_TYPE and c.level <= max_level and c.valid_on(day)
            for c in person.certificates
        ):
            counts[person.province] += 1
    return counts


def _emitters_by_province(emitters: Iterable[EmitterRecord], query: Query, year: int) -> Counter[str | None]:
    counts: Counter[str | None] = Counter()
    for emitter in emitters:
        if listed_in(emitter, year) and query.in_region(emitter.region):
            counts[_province_or_none(emitter.region)] += 1
    return counts


def coverage_ratio(verifiers: int, emitters: int) -> float | None:
    """Valid verifiers per 100 key emitters, 2 decimals; None where there are no key emitters."""
    return round(verifiers * 100 / emitters, 2) if emitters else None


def shortfall(verifiers: int, emitters: int, target: float) -> int:
    """Verifiers missing to reach `target` per 100 key emitters (0 when met)."""
    return max(0, math.ceil(target * emitters / 100 - 1e-9) - verifiers)


def coverage(
    people: Sequence[PersonRecord],
    emitters: Sequence[EmitterRecord],
    query: Query,
    *,
    max_level: int = DEFAULT_VERIFIER_MAX_LEVEL,
    target: float = DEFAULT_COVERAGE_TARGET,
) -> Table:
    """Per province: valid verifiers (level ≤ max_level) per 100 key emitters listed for the year of as_of,
    the shortfall against `target`, and the change against the same day a year before (with that year's list).

    Rows come largest shortfall first. `work_type` and `level` do not apply: coverage is about verifiers.
    """
    year = query.as_of.year
    before = same_day_a_year_before(query.as_of)
    verifiers = _verifiers_by_province(people, query, query.as_of, max_level)
    previous_verifiers = _verifiers_by_province(people, query, before, max_level)
    listed = _emitters_by_province(emitters, query, year)
    previous_listed = _emitters_by_province(emitters, query, year - 1)
    rows = []
    for province in set(verifiers) | set(listed) | set(previous_verifiers) | set(previous_listed):
        now = coverage_ratio(verifiers[province], listed[province])
        then = coverage_ratio(previous_verifiers[province], previous_listed[province])
        rows.append(
            {
                "province": province,
                "key_emitters": listed[province],
                "verifiers": verifiers[province],
                "coverage": now,
                "target": target,
                "shortfall": shortfall(verifiers[province], listed[province], target),
                "previous_key_emitters": previous_listed[province],
                "previous_verifiers": previous_verifiers[province],
                "previous_coverage": then,
                "coverage_change": change(now, then),
            }
        )
    rows.sort(key=lambda row: (-row["shortfall"], row["province"] or ""))
    for rank, row in enumerate(rows, start=1):
        row["rank"] = rank
    total_emitters, total_verifiers = sum(listed.values()), sum(verifiers.values())
    previous_emitters, previous_total = sum(previous_listed.values()), sum(previous_verifiers.values())
    now_total = coverage_ratio(total_verifiers, total_emitters)
    then_total = coverage_ratio(previous_total, previous_emitters)
    totals = {
        "key_emitters": total_emitters,
        "verifiers": total_verifiers,
        "coverage": now_total,
        "target": target,
        "shortfall": sum(row["shortfall"] for row in rows),
        "previous_key_emitters": previous_emitters,
        "previous_verifiers": previous_total,
        "previous_coverage": then_total,
        "coverage_change": change(now_total, then_total),
    }
    columns = (
        "rank",
        "province",
        "key_emitters",
        "verifiers",
        "coverage",
        "target",
        "shortfall",
        "previous_key_emitters",
        "previous_verifiers",
        "previous_coverage",
        "coverage_change",
    )
    return Table(
        columns,
        [{column: row[column] for column in columns} for row in rows],
        totals,
        people_measures=("verifiers", "previous_verifiers"),
        derived={
            "coverage": ("verifiers",),
            "shortfall": ("verifiers",),
            "previous_coverage": ("previous_verifiers",),
            "coverage_change": ("verifiers", "previous_verifiers"),
        },
    )


# --- 4. Expiring ---------------------------------------------------------------------------------------------


def expiring(people: Iterable[PersonRecord], query: Query, within: int) -> Table:
    """Certificates valid on as_of whose last valid day falls within `within` days (as_of included), by
    province × work type; their holders; and the people who leave a pool with them (no other certificate at
    the pool's levels keeps them in after the window), counted under each lapsing certificate's work type.
    """
    day = query.as_of
    last = day + timedelta(days=within)
    after = last + timedelta(days=1)
    certificates: Counter[tuple[str | None, str]] = Counter()
    holders: dict[tuple[str | None, str], set[int]] = defaultdict(set)
    leavers: dict[tuple[str | None, str, str], set[int]] = defaultdict(set)
    total_holders: set[int] = set()
    total_leavers: dict[str, set[int]] = defaultdict(set)
    for person in people:
        if person.status != "active" or not query.in_region(person.region):
            continue
        lapsing = [
            c
            for c in person.certificates
            if c.expires_on is not None
            and day <= c.expires_on <= last
            and query.certificate_matches(c.work_type, c.level)
            and c.valid_on(day)
        ]
        if not lapsing:
            continue
        total_holders.add(person.key)
        for c in lapsing:
            certificates[(person.province, c.work_type)] += 1
            holders[(person.province, c.work_type)].add(person.key)
        for pool in {_POOL_OF_LEVEL[c.level] for c in lapsing if c.level in _POOL_OF_LEVEL}:
            levels = _LEVELS_BY_POOL[pool]
            if any(c.level in levels and c.valid_on(after) for c in person.certificates):
                continue
            total_leavers[pool].add(person.key)
            for c in lapsing:
                if c.level in levels:
                    leavers[(person.province, c.work_type, pool)].add(person.key)
    rows = [
        {
            "province": province,
            "work_type": work_type,
            "certificates": count,
            "holders": len(holders[(province, work_type)]),
            "talent_leavers": len(leavers.get((province, work_type, "talent"), ())),
            "expert_leavers": len(leavers.get((province, work_type, "expert"), ())),
        }
        for (province, work_type), count in sorted(
            certificates.items(), key=lambda i: (i[0][0] or "", _work_type_order(i[0][1]))
        )
    ]
    measures = ("certificates", "holders", "talent_leavers", "expert_leavers")
    totals = {
        "certificates": sum(certificates.values()),
        "holders": len(total_holders),
        "talent_leavers": len(total_leavers["talent"]),
        "expert_leavers": len(total_leavers["expert"]),
    }
    return Table(("province", "work_type", *measures), rows, totals, people_measures=measures)


# --- 5. Engagements ------------------------------------------------------------------------------------------


def _selected(engagements: Iterable[EngagementRecord], query: Query) -> list[EngagementRecord]:
    return [
        e
        for e in engagements
        if counts_on(e, query.as_of)
        and query.in_region(e.region)
        and (query.work_type is None or e.kind == query.work_type)
    ]


def engagements_by_province(engagements: Iterable[EngagementRecord], query: Query) -> Table:
    """Per province of the engagement: engagements, average team size, verification engagements, and the
    share of verification assignments (team places) taken by experts based in the same province."""
    cells: dict[str | None, Counter[str]] = defaultdict(Counter)
    for e in _selected(engagements, query):
        province = _province_or_none(e.region)
        cell = cells[province]
        cell["engagements"] += 1
        cell["team_places"] += len(e.team)
        if e.kind == VERIFIER_WORK_TYPE:
            cell["verification_engagements"] += 1
            cell["verification_assignments"] += len(e.team)
            cell["same_province_assignments"] += sum(
                1 for m in e.team if m.province is not None and m.province == province
            )

    def measures(cell: Counter[str]) -> dict[str, Any]:
        return {
            "engagements": cell["engagements"],
            "average_team_size": round(cell["team_places"] / cell["engagements"], 2)
            if cell["engagements"]
            else None,
            "verification_engagements": cell["verification_engagements"],
            "verification_assignments": cell["verification_assignments"],
            "same_province_assignments": cell["same_province_assignments"],
            "same_province_share": round(
                cell["same_province_assignments"] / cell["verification_assignments"], 4
            )
            if cell["verification_assignments"]
            else None,
        }

    rows = [
        {"province": province, **measures(cell)}
        for province, cell in sorted(cells.items(), key=lambda i: i[0] or "")
    ]
    overall: Counter[str] = Counter()
    for cell in cells.values():
        overall.update(cell)
    columns = (
        "province",
        "engagements",
        "average_team_size",
        "verification_engagements",
        "verification_assignments",
        "same_province_assignments",
        "same_province_share",
    )
    return Table(columns, rows, measures(overall))


def _engagements_per_person(engagements: Iterable[EngagementRecord], query: Query) -> Counter[int]:
    per_person: Counter[int] = Counter()
    for e in _selected(engagements, query):
        for person in {m.person for m in e.team}:
            per_person[person] += 1
    return per_person


def _bucket(count: int) -> str:
    for low, high, label in ENGAGEMENT_BUCKETS:
        if count >= low and (high is None or count <= high):
            return label
    raise ValueError(f"no bucket for {count}")


def engagement_distribution(engagements: Iterable[EngagementRecord], query: Query) -> Table:
    """How many experts worked on 1, 2, 3, 4–5, 6–9, 10+ engagements (those with at least one)."""
    per_person = _engagements_per_person(engagements, query)
    buckets = Counter(_bucket(count) for count in per_person.values())
    rows = [
        {"engagements_per_expert": label, "experts": buckets[label]}
        for _, _, label in ENGAGEMENT_BUCKETS
        if buckets[label]
    ]
    return Table(
        ("engagements_per_expert", "experts"),
        rows,
        {"experts": len(per_person)},
        people_measures=("experts",),
    )


def busiest_experts(
    engagements: Iterable[EngagementRecord], query: Query, limit: int = BUSIEST_LIMIT
) -> Table:
    """The largest engagement counts of single experts, by rank only: no name, key or place."""
    per_person = _engagements_per_person(engagements, query)
    top = sorted(per_person.values(), reverse=True)[:limit]
    rows = [{"rank": rank, "engagements": count} for rank, count in enumerate(top, start=1)]
    return Table(("rank", "engagements"), rows, {"experts": len(per_person)})


# --- Privacy suppression -------------------------------------------------------------------------------------


def _cell_groups(rows: Sequence[dict[str, Any]], group_by: Sequence[str]) -> list[list[int]]:
    # The narrow groups first, the whole table last: pairing inside a province usually settles the table too.
    groups: list[list[int]] = []
    for dimension in group_by:
        by_value: dict[Any, list[int]] = defaultdict(list)
        for index, row in enumerate(rows):
            by_value[row.get(dimension)].append(index)
        groups.extend(by_value.values())
    groups.append(list(range(len(rows))))
    return groups


def suppress(
    table: Table, minimum: int = DEFAULT_MINIMUM_CELL, group_by: Sequence[str] = ("province",)
) -> Table:
    """Blank (None) every people count in 1..minimum-1, then enough other cells that no total gives one back.

    Primary suppression: a count of people below `minimum` (zero is not sensitive). Secondary suppression:
    for each measure and each group of rows that adds up to a published or derivable total — the whole table
    (`totals`) and the rows sharing a value of each `group_by` dimension — a group with exactly one blanked
    cell also loses its smallest other non-zero cell (ties: first row), repeated until stable; a total left
    with one blanked cell and nothing to pair it with is blanked too, as is a total below `minimum`.
    Measures derived from a blanked count (a ratio, a shortfall) are blanked with it. This protects every
    answer on its own; answers to different filters are not cross-checked (documented in the README).
    """
    if minimum <= 1 or not table.people_measures:
        return table
    rows = [dict(row) for row in table.rows]
    totals = dict(table.totals)
    groups = _cell_groups(rows, [d for d in group_by if d in table.columns])
    blanked = 0
    for measure in table.people_measures:
        hidden = {
            i
            for i, row in enumerate(rows)
            if isinstance(row.get(measure), int) and 0 < row[measure] < minimum
        }
        changed = bool(hidden)
        while changed:
            changed = False
            for group in groups:
                inside = [i for i in group if i in hidden]
                if len(inside) != 1:
                    continue
                candidates = [i for i in group if i not in hidden and (rows[i].get(measure) or 0) > 0]
                if candidates:
                    hidden.add(min(candidates, key=lambda i: (rows[i][measure], i)))
                    changed = True
        whole_table = groups[-1]
        lone = len([i for i in whole_table if i in hidden]) == 1
        total = totals.get(measure)
        if lone or (isinstance(total, int) and 0 < total < minimum):
            totals[measure] = None
        for i in hidden:
            rows[i][measure] = None
        blanked += len(hidden)
    for measure, sources in table.derived.items():
        for row in rows:
            if any(row.get(source) is None for source in sources if source in table.people_measures):
                row[measure] = None
        if any(totals.get(source) is None for source in sources if source in table.people_measures):
            totals[measure] = None
    return Table(table.columns, rows, totals, table.people_measures, table.derived, blanked)


# --- Labels --------------------------------------------------------------------------------------------------


def headers(columns: Iterable[str], lang: str | None) -> list[str]:
    """Column headers: the keys themselves, or their Chinese names for `lang=zh`."""
    if lang == "zh":
        return [HEADERS_ZH.get(column, column) for column in columns]
    return list(columns)


def label_value(column: str, value: Any) -> Any:
    """A dimension value in Chinese for `lang=zh` exports (work type and level names); others unchanged."""
    if column == "work_type" and value in WORK_TYPE_BY_CODE:
        return WORK_TYPE_BY_CODE[value].name_zh
    if column == "level" and value in LEVEL_BY_RANK:
        return LEVEL_BY_RANK[value].name_zh
    return value
