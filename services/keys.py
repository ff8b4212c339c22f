"""API keys: created and shown once, stored as keyed hashes, bound to a practitioner or (client and government
keys) an organization."""

from __future__ import annotations

import hashlib
import hmac
from typing import Any

import neo4j

from graph import api_keys as repo
from graph import organizations as organization_repo
from graph import practitioners as practitioner_repo
from graph import web_sessions as session_repo
from registry.errors import NotFound, ValidationFailed
from registry.tokens import new_secret
from services import audit
from services.context import Context

ROLES: tuple[str, ...] = ("admin", "government", "client", "practitioner")
# Keys that may be bound to an organization: a client's own, a government department's.
ORGANIZATION_ROLES: tuple[str, ...] = ("client", "government")
KEY_PREFIX = "cmr_"
PREFIX_LENGTH = 12


def hash_key(key: str, secret: bytes) -> str:
    """The stored form of an API key."""
    return hmac.new(secret, key.encode(), hashlib.sha256).hexdigest()


def new_key() -> str:
    """A fresh random API key: the prefix and 43 letters and digits (256 bits)."""
    return KEY_PREFIX + new_secret(43)


def create(
    ctx: Context,
    role: str,
    label: str = "",
    *,
    practitioner_id: str | None = None,
    organization_id: str | None = None,
) -> tuple[str, dict[str, Any]]:
    """A new key (returned once, never stored) and its stored record.

    A `practitioner` key must be bound to a practitioner; a `client` key may be bound to an organization (it
    reads that organization's own records), and so may a `government` key (a department: it publishes and runs
    that organization's public-welfare activities, registry/activities.py `may_organize`).
    """
    errors: dict[str, list[str]] = {}
    if role not in ROLES:
        errors["role"] = [f"Must be one of: {', '.join(ROLES)}."]
    if (role == "practitioner") != (practitioner_id is not None):
        errors["practitioner_id"] = [
            "A practitioner key, and only a practitioner key, names its practitioner."
        ]
    if organization_id is not None and role not in ORGANIZATION_ROLES:
        errors["organization_id"] = ["Only client and government keys are bound to an organization."]
    if errors:
        raise ValidationFailed(errors)
    key = new_key()

    def work(tx: neo4j.ManagedTransaction) -> dict[str, Any]:
        if practitioner_id is not None:
            practitioner_repo.require(tx, practitioner_id)
        if organization_id is not None and not organization_repo.exists(tx, organization_id):
            raise ValidationFailed({"organization_id": [f"No organization with id {organization_id}."]})
        record = repo.create_key(
            tx, hash_key(key, ctx.settings.api_key_key), key[:PREFIX_LENGTH], role, label,
            practitioner_id, organization_id,
        )  # fmt: skip
        audit.record(
            tx, ctx, "api_key", record["prefix"], "create",
            after={"role": role, "label": label, "practitioner_id": practitioner_id,
                   "organization_id": organization_id},
            subjects=[practitioner_id] if practitioner_id else [],
        )  # fmt: skip
        return record

    return key, ctx.graph.write(work)


def principal_for(ctx: Context, key: str) -> dict[str, Any] | None:
    """The role, prefix, label and binding of an active key, or None."""
    return ctx.graph.read(repo.key_for_hash, hash_key(key, ctx.settings.api_key_key))


def revoke(ctx: Context, prefix: str) -> int:
    """Revoke the active key(s) with this public prefix, and end the portal sessions opened with them; the number
    revoked."""

    def work(tx: neo4j.ManagedTransaction) -> int:
        revoked = repo.revoke_key(tx, prefix)
        if revoked:
            sessions = session_repo.end_for_key(tx, prefix)
            audit.record(
                tx, ctx, "api_key", prefix, "revoke", details={"revoked": revoked, "sessions_ended": sessions}
            )
        return revoked

    return ctx.graph.write(work)


def list_all(ctx: Context) -> list[dict[str, Any]]:
    """Every key's prefix, role, label and binding (never the hash)."""
    return ctx.graph.read(repo.list_keys)


def issue_for_organization(ctx: Context, organization_id: str, role: str, label: str) -> dict[str, Any]:
    """A new client or government key bound to the organization (admin): the key itself is in the answer, once;
    404 for an unknown organization."""
    if not ctx.graph.read(organization_repo.exists, organization_id):
        raise NotFound(f"No organization with id {organization_id}.")
    key, record = create(ctx, role, label, organization_id=organization_id)
    return {"key": key, **record}
