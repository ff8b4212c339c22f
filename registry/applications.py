"""Applications (报名): from registration through training and exams to the certificate, by the brochure's rules.

Source: the training-base brochure (seed-docs/000_e294aabf07463324.txt):

- 培训及考试收费：每个工种、每级收费 3900元/人；费用包含培训费、考试费、证书费.
- 考试时效：自报名之日起半年内有效.
- 补考机会：未及格学员，半年内有一次免费补考机会 (a further sitting needs a new application and fee).
- 证书：由中国石油和化学工业联合会颁发《碳排放管理员职业能力水平评价证书》.

"Six months from registration" is counted as the Civil Code counts periods (《中华人民共和国民法典》第二百零一条、
第二百零二条): the registration day itself is not counted, and the period ends on the day of the sixth month after
that has the same number; when that month has no such day, on its last day. So an application registered on
2026-01-15 is valid up to and including 2026-07-15, and one registered on 2026-08-31 up to 2027-02-28. The Code's
rule that a period ending on a public holiday runs on to the next working day (第二百零三条) is not applied: exams
are held at weekends anyway, and the registry keeps no holiday calendar.

An application's status is derived from its facts (training records, session registrations, results, the
certificate), never stored or set by hand; what of it the passing of time cannot change is kept on the application
as its `Progress` (the stage, sittings, pending sitting and training hours) so that a list can filter by status in
the graph, and `status_parameters` holds what the time and the rules add:

    registered → training → ready → sat → passed | failed → retake → passed | failed | expired → certified

- registered: nothing recorded yet; training: some hours, not all; ready: training complete;
- sat: registered for a first sitting that has begun, result not yet in (a booked future sitting keeps the
  training status, with the sitting shown as `next_session`);
- passed: a passing result without a certificate yet; certified: the certificate was issued from it;
- failed: the last result failed — with the free retake still open (`retake_available`) or, after the retake,
  for good; retake: failed once and registered for the retake;
- expired: past `valid_until` with no pass and no sitting within the validity still awaiting its result.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime, timedelta
from typing import Any

from registry.dates import add_months
from registry.errors import Conflict
from registry.exams import (
    CHINA_TIME,
    DEFAULT_EXAM_RULES,
    ExamRules,
    exam_rules_from_mapping,
    session_day,
)
from registry.taxonomy import LEVEL_RANKS, WORK_TYPE_CODES
from registry.training import (
    DEFAULT_REQUIREMENT,
    TrainingProgress,
    TrainingRecord,
    TrainingRequirement,
    requirement_from_mapping,
    training_progress,
)

SOURCE = "培训基地宣传册《碳排放管理员》考试与证书、培训及考试收费 (seed-docs/000_e294aabf07463324.txt)"
VALIDITY_SOURCE = "《中华人民共和国民法典》第二百零一条、第二百零二条 (counting the six months)"

STATUSES: tuple[str, ...] = (
    "registered",
    "training",
    "ready",
    "sat",
    "passed",
    "failed",
    "retake",
    "expired",
    "certified",
)


# --- Rules as data ---------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ApplicationRules:
    """The whole process's rules in one configurable value; defaults from the brochure."""

    fee_cny: int = 3900  # 每个工种、每级收费：3900元/人
    fee_covers: tuple[str, ...] = ("training", "exam", "certificate")  # 费用包含培训费、考试费、证书费
    validity_months: int = 6  # 考试时效：自报名之日起半年内有效
    free_retakes: int = 1  # 未及格学员，半年内有一次免费补考机会
    # Not in the brochure, chosen here: sitting the exam does not wait for training, the certificate does
    # ("passing (and completed training) lets an admin issue the certificate").
    training_required_to_sit: bool = False
    training_required_for_certificate: bool = True
    exam: ExamRules = DEFAULT_EXAM_RULES
    training: TrainingRequirement = DEFAULT_REQUIREMENT

    @property
    def max_sittings(self) -> int:
        """Sittings one application covers: the first and the free retakes."""
        return 1 + self.free_retakes

    def to_dict(self) -> dict[str, Any]:
        """Return the rules as JSON-ready data, each part with its source."""
        return {
            "source": SOURCE,
            "fee": {
                "amount": self.fee_cny,
                "currency": "CNY",
                "per": "work type and level",
                "covers": list(self.fee_covers),
            },
            "validity": {"months": self.validity_months, "counting": VALIDITY_SOURCE},
            "free_retakes": self.free_retakes,
            "training_required_to_sit": self.training_required_to_sit,
            "training_required_for_certificate": self.training_required_for_certificate,
            "exam": self.exam.to_dict(),
            "training": self.training.to_dict(),
        }


