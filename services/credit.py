"""Use cases of the credit record (资信档案): evaluate, reply, record misconduct, complain, appeal, summarize.

Each write is one transaction that takes the practitioner's lock, checks the rules (`registry.evaluations`,
`registry.misconduct`, `registry.appeals`), writes, re-derives the sanctions and the pools they feed, and
records the audit entry — so a refused request leaves nothing behind.
"""

from __future__ import annotations

import functools
import json
import uuid
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import neo4j

from graph import credit as repo
from graph import pools as pool_repo
from graph import practitioners as practitioner_repo
from graph.pools import rederive
from graph.records import found
from registry.appeals import (
    COMPLAINANT_ROLES,
    AppealSubject,
    appeal_deadline,
    check_may_appeal,
    decide_appeal,
    next_complaint_status,
    validate_appeal,
    validate_complaint,
)
from registry.assessment import assess
from registry.credit import DEFAULT_CREDIT_RULES, CreditRules, credit_rules_from_mapping
from registry.errors import Conflict, NotFound, RegistryError, ValidationFailed
from registry.evaluations import (
    EngagementFacts,
    Evaluator,
    check_may_evaluate,
    check_may_reply,
    due_on,
    on_time,
    summarize,
    validate_scores,
    weighted_score,
)
from registry.misconduct import (
    CERTIFICATE_REVOKED,
    COMPLAINT_UPHELD,
    category_for,
    derive_sanctions,
    is_active,
    reconcile,
    validate_record_dates,
)
from services import audit
from services.context import Context


@dataclass(frozen=True)
class Caller:
    """The caller's role and its key's binding (a client key's organization, a practitioner key's person)."""

    role: str
    organization_id: str | None = None
    practitioner_id: str | None = None


class NotAllowed(RegistryError):
    status = 403
    title = "Forbidden"
    slug = "forbidden"


@functools.cache
def _rules_from(path: str | None) -> CreditRules:
    if not path:
        return DEFAULT_CREDIT_RULES
    return credit_rules_from_mapping(json.loads(Path(path).read_text(encoding="utf-8")))


def rules(ctx: Context) -> CreditRules:
    """The credit rules: the published defaults, overridden by the JSON file `CREDIT_RULES_FILE` names."""
    return _rules_from(ctx.settings.credit_rules_file)


def _by(ctx: Context) -> str:
    """How a stored record names who entered it: the key's prefix and label, or `cli`."""
    actor = ctx.actor
    return " ".join(part for part in (actor.prefix, actor.label) if part) or actor.kind


# --- Evaluations -----------------------------------------------------------------------------------------------


def evaluate(ctx: Context, engagement_id: str, data: dict[str, Any], caller: Caller) -> dict[str, Any]:
    """Rate one team member of a completed engagement; the answer carries `id` and `score`."""
    errors = validate_scores(data.get("scores"), rules(ctx).criteria)
    if errors:
        raise ValidationFailed(errors)
    practitioner_id = str(data["practitioner_id"])
    scores = {c.code: data["scores"][c.code] for c in rules(ctx).criteria}
    score = weighted_score(scores, rules(ctx).criteria)
    evaluation_id = str(uuid.uuid4())

    def work(tx: neo4j.ManagedTransaction) -> dict[str, Any]:
        facts = found(repo.engagement_facts(tx, engagement_id, practitioner_id), "engagement", engagement_id)
        engagement = EngagementFacts(
            id=facts["id"],
            status=facts["status"],
            client_id=facts["client_id"],
            work_type=facts["work_type"],
            end_on=facts["end_on"],
            team=frozenset(facts["team"]),
        )
        check_may_evaluate(
            engagement,
            practitioner_id,
            Evaluator(caller.role, caller.organization_id),
            facts["already_evaluated"],
            ctx.today,
            rules(ctx).window,
        )
        practitioner_repo.lock(tx, [practitioner_id])
        repo.create_evaluation(
            tx,
            id=evaluation_id,
            engagement_id=engagement_id,
            practitioner_id=practitioner_id,
            score=score,
            work_type=engagement.work_type,
            criteria=list(scores),
            criterion_scores=list(scores.values()),
            weights=[c.weight for c in rules(ctx).criteria],
            comment=data.get("comment"),
            on_time=on_time(engagement.end_on, ctx.today, rules(ctx).window),
            due_on=due_on(engagement.end_on, rules(ctx).window),
            today=ctx.today,
            entered_by=_by(ctx),
        )
        rederive(tx, [practitioner_id], ctx.today)  # the search keys carry the mean evaluation
        audit.record(
            tx, ctx, "evaluation", evaluation_id, "create",
            after={"engagement_id": engagement_id, "practitioner_id": practitioner_id, "score": score,
                   "scores": scores, "work_type": engagement.work_type},
            details={"comment": "changed"} if data.get("comment") else None,
            subjects=[practitioner_id],
        )  # fmt: skip
        return _evaluation_view(tx, ctx, evaluation_id)

    try:
        return ctx.graph.write(work)
    except neo4j.exceptions.ConstraintError:
        # A concurrent request wrote the same pair first; the unique `pair` key refused this one.
        raise Conflict(
            f"Practitioner {practitioner_id} has already been evaluated for engagement {engagement_id}."
        ) from None


