"""Public-welfare activities, the organizer's side (issue 25): publish, list, read, change status, invite, confirm,
list participants. Attendance is services/activity_attendance.py; the practitioner's side (sign-up, invitations)
services/activity_participation.py.

Who may run an activity is `registry.activities.may_organize`: an administrator any, a government key bound to
the organizing organization its own. Every write is one transaction with its audit entry; nothing is deleted.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime
from typing import Any

import neo4j

from graph import activities as repo
from graph import organizations as organization_repo
from graph.records import found
from registry import activities as rules
from registry.errors import Conflict, NotFound
from services import activity_catalogue, audit, notifications, reference
from services.context import Context, Page

NEEDS_FIELDS: tuple[str, ...] = ("work_type", "min_level", "specialty", "industry")
CODE_FIELDS = {"region": "regions", "specialty": "specialties", "industry": "industries"}
CREATED_REASON = "published as a draft"


@dataclass(frozen=True)
class Caller:
    """The caller's role and, for a government key, the organization it is bound to."""

    role: str
    organization_id: str | None = None

    @property
    def is_admin(self) -> bool:
        return self.role == "admin"


def _props(data: dict[str, Any]) -> dict[str, Any]:
    """The stored properties of an activity from the validated request (needs flattened as the model says)."""
    needs = data.get("needs") or {}
    props = {
        key: data.get(key)
        for key in (
            "title",
            "kind",
            "description",
            "region",
            "place",
            "starts_on",
            "ends_on",
            "hours",
            "capacity",
        )
    }
    props["online"] = bool(data.get("online"))
    props |= {f"needs_{key}": needs.get(key) for key in NEEDS_FIELDS}
    return props


def _audited(view: dict[str, Any]) -> dict[str, Any]:
    return {
        "title": view["title"], "kind": view["kind"], "organizer_id": (view.get("organizer") or {}).get("id"),
        "region": view["region"], "starts_on": view["starts_on"], "ends_on": view["ends_on"],
        "hours": view["hours"], "capacity": view["capacity"], "status": view["status"],
    }  # fmt: skip


def publish(ctx: Context, caller: Caller, data: dict[str, Any]) -> dict[str, Any]:
    """Store a draft activity for `organizer_id` (admin any; a government key its own organization); 400 for
    inconsistent dates, hours or place and unknown codes, 403 for another organization, 404 for no organizer."""
    organizer_id = str(data["organizer_id"])
    rules.require_organizer(caller.role, caller.organization_id, organizer_id)
    rules.require_valid(
        data["starts_on"],
        data["ends_on"],
        data["hours"],
        data["capacity"],
        data.get("online"),
        data.get("place"),
    )
    needs = data.get("needs") or {}
    reference.check_codes(ctx.graph, {"region": data.get("region"), **needs}, CODE_FIELDS)
    activity_id = str(uuid.uuid4())

    def work(tx: neo4j.ManagedTransaction) -> dict[str, Any]:
        if not organization_repo.exists(tx, organizer_id):
            raise NotFound(f"No organization with id {organizer_id}.", field="organizer_id")
        view = found(
            repo.create(tx, activity_id, organizer_id, _props(data), CREATED_REASON),
            "organization",
            organizer_id,
        )
        audit.record(tx, ctx, "activity", activity_id, "create", after=_audited(view))
        return view

    return ctx.graph.write(work)


def _scope(caller: Caller) -> dict[str, Any]:
    """Which statuses the caller lists: admin all; a bound government key its own organization's too."""
    own = caller.organization_id if caller.role == "government" else None
    statuses = rules.STATUSES if caller.is_admin or own else rules.PUBLIC_STATUSES
    return {"all": caller.is_admin, "public": rules.PUBLIC_STATUSES, "own": own, "statuses": statuses}


