"""Use cases of the credit record (资信档案): evaluate, reply, record misconduct, complain, appeal, summarize.

Each write is one transaction that checks the rules (`registry.evaluations`, `registry.misconduct`,
`registry.appeals`), writes, re-derives the sanctions and the pools they feed, and writes the audit entry,
so a refused request leaves nothing behind.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date
from typing import Any

import neo4j

from graph import audit, revision
from graph import credit as repo
from graph.driver import Graph
from graph.pools import rederive
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
from registry.credit import CreditRules
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


@dataclass(frozen=True)
class Actor:
    """Who is acting: the key's role and bindings, and how the audit trail names them."""

    role: str
    name: str = "cli"  # key prefix and label, or "cli"
    organization_id: str | None = None
    practitioner_id: str | None = None


class NotAllowed(RegistryError):
    status = 403
    title = "Forbidden"
    slug = "forbidden"


# --- Evaluations -----------------------------------------------------------------------------------------------


def evaluate(
    graph: Graph, rules: CreditRules, engagement_id: str, data: dict[str, Any], actor: Actor, today: date
) -> dict[str, Any]:
    """Rate one team member of a completed engagement; 201 body: the evaluation with `id` and `score`."""
    errors = validate_scores(data.get("scores"), rules.criteria)
    if errors:
        raise ValidationFailed(errors)
    practitioner_id = data["practitioner_id"]
    scores = {c.code: data["scores"][c.code] for c in rules.criteria}
    score = weighted_score(scores, rules.criteria)
    evaluation_id = str(uuid.uuid4())

    def work(tx: neo4j.ManagedTransaction) -> dict[str, Any]:
        facts = repo.engagement_facts(tx, engagement_id, practitioner_id)
        if facts is None:
            raise NotFound(f"No engagement with id {engagement_id}.")
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
            Evaluator(actor.role, actor.organization_id),
            facts["already_evaluated"],
            today,
            rules.window,
        )
        repo.create_evaluation(
            tx,
            id=evaluation_id,
            engagement_id=engagement_id,
            practitioner_id=practitioner_id,
            score=score,
            work_type=engagement.work_type,
            criteria=list(scores),
            criterion_scores=list(scores.values()),
            weights=[c.weight for c in rules.criteria],
            comment=data.get("comment"),
            on_time=on_time(engagement.end_on, today, rules.window),
            due_on=due_on(engagement.end_on, rules.window),
            today=today,
            entered_by=actor.name,
        )
        audit.record(
            tx,
            entity="evaluation",
            entity_id=evaluation_id,
            action="create",
            changes={
                "engagement_id": [None, engagement_id],
                "practitioner_id": [None, practitioner_id],
                "score": [None, score],
                "scores": [None, scores],
                "comment": "changed" if data.get("comment") else None,
            },
        )
        revision.stamp(tx, [practitioner_id])  # search sorts and matching read the mean
        return repo.get_evaluation(tx, evaluation_id)

    try:
        return graph.write(work)
    except neo4j.exceptions.ConstraintError:
        # A concurrent request wrote the same pair first; the unique `pair` key refused this one.
        raise Conflict(
            f"Practitioner {practitioner_id} has already been evaluated for engagement {engagement_id}."
        ) from None


def reply(graph: Graph, evaluation_id: str, text: str, actor: Actor) -> dict[str, Any]:
    """The evaluated practitioner's one reply, shown beside the evaluation."""
    if not isinstance(text, str) or not text.strip():
        raise ValidationFailed({"reply": ["reply must not be empty"]})

    def work(tx: neo4j.ManagedTransaction) -> dict[str, Any]:
        view = repo.get_evaluation(tx, evaluation_id)
        if view is None:
            raise NotFound(f"No evaluation with id {evaluation_id}.")
        check_may_reply(view["practitioner_id"], view.get("reply"), actor.role, actor.practitioner_id)
        if not repo.set_reply(tx, evaluation_id, text):
            raise Conflict("This evaluation already has a reply; a practitioner replies once.")
        audit.record(
            tx, entity="evaluation", entity_id=evaluation_id, action="reply", changes={"reply": "changed"}
        )
        return repo.get_evaluation(tx, evaluation_id)

    return graph.write(work)


