"""Participation certificates of public-welfare activities (issue 25): the signed PDF and its public page.

The person themself, the organizer's government key and an administrator may ask for the PDF of a counted
participation (registry/activities.py `counts`); the first request gives the participation its code (stored on the
JOINED row, recorded in the audit chain), later ones reuse it. The code opens the public page, which shows whose
participation it is (the name only), which activity and the hours — nothing else about the person.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import neo4j

from adapters import certificate_pdf, pdf_signing
from graph import activity_certificates as repo
from registry.activities import may_organize
from registry.documents import is_participation_code, new_participation_code
from registry.errors import NotFound, NotPermitted
from services import audit
from services.context import Context


def participation_certificate(
    ctx: Context,
    activity_id: str,
    practitioner_id: str,
    viewer: tuple[str, str | None, str | None],
    url_for_code: Callable[[str], str],
) -> bytes:
    """The signed PDF certifying a counted participation; `viewer` is (role, own practitioner id, organization id).
    NotFound for no such activity or a person who did not take part; NotPermitted for anyone else."""
    role, viewer_id, viewer_organization = viewer

    def work(tx: neo4j.ManagedTransaction) -> dict[str, Any]:
        found = repo.participation(tx, activity_id, practitioner_id)
        if found is None:
            raise NotFound(f"No activity with id {activity_id}.")
        if viewer_id != practitioner_id and not may_organize(
            role, viewer_organization, found["organizer_id"]
        ):
            raise NotPermitted(
                "Only the participant, the organizer or an administrator may have this certificate."
            )
        participation = found["participation"]
        if participation is None or not participation["counted"]:
            raise NotFound("This person has no counted participation in this activity.")
        if participation["code"] is None:
            code = repo.assign_code(tx, activity_id, practitioner_id, new_participation_code())
            audit.record(
                tx, ctx, "activity_certificate", code, "issue",
                details={"activity_id": activity_id}, subjects=[practitioner_id],
            )  # fmt: skip
            participation = participation | {"code": code}
        return participation

    participation = ctx.graph.write(work)
    activity = participation["activity"]
    code = participation["code"]
    facts = certificate_pdf.ParticipationFacts(
        code=code,
        holder=participation["holder"] or "",
        activity=activity["title"],
        organizer=activity.get("organizer") or "",
        dates=_dates(activity),
        hours=_hours(participation["hours"]),
        verify_url=url_for_code(code),
    )
    signer = pdf_signing.signer_from_env()
    return signer.sign(certificate_pdf.participation(facts), reason=f"公益活动参与证明 {code}")


def lookup(ctx: Context, code: str) -> dict[str, Any]:
    """The public facts behind a participation certificate's code: whose (the name), which activity, the hours."""
    found = ctx.graph.read(repo.by_code, code) if is_participation_code(code) else None
    if found is None:
        raise NotFound("No participation certificate with this code.")
    activity = found["activity"]
    return {
        "code": found["code"],
        "valid": bool(found["counted"]),
        "holder": found["holder"],
        "activity": {
            key: activity.get(key) for key in ("id", "title", "kind", "starts_on", "ends_on", "organizer")
        },
        "hours": found["hours"],
    }


def _dates(activity: dict[str, Any]) -> str:
    starts, ends = activity.get("starts_on"), activity.get("ends_on")
    if starts is None:
        return ""
    return starts.isoformat() if ends in (None, starts) else f"{starts.isoformat()} 至 {ends.isoformat()}"


def _hours(hours: float | None) -> str:
    return "—" if hours is None else f"{hours:g} 小时"