def search(ctx: Context, caller: Caller, filters: dict[str, Any], page: int, per_page: int) -> Page:
    """A page of activities the caller may see (anyone: open and completed), latest start first; filtered and
    sorted over the process's catalogue (services/activity_catalogue.py), as graph.activities.search would."""
    filters = {
        **filters,
        "organizer_id": str(filters["organizer_id"]) if filters.get("organizer_id") else None,
    }
    return Page.of(activity_catalogue.search(ctx.graph, filters, _scope(caller), ctx.today, page, per_page))


def _notice(view: dict[str, Any], reason: str | None = None) -> dict[str, Any]:
    """What a notification about the activity says (registry/notifications.py renders it)."""
    return {"title": view["title"], "starts_on": view["starts_on"], "reason": reason}


def _organizes(caller: Caller, view: dict[str, Any]) -> bool:
    return rules.may_organize(caller.role, caller.organization_id, (view.get("organizer") or {}).get("id"))


def get(ctx: Context, caller: Caller, activity_id: str) -> dict[str, Any]:
    """The activity; others than its organizer and admins see it only while open or completed (404 otherwise),
    and without its history."""
    view = ctx.graph.read(repo.find, activity_id)
    if view is None or (not _organizes(caller, view) and view["status"] not in rules.PUBLIC_STATUSES):
        raise NotFound(f"No activity with id {activity_id}.")
    if not _organizes(caller, view):
        view = {key: value for key, value in view.items() if key != "history"}
    return view


def organized(tx: neo4j.ManagedTransaction, caller: Caller, activity_id: str) -> dict[str, Any]:
    """The activity under its lock, if the caller organizes it: 404 unknown, 403 not theirs."""
    if not repo.lock(tx, activity_id):
        raise NotFound(f"No activity with id {activity_id}.")
    view = found(repo.find(tx, activity_id), "activity", activity_id)
    rules.require_organizer(caller.role, caller.organization_id, (view.get("organizer") or {}).get("id"))
    return view


def change_status(ctx: Context, caller: Caller, activity_id: str, status: str, reason: str) -> dict[str, Any]:
    """Move the activity along draft → open → closed → completed, or cancel it (sign-ups are kept); each change
    keeps its reason. 409 for a change the status does not allow."""

    def work(tx: neo4j.ManagedTransaction) -> dict[str, Any]:
        current = organized(tx, caller, activity_id)
        rules.check_transition(current["status"], status, reason, current["starts_on"], ctx.today)
        repo.change_status(tx, activity_id, status, reason)
        people = (
            [p["practitioner"]["id"] for p in repo.participants(tx, activity_id)]
            if status == rules.CANCELLED
            else []
        )
        audit.record(
            tx, ctx, "activity", activity_id, "status",
            before={"status": current["status"]}, after={"status": status}, details={"reason": reason},
            subjects=people,
        )  # fmt: skip
        # Those who signed up are told, in this transaction (the outbox, services/notifications.py); their
        # participation stays, shown cancelled with the reason on /me/activities.
        for practitioner_id in people:
            notifications.enqueue(
                tx, practitioner_id, "activity_cancelled", _notice(current, reason), subject_id=activity_id,
                ref=f"activity_cancelled:{activity_id}:{practitioner_id}",
            )  # fmt: skip
        return found(repo.find(tx, activity_id), "activity", activity_id)

    return ctx.graph.write(work)