DEFAULT_RULES = ApplicationRules()


@dataclass(frozen=True)
class Fee:
    amount: int
    currency: str
    covers: tuple[str, ...]


def fee_for(work_type: str, level: int, rules: ApplicationRules = DEFAULT_RULES) -> Fee:
    """Return the fee of one application: the same per work type and per level (3 900 CNY)."""
    if work_type not in WORK_TYPE_CODES:
        raise ValueError(f"unknown work type {work_type!r}")
    if level not in LEVEL_RANKS:
        raise ValueError(f"unknown level {level!r}")
    return Fee(rules.fee_cny, "CNY", rules.fee_covers)


def valid_until(registered_on: date, rules: ApplicationRules = DEFAULT_RULES) -> date:
    """Return the last day an application registered on `registered_on` is valid (see the module notes)."""
    return add_months(registered_on, rules.validity_months)


def is_within_validity(registered_on: date, day: date, rules: ApplicationRules = DEFAULT_RULES) -> bool:
    """Return whether `day` falls in the application's validity, both ends included."""
    return registered_on <= day <= valid_until(registered_on, rules)


# --- Facts -----------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class SessionFacts:
    id: str
    starts_at: datetime  # aware
    subject: str
    capacity: int

    @property
    def day(self) -> date:
        """The day (China time) the session is held on."""
        return session_day(self.starts_at)


@dataclass(frozen=True)
class ResultFacts:
    id: str
    session_id: str
    score: float
    passed: bool
    attempt: int


@dataclass(frozen=True)
class ApplicationFacts:
    id: str
    work_type: str
    level: int
    registered_on: date
    training: tuple[TrainingRecord, ...] = ()
    sessions: tuple[SessionFacts, ...] = ()  # the sessions the application is registered for
    results: tuple[ResultFacts, ...] = ()
    certificate_number: str | None = None  # of the certificate issued from its passing result


@dataclass(frozen=True)
class ApplicationState:
    status: str
    valid_until: date
    training: TrainingProgress
    attempts: int  # results recorded
    retake_available: bool
    pending_session: SessionFacts | None  # registered, no result yet
    passed_result_id: str | None
    terminal: bool  # no further step: certified, failed for good, expired

    def to_dict(self) -> dict[str, Any]:
        """Return the derived state as JSON-ready data."""
        pending = self.pending_session
        return {
            "status": self.status,
            "valid_until": self.valid_until.isoformat(),
            "training": self.training.to_dict(),
            "attempts": self.attempts,
            "retake_available": self.retake_available,
            "next_session_id": pending.id if pending else None,
            "passed_result_id": self.passed_result_id,
            "terminal": self.terminal,
        }


@dataclass(frozen=True)
class ResultOutcome:
    attempt: int  # 1 for the first sitting, 2 for the free retake
    free: bool  # the sitting is the free retake (补考)
    passed: bool


# --- Refusals: each a 409 problem with its own type, so clients can tell them apart --------------------------


class RuleRefused(Conflict):
    """The brochure's rules do not allow this step for this application."""

    title = "Not allowed by the exam rules"
    slug = "exam-rule"


class ApplicationExpired(RuleRefused):
    title = "Application no longer valid"
    slug = "application-expired"


class NoRetakeLeft(RuleRefused):
    title = "No free retake left"
    slug = "no-retake-left"


class NotRegistered(RuleRefused):
    title = "Not registered for the session"
    slug = "not-registered"


class ResultNotPassed(RuleRefused):
    title = "The result is not a pass"
    slug = "result-not-passed"


class SessionFull(RuleRefused):
    title = "Session full"
    slug = "session-full"


# --- Deriving the status ---------------------------------------------------------------------------------------


def china_today(now: datetime) -> date:
    """Return the calendar day in China at the aware instant `now`."""
    return now.astimezone(CHINA_TIME).date()


def _pending(facts: ApplicationFacts) -> SessionFacts | None:
    done = {result.session_id for result in facts.results}
    open_sessions = sorted((s for s in facts.sessions if s.id not in done), key=lambda s: s.starts_at)
    return open_sessions[0] if open_sessions else None


