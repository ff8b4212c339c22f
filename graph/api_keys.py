"""API keys: stored as keyed hashes only; the key itself is shown once, when created."""

from __future__ import annotations

from typing import Any

import neo4j

from graph.driver import Graph

CREATE_KEY = """
CREATE (k:ApiKey {hash: $hash, prefix: $prefix, role: $role, label: $label, created_at: datetime(), revoked: false})
RETURN k {.prefix, .role, .label, created_at: toString(k.created_at)} AS key
"""

FIND_KEY = "MATCH (k:ApiKey {hash: $hash}) WHERE NOT k.revoked RETURN k.role AS role"

REVOKE_KEY = """
MATCH (k:ApiKey {prefix: $prefix}) WHERE NOT k.revoked
SET k.revoked = true, k.revoked_at = datetime()
RETURN count(k) AS revoked
"""

LIST_KEYS = """
MATCH (k:ApiKey)
RETURN k {.prefix, .role, .label, .revoked, created_at: toString(k.created_at)} AS key ORDER BY k.created_at
"""


def create_key(graph: Graph, key_hash: str, prefix: str, role: str, label: str) -> dict[str, Any]:
    """Store a new key's hash and role."""

    def work(tx: neo4j.ManagedTransaction) -> dict[str, Any]:
        return tx.run(CREATE_KEY, hash=key_hash, prefix=prefix, role=role, label=label).single()["key"]

    return graph.write(work)


def role_for_hash(graph: Graph, key_hash: str) -> str | None:
    """The role of an active key with this hash, or None."""

    def work(tx: neo4j.ManagedTransaction) -> str | None:
        record = tx.run(FIND_KEY, hash=key_hash).single()
        return record["role"] if record else None

    return graph.read(work)


def revoke_key(graph: Graph, prefix: str) -> int:
    """Revoke the active key(s) with this public prefix; the number revoked."""
    return graph.write(lambda tx: tx.run(REVOKE_KEY, prefix=prefix).single()["revoked"])


def list_keys(graph: Graph) -> list[dict[str, Any]]:
    """Every key's public prefix, role and label (never the hash)."""
    return graph.read(lambda tx: [r["key"] for r in tx.run(LIST_KEYS)])
