"""API keys: stored as keyed hashes only; the key itself is shown once, when created."""

from __future__ import annotations

from typing import Any

import neo4j

CREATE_KEY = """
CREATE (k:ApiKey {hash: $hash, prefix: $prefix, role: $role, label: $label, created_at: datetime(), revoked: false,
                  practitioner_id: $practitioner_id, organization_id: $organization_id})
RETURN k {.prefix, .role, .label, .practitioner_id, .organization_id, created_at: toString(k.created_at)} AS key
"""

FIND_KEY = """
MATCH (k:ApiKey {hash: $hash}) WHERE NOT k.revoked
RETURN k {.role, .prefix, .label, .practitioner_id, .organization_id} AS key
"""

REVOKE_KEY = """
MATCH (k:ApiKey {prefix: $prefix}) WHERE NOT k.revoked
SET k.revoked = true, k.revoked_at = datetime()
RETURN count(k) AS revoked
"""

LIST_KEYS = """
MATCH (k:ApiKey)
RETURN k {.prefix, .role, .label, .revoked, .practitioner_id, .organization_id, created_at: toString(k.created_at)}
       AS key ORDER BY k.created_at
"""


def create_key(
    tx: neo4j.ManagedTransaction,
    key_hash: str,
    prefix: str,
    role: str,
    label: str,
    practitioner_id: str | None = None,
    organization_id: str | None = None,
) -> dict[str, Any]:
    """Store a new key's hash, role and binding (a practitioner's own key, a client's or department's organization)."""
    return tx.run(
        CREATE_KEY, hash=key_hash, prefix=prefix, role=role, label=label,
        practitioner_id=practitioner_id, organization_id=organization_id,
    ).single()["key"]  # fmt: skip


def key_for_hash(tx: neo4j.ManagedTransaction, key_hash: str) -> dict[str, Any] | None:
    """The role, prefix, label and binding of an active key with this hash, or None."""
    record = tx.run(FIND_KEY, hash=key_hash).single()
    return record["key"] if record else None


def revoke_key(tx: neo4j.ManagedTransaction, prefix: str) -> int:
    """Revoke the active key(s) with this public prefix; the number revoked."""
    return tx.run(REVOKE_KEY, prefix=prefix).single()["revoked"]


def list_keys(tx: neo4j.ManagedTransaction) -> list[dict[str, Any]]:
    """Every key's public prefix, role, label and binding (never the hash)."""
    return [r["key"] for r in tx.run(LIST_KEYS)]