def get_evaluation(graph: Graph, evaluation_id: str) -> dict[str, Any]:
    """One evaluation, or NotFound."""
    view = graph.read(repo.get_evaluation, evaluation_id)
    if view is None:
        raise NotFound(f"No evaluation with id {evaluation_id}.")
    return view


def evaluations_of(
    graph: Graph, practitioner_id: str, page: int, per_page: int
) -> tuple[list[dict[str, Any]], int]:
    """A page of a person's evaluations, newest first."""
    _require_practitioner(graph, practitioner_id)
    items, total, _ = graph.read(
        repo.practitioner_evaluations, practitioner_id, (page - 1) * per_page, per_page
    )
    return items, total


# --- Misconduct records and sanctions ----------------------------------------------------------------------


def apply_sanctions(
    tx: neo4j.ManagedTransaction, rules: CreditRules, practitioner_id: str, today: date, why: str
) -> None:
    """Re-derive a person's sanctions from their records, store the difference, and re-derive their pools."""
    derived = derive_sanctions(repo.record_facts(tx, practitioner_id), today, rules.step_up)
    stored = repo.sanctions(tx, practitioner_id)
    change = reconcile(stored, derived)
    repo.create_sanctions(tx, practitioner_id, list(change.create))
    repo.lift_sanctions(tx, practitioner_id, list(change.lift), today, why)
    for s in change.create:
        audit.record(
            tx,
            entity="sanction",
            entity_id=s.id,
            action="create",
            changes={"kind": [None, s.kind], "from": [None, s.from_.isoformat()],
                     "until": [None, s.until.isoformat() if s.until else None]},
        )  # fmt: skip
    for sanction_id in change.lift:
        audit.record(
            tx,
            entity="sanction",
            entity_id=sanction_id,
            action="lift",
            changes={"lifted_on": [None, today.isoformat()]},
        )
    rederive(tx, [practitioner_id], today)  # the expert pool honours the sanctions


def _write_record(
    tx: neo4j.ManagedTransaction,
    rules: CreditRules,
    practitioner_id: str,
    category_code: str,
    occurred_on: date,
    today: date,
    actor: Actor,
    *,
    evidence: str | None = None,
    note: str | None = None,
    origin: str = "admin",
    complaint_id: str | None = None,
    certificate_number: str | None = None,
) -> str:
    category = category_for(category_code, rules.catalogue)
    record_id = str(uuid.uuid4())
    repo.create_record(
        tx,
        id=record_id,
        practitioner_id=practitioner_id,
        category=category.code,
        points=category.points,
        occurred_on=occurred_on,
        today=today,
        evidence=evidence,
        note=note,
        origin=origin,
        entered_by=actor.name,
        complaint_id=complaint_id,
        certificate_number=certificate_number,
    )
    audit.record(
        tx,
        entity="misconduct_record",
        entity_id=record_id,
        action="create",
        changes={
            "practitioner_id": [None, practitioner_id],
            "category": [None, category.code],
            "points": [None, category.points],
            "occurred_on": [None, occurred_on.isoformat()],
            "evidence": "changed" if evidence else None,
            "note": "changed" if note else None,
        },
    )
    apply_sanctions(tx, rules, practitioner_id, today, f"record {record_id}")
    return record_id


def record_misconduct(
    graph: Graph, rules: CreditRules, practitioner_id: str, data: dict[str, Any], actor: Actor, today: date
) -> dict[str, Any]:
    """An admin records a violation; the answer carries the record and the person's sanctions now."""
    category_for(data.get("category"), rules.catalogue)  # an unknown category is refused before any read
    errors = validate_record_dates(data["occurred_on"], today)
    if errors:
        raise ValidationFailed(errors)

    def work(tx: neo4j.ManagedTransaction) -> dict[str, Any]:
        if not _exists(tx, practitioner_id):
            raise NotFound(f"No practitioner with id {practitioner_id}.")
        record_id = _write_record(
            tx,
            rules,
            practitioner_id,
            data["category"],
            data["occurred_on"],
            today,
            actor,
            evidence=data.get("evidence"),
            note=data.get("note"),
        )
        view = repo.get_record(tx, record_id)
        view["appeal_deadline"] = _appeal_deadline(rules, view["recorded_on"])
        view["sanctions"] = [s.to_dict() for s in repo.sanctions(tx, practitioner_id) if is_active(s, today)]
        return view

    return graph.write(work)