def _evaluation_view(tx: neo4j.ManagedTransaction, ctx: Context, evaluation_id: str) -> dict[str, Any]:
    view = found(repo.get_evaluation(tx, evaluation_id), "evaluation", evaluation_id)
    view["appeal_deadline"] = appeal_deadline(view["created_on"], rules(ctx).appeal)
    return view


def reply(ctx: Context, evaluation_id: str, text: str, caller: Caller) -> dict[str, Any]:
    """The evaluated practitioner's one reply, shown beside the evaluation."""

    def work(tx: neo4j.ManagedTransaction) -> dict[str, Any]:
        view = found(repo.get_evaluation(tx, evaluation_id), "evaluation", evaluation_id)
        check_may_reply(view["practitioner_id"], view.get("reply"), caller.role, caller.practitioner_id)
        if not repo.set_reply(tx, evaluation_id, text):
            raise Conflict("This evaluation already has a reply; a practitioner replies once.")
        audit.record(
            tx, ctx, "evaluation", evaluation_id, "reply",
            details={"reply": "changed"}, subjects=[view["practitioner_id"]],
        )  # fmt: skip
        return _evaluation_view(tx, ctx, evaluation_id)

    return ctx.graph.write(work)


def get_evaluation(ctx: Context, evaluation_id: str) -> dict[str, Any]:
    """One evaluation, or NotFound."""
    return ctx.graph.read(_evaluation_view, ctx, evaluation_id)


def evaluations_of(
    ctx: Context, practitioner_id: str, page: int, per_page: int
) -> tuple[list[dict[str, Any]], int]:
    """A page of a person's evaluations, newest first, each with its appeal deadline."""

    def work(tx: neo4j.ManagedTransaction) -> tuple[list[dict[str, Any]], int]:
        practitioner_repo.require(tx, practitioner_id)
        items, total, _ = repo.practitioner_evaluations(tx, practitioner_id, (page - 1) * per_page, per_page)
        for item in items:
            item["appeal_deadline"] = appeal_deadline(item["created_on"], rules(ctx).appeal)
        return items, total

    return ctx.graph.read(work)


# --- Misconduct records and sanctions ----------------------------------------------------------------------


def apply_sanctions(tx: neo4j.ManagedTransaction, ctx: Context, practitioner_id: str, why: str) -> None:
    """Re-derive a person's sanctions from their records, store the difference, and re-derive their pools.

    The caller holds the practitioner's lock.
    """
    derived = derive_sanctions(repo.record_facts(tx, practitioner_id), ctx.today, rules(ctx).step_up)
    change = reconcile(repo.sanctions(tx, practitioner_id), derived)
    repo.create_sanctions(tx, practitioner_id, list(change.create))
    repo.lift_sanctions(tx, practitioner_id, list(change.lift), ctx.today, why)
    rederive(tx, [practitioner_id], ctx.today)  # the expert pool honours the sanctions
    for s in change.create:
        audit.record(
            tx, ctx, "sanction", s.id, "impose",
            after={"kind": s.kind, "from": s.from_, "until": s.until, "record_ids": list(s.record_ids)},
            subjects=[practitioner_id],
        )  # fmt: skip
    for sanction_id in change.lift:
        audit.record(
            tx, ctx, "sanction", sanction_id, "lift",
            before={"lifted_on": None}, after={"lifted_on": ctx.today}, details={"why": why},
            subjects=[practitioner_id],
        )  # fmt: skip


