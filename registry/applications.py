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
certificate), never stored or set by hand:

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

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, replace
from datetime import date, datetime
from typing import Any

from registry.certificates import validate_dates
from registry.errors import Conflict, ValidationFailed
from registry.exams import (
    CHINA_TIME,
    DEFAULT_EXAM_RULES,
    ExamRules,
    exam_rules_from_mapping,
    is_pass,
    session_day,
    validate_score,
)
from registry.periods import add_months
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


# --- Checks for each step --------------------------------------------------------------------------------------


def validate_application(
    work_type: Any, level: Any, registered_on: date | None, today: date
) -> dict[str, list[str]]:
    """Return field errors for a new application; an empty dict means it is fine."""
    errors: dict[str, list[str]] = {}
    if work_type not in WORK_TYPE_CODES:
        errors["work_type"] = [f"work_type must be one of {', '.join(sorted(WORK_TYPE_CODES))}"]
    if isinstance(level, bool) or level not in LEVEL_RANKS:
        errors["level"] = [f"level must be one of {', '.join(map(str, sorted(LEVEL_RANKS)))}"]
    if registered_on is not None and registered_on > today:
        errors["registered_on"] = ["registered_on must not be in the future"]
    return errors


def check_new_application(work_type: str, level: int, others: Iterable[tuple[str, ApplicationState]]) -> None:
    """Refuse a second open application of one person for the same work type and level.

    `others` are (id, state) of the person's applications for that work type and level. A new one (with a new
    fee) is the way on once the previous one has ended: failed for good, expired or certified.
    """
    for other_id, other in others:
        if not other.terminal:
            raise RuleRefused(
                f"application {other_id} for {work_type} level {level} is still open ({other.status}, valid until "
                f"{other.valid_until.isoformat()}); a new application is possible once it has ended",
                application_id=other_id,
                application_status=other.status,
            )


def check_registration(
    facts: ApplicationFacts,
    session: SessionFacts,
    registered_count: int,
    now: datetime,
    rules: ApplicationRules = DEFAULT_RULES,
) -> int:
    """Check registering the application for `session`; return the attempt it will be (1 or 2), or raise."""
    state = derive_state(facts, now, rules)
    extra = {"application_id": facts.id, "session_id": session.id, "application_status": state.status}
    if state.passed_result_id is not None:
        raise RuleRefused(f"application {facts.id} has already passed; no further sitting is needed", **extra)
    attempts = state.attempts
    if attempts >= rules.max_sittings:
        raise NoRetakeLeft(
            f"application {facts.id} has used its sitting and its free retake; "
            "a further sitting needs a new application (and fee)",
            **extra,
        )
    if state.pending_session is not None:
        raise RuleRefused(
            f"application {facts.id} is already registered for session {state.pending_session.id}, "
            "which has no result yet; record its result or cancel that registration first",
            **extra,
        )
    until = state.valid_until
    if session.day > until:
        raise ApplicationExpired(
            f"application {facts.id} is valid until {until.isoformat()} (six months from registration on "
            f"{facts.registered_on.isoformat()}); the session on {session.day.isoformat()} is after that",
            valid_until=until.isoformat(),
            **extra,
        )
    if session.day < facts.registered_on:
        raise RuleRefused(
            f"the session on {session.day.isoformat()} is before the application was registered "
            f"({facts.registered_on.isoformat()})",
            **extra,
        )
    if attempts:
        last_session = {s.id: s for s in facts.sessions}.get(
            max(facts.results, key=lambda r: r.attempt).session_id
        )
        if last_session is not None and session.starts_at <= last_session.starts_at:
            raise RuleRefused("a retake must be a later session than the failed sitting", **extra)
    subjects = rules.exam.subjects_for(facts.work_type)
    if session.subject not in subjects:
        raise RuleRefused(
            f"the session's subject {session.subject!r} is not an exam for {facts.work_type} "
            f"(accepted: {', '.join(subjects)})",
            **extra,
        )
    if rules.training_required_to_sit and not state.training.complete:
        raise RuleRefused(f"application {facts.id} has not completed its training", **extra)
    if registered_count >= session.capacity:
        raise SessionFull(
            f"session {session.id} is full ({registered_count} of {session.capacity} seats taken)",
            capacity=session.capacity,
            **extra,
        )
    return attempts + 1


