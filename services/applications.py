"""Applications (报名) to certificates: apply, train, register for a session (results and the certificate issued from
a passing one: services/exam_results.py).

Each step is one transaction that first takes the applicant's lock (and, for a registration, the session's), reads
the application's facts, lets `registry.applications` decide, writes, and records the audit entry. The status is
never written: every read derives it from the facts as of now (a list, in the query, from the progress the
graph keeps with each application's facts: graph/applications.py).
"""

from __future__ import annotations

import functools
import json
import uuid
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import neo4j

from graph import application_lists as lists
from graph import applications as repo
from graph import exams as session_repo
from graph import practitioners as practitioner_repo
from graph.records import found
from registry.application_checks import (
    check_new_application,
    check_registration,
    validate_application,
)
from registry.applications import (
    DEFAULT_RULES,
    ApplicationFacts,
    ApplicationRules,
    RuleRefused,
    derive_state,
    fee_for,
    rules_from_mapping,
    status_parameters,
    valid_until,
)
from registry.eligibility import Application as EligibilityQuestion
from registry.eligibility import is_eligible
from registry.errors import Conflict, NotFound, ValidationFailed
from registry.training import validate_record
from services import audit, notification_events
from services import eligibility as eligibility_service
from services.context import Context

# Filters GET /applications takes.
FILTERS: tuple[str, ...] = ("status", "work_type", "level", "session_id", "region", "practitioner_id")


@functools.cache
def _rules_from_file(path: str | None) -> ApplicationRules:
    if not path:
        return DEFAULT_RULES
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return rules_from_mapping({key: value for key, value in data.items() if key != "renewal"})


def rules(ctx: Context) -> ApplicationRules:
    """The process rules: the brochure's, overridden by the JSON file EXAM_RULES_FILE names."""
    return _rules_from_file(ctx.settings.exam_rules_file)


def now() -> datetime:
    """The present instant (aware); sessions and validity are judged on it in China time."""
    return datetime.now(UTC)


def present(
    stored: dict[str, Any], facts: ApplicationFacts, at: datetime, process: ApplicationRules
) -> dict[str, Any]:
    """An application's stored view with its derived status, validity, training progress and next step."""
    state = derive_state(facts, at, process)
    fee = fee_for(facts.work_type, facts.level, process)
    results = [result | {"free": bool(result.get("free"))} for result in stored.get("results") or []]
    training = state.training
    return {
        **{
            key: stored.get(key)
            for key in ("id", "work_type", "level", "registered_on", "related_work_years")
        },
        "practitioner": stored.get("practitioner"),
        "region": stored.get("region"),
        # The fee of the day the application was registered (stored then), whatever the rules say now.
        "fee": {
            "amount": stored.get("fee_cny", fee.amount),
            "currency": fee.currency,
            "covers": list(fee.covers),
        },
        "eligibility": json.loads(stored["eligibility"]) if stored.get("eligibility") else None,
        "status": state.status,
        "valid_until": state.valid_until,
        "terminal": state.terminal,
        "retake_available": state.retake_available,
        "attempts": state.attempts,
        "next_session_id": state.pending_session.id if state.pending_session else None,
        "passed_result_id": state.passed_result_id,
        "training": {
            "complete": training.complete,
            "completed_on": training.completed_on,
            "parts": [vars(part) | {"complete": part.complete} for part in training.parts],
        },
        "training_records": stored.get("training") or [],
        "sessions": stored.get("sessions") or [],
        "results": results,
        "certificate": stored.get("certificate"),
        "created_at": stored.get("created_at"),
    }


def read(tx: neo4j.ManagedTransaction, application_id: str) -> tuple[dict[str, Any], ApplicationFacts]:
    """The stored application and the facts its status and checks are derived from (NotFound if none)."""
    return found(repo.view(tx, application_id), "application", application_id)