def record_revocation(
    tx: neo4j.ManagedTransaction, rules: CreditRules, holder_id: str, number: str, reason: str, today: date
) -> None:
    """A certificate revocation is itself a misconduct record; called inside the revocation's transaction."""
    _write_record(
        tx,
        rules,
        holder_id,
        CERTIFICATE_REVOKED,
        today,
        today,
        Actor("admin"),
        note=reason,
        origin="certificate_revocation",
        certificate_number=number,
    )


def records_of(
    graph: Graph, rules: CreditRules, practitioner_id: str, page: int, per_page: int
) -> tuple[list[dict[str, Any]], int]:
    """A page of a person's misconduct records, latest first, each with its appeal deadline."""
    _require_practitioner(graph, practitioner_id)
    items, total = graph.read(repo.practitioner_records, practitioner_id, (page - 1) * per_page, per_page)
    for item in items:
        item["appeal_deadline"] = _appeal_deadline(rules, item["recorded_on"])
    return items, total


def sanctions_of(graph: Graph, practitioner_id: str, today: date) -> list[dict[str, Any]]:
    """All of a person's sanctions, each with `active` today."""
    _require_practitioner(graph, practitioner_id)
    return [
        s.to_dict() | {"active": is_active(s, today)} for s in graph.read(repo.sanctions, practitioner_id)
    ]


def end_sanctions(graph: Graph, today: date) -> int:
    """Re-derive the pools of people whose sanction ended (or was lifted) since it was last applied.

    The daily job next to `expire-certificates`: a suspension ending on `until` lets its holder back into
    the expert pool the day after.
    """
    ids = graph.read(lambda tx: list(tx.run(repo.SANCTIONS_ENDED, today=today).single()["ids"]))
    for start in range(0, len(ids), 500):
        graph.write(_rederive_ended, ids[start : start + 500], today)
    return len(ids)


def _rederive_ended(tx: neo4j.ManagedTransaction, ids: list[str], today: date) -> None:
    rederive(tx, ids, today)
    tx.run(repo.MARK_SANCTIONS_APPLIED, ids=ids, today=today).consume()


# --- Complaints ------------------------------------------------------------------------------------------------


def file_complaint(graph: Graph, data: dict[str, Any], actor: Actor, today: date) -> dict[str, Any]:
    """Anyone with a key complains about a practitioner or an engagement; it starts as `received`."""
    if actor.role not in COMPLAINANT_ROLES:
        raise NotAllowed("Filing a complaint needs an API key.")
    errors = validate_complaint(data.get("practitioner_id"), data.get("engagement_id"), data.get("text"))
    if errors:
        raise ValidationFailed(errors)
    complaint_id = str(uuid.uuid4())

    def work(tx: neo4j.ManagedTransaction) -> dict[str, Any]:
        created = repo.create_complaint(
            tx,
            id=complaint_id,
            practitioner_id=data.get("practitioner_id"),
            engagement_id=data.get("engagement_id"),
            text=data["text"],
            today=today,
            filed_by=actor.name,
            filer_role=actor.role,
        )
        if not created:
            field = "practitioner_id" if data.get("practitioner_id") else "engagement_id"
            raise NotFound(f"No {field.removesuffix('_id')} with id {data[field]}.")
        audit.record(
            tx,
            entity="complaint",
            entity_id=complaint_id,
            action="create",
            changes={
                "practitioner_id": [None, data.get("practitioner_id")],
                "engagement_id": [None, data.get("engagement_id")],
                "status": [None, "received"],
                "text": "changed",
            },
        )
        return repo.get_complaint(tx, complaint_id)

    return graph.write(work)


