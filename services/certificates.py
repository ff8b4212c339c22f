"""Certificates: issue, lifecycle (suspend, reinstate, revoke, expire) and public verification.

Every change is one transaction that first takes the holder's lock, then reads the status, writes it with
an event and a reason, re-derives the holder's pools and records the audit entry — so concurrent changes
of one person's certificates run one after the other and never act on a status that is already gone.
"""

from __future__ import annotations

from typing import Any

import neo4j

from graph import certificates as repo
from graph import practitioners as practitioner_repo
from graph.records import found
from graph.reference import DEFAULT_ISSUER_ID
from registry.certificates import CertificateFacts, effective_status, next_status, verification
from registry.errors import Conflict, NotFound, ValidationFailed
from services import audit, misconduct
from services.context import Context
from services.pools import rederive

EXPIRY_BATCH = 1000


def issue(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    """Issue a certificate to an existing, undeleted practitioner; their pools follow in the same transaction."""
    return ctx.graph.write(issue_in, ctx, data)


def issue_in(tx: neo4j.ManagedTransaction, ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    """`issue` inside the caller's transaction, for use cases that issue as one step of more (exam results,
    renewals): the holder's lock, the checks, the certificate, its pools and the audit entry; the view."""
    params = {
        "number": data["number"],
        "practitioner_id": str(data["practitioner_id"]),
        "work_type": data["work_type"],
        "level": data["level"],
        "issued_on": data["issued_on"],
        "expires_on": data.get("expires_on"),
        "issuer_id": str(data.get("issuer_id") or DEFAULT_ISSUER_ID),
        "reason": data.get("reason"),
    }
    practitioner_repo.lock(tx, [params["practitioner_id"]])
    check = repo.issue_checks(tx, params)
    if check["duplicate"]:
        raise Conflict(f"Certificate number {params['number']} is already issued.", number=params["number"])
    errors: dict[str, list[str]] = {}
    if check["holder_status"] is None:
        errors["practitioner_id"] = [f"No practitioner with id {params['practitioner_id']}."]
    elif check["holder_status"] == "deleted":
        errors["practitioner_id"] = ["This practitioner is deleted; restore them before issuing."]
    if not check["issuer_exists"]:
        errors["issuer_id"] = [f"No organization with id {params['issuer_id']}."]
    if errors:
        raise ValidationFailed(errors)
    repo.create(tx, params)
    rederive(tx, [params["practitioner_id"]], ctx.today)
    view = found(repo.view(tx, params["number"], ctx.today), "certificate", params["number"])
    audit.record(
        tx, ctx, "certificate", params["number"], "issue",
        after={k: v for k, v in params.items() if k != "reason"}, subjects=[params["practitioner_id"]],
    )  # fmt: skip
    return view


def get(ctx: Context, number: str) -> dict[str, Any]:
    """One certificate with its holder, issuer and history, its status as of today."""
    return found(ctx.graph.read(repo.view, number, ctx.today), "certificate", number)


def change_status(ctx: Context, number: str, action: str, reason: str) -> dict[str, Any]:
    """Suspend, reinstate or revoke; `registry.certificates` decides what the current status allows."""

    def work(tx: neo4j.ManagedTransaction) -> dict[str, Any]:
        # The holder's lock before reading the status, see the module docstring.
        holder_id = found(repo.lock_holder(tx, number), "certificate", number)
        facts = found(repo.facts(tx, number), "certificate", number)
        from_status = effective_status(facts, ctx.today)
        to_status = next_status(facts, action, ctx.today)
        repo.change_status(tx, number, action, from_status, to_status, reason)
        rederive(tx, [holder_id], ctx.today)
        audit.record(
            tx, ctx, "certificate", number, action,
            before={"status": from_status}, after={"status": to_status}, details={"reason": reason},
            subjects=[holder_id],
        )  # fmt: skip
        if to_status == "revoked":
            misconduct.record_revocation(
                tx, ctx, holder_id, number, reason
            )  # a revocation is a misconduct record
        return found(repo.view(tx, number, ctx.today), "certificate", number)

    return ctx.graph.write(work)


def expire_due(ctx: Context, batch: int = EXPIRY_BATCH) -> int:
    """Mark valid certificates past expires_on as expired, batch by batch; the number expired."""
    reason = f"expired on its expires_on date (job run {ctx.today.isoformat()})"

    def work(tx: neo4j.ManagedTransaction) -> tuple[int, bool]:
        numbers, holders = repo.due_to_expire(tx, ctx.today, batch)
        if not numbers:
            return 0, False
        practitioner_repo.lock(tx, holders)
        expired = repo.expire(tx, numbers, ctx.today, reason)
        rederive(tx, holders, ctx.today)
        audit.record(
            tx,
            ctx,
            "certificate",
            None,
            "expire",
            details={"numbers": numbers, "reason": reason},
            subjects=holders,
        )
        return expired, True

    total, more = 0, True
    while more:
        expired, more = ctx.graph.write(work)
        total += expired
    return total


def verify(ctx: Context, number: str, name: str) -> dict[str, Any]:
    """The public facts of certificate `number` if `name` is its holder's; NotFound otherwise.

    A certificate verifies as valid only when it is valid today *and* its holder is active: a suspended
    holder's certificates answer valid: false with the reason, and so do a deleted holder's.
    """
    view = ctx.graph.read(repo.verification, number, name, ctx.today)
    if view is None:
        # The same answer for an unknown number and a wrong name: no way to learn who holds a number.
        raise NotFound("No certificate matches this number and holder name.")
    facts = CertificateFacts(**{key: view[key] for key in CertificateFacts.__dataclass_fields__})
    valid, reason = verification(facts, view.pop("holder_status"), ctx.today)
    return view | {"valid": valid, "reason": reason}
