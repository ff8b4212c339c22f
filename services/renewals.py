"""Renewal (续期): continuing-education hours within a certificate's validity, then the follow-on certificate.

The follow-on is issued through the certificate service (so the holder's pools follow in the same transaction)
and points back to the certificate it renews; that one keeps its own dates and expires as usual.
"""

from __future__ import annotations

import functools
import json
import uuid
from pathlib import Path
from typing import Any

import neo4j

from graph import certificates as certificate_repo
from graph import renewals as repo
from registry.certificates import CertificateFacts
from registry.errors import NotFound, ValidationFailed
from registry.renewal import (
    DEFAULT_RENEWAL,
    RenewalRule,
    check_renewal,
    counted_hours,
    follow_on_expiry,
    renewal_rule_from_mapping,
    validate_continuing_education,
    validate_follow_on,
)
from services import audit
from services import certificates as certificate_service
from services.context import Context


@functools.cache
def _rule_from_file(path: str | None) -> RenewalRule:
    if not path:
        return DEFAULT_RENEWAL
    data = json.loads(Path(path).read_text(encoding="utf-8"))
    return renewal_rule_from_mapping(data.get("renewal", {}))


def rule(ctx: Context) -> RenewalRule:
    """The renewal rule: neutral defaults, overridden by the `renewal` part of EXAM_RULES_FILE."""
    return _rule_from_file(ctx.settings.exam_rules_file)


def _locked_facts(tx: neo4j.ManagedTransaction, number: str) -> tuple[dict[str, Any], CertificateFacts]:
    if certificate_repo.lock_holder(tx, number) is None:
        raise NotFound(f"No certificate with number {number}.")
    data = repo.facts(tx, number)
    assert data is not None
    return data, CertificateFacts(**data["facts"])


def _summary(data: dict[str, Any], cert: CertificateFacts, renewal: RenewalRule) -> dict[str, Any]:
    return {
        "number": cert.number,
        "continuing_education": data["education"],
        "hours": counted_hours(cert, data["records"]),
        "required_hours": renewal.required_hours,
        "renewed_by": data["renewed_by"],
        "renews": data["renews"],
    }


def status(ctx: Context, number: str) -> dict[str, Any]:
    """A certificate's continuing-education hours within its validity, the requirement and its renewal links."""

    def work(tx: neo4j.ManagedTransaction) -> dict[str, Any]:
        data = repo.facts(tx, number)
        if data is None:
            raise NotFound(f"No certificate with number {number}.")
        return _summary(data, CertificateFacts(**data["facts"]), rule(ctx))

    return ctx.graph.read(work)


def add_continuing_education(ctx: Context, number: str, data: dict[str, Any]) -> dict[str, Any]:
    """Record continuing-education hours for a certificate (admin)."""
    renewal = rule(ctx)
    completed_on = data.get("completed_on") or ctx.today

    def work(tx: neo4j.ManagedTransaction) -> dict[str, Any]:
        stored, cert = _locked_facts(tx, number)
        errors = validate_continuing_education(cert, data.get("hours"), completed_on, ctx.today)
        if errors:
            raise ValidationFailed(errors)
        record = {
            "id": str(uuid.uuid4()),
            "hours": float(data["hours"]),
            "completed_on": completed_on,
            "provider": data.get("provider"),
        }
        repo.add_continuing_education(tx, number, record)
        audit.record(
            tx, ctx, "certificate", number, "continuing_education",
            details=record | {"completed_on": completed_on.isoformat()}, subjects=[stored["holder_id"]],
        )  # fmt: skip
        fresh = repo.facts(tx, number)
        assert fresh is not None
        return _summary(fresh, cert, renewal)

    return ctx.graph.write(work)


def renew(ctx: Context, number: str, data: dict[str, Any]) -> dict[str, Any]:
    """Issue the follow-on certificate `data["number"]` renewing certificate `number`; refused by the rule's checks."""
    renewal = rule(ctx)

    def work(tx: neo4j.ManagedTransaction) -> dict[str, Any]:
        stored, cert = _locked_facts(tx, number)
        hours = check_renewal(cert, stored["records"], stored["renewed_by"], ctx.today, renewal)
        issued_on = data.get("issued_on") or ctx.today
        expires_on = data.get("expires_on") or follow_on_expiry(cert, issued_on, renewal)
        errors = validate_follow_on(cert, issued_on, expires_on, ctx.today)
        if errors:
            raise ValidationFailed(errors)
        params = {
            "number": data["number"],
            "practitioner_id": stored["holder_id"],
            "work_type": cert.work_type,
            "level": cert.level,
            "issued_on": issued_on,
            "expires_on": expires_on,
            "issuer_id": stored["issuer_id"],
            "reason": f"renews certificate {number} ({hours:g} continuing-education hours)",
        }
        view = certificate_service.issue_in(tx, ctx, params)
        repo.link_renewal(tx, params["number"], number)
        audit.record(
            tx, ctx, "certificate", number, "renew",
            details={"follow_on": params["number"], "hours": hours}, subjects=[stored["holder_id"]],
        )  # fmt: skip
        return view | {"renews": number}

    return ctx.graph.write(work)