def get_complaint(graph: Graph, complaint_id: str) -> dict[str, Any]:
    """One complaint with its steps, or NotFound."""
    view = graph.read(repo.get_complaint, complaint_id)
    if view is None:
        raise NotFound(f"No complaint with id {complaint_id}.")
    return view


def list_complaints(
    graph: Graph, filters: dict[str, Any], page: int, per_page: int
) -> tuple[list[dict[str, Any]], int]:
    """A page of complaints, newest first."""
    return graph.read(repo.list_complaints, filters, (page - 1) * per_page, per_page)


def decide_complaint(
    graph: Graph, rules: CreditRules, complaint_id: str, data: dict[str, Any], actor: Actor, today: date
) -> dict[str, Any]:
    """An admin moves a complaint on (received → investigating → upheld | dismissed), with a reason.

    An upheld complaint may create a misconduct record (`create_record: true`; category `complaint_upheld`
    unless `category` says otherwise; an engagement complaint names the team member in `practitioner_id`).
    """
    if data.get("category") is not None:
        category_for(data["category"], rules.catalogue)

    def work(tx: neo4j.ManagedTransaction) -> dict[str, Any]:
        complaint = repo.get_complaint(tx, complaint_id)
        if complaint is None:
            raise NotFound(f"No complaint with id {complaint_id}.")
        status = next_complaint_status(complaint["status"], data.get("status"), data.get("reason"))
        wants_record = bool(data.get("create_record") or data.get("category"))
        subject = None
        if wants_record:
            subject = _complaint_subject(tx, complaint, data, status)
        if not repo.set_complaint_status(
            tx, complaint_id, complaint["status"], status, data["reason"], actor.name
        ):
            raise Conflict("The complaint changed meanwhile; read it again and retry.")
        audit.record(
            tx,
            entity="complaint",
            entity_id=complaint_id,
            action="decide",
            changes={"status": [complaint["status"], status], "reason": [None, data["reason"]]},
        )
        if subject is not None:
            _write_record(
                tx,
                rules,
                subject,
                data.get("category") or COMPLAINT_UPHELD,
                data.get("occurred_on") or complaint["created_on"],
                today,
                actor,
                note=data["reason"],
                origin="complaint",
                complaint_id=complaint_id,
            )
        return repo.get_complaint(tx, complaint_id)

    return graph.write(work)


def _complaint_subject(
    tx: neo4j.ManagedTransaction, complaint: dict[str, Any], data: dict[str, Any], status: str
) -> str:
    if status != "upheld":
        raise ValidationFailed({"create_record": ["only an upheld complaint can create a misconduct record"]})
    if complaint.get("practitioner_id"):
        return complaint["practitioner_id"]
    team = repo.engagement_team(tx, complaint["engagement_id"])
    chosen = data.get("practitioner_id")
    if chosen not in team:
        raise ValidationFailed(
            {"practitioner_id": ["name the team member the record is for (one who worked on the engagement)"]}
        )
    return chosen


# --- Appeals ---------------------------------------------------------------------------------------------------


def _appeal_deadline(rules: CreditRules, notified_on: date | None) -> str | None:
    return appeal_deadline(notified_on, rules.appeal).isoformat() if notified_on else None


def file_appeal(
    graph: Graph, rules: CreditRules, data: dict[str, Any], actor: Actor, today: date
) -> dict[str, Any]:
    """The practitioner appeals a misconduct record or an evaluation within the appeal period."""
    errors = validate_appeal(data.get("record_id"), data.get("evaluation_id"), data.get("text"))
    if errors:
        raise ValidationFailed(errors)
    kind = "record" if data.get("record_id") else "evaluation"
    subject_id = data.get("record_id") or data.get("evaluation_id")
    appeal_id = str(uuid.uuid4())

    def work(tx: neo4j.ManagedTransaction) -> dict[str, Any]:
        facts = repo.appeal_subject(tx, kind, subject_id)
        if facts is None:
            raise NotFound(
                f"No {'misconduct record' if kind == 'record' else 'evaluation'} with id {subject_id}."
            )
        subject = AppealSubject(
            kind=kind,
            id=subject_id,
            practitioner_id=facts["practitioner_id"],
            notified_on=facts["notified_on"],
            effective=facts["effective"],
            appealed=facts["appealed"],
        )
        deadline = check_may_appeal(subject, actor.role, actor.practitioner_id, today, rules.appeal)
        repo.create_appeal(
            tx,
            id=appeal_id,
            subject=kind,
            subject_id=subject_id,
            text=data["text"],
            deadline=deadline,
            today=today,
            filed_by=actor.name,
        )
        audit.record(
            tx,
            entity="appeal",
            entity_id=appeal_id,
            action="create",
            changes={f"{kind}_id": [None, subject_id], "status": [None, "pending"], "text": "changed"},
        )
        return repo.get_appeal(tx, appeal_id)

    return graph.write(work)