def lock(tx: neo4j.ManagedTransaction, application_id: str, *, in_body: bool = False) -> str:
    """Take the applicant's lock before reading the application; the applicant's id."""
    # An unknown id in the path is a 404; one named in the request body is a field error (400), as elsewhere.
    practitioner_id = repo.lock(tx, application_id)
    if practitioner_id is None:
        if in_body:
            raise ValidationFailed({"application_id": [f"No application with id {application_id}."]})
        raise NotFound(f"No application with id {application_id}.")
    return practitioner_id


# --- Applying ---------------------------------------------------------------------------------------------------


def create(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    """Register an application for an eligible practitioner; refused while another for the same type and level is open."""
    process = rules(ctx)
    at = now()
    practitioner_id = str(data["practitioner_id"])
    work_type, level = data["work_type"], data["level"]
    registered_on: date = data.get("registered_on") or ctx.today
    errors = validate_application(work_type, level, registered_on, ctx.today)
    if errors:
        raise ValidationFailed(errors)

    def work(tx: neo4j.ManagedTransaction) -> dict[str, Any]:
        practitioner_repo.lock(tx, [practitioner_id])
        applicant = repo.applicant(tx, practitioner_id, work_type, level)
        if applicant is None:
            raise ValidationFailed({"practitioner_id": [f"No practitioner with id {practitioner_id}."]})
        if applicant["status"] != "active":
            raise ValidationFailed({"practitioner_id": [f"This practitioner is {applicant['status']}."]})
        others = [read(tx, other_id) for other_id in applicant["applications"]]
        check_new_application(work_type, level, [(f.id, derive_state(f, at, process)) for _, f in others])
        years = data.get("related_work_years")
        if years is None:
            start = applicant.get("work_start_year")
            years = max(0, registered_on.year - start) if start else 0
        decision = is_eligible(
            EligibilityQuestion(
                level=level,
                work_type=work_type,
                education=applicant.get("education"),
                enrolled=bool(applicant.get("enrolled")),
                related_work_years=years,
                certificates=applicant["certificates"],
                as_of=registered_on,
            ),
            eligibility_service.rules(ctx.settings.eligibility_rules_file),
        )
        if decision.eligible is not True:
            reasons = [reason.to_dict() for reason in decision.reasons]
            what = "undetermined (待定)" if decision.eligible is None else "not eligible"
            raise RuleRefused(
                f"the practitioner is {what} for level {level}: "
                + "; ".join(reason["en"] for reason in reasons),
                eligible=decision.eligible,
                reasons=reasons,
            )
        params = {
            "id": str(uuid.uuid4()),
            "practitioner_id": practitioner_id,
            "work_type": work_type,
            "level": level,
            "registered_on": registered_on,
            "valid_until": valid_until(registered_on, process),
            "fee_cny": fee_for(work_type, level, process).amount,
            "related_work_years": years,
            "eligibility": json.dumps(decision.to_dict(), ensure_ascii=False),
        }
        repo.create(tx, params)
        audit.record(
            tx, ctx, "application", params["id"], "create",
            after={k: v for k, v in params.items() if k != "eligibility"}, subjects=[practitioner_id],
        )  # fmt: skip
        return present(*read(tx, params["id"]), at, process)

    return ctx.graph.write(work)


def get(ctx: Context, application_id: str) -> dict[str, Any]:
    """One application with its derived status."""
    stored, facts = ctx.graph.read(read, application_id)
    return present(stored, facts, now(), rules(ctx))


def search(
    ctx: Context, filters: dict[str, Any], page: int, per_page: int
) -> tuple[list[dict[str, Any]], int]:
    """A page of applications (newest first); status, work type, level, session, region, practitioner filters.

    The status is derived in the query from each application's stored progress and the time (graph/applications
    STATUS); only the page's applications are then read in full."""
    process, at = rules(ctx), now()
    status = filters.get("status") or None

    def work(tx: neo4j.ManagedTransaction) -> tuple[list[tuple[dict[str, Any], ApplicationFacts]], int]:
        ids, total = lists.page(
            tx, filters, (page - 1) * per_page, per_page, status, status_parameters(at, process)
        )
        return repo.views(tx, ids), total

    rows, total = ctx.graph.read(work)
    return [present(stored, facts, at, process) for stored, facts in rows], total


# --- Training ---------------------------------------------------------------------------------------------------


def add_training(ctx: Context, application_id: str, data: dict[str, Any]) -> dict[str, Any]:
    """Record hours of one training part; the application's training progress follows."""
    process = rules(ctx)
    completed_on = data.get("completed_on") or ctx.today

    def work(tx: neo4j.ManagedTransaction) -> dict[str, Any]:
        practitioner_id = lock(tx, application_id)
        _, facts = read(tx, application_id)
        errors = validate_record(
            facts.work_type, facts.registered_on, data.get("part"), data.get("hours"), completed_on,
            data.get("mode"), ctx.today,
        )  # fmt: skip
        if errors:
            raise ValidationFailed(errors)
        record = {
            "id": str(uuid.uuid4()),
            "part": data["part"],
            "hours": float(data["hours"]),
            "completed_on": completed_on,
            "mode": data.get("mode"),
        }
        repo.add_training(tx, application_id, record)
        audit.record(
            tx, ctx, "application", application_id, "training", details=record | {"completed_on": str(completed_on)},
            subjects=[practitioner_id],
        )  # fmt: skip
        return present(*read(tx, application_id), now(), process)

    return ctx.graph.write(work)


# --- Registering for a session ------------------------------------------------------------------------------------


def register(ctx: Context, session_id: str, application_id: str) -> tuple[dict[str, Any], bool]:
    """Register the application for the session; (the registration, whether it is new). Again: no change."""
    process = rules(ctx)
    at = now()

    def work(tx: neo4j.ManagedTransaction) -> tuple[dict[str, Any], bool]:
        practitioner_id = lock(tx, application_id, in_body=True)
        session = session_repo.lock(tx, session_id)  # after the applicant's lock, always in this order
        if session is None:
            raise NotFound(f"No exam session with id {session_id}.")
        stored, facts = read(tx, application_id)
        if any(s.id == session_id for s in facts.sessions):
            return _registration(stored, facts, session_id, at, process), False
        attempt = check_registration(
            facts, session_repo.session_facts(session), session["registered"], at, process
        )
        repo.register(tx, application_id, session_id)
        audit.record(
            tx, ctx, "application", application_id, "register",
            details={"session_id": session_id, "attempt": attempt}, subjects=[practitioner_id],
        )  # fmt: skip
        notification_events.exam_registered(tx, practitioner_id, application_id, session_id)
        return _registration(*read(tx, application_id), session_id, at, process), True

    return ctx.graph.write(work)


def _registration(
    stored: dict[str, Any], facts: ApplicationFacts, session_id: str, at: datetime, process: ApplicationRules
) -> dict[str, Any]:
    view = present(stored, facts, at, process)
    session = next(s for s in view["sessions"] if s["id"] == session_id)
    done = {r["session_id"] for r in view["results"]}
    attempt = len([r for r in view["results"] if r["session_id"] != session_id]) + (
        0 if session_id in done else 1
    )
    return {
        "application_id": facts.id,
        "session_id": session_id,
        "registered_at": session.get("registered_at"),
        "starts_at": session.get("starts_at"),
        "attempt": attempt,
        "free": attempt > 1,
        "application": view,
    }


def cancel_registration(ctx: Context, session_id: str, application_id: str) -> None:
    """Cancel a registration without a result (a no-show, a change of plan); the sitting is not counted."""

    def work(tx: neo4j.ManagedTransaction) -> None:
        practitioner_id = lock(tx, application_id)
        if not repo.unregister(tx, application_id, session_id):
            raise Conflict(
                f"application {application_id} has no registration for session {session_id} without a result",
                application_id=application_id,
                session_id=session_id,
            )
        audit.record(
            tx, ctx, "application", application_id, "unregister",
            details={"session_id": session_id}, subjects=[practitioner_id],
        )  # fmt: skip

    ctx.graph.write(work)