def _write_record(
    tx: neo4j.ManagedTransaction,
    ctx: Context,
    practitioner_id: str,
    category_code: str,
    occurred_on: date,
    *,
    evidence: str | None = None,
    note: str | None = None,
    origin: str = "admin",
    complaint_id: str | None = None,
    certificate_number: str | None = None,
) -> str:
    category = category_for(category_code, rules(ctx).catalogue)
    record_id = str(uuid.uuid4())
    repo.create_record(
        tx,
        id=record_id,
        practitioner_id=practitioner_id,
        category=category.code,
        points=category.points,
        occurred_on=occurred_on,
        today=ctx.today,
        evidence=evidence,
        note=note,
        origin=origin,
        entered_by=_by(ctx),
        complaint_id=complaint_id,
        certificate_number=certificate_number,
    )
    audit.record(
        tx, ctx, "record", record_id, "create",
        after={"practitioner_id": practitioner_id, "category": category.code, "points": category.points,
               "occurred_on": occurred_on, "origin": origin, "complaint_id": complaint_id,
               "certificate_number": certificate_number},
        details={k: "changed" for k, v in (("evidence", evidence), ("note", note)) if v},
        subjects=[practitioner_id],
    )  # fmt: skip
    apply_sanctions(tx, ctx, practitioner_id, f"record {record_id}")
    return record_id


def _record_view(tx: neo4j.ManagedTransaction, ctx: Context, record_id: str) -> dict[str, Any]:
    view = found(repo.get_record(tx, record_id), "misconduct record", record_id)
    view["appeal_deadline"] = appeal_deadline(view["recorded_on"], rules(ctx).appeal)
    return view


def record_misconduct(ctx: Context, practitioner_id: str, data: dict[str, Any]) -> dict[str, Any]:
    """An admin records a violation; the answer carries the record and the person's active sanctions."""
    category_for(
        data.get("category"), rules(ctx).catalogue
    )  # an unknown category is refused before any write
    errors = validate_record_dates(data["occurred_on"], ctx.today)
    if errors:
        raise ValidationFailed(errors)

    def work(tx: neo4j.ManagedTransaction) -> dict[str, Any]:
        practitioner_repo.require(tx, practitioner_id)
        practitioner_repo.lock(tx, [practitioner_id])
        record_id = _write_record(
            tx,
            ctx,
            practitioner_id,
            data["category"],
            data["occurred_on"],
            evidence=data.get("evidence"),
            note=data.get("note"),
        )
        view = _record_view(tx, ctx, record_id)
        view["sanctions"] = _active_sanctions(tx, practitioner_id, ctx.today)
        return view

    return ctx.graph.write(work)


def record_revocation(
    tx: neo4j.ManagedTransaction, ctx: Context, holder_id: str, number: str, reason: str
) -> None:
    """A certificate revocation is itself a misconduct record: call inside the revocation's transaction."""
    _write_record(
        tx,
        ctx,
        holder_id,
        CERTIFICATE_REVOKED,
        ctx.today,
        note=reason,
        origin="certificate_revocation",
        certificate_number=number,
    )


def get_record(ctx: Context, record_id: str) -> dict[str, Any]:
    """One misconduct record with its appeal deadline, or NotFound."""
    return ctx.graph.read(_record_view, ctx, record_id)


def records_of(
    ctx: Context, practitioner_id: str, page: int, per_page: int
) -> tuple[list[dict[str, Any]], int]:
    """A page of a person's misconduct records, latest first, each with its appeal deadline."""

    def work(tx: neo4j.ManagedTransaction) -> tuple[list[dict[str, Any]], int]:
        practitioner_repo.require(tx, practitioner_id)
        items, total = repo.practitioner_records(tx, practitioner_id, (page - 1) * per_page, per_page)
        for item in items:
            item["appeal_deadline"] = appeal_deadline(item["recorded_on"], rules(ctx).appeal)
        return items, total

    return ctx.graph.read(work)


