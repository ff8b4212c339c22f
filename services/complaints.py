"""Complaints (投诉) about a practitioner or an engagement, triaged by an admin
(`received → investigating → upheld | dismissed`); an upheld one can create a misconduct record."""

from __future__ import annotations

import uuid
from typing import Any

import neo4j

from graph import complaints as repo
from graph import practitioners as practitioner_repo
from graph.records import found
from registry.appeals import COMPLAINANT_ROLES, next_complaint_status, validate_complaint
from registry.errors import Conflict, NotFound, ValidationFailed
from registry.misconduct import COMPLAINT_UPHELD, category_for
from services import audit, credit, notification_events
from services.context import Context, Page
from services.credit import Caller, NotAllowed, entered_by
from services.misconduct import write_record


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
            filed_by=entered_by(ctx),
            filer_role=caller.role,
            contact_email=data.get("contact_email"),
        )
        if not created:
            what, key = (
                ("practitioner", practitioner_id) if practitioner_id else ("engagement", engagement_id)
            )
            raise NotFound(f"No {what} with id {key}.")
        if practitioner_id:
            subjects = [practitioner_id]
        else:
            assert engagement_id is not None  # validate_complaint asked for one of the two
            subjects = repo.engagement_team(tx, engagement_id)
        audit.record(
            tx, ctx, "complaint", complaint_id, "file",
            after={"practitioner_id": practitioner_id, "engagement_id": engagement_id, "status": "received"},
            details={"text": "changed"}, subjects=subjects,
        )  # fmt: skip
        return found(repo.get_complaint(tx, complaint_id), "complaint", complaint_id)

    return ctx.graph.write(work)


def get_complaint(ctx: Context, complaint_id: str) -> dict[str, Any]:
    """One complaint with its steps, or NotFound."""
    return found(ctx.graph.read(repo.get_complaint, complaint_id), "complaint", complaint_id)


def list_complaints(ctx: Context, filters: dict[str, Any], page: int, per_page: int) -> Page:
    """A page of complaints, newest first."""
    return Page.of(ctx.graph.read(repo.list_complaints, filters, (page - 1) * per_page, per_page))


def decide_complaint(ctx: Context, complaint_id: str, data: dict[str, Any]) -> dict[str, Any]:
    """An admin moves a complaint on (received → investigating → upheld | dismissed), with a reason.

    An upheld complaint may create a misconduct record (`create_record: true`; category `complaint_upheld`
    unless `category` names another); for an engagement complaint `practitioner_id` names the team member.
    """
    wants_record = bool(data.get("create_record") or data.get("category"))
    if data.get("category") is not None:
        category_for(data["category"], credit.rules(ctx).catalogue)

    def work(tx: neo4j.ManagedTransaction) -> dict[str, Any]:
        complaint = found(repo.get_complaint(tx, complaint_id), "complaint", complaint_id)
        status = next_complaint_status(complaint["status"], data.get("status"), data.get("reason"))
        subject = _complaint_subject(tx, complaint, data, status) if wants_record else None
        if subject is not None:
            practitioner_repo.lock(tx, [subject])
        if not repo.set_complaint_status(
            tx, complaint_id, complaint["status"], status, data["reason"], entered_by(ctx)
        ):
            raise Conflict("The complaint changed meanwhile; read it again and retry.")
        audit.record(
            tx, ctx, "complaint", complaint_id, "decide",
            before={"status": complaint["status"]}, after={"status": status}, details={"reason": data["reason"]},
            subjects=[complaint["practitioner_id"]] if complaint.get("practitioner_id") else [],
        )  # fmt: skip
        notification_events.complaint_decided(tx, complaint_id, complaint.get("practitioner_id"), status)
        if subject is not None:
            write_record(
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