def check_result(
    facts: ApplicationFacts,
    session: SessionFacts,
    score: Any,
    now: datetime,
    rules: ApplicationRules = DEFAULT_RULES,
) -> ResultOutcome:
    """Check recording `score` for the application's sitting of `session`; return the outcome, or raise."""
    errors = validate_score(score, rules.exam)
    if errors:
        raise ValidationFailed(errors, detail=errors["score"][0])
    extra = {"application_id": facts.id, "session_id": session.id}
    if session.id not in {s.id for s in facts.sessions}:
        raise NotRegistered(
            f"application {facts.id} is not registered for session {session.id}; "
            "a result can only be recorded for a registered sitting",
            **extra,
        )
    if any(result.session_id == session.id for result in facts.results):
        raise RuleRefused(f"application {facts.id} already has a result for session {session.id}", **extra)
    if session.starts_at > now:
        raise RuleRefused(
            f"session {session.id} starts at {session.starts_at.isoformat()}; it has not taken place yet",
            **extra,
        )
    until = valid_until(facts.registered_on, rules)
    if session.day > until:
        raise ApplicationExpired(
            f"application {facts.id} was valid until {until.isoformat()}; a sitting on "
            f"{session.day.isoformat()} does not count",
            valid_until=until.isoformat(),
            **extra,
        )
    if any(result.passed for result in facts.results):
        raise RuleRefused(f"application {facts.id} has already passed", **extra)
    attempt = len(facts.results) + 1
    if attempt > rules.max_sittings:
        raise NoRetakeLeft(
            f"application {facts.id} has used its sitting and its free retake; "
            "a further sitting needs a new application (and fee)",
            **extra,
        )
    return ResultOutcome(attempt=attempt, free=attempt > 1, passed=is_pass(score, rules.exam))


def check_certificate(
    facts: ApplicationFacts,
    result_id: str,
    issued_on: date,
    expires_on: date | None,
    now: datetime,
    rules: ApplicationRules = DEFAULT_RULES,
) -> None:
    """Check issuing the certificate from result `result_id` of this application, or raise."""
    result = next((r for r in facts.results if r.id == result_id), None)
    if result is None:
        raise RuleRefused(f"result {result_id} does not belong to application {facts.id}")
    extra = {"result_id": result_id, "application_id": facts.id}
    if not result.passed:
        raise ResultNotPassed(
            f"result {result_id} is {result.score:g} of {rules.exam.max_score}, below the pass mark "
            f"{rules.exam.pass_mark}; no certificate can be issued from it",
            score=result.score,
            **extra,
        )
    if facts.certificate_number:
        raise RuleRefused(
            f"certificate {facts.certificate_number} was already issued from application {facts.id}",
            number=facts.certificate_number,
            **extra,
        )
    training = training_progress(facts.work_type, facts.training, rules.training)
    if rules.training_required_for_certificate and not training.complete:
        short = ", ".join(
            f"{p.part} {p.hours:g}/{p.required_hours:g} h" for p in training.parts if not p.complete
        )
        raise RuleRefused(f"application {facts.id} has not completed its training ({short})", **extra)
    errors = validate_dates(issued_on, expires_on, china_today(now))
    session = {s.id: s for s in facts.sessions}.get(result.session_id)
    if session is not None and issued_on < session.day:
        errors.setdefault("issued_on", []).append(
            f"issued_on must not be before the exam ({session.day.isoformat()})"
        )
    if errors:
        raise ValidationFailed(errors)


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