def _active_sanctions(
    tx: neo4j.ManagedTransaction, practitioner_id: str, today: date
) -> list[dict[str, Any]]:
    return [
        s.to_dict() | {"active": True} for s in repo.sanctions(tx, practitioner_id) if is_active(s, today)
    ]


def sanctions_of(ctx: Context, practitioner_id: str) -> list[dict[str, Any]]:
    """All of a person's sanctions, ended and lifted ones too, each with `active` today."""

    def work(tx: neo4j.ManagedTransaction) -> list[dict[str, Any]]:
        practitioner_repo.require(tx, practitioner_id)
        return [
            s.to_dict() | {"active": is_active(s, ctx.today)} for s in repo.sanctions(tx, practitioner_id)
        ]

    return ctx.graph.read(work)


def memberships_of(ctx: Context, practitioner_id: str) -> list[dict[str, Any]]:
    """A person's pool memberships, current and ended, with why an ended one ended and when they may return."""

    def work(tx: neo4j.ManagedTransaction) -> list[dict[str, Any]]:
        practitioner_repo.require(tx, practitioner_id)
        return pool_repo.membership_history(tx, practitioner_id)

    return ctx.graph.read(work)


def assessment_of(ctx: Context, practitioner_id: str, year: int) -> dict[str, Any]:
    """The annual assessment (NDRC order 26) of `year`: provisional until the year has ended."""

    def work(tx: neo4j.ManagedTransaction) -> dict[str, Any]:
        practitioner_repo.require(tx, practitioner_id)
        scores = repo.year_scores(tx, practitioner_id, year)
        records = repo.record_facts(tx, practitioner_id)
        return assess(year, scores, records, ctx.today, rules(ctx).assessment).to_dict()

    return ctx.graph.read(work)


def end_sanctions(ctx: Context, batch: int = 500) -> int:
    """Re-derive the pools of people whose sanction ended or was lifted since the pools last saw it.

    The daily job next to `expire-certificates`: someone suspended until `until` is back in the expert pool
    the day after (if their certificates still qualify them).
    """
    ids = ctx.graph.read(repo.sanctions_ended, ctx.today)

    def work(tx: neo4j.ManagedTransaction, chunk: list[str]) -> None:
        practitioner_repo.lock(tx, chunk)
        rederive(tx, chunk, ctx.today)
        repo.mark_sanctions_applied(tx, chunk, ctx.today)
        audit.record(tx, ctx, "sanction", None, "end", details={"count": len(chunk)}, subjects=chunk)

    for start in range(0, len(ids), batch):
        ctx.graph.write(work, ids[start : start + batch])
    return len(ids)


# --- Complaints ------------------------------------------------------------------------------------------------


def file_complaint(ctx: Context, data: dict[str, Any], caller: Caller) -> dict[str, Any]:
    """Anyone with a key complains about a practitioner or an engagement; it starts as `received`."""
    if caller.role not in COMPLAINANT_ROLES:
        raise NotAllowed("Filing a complaint needs an API key.")
    practitioner_id = str(data["practitioner_id"]) if data.get("practitioner_id") else None
    engagement_id = str(data["engagement_id"]) if data.get("engagement_id") else None
    errors = validate_complaint(practitioner_id, engagement_id, data.get("text"))
    if errors:
        raise ValidationFailed(errors)
    complaint_id = str(uuid.uuid4())

    def work(tx: neo4j.ManagedTransaction) -> dict[str, Any]:
        created = repo.create_complaint(
            tx,
            id=complaint_id,
            practitioner_id=practitioner_id,
            engagement_id=engagement_id,
            text=data["text"],
            today=ctx.today,
            filed_by=_by(ctx),
            filer_role=caller.role,
        )
        if not created:
            what, key = (
                ("practitioner", practitioner_id) if practitioner_id else ("engagement", engagement_id)
            )
            raise NotFound(f"No {what} with id {key}.")
        audit.record(
            tx, ctx, "complaint", complaint_id, "file",
            after={"practitioner_id": practitioner_id, "engagement_id": engagement_id, "status": "received"},
            details={"text": "changed"},
            subjects=[practitioner_id] if practitioner_id else repo.engagement_team(tx, engagement_id),
        )  # fmt: skip
        return found(repo.get_complaint(tx, complaint_id), "complaint", complaint_id)

    return ctx.graph.write(work)


