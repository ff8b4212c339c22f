"""Exam sessions (考试场次): create, generate the monthly default sessions, move, read with counts; exam statistics.

A session's counts (capacity, registered, sat, passed, pass rate) and the pass rates per work type and region are
the read model the dashboards use (`statistics`).
"""

from __future__ import annotations

import uuid
from collections import defaultdict
from typing import Any

import neo4j

from graph import applications as application_repo
from graph import exam_lists
from graph import exams as repo
from graph.records import found
from registry.applications import ApplicationExpired, RuleRefused, valid_until
from registry.errors import NotFound, ValidationFailed
from registry.exams import CHINA_TIME, default_end, monthly_sessions, session_day, validate_session
from services import audit
from services.applications import rules
from services.context import Context


def _rate(passed: int, sat: int) -> float | None:
    return round(passed / sat, 4) if sat else None


def present(session: dict[str, Any]) -> dict[str, Any]:
    """A stored session with its seats left and pass rate."""
    registered, sat, passed = session.get("registered", 0), session.get("sat", 0), session.get("passed", 0)
    return session | {
        "seats_left": max(0, session["capacity"] - registered),
        "failed": sat - passed,
        "pass_rate": _rate(passed, sat),
    }


def _params(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    process = rules(ctx).exam
    starts_at = data["starts_at"]
    ends_at = data.get("ends_at")
    subject = data.get("subject") or process.subject
    capacity = data.get("capacity", process.default_capacity)
    errors = validate_session(starts_at, ends_at, subject, capacity)
    if errors:
        raise ValidationFailed(errors)
    # Stored in China time: the same instant, and an offset the graph always accepts (not, e.g., +05:17:23).
    starts_at = starts_at.astimezone(CHINA_TIME)
    return {
        "starts_at": starts_at,
        "ends_at": (ends_at or default_end(starts_at, process)).astimezone(CHINA_TIME),
        "day": session_day(starts_at),
        "subject": subject.strip(),
        "capacity": capacity,
        "mode": data.get("mode") or process.mode,
    }


def create(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    """Add a session (admin): `starts_at` with its UTC offset, `subject`, `capacity`."""
    params = _params(ctx, data) | {"id": str(uuid.uuid4())}

    def work(tx: neo4j.ManagedTransaction) -> dict[str, Any]:
        repo.create(tx, params)
        audit.record(tx, ctx, "exam_session", params["id"], "create", after=_auditable(params))
        return present(found(repo.view(tx, params["id"]), "exam session", params["id"]))

    return ctx.graph.write(work)


def _auditable(params: dict[str, Any]) -> dict[str, Any]:
    return {
        key: str(value) if key in ("starts_at", "ends_at", "day") else value for key, value in params.items()
    }


def generate_month(
    ctx: Context, year: int, month: int, capacity: int | None = None
) -> list[tuple[dict[str, Any], bool]]:
    """Create the month's default sessions (last weekend, both sittings) that do not exist yet; (session, created)."""
    if not 1 <= month <= 12 or not 2000 <= year <= 2100:
        raise ValidationFailed({"month": ["give a year from 2000 to 2100 and a month from 1 to 12"]})
    plans = monthly_sessions(year, month, rules(ctx).exam)

    def work(tx: neo4j.ManagedTransaction) -> list[tuple[dict[str, Any], bool]]:
        out = []
        for plan in plans:
            existing = repo.find(tx, plan.starts_at, session_day(plan.starts_at), plan.subject)
            if existing:
                out.append((present(found(repo.view(tx, existing), "exam session", existing)), False))
                continue
            params = _params(
                ctx,
                {
                    "starts_at": plan.starts_at,
                    "ends_at": plan.ends_at,
                    "subject": plan.subject,
                    "capacity": capacity if capacity is not None else plan.capacity,
                    "mode": plan.mode,
                },
            ) | {"id": str(uuid.uuid4())}
            repo.create(tx, params)
            audit.record(tx, ctx, "exam_session", params["id"], "generate", after=_auditable(params))
            out.append((present(found(repo.view(tx, params["id"]), "exam session", params["id"])), True))
        return out

    return ctx.graph.write(work)


def get(ctx: Context, session_id: str, page: int = 1, per_page: int = 20) -> dict[str, Any]:
    """One session with its counts, one page of who is registered (and their results, in registration order) and
    pass rates per work type and region."""

    def work(tx: neo4j.ManagedTransaction) -> dict[str, Any]:
        stored, counts = found(exam_lists.session_with_counts(tx, session_id), "exam session", session_id)
        return present(stored) | {
            "registrations": exam_lists.registration_page(tx, session_id, (page - 1) * per_page, per_page),
            "page": page,
            "per_page": per_page,
            "by_work_type": _grouped(counts, "work_type"),
            "by_region": _grouped(counts, "region"),
        }

    return ctx.graph.read(work)


def search(
    ctx: Context, filters: dict[str, Any], page: int, per_page: int
) -> tuple[list[dict[str, Any]], int]:
    """A page of sessions, earliest first, with their counts."""
    sessions, total = ctx.graph.read(repo.search, filters, page, per_page)
    return [present(session) for session in sessions], total


def move(ctx: Context, session_id: str, data: dict[str, Any]) -> dict[str, Any]:
    """Move a session or change its subject or capacity (具体考试时间视情况另行通知).

    Refused when a candidate waiting for this sitting would then sit it after their application's validity, when
    the capacity would fall below the seats taken, or when results are already recorded for it.
    """
    process = rules(ctx)

    def work(tx: neo4j.ManagedTransaction) -> dict[str, Any]:
        current = repo.lock(tx, session_id)
        if current is None:
            raise NotFound(f"No exam session with id {session_id}.")
        merged = {
            "starts_at": data.get("starts_at") or current["starts_at"],
            "ends_at": data.get("ends_at"),
            "subject": data.get("subject") or current["subject"],
            "capacity": data.get("capacity", current["capacity"]),
            "mode": current.get("mode"),
        }
        if merged["ends_at"] is None and not data.get("starts_at"):
            merged["ends_at"] = current["ends_at"]
        params: dict[str, Any] = _params(ctx, merged) | {"id": session_id}
        view = present(found(repo.view(tx, session_id), "exam session", session_id))
        if view["sat"] and (
            params["starts_at"] != current["starts_at"] or params["subject"] != current["subject"]
        ):
            raise RuleRefused(f"session {session_id} already has results; it can no longer be moved")
        if params["capacity"] < current["registered"]:
            raise ValidationFailed(
                {"capacity": [f"{current['registered']} candidates are registered; capacity cannot be less"]}
            )
        for application_id in repo.waiting(tx, session_id):
            application = application_repo.view(tx, application_id)
            assert application is not None
            _, facts = application
            until = valid_until(facts.registered_on, process)
            if params["day"] > until:
                raise ApplicationExpired(
                    f"application {application_id} is valid until {until.isoformat()}; moving the session to "
                    f"{params['day'].isoformat()} would put its sitting after that",
                    application_id=application_id,
                )
        repo.move(tx, params)
        application_repo.sync(tx, repo.waiting(tx, session_id))  # their pending sitting moved with it
        audit.record(
            tx, ctx, "exam_session", session_id, "move",
            before=_auditable({k: current.get(k) for k in ("starts_at", "ends_at", "subject", "capacity")}),
            after=_auditable({k: params[k] for k in ("starts_at", "ends_at", "subject", "capacity")}),
        )  # fmt: skip
        return present(found(repo.view(tx, session_id), "exam session", session_id))

    return ctx.graph.write(work)


# --- Statistics ---------------------------------------------------------------------------------------------------


def _grouped(counts: list[dict[str, Any]], key: str) -> list[dict[str, Any]]:
    totals: dict[Any, list[int]] = defaultdict(lambda: [0, 0])
    for row in counts:
        totals[row[key]][0] += row["sat"]
        totals[row[key]][1] += row["passed"]
    return [
        {key: group, "sat": sat, "passed": passed, "failed": sat - passed, "pass_rate": _rate(passed, sat)}
        for group, (sat, passed) in sorted(totals.items(), key=lambda item: (item[0] is None, item[0] or ""))
    ]


def statistics(ctx: Context, filters: dict[str, Any]) -> dict[str, Any]:
    """Capacity, registrations and pass rates per session, and pass rates per work type and region (province)."""
    date_filters = {"from": filters.get("from"), "to": filters.get("to")}

    def work(tx: neo4j.ManagedTransaction) -> dict[str, Any]:
        sessions, total = repo.search(tx, date_filters, 1, 10_000)
        counts = repo.result_counts(tx, date_filters)
        sat = sum(row["sat"] for row in counts)
        passed = sum(row["passed"] for row in counts)
        return {
            "from": filters.get("from"),
            "to": filters.get("to"),
            "sessions": [present(session) for session in sessions],
            "session_count": total,
            "capacity": sum(session["capacity"] for session in sessions),
            "registered": sum(session["registered"] for session in sessions),
            "sat": sat,
            "passed": passed,
            "pass_rate": _rate(passed, sat),
            "by_work_type": _grouped(counts, "work_type"),
            "by_region": _grouped(counts, "region"),
        }

    return ctx.graph.read(work)
