"""Misconduct records (不良行为记录) and the sanctions they step up to.

An admin records a violation from a catalogue of categories, each worth points (severity, shown on the
record and summed on the credit summary). Sanctions are never set by hand: they are derived from a person's
records as of a day by step-up rules, which are data. Defaults, from the provincial expert-pool rules the
issue cites (e.g. 一年内两次不良记录暂停一年，三次取消资格):

| records within 12 months | sanction |
|---|---|
| 2 | `expert_suspension` for 12 months: out of the expert pool and draws until `until` |
| 3 | `bar`: out of the expert pool and draws, with no end date |

A certificate revocation is itself a record (category `certificate_revoked`). A record overturned on appeal
keeps its place in the history but stops counting; the sanctions it triggered are lifted, not deleted.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from registry.dates import months_later_inclusive, within_months_before
from registry.errors import ValidationFailed


@dataclass(frozen=True)
class Category:
    code: str
    points: int
    name_zh: str
    name_en: str
    source: str

    def to_dict(self) -> dict[str, Any]:
        """The category as a JSON-ready dict."""
        return {
            "code": self.code,
            "points": self.points,
            "name_zh": self.name_zh,
            "name_en": self.name_en,
            "source": self.source,
        }


_PROCUREMENT_EXPERTS = "财库〔2016〕198号《政府采购评审专家管理办法》 (不良行为记录)"
_BIDDING_EXPERTS = "NDRC order 26 of 2024 (国家发展改革委令第26号《评标专家和评标专家库管理办法》)"

CERTIFICATE_REVOKED = "certificate_revoked"
COMPLAINT_UPHELD = "complaint_upheld"
# Written by the system (a revocation, an upheld complaint), so a configuration may re-weigh but not drop them.
SYSTEM_CATEGORIES: frozenset[str] = frozenset({CERTIFICATE_REVOKED, COMPLAINT_UPHELD})

DEFAULT_CATALOGUE: dict[str, Category] = {
    c.code: c
    for c in (
        Category(
            "data_falsification",
            12,
            "核查报告数据弄虚作假",
            "falsified or fabricated data in a verification or accounting report",
            "《碳排放权交易管理暂行条例》(国务院令第775号, 2024): technical service bodies that falsify data",
        ),
        Category(
            "undisclosed_conflict",
            6,
            "存在利害关系未回避",
            "did not disclose a conflict of interest and did not withdraw",
            f"{_PROCUREMENT_EXPERTS}; {_BIDDING_EXPERTS}",
        ),
        Category(
            "confidentiality_breach",
            6,
            "泄露评审或核查情况",
            "disclosed review or verification documents or deliberations",
            _PROCUREMENT_EXPERTS,
        ),
        Category(
            "false_application",
            6,
            "提供虚假申请材料",
            "false statements or documents in an application",
            _PROCUREMENT_EXPERTS,
        ),
        Category(
            "refused_draw",
            3,
            "无正当理由拒绝被抽取的评审任务",
            "refused a drawn assignment without a valid reason",
            f"modelled on {_BIDDING_EXPERTS}",
        ),
        Category(
            COMPLAINT_UPHELD,
            3,
            "投诉经查属实",
            "a complaint about the practitioner was upheld",
            "platform rule (issue 12): an upheld complaint can create a record",
        ),
        Category(
            CERTIFICATE_REVOKED,
            6,
            "职业能力等级证书被撤销",
            "a certificate was revoked",
            "platform rule (issue 12): any certificate revocation is itself a record",
        ),
    )
}


class UnknownCategory(ValidationFailed):
    title = "Unknown misconduct category"
    slug = "unknown-category"


def category_for(code: Any, catalogue: Mapping[str, Category] = DEFAULT_CATALOGUE) -> Category:
    """The catalogue entry for `code`, or UnknownCategory listing the codes there are."""
    if isinstance(code, str) and code in catalogue:
        return catalogue[code]
    known = ", ".join(sorted(catalogue))
    raise UnknownCategory(
        {"category": [f"unknown category {code!r}; the catalogue has {known}"]},
        detail=f"{code!r} is not a misconduct category.",
        categories=sorted(catalogue),
    )


def validate_record_dates(occurred_on: date, today: date) -> dict[str, list[str]]:
    """Field errors for a new record's date; a violation cannot have happened after today."""
    if occurred_on > today:
        return {"occurred_on": ["occurred_on must not be in the future"]}
    return {}