def get_complaint(ctx: Context, complaint_id: str) -> dict[str, Any]:
    """One complaint with its steps, or NotFound."""
    return found(ctx.graph.read(repo.get_complaint, complaint_id), "complaint", complaint_id)


def list_complaints(
    ctx: Context, filters: dict[str, Any], page: int, per_page: int
) -> tuple[list[dict[str, Any]], int]:
    """A page of complaints, newest first."""
    return ctx.graph.read(repo.list_complaints, filters, (page - 1) * per_page, per_page)


def decide_complaint(ctx: Context, complaint_id: str, data: dict[str, Any]) -> dict[str, Any]:
    """An admin moves a complaint on (received → investigating → upheld | dismissed), with a reason.

    An upheld complaint may create a misconduct record (`create_record: true`; category `complaint_upheld`
    unless `category` names another); for an engagement complaint `practitioner_id` names the team member.
    """
    wants_record = bool(data.get("create_record") or data.get("category"))
    if data.get("category") is not None:
        category_for(data["category"], rules(ctx).catalogue)

    def work(tx: neo4j.ManagedTransaction) -> dict[str, Any]:
        complaint = found(repo.get_complaint(tx, complaint_id), "complaint", complaint_id)
        status = next_complaint_status(complaint["status"], data.get("status"), data.get("reason"))
        subject = _complaint_subject(tx, complaint, data, status) if wants_record else None
        if subject is not None:
            practitioner_repo.lock(tx, [subject])
        if not repo.set_complaint_status(
            tx, complaint_id, complaint["status"], status, data["reason"], _by(ctx)
        ):
            raise Conflict("The complaint changed meanwhile; read it again and retry.")
        audit.record(
            tx, ctx, "complaint", complaint_id, "decide",
            before={"status": complaint["status"]}, after={"status": status}, details={"reason": data["reason"]},
            subjects=[complaint["practitioner_id"]] if complaint.get("practitioner_id") else [],
        )  # fmt: skip
        if subject is not None:
            _write_record(
                tx,
                ctx,
                subject,
                data.get("category") or COMPLAINT_UPHELD,
                data.get("occurred_on") or complaint["created_on"],
                note=data["reason"],
                origin="complaint",
                complaint_id=complaint_id,
            )
        return found(repo.get_complaint(tx, complaint_id), "complaint", complaint_id)

    return ctx.graph.write(work)


def _complaint_subject(
    tx: neo4j.ManagedTransaction, complaint: dict[str, Any], data: dict[str, Any], status: str
) -> str:
    if status != "upheld":
        raise ValidationFailed({"create_record": ["only an upheld complaint can create a misconduct record"]})
    if complaint.get("practitioner_id"):
        return complaint["practitioner_id"]
    team = repo.engagement_team(tx, complaint["engagement_id"])
    chosen = str(data["practitioner_id"]) if data.get("practitioner_id") else None
    if chosen not in team:
        raise ValidationFailed(
            {"practitioner_id": ["name the team member the record is for (one who worked on the engagement)"]}
        )
    return chosen


# --- Appeals ---------------------------------------------------------------------------------------------------


def file_appeal(ctx: Context, data: dict[str, Any], caller: Caller) -> dict[str, Any]:
    """The practitioner appeals a misconduct record or an evaluation within the appeal period."""
    record_id = str(data["record_id"]) if data.get("record_id") else None
    evaluation_id = str(data["evaluation_id"]) if data.get("evaluation_id") else None
    errors = validate_appeal(record_id, evaluation_id, data.get("text"))
    if errors:
        raise ValidationFailed(errors)
    kind = "record" if record_id else "evaluation"
    subject_id = record_id or evaluation_id
    appeal_id = str(uuid.uuid4())

    def work(tx: neo4j.ManagedTransaction) -> dict[str, Any]:
        facts = repo.appeal_subject(tx, kind, subject_id)
        if facts is None:
            raise NotFound(
                f"No {'misconduct record' if kind == 'record' else 'evaluation'} with id {subject_id}."
            )
        practitioner_repo.lock(tx, [facts["practitioner_id"]])
        subject = AppealSubject(
            kind=kind,
            id=subject_id,
            practitioner_id=facts["practitioner_id"],
            notified_on=facts["notified_on"],
            effective=facts["effective"],
            appealed=repo.appeal_subject(tx, kind, subject_id)["appealed"],  # re-read under the lock
        )
        deadline = check_may_appeal(
            subject, caller.role, caller.practitioner_id, ctx.today, rules(ctx).appeal
        )
        repo.create_appeal(
            tx,
            id=appeal_id,
            subject=kind,
            subject_id=subject_id,
            text=data["text"],
            deadline=deadline,
            today=ctx.today,
            filed_by=_by(ctx),
        )
        audit.record(
            tx, ctx, "appeal", appeal_id, "file",
            after={f"{kind}_id": subject_id, "status": "pending", "deadline": deadline},
            details={"text": "changed"}, subjects=[facts["practitioner_id"]],
        )  # fmt: skip
        return found(repo.get_appeal(tx, appeal_id), "appeal", appeal_id)

    return ctx.graph.write(work)


