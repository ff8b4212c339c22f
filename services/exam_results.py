"""Exam results (成绩) and the certificate issued from a passing one: the last steps of an application.

Like every step in services/applications.py, each is one transaction that takes the applicant's lock, reads the
application's facts, lets `registry.application_checks` decide, writes, and records the audit entry.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

import neo4j

from graph import applications as repo
from graph import exams as session_repo
from graph.records import found
from registry.application_checks import check_certificate, check_result
from registry.applications import ApplicationRules
from registry.errors import Conflict, NotFound, ValidationFailed
from registry.exams import validate_score
from services import audit, notification_events
from services import certificates as certificate_service
from services.applications import lock, now, present, read, rules
from services.context import Context


def record_result_in(
    tx: neo4j.ManagedTransaction,
    ctx: Context,
    application_id: str,
    session_id: str,
    score: Any,
    source: str,
    at: datetime,
    process: ApplicationRules,
) -> tuple[dict[str, Any], bool]:
    """Record a score inside `tx`; (the result, whether it is new). The same score again changes nothing."""
    errors = validate_score(score, process.exam)
    if errors:
        raise ValidationFailed(errors, detail=errors["score"][0])
    practitioner_id = lock(tx, application_id, in_body=True)
    session = session_repo.view(tx, session_id)
    if session is None:
        raise ValidationFailed({"session_id": [f"No exam session with id {session_id}."]})
    stored, facts = read(tx, application_id)
    existing = next((r for r in stored["results"] if r["session_id"] == session_id), None)
    if existing is not None and isinstance(score, int | float) and float(existing["score"]) == float(score):
        return _result_view(existing, application_id), False
    if existing is not None:
        raise Conflict(
            f"application {application_id} already has the score {existing['score']:g} for session {session_id}",
            application_id=application_id,
            session_id=session_id,
            result_id=existing["id"],
            stored_score=existing["score"],
        )
    outcome = check_result(facts, session_repo.session_facts(session), score, at, process)
    params = {
        "id": str(uuid.uuid4()),
        "application_id": application_id,
        "session_id": session_id,
        "score": float(score),
        "passed": outcome.passed,
        "attempt": outcome.attempt,
        "free": outcome.free,
        "source": source,
    }
    repo.create_result(tx, params)
    audit.record(
        tx, ctx, "exam_result", params["id"], "record",
        after={k: v for k, v in params.items() if k != "id"}, subjects=[practitioner_id],
    )  # fmt: skip
    notification_events.exam_result(tx, practitioner_id, application_id, session_id, score, outcome.passed)
    return _result_view(params, application_id), True


def _result_view(result: dict[str, Any], application_id: str) -> dict[str, Any]:
    return {
        "id": result["id"],
        "application_id": application_id,
        "session_id": result["session_id"],
        "score": result["score"],
        "passed": result["passed"],
        "attempt": result["attempt"],
        "free": bool(result.get("free")),
    }


def record_result(ctx: Context, data: dict[str, Any]) -> tuple[dict[str, Any], bool]:
    """Record one result (admin); (the result, whether it is new)."""
    process, at = rules(ctx), now()
    return ctx.graph.write(
        record_result_in,
        ctx,
        str(data["application_id"]),
        str(data["session_id"]),
        data["score"],
        "api",
        at,
        process,
    )


def get_result(ctx: Context, result_id: str) -> dict[str, Any]:
    """One result with its application."""

    def work(tx: neo4j.ManagedTransaction) -> dict[str, Any]:
        application_id = found(repo.result_owner(tx, result_id), "exam result", result_id)
        stored, facts = read(tx, application_id)
        result = next(r for r in stored["results"] if r["id"] == result_id)
        return _result_view(result, application_id) | {
            "application": present(stored, facts, now(), rules(ctx))
        }

    return ctx.graph.read(work)


# --- The certificate ----------------------------------------------------------------------------------------------


def issue_certificate(ctx: Context, result_id: str, data: dict[str, Any]) -> dict[str, Any]:
    """Issue the certificate from a passing result (with completed training), linked to it; pools follow."""
    process = rules(ctx)
    at = now()

    def work(tx: neo4j.ManagedTransaction) -> dict[str, Any]:
        application_id = repo.result_owner(tx, result_id)
        if application_id is None:
            raise NotFound(f"No exam result with id {result_id}.")
        lock(tx, application_id)
        stored, facts = read(tx, application_id)
        issued_on = data.get("issued_on") or ctx.today
        check_certificate(facts, result_id, issued_on, data.get("expires_on"), at, process)
        params = {
            "number": data["number"],
            "practitioner_id": stored["practitioner"]["id"],
            "work_type": facts.work_type,
            "level": facts.level,
            "issued_on": issued_on,
            "expires_on": data.get("expires_on"),
            "issuer_id": data.get("issuer_id"),
            "reason": f"passed exam result {result_id} of application {application_id}",
        }
        view = certificate_service.issue_in(tx, ctx, params)
        repo.link_certificate(tx, params["number"], result_id)
        audit.record(
            tx, ctx, "exam_result", result_id, "certify",
            details={"number": params["number"], "application_id": application_id},
            subjects=[params["practitioner_id"]],
        )  # fmt: skip
        return view | {
            "result_id": result_id,
            "application_id": application_id,
        }

    return ctx.graph.write(work)