@dataclass(frozen=True)
class RecordFacts:
    id: str
    category: str
    occurred_on: date
    recorded_on: date  # the day it was entered and sent to the practitioner; the appeal clock starts here
    points: int = 0
    effective: bool = True  # False once an upheld appeal removed its effect


# --- Step-up rules and sanctions -----------------------------------------------------------------------------

SANCTION_KINDS: tuple[str, ...] = ("expert_suspension", "bar")
# What each kind keeps a person out of. Both end expert-pool membership and draws; neither touches the talent
# pool (a level 3/4 certificate still shows the person is qualified).
SANCTION_EFFECTS: dict[str, dict[str, Any]] = {
    "expert_suspension": {"pools": ("expert",), "draws": True},
    "bar": {"pools": ("expert",), "draws": True},
}


@dataclass(frozen=True)
class StepUpRule:
    records: int  # this many effective records ...
    within_months: int | None  # ... within this many months (None: ever)
    kind: str  # ... give this sanction
    months: int | None  # for this long (None: no end date)
    source: str = "provincial expert-pool rules (e.g. 一年内两次不良记录暂停一年，三次取消资格)"

    def describe(self) -> str:
        """The rule in one line, e.g. '2 records within 12 months → expert_suspension for 12 months'."""
        within = f" within {self.within_months} months" if self.within_months else ""
        length = f" for {self.months} months" if self.months else " with no end date"
        return f"{self.records} records{within} → {self.kind}{length}"


DEFAULT_STEP_UP: tuple[StepUpRule, ...] = (
    StepUpRule(records=2, within_months=12, kind="expert_suspension", months=12),
    StepUpRule(records=3, within_months=12, kind="bar", months=None),
)


def check_step_up(rules: Iterable[StepUpRule]) -> None:
    """Raise ValueError unless every rule is well formed; the list is read from most to fewest records."""
    for rule in rules:
        where = f"step-up rule {rule.describe() if isinstance(rule.records, int) else rule!r}"
        if not isinstance(rule.records, int) or isinstance(rule.records, bool) or rule.records < 1:
            raise ValueError(f"{where}: records must be a whole number, 1 or more")
        for name in ("within_months", "months"):
            value = getattr(rule, name)
            if value is not None and (not isinstance(value, int) or isinstance(value, bool) or value < 1):
                raise ValueError(f"{where}: {name} must be a whole number of months, 1 or more, or null")
        if rule.kind not in SANCTION_KINDS:
            raise ValueError(f"{where}: kind must be one of {', '.join(SANCTION_KINDS)}")


@dataclass(frozen=True)
class Sanction:
    id: str  # derived: the same records and rules always give the same id
    kind: str
    from_: date
    until: date | None  # last day in force, inclusive; None: no end date
    reason: str
    record_ids: tuple[str, ...] = ()
    lifted_on: date | None = None
    lift_reason: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """The sanction as the API shows it (`from`, `until`, `lifted_on` as ISO dates; docs/credit.md)."""
        return {
            "id": self.id,
            "kind": self.kind,
            "from": self.from_.isoformat(),
            "until": self.until.isoformat() if self.until else None,
            "lifted_on": self.lifted_on.isoformat() if self.lifted_on else None,
            "reason": self.reason,
            "record_ids": list(self.record_ids),
            "returns_on": returns_on(self).isoformat() if returns_on(self) else None,
        }


def in_force(starts_on: date, until: date | None, lifted_on: date | None, day: date) -> bool:
    """A sanction in force on `day`: started by then, its end (inclusive) not passed, not lifted by then. The one
    statement of the rule: draws read it too (registry.draws.sanction_active)."""
    return starts_on <= day and (until is None or until >= day) and (lifted_on is None or lifted_on > day)


def is_active(sanction: Sanction, day: date) -> bool:
    """In force on `day` (in_force)."""
    return in_force(sanction.from_, sanction.until, sanction.lifted_on, day)


def returns_on(sanction: Sanction) -> date | None:
    """The first day the person is free of this sanction (the lift or the day after `until`); None: never."""
    ends = [
        d for d in (sanction.lifted_on, sanction.until + timedelta(days=1) if sanction.until else None) if d
    ]
    return min(ends) if ends else None


def _severity(rules: tuple[StepUpRule, ...], kind: str) -> int:
    # A kind is as severe as the most demanding rule that gives it; bar outranks suspension by default.
    return max((r.records for r in rules if r.kind == kind), default=0)