def get_appeal(ctx: Context, appeal_id: str) -> dict[str, Any]:
    """One appeal, or NotFound."""
    return found(ctx.graph.read(repo.get_appeal, appeal_id), "appeal", appeal_id)


def list_appeals(
    ctx: Context, status: str | None, page: int, per_page: int
) -> tuple[list[dict[str, Any]], int]:
    """A page of appeals, newest first."""
    return ctx.graph.read(repo.list_appeals, status, (page - 1) * per_page, per_page)


def decide(ctx: Context, appeal_id: str, data: dict[str, Any]) -> dict[str, Any]:
    """An admin decides an appeal; `upheld` removes the record's or evaluation's effect, kept as history."""

    def work(tx: neo4j.ManagedTransaction) -> dict[str, Any]:
        appeal = found(repo.get_appeal(tx, appeal_id), "appeal", appeal_id)
        status = decide_appeal(appeal["status"], data.get("status"), data.get("reason"))
        practitioner_id = appeal["practitioner_id"]
        practitioner_repo.lock(tx, [practitioner_id])
        if not repo.decide_appeal(tx, appeal_id, status, data["reason"], ctx.today, _by(ctx)):
            raise Conflict("The appeal was decided meanwhile; read it again.")
        audit.record(
            tx, ctx, "appeal", appeal_id, "decide",
            before={"status": "pending"}, after={"status": status}, details={"reason": data["reason"]},
            subjects=[practitioner_id],
        )  # fmt: skip
        if status == "upheld":
            kind = appeal["subject"]
            subject_id = appeal["record_id"] if kind == "record" else appeal["evaluation_id"]
            repo.overturn(tx, kind, subject_id, appeal_id, ctx.today)
            audit.record(
                tx, ctx, kind, subject_id, "overturn",
                before={"effective": True}, after={"effective": False}, details={"appeal_id": appeal_id},
                subjects=[practitioner_id],
            )  # fmt: skip
            if kind == "record":
                apply_sanctions(
                    tx, ctx, practitioner_id, f"record {subject_id} overturned on appeal {appeal_id}"
                )
            else:
                rederive(tx, [practitioner_id], ctx.today)  # the mean evaluation in the search keys
        return found(repo.get_appeal(tx, appeal_id), "appeal", appeal_id)

    return ctx.graph.write(work)


# --- The credit summary ----------------------------------------------------------------------------------------


def summary(ctx: Context, practitioner_id: str) -> dict[str, Any]:
    """The profile's `credit` for one practitioner."""
    return ctx.graph.read(credit_summary, practitioner_id, ctx.today, rules(ctx).recent_evaluations)


def credit_summary(
    tx: neo4j.ManagedTransaction, practitioner_id: str, today: date, recent: int = 5
) -> dict[str, Any]:
    """The profile's `credit`: evaluations {count, mean, recent}, active sanctions, draws served, records."""
    facts = repo.credit_facts(tx, practitioner_id, recent) or {
        "scores": [], "recent": [], "draws_served": 0, "records": 0,
    }  # fmt: skip
    return {
        "evaluations": summarize(facts["scores"]).to_dict() | {"recent": facts["recent"]},
        "sanctions": _active_sanctions(tx, practitioner_id, today),
        "draws_served": facts["draws_served"],
        "records": facts["records"],
    }
