"""Appeals (申诉) against a misconduct record or an evaluation, within 30 days; an upheld one removes the
effect and keeps the history (rules: `registry.appeals`)."""

from __future__ import annotations

import uuid
from typing import Any

import neo4j

from graph import appeals as repo
from graph import practitioners as practitioner_repo
from graph.records import found
from registry.appeals import AppealSubject, check_may_appeal, decide_appeal, validate_appeal
from registry.errors import Conflict, NotFound, ValidationFailed
from services import audit, credit, notification_events
from services.context import Context, Page
from services.credit import Caller, entered_by
from services.misconduct import apply_sanctions
from services.pools import rederive


def file_appeal(ctx: Context, data: dict[str, Any], caller: Caller) -> dict[str, Any]:
    """The practitioner appeals a misconduct record or an evaluation within the appeal period."""
    record_id = str(data["record_id"]) if data.get("record_id") else None
    evaluation_id = str(data["evaluation_id"]) if data.get("evaluation_id") else None
    errors = validate_appeal(record_id, evaluation_id, data.get("text"))
    if errors:
        raise ValidationFailed(errors)
    kind = "record" if record_id else "evaluation"
    subject_id = record_id or evaluation_id
    assert subject_id is not None  # validate_appeal asked for exactly one of them
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
            subject, caller.role, caller.practitioner_id, ctx.today, credit.rules(ctx).appeal
        )
        repo.create_appeal(
            tx,
            id=appeal_id,
            subject=kind,
            subject_id=subject_id,
            text=data["text"],
            deadline=deadline,
            today=ctx.today,
            filed_by=entered_by(ctx),
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


def list_appeals(ctx: Context, status: str | None, page: int, per_page: int) -> Page:
    """A page of appeals, newest first."""
    return Page.of(ctx.graph.read(repo.list_appeals, status, (page - 1) * per_page, per_page))


def decide(ctx: Context, appeal_id: str, data: dict[str, Any]) -> dict[str, Any]:
    """An admin decides an appeal; `upheld` removes the record's or evaluation's effect, kept as history."""

    def work(tx: neo4j.ManagedTransaction) -> dict[str, Any]:
        appeal = found(repo.get_appeal(tx, appeal_id), "appeal", appeal_id)
        status = decide_appeal(appeal["status"], data.get("status"), data.get("reason"))
        practitioner_id = appeal["practitioner_id"]
        practitioner_repo.lock(tx, [practitioner_id])
        if not repo.decide_appeal(tx, appeal_id, status, data["reason"], ctx.today, entered_by(ctx)):
            raise Conflict("The appeal was decided meanwhile; read it again.")
        audit.record(
            tx, ctx, "appeal", appeal_id, "decide",
            before={"status": "pending"}, after={"status": status}, details={"reason": data["reason"]},
            subjects=[practitioner_id],
        )  # fmt: skip
        notification_events.appeal_decided(tx, appeal_id, practitioner_id, status)
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