def derive_sanctions(
    records: Iterable[RecordFacts], as_of: date, rules: Iterable[StepUpRule] = DEFAULT_STEP_UP
) -> list[Sanction]:
    """Every sanction the person's effective records had triggered by `as_of`, oldest first (ended ones too).

    Each record, in the order they occurred, is checked against the rules: the records in the window that
    ends on its date are counted and the strongest rule they meet gives a sanction. It starts the day the last
    of those records was entered (the platform could not act before), and a sanction already in force that
    is as severe and lasts as long makes a new one unnecessary.
    """
    rules = tuple(sorted(rules, key=lambda r: r.records, reverse=True))
    counted = sorted(
        (r for r in records if r.effective and r.recorded_on <= as_of and r.occurred_on <= as_of),
        key=lambda r: (r.occurred_on, r.recorded_on, r.id),
    )
    sanctions: list[Sanction] = []
    for i, trigger in enumerate(counted):
        for rule in rules:
            window = [
                r
                for r in counted[: i + 1]
                if rule.within_months is None
                or within_months_before(r.occurred_on, trigger.occurred_on, rule.within_months)
            ]
            if len(window) < rule.records:
                continue
            start = max(r.recorded_on for r in window)
            until = months_later_inclusive(start, rule.months) if rule.months else None
            covered = any(
                _severity(rules, s.kind) >= _severity(rules, rule.kind)
                and is_active(s, start)
                and (s.until is None or (until is not None and s.until >= until))
                for s in sanctions
            )
            if not covered:
                listed = ", ".join(f"{r.occurred_on.isoformat()} {r.category}" for r in window)
                sanctions.append(
                    Sanction(
                        id=f"{rule.kind}:{trigger.id}",
                        kind=rule.kind,
                        from_=start,
                        until=until,
                        reason=f"{rule.describe()} ({listed}); source: {rule.source}",
                        record_ids=tuple(r.id for r in window),
                    )
                )
            break  # the strongest rule met decides for this record
    return sanctions


@dataclass(frozen=True)
class Reconciliation:
    create: tuple[Sanction, ...] = ()
    lift: tuple[str, ...] = ()  # ids of stored sanctions the records no longer support


def reconcile(stored: Iterable[Sanction], derived: Iterable[Sanction]) -> Reconciliation:
    """What to write so the stored sanctions follow the derived ones, keeping history.

    New derived sanctions are created; stored ones the records no longer support (a record overturned on
    appeal) are lifted, never deleted; a lifted sanction is not brought back.
    """
    stored = list(stored)
    derived_ids = {s.id for s in derived}
    stored_ids = {s.id for s in stored}
    return Reconciliation(
        create=tuple(s for s in derived if s.id not in stored_ids),
        lift=tuple(s.id for s in stored if s.lifted_on is None and s.id not in derived_ids),
    )


@dataclass(frozen=True)
class Exclusion:
    """Why a person is out of a pool today and the first day they may return (None: no return date)."""

    pool: str
    sanction_ids: tuple[str, ...]
    kinds: tuple[str, ...]
    returns_on: date | None


def pool_exclusions(sanctions: Iterable[Sanction], day: date) -> dict[str, Exclusion]:
    """Per pool, the active sanctions that keep the person out of it on `day`."""
    by_pool: dict[str, list[Sanction]] = {}
    for s in sanctions:
        if is_active(s, day):
            for pool in SANCTION_EFFECTS[s.kind]["pools"]:
                by_pool.setdefault(pool, []).append(s)
    result: dict[str, Exclusion] = {}
    for pool, active in by_pool.items():
        returns = [returns_on(s) for s in active]
        result[pool] = Exclusion(
            pool=pool,
            sanction_ids=tuple(s.id for s in active),
            kinds=tuple(sorted({s.kind for s in active})),
            returns_on=None if any(r is None for r in returns) else max(r for r in returns if r),
        )
    return result


def barred_from_draws(sanctions: Iterable[Sanction], day: date) -> bool:
    """Whether an active sanction keeps the person out of expert-panel draws on `day`."""
    return any(is_active(s, day) and SANCTION_EFFECTS[s.kind]["draws"] for s in sanctions)


def points_within(records: Iterable[RecordFacts], as_of: date, months: int = 12) -> int:
    """Points of the effective records that occurred in the `months` months ending on `as_of`."""
    return sum(
        r.points for r in records if r.effective and within_months_before(r.occurred_on, as_of, months)
    )