def get_appeal(graph: Graph, appeal_id: str) -> dict[str, Any]:
    """One appeal, or NotFound."""
    view = graph.read(repo.get_appeal, appeal_id)
    if view is None:
        raise NotFound(f"No appeal with id {appeal_id}.")
    return view


def list_appeals(
    graph: Graph, status: str | None, page: int, per_page: int
) -> tuple[list[dict[str, Any]], int]:
    """A page of appeals, newest first."""
    return graph.read(repo.list_appeals, status, (page - 1) * per_page, per_page)


def decide(
    graph: Graph, rules: CreditRules, appeal_id: str, data: dict[str, Any], actor: Actor, today: date
) -> dict[str, Any]:
    """An admin decides an appeal; `upheld` removes the record's or evaluation's effect, kept as history."""

    def work(tx: neo4j.ManagedTransaction) -> dict[str, Any]:
        appeal = repo.get_appeal(tx, appeal_id)
        if appeal is None:
            raise NotFound(f"No appeal with id {appeal_id}.")
        status = decide_appeal(appeal["status"], data.get("status"), data.get("reason"))
        if not repo.decide_appeal(tx, appeal_id, status, data["reason"], today, actor.name):
            raise Conflict("The appeal was decided meanwhile; read it again.")
        audit.record(
            tx,
            entity="appeal",
            entity_id=appeal_id,
            action="decide",
            changes={"status": ["pending", status], "reason": [None, data["reason"]]},
        )
        if status == "upheld":
            kind = appeal["subject"]
            subject_id = appeal["record_id"] if kind == "record" else appeal["evaluation_id"]
            repo.overturn(tx, kind, subject_id, appeal_id, today)
            audit.record(
                tx,
                entity="misconduct_record" if kind == "record" else "evaluation",
                entity_id=subject_id,
                action="overturn",
                changes={"effective": [True, False]},
            )
            if kind == "record":
                apply_sanctions(
                    tx,
                    rules,
                    appeal["practitioner_id"],
                    today,
                    f"record {subject_id} overturned on appeal {appeal_id}",
                )
            else:
                revision.stamp(tx, [appeal["practitioner_id"]])
        return repo.get_appeal(tx, appeal_id)

    return graph.write(work)


# --- The credit summary ----------------------------------------------------------------------------------------


def credit_summary(tx: neo4j.ManagedTransaction, practitioner_id: str, today: date) -> dict[str, Any]:
    """The profile's `credit`: evaluations {count, mean}, active sanctions, draws served, effective records."""
    facts = repo.credit_facts(tx, practitioner_id) or {"scores": [], "draws_served": 0, "records": 0}
    active = [s.to_dict() for s in repo.sanctions(tx, practitioner_id) if is_active(s, today)]
    return {
        "evaluations": summarize(facts["scores"]).to_dict(),
        "sanctions": active,
        "draws_served": facts["draws_served"],
        "records": facts["records"],
    }


def _exists(tx: neo4j.ManagedTransaction, practitioner_id: str) -> bool:
    return tx.run(repo.PRACTITIONER_EXISTS, id=practitioner_id).single()["exists"]


def _require_practitioner(graph: Graph, practitioner_id: str) -> None:
    if not graph.read(_exists, practitioner_id):
        raise NotFound(f"No practitioner with id {practitioner_id}.")