def derive_state(
    facts: ApplicationFacts, now: datetime, rules: ApplicationRules = DEFAULT_RULES
) -> ApplicationState:
    """Derive the application's status and what it still allows from its facts at the instant `now`."""
    until = valid_until(facts.registered_on, rules)
    today = china_today(now)
    training = training_progress(facts.work_type, facts.training, rules.training)
    results = sorted(facts.results, key=lambda r: r.attempt)
    pending = _pending(facts)
    passed = next((r for r in results if r.passed), None)
    attempts = len(results)
    sittings_left = passed is None and attempts < rules.max_sittings and today <= until

    def state(status: str, terminal: bool = False) -> ApplicationState:
        return ApplicationState(
            status=status,
            valid_until=until,
            training=training,
            attempts=attempts,
            retake_available=status == "failed" and sittings_left,
            pending_session=pending,
            passed_result_id=passed.id if passed else None,
            terminal=terminal,
        )

    if passed is not None:
        return state("certified", terminal=True) if facts.certificate_number else state("passed")
    if results:
        if attempts >= rules.max_sittings:
            return state("failed", terminal=True)
        if pending is not None:
            return state("retake")
        if today > until:
            return state("expired", terminal=True)
        return state("failed")
    if pending is not None and pending.starts_at <= now:
        return state("sat")
    if today > until:
        return state("expired", terminal=True)
    if training.complete:
        return state("ready")
    if training.started:
        return state("training")
    return state("registered")


# --- What a list filters on ------------------------------------------------------------------------------------

# An application's stage, from its facts alone: the time and the rules (validity, retakes, training hours) then
# make it a status (graph/applications.py STATUS, the same decisions as derive_state in the same order).
STAGES: tuple[str, ...] = ("certified", "passed", "retake", "failed", "booked", "open")


@dataclass(frozen=True)
class Progress:
    """What an application's status turns on that only a write changes, kept on the application by each write."""

    stage: str  # one of STAGES
    sittings: int  # results recorded
    pending_at: datetime | None  # the start of the earliest registered sitting without a result
    basic_hours: float  # recorded hours of the basic part, summed as training_progress sums them
    module_hours: float  # of the application's work-type module

    def to_dict(self) -> dict[str, Any]:
        """Return the progress as the graph stores it."""
        return vars(self).copy()


def progress(facts: ApplicationFacts) -> Progress:
    """Return the application's progress: its stage, sittings, pending sitting and training hours."""
    pending = _pending(facts)
    passed = any(result.passed for result in facts.results)
    if passed:
        stage = "certified" if facts.certificate_number else "passed"
    elif facts.results:
        stage = "retake" if pending is not None else "failed"
    else:
        stage = "booked" if pending is not None else "open"
    basic, module = training_progress(facts.work_type, facts.training).parts  # hours only: any requirement
    return Progress(
        stage, len(facts.results), pending.starts_at if pending else None, basic.hours, module.hours
    )


def expired_before(today: date, rules: ApplicationRules = DEFAULT_RULES) -> date:
    """Return the first registration day still valid on `today`: an application registered before it is past
    its `valid_until` (valid_until only grows with the registration day, so one bound splits them)."""
    day = add_months(today, -rules.validity_months) - timedelta(days=7)
    while valid_until(day, rules) < today:
        day += timedelta(days=1)
    return day


def status_parameters(now: datetime, rules: ApplicationRules = DEFAULT_RULES) -> dict[str, Any]:
    """Return what turns a stored progress into the status at the instant `now` under `rules`."""
    return {
        "now": now,
        "expired_before": expired_before(china_today(now), rules),
        "max_sittings": rules.max_sittings,
        "basic_required": float(rules.training.basic_hours),
        "module_required": {code: float(hours) for code, hours in rules.training.module_hours.items()},
    }


def rules_from_mapping(data: Mapping[str, Any]) -> ApplicationRules:
    """Return DEFAULT_RULES with the fields in `data` (e.g. from JSON) replaced; `exam`/`training` are nested."""
    if not isinstance(data, Mapping):
        raise ValueError("application rules must be a mapping")
    simple = {
        "fee_cny",
        "validity_months",
        "free_retakes",
        "training_required_to_sit",
        "training_required_for_certificate",
    }
    unknown = set(data) - simple - {"exam", "training"}
    if unknown:
        raise ValueError(f"application rules: unknown fields {', '.join(sorted(unknown))}")
    values: dict[str, Any] = {key: data[key] for key in simple & set(data)}
    if "exam" in data:
        values["exam"] = exam_rules_from_mapping(data["exam"])
    if "training" in data:
        values["training"] = requirement_from_mapping(data["training"])
    rules = replace(DEFAULT_RULES, **values)
    for name, low in (("fee_cny", 0), ("validity_months", 1), ("free_retakes", 0)):
        value = getattr(rules, name)
        if isinstance(value, bool) or not isinstance(value, int) or value < low:
            raise ValueError(f"application rules: {name} must be a whole number, {low} or more")
    for name in ("training_required_to_sit", "training_required_for_certificate"):
        if not isinstance(getattr(rules, name), bool):
            raise ValueError(f"application rules: {name} must be true or false")
    return rules