def invite(
    ctx: Context, caller: Caller, activity_id: str, practitioner_ids: list[str], deadline: datetime | None
) -> dict[str, Any]:
    """Invite people to an open activity; a row per person: 201 invited, 404 unknown or not active, 409 for
    someone who turned activity invitations off, is invited already or takes part already (those rows are skipped;
    the others are invited). 409 for an activity that is not open."""
    wanted = list(dict.fromkeys(str(pid) for pid in practitioner_ids))

    def work(tx: neo4j.ManagedTransaction) -> dict[str, Any]:
        view = organized(tx, caller, activity_id)
        if view["status"] != rules.OPEN:
            raise Conflict(f"The activity is {view['status']}; only an open activity sends invitations.")
        rows: list[dict[str, Any]] = []
        to_invite: list[dict[str, str]] = []
        for person in repo.invitees(tx, activity_id, wanted):
            row = {"practitioner_id": person["pid"]}
            if not person["active"]:
                rows.append(row | {"status": 404, "detail": "No active practitioner with this id."})
            elif not person["contact"]:
                rows.append(
                    row | {"status": 409, "detail": "This person does not accept activity invitations."}
                )
            elif person["invited"]:
                rows.append(row | {"status": 409, "detail": "Already invited to this activity."})
            elif person["joined"]:
                rows.append(row | {"status": 409, "detail": "Already takes part in this activity."})
            else:
                invitation_id = str(uuid.uuid4())
                to_invite.append({"id": invitation_id, "practitioner_id": person["pid"]})
                rows.append(row | {"status": 201, "invitation_id": invitation_id})
        if to_invite:
            repo.invite(tx, activity_id, to_invite, deadline)
            for invitation in to_invite:
                notifications.enqueue(
                    tx, invitation["practitioner_id"], "activity_invitation", _notice(view), subject_id=activity_id,
                    ref=f"activity_invitation:{invitation['id']}",
                )  # fmt: skip
            audit.record(
                tx, ctx, "activity", activity_id, "invite",
                details={"invited": len(to_invite), "skipped": len(rows) - len(to_invite)},
                subjects=[row["practitioner_id"] for row in to_invite],
            )  # fmt: skip
        return {"activity_id": activity_id, "invited": len(to_invite), "skipped": len(rows) - len(to_invite),
                "rows": rows}  # fmt: skip

    return ctx.graph.write(work)


def invitations(ctx: Context, caller: Caller, activity_id: str) -> list[dict[str, Any]]:
    """The activity's invitations and their answers (organizer, admin)."""

    def work(tx: neo4j.ManagedTransaction) -> list[dict[str, Any]]:
        view = found(repo.find(tx, activity_id), "activity", activity_id)
        rules.require_organizer(caller.role, caller.organization_id, (view.get("organizer") or {}).get("id"))
        return repo.invitations(tx, activity_id)

    return ctx.graph.read(work)


def participants(ctx: Context, caller: Caller, activity_id: str) -> list[dict[str, Any]]:
    """Everyone who signed up, with their status, hours and whether it counts (organizer, admin)."""

    def work(tx: neo4j.ManagedTransaction) -> list[dict[str, Any]]:
        view = found(repo.find(tx, activity_id), "activity", activity_id)
        rules.require_organizer(caller.role, caller.organization_id, (view.get("organizer") or {}).get("id"))
        return repo.participants(tx, activity_id)

    return ctx.graph.read(work)


def confirm(ctx: Context, caller: Caller, activity_id: str, practitioner_id: str) -> dict[str, Any]:
    """Confirm a person's sign-up (organizer, admin): 404 when they never signed up, 409 when it is not a sign-up
    any more or the activity is not open or closed."""

    def work(tx: neo4j.ManagedTransaction) -> dict[str, Any]:
        view = organized(tx, caller, activity_id)
        status = repo.join_status(tx, activity_id, practitioner_id)
        if status is None:
            raise NotFound(f"Practitioner {practitioner_id} has not signed up for this activity.")
        if problem := rules.confirm_problem(status, view["status"]):
            raise Conflict(problem, participation_status=status)
        joined = repo.confirm(tx, activity_id, practitioner_id)
        audit.record(
            tx, ctx, "activity", activity_id, "confirm",
            before={"participation": status}, after={"participation": joined["status"]}, subjects=[practitioner_id],
        )  # fmt: skip
        return joined | {"practitioner_id": practitioner_id, "activity_id": activity_id}

    return ctx.graph.write(work)
