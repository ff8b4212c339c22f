"""Applications: the checks each step runs (apply, register for a session, record a result, issue the
certificate), each refusing with its own problem type."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from registry.applications import (
    DEFAULT_RULES,
    ApplicationExpired,
    ApplicationFacts,
    ApplicationRules,
    ApplicationState,
    NoRetakeLeft,
    NotRegistered,
    ResultNotPassed,
    ResultOutcome,
    RuleRefused,
    SessionFacts,
    SessionFull,
    china_today,
    derive_state,
    valid_until,
)
from registry.certificates import validate_dates
from registry.errors import ValidationFailed
from registry.exams import (
    is_pass,
    validate_score,
)
from registry.taxonomy import LEVEL_RANKS, WORK_TYPE_CODES
from registry.training import (
    training_progress,
)

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
