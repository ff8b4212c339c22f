"""Portal sessions kept server-side: the cookie holds only a random id; the graph holds a keyed hash of it."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import neo4j

CREATE_SESSION = """
CREATE (s:WebSession {id_hash: $id_hash, role: $role, key_prefix: $prefix, label: $label,
                      practitioner_id: $practitioner_id, organization_id: $organization_id,
                      csrf: $csrf, created_at: datetime(), expires_at: $expires_at})
"""

# An expired or ended session is not returned: it simply stops working.
FIND_SESSION = """
MATCH (s:WebSession {id_hash: $id_hash})
WHERE s.ended_at IS NULL AND s.expires_at > $now
RETURN s {.role, .key_prefix, .label, .practitioner_id, .organization_id, .csrf} AS session
"""

END_SESSION = "MATCH (s:WebSession {id_hash: $id_hash}) WHERE s.ended_at IS NULL SET s.ended_at = datetime()"


def create(
    tx: neo4j.ManagedTransaction, id_hash: str, principal: dict[str, Any], csrf: str, expires_at: datetime
) -> None:
    """Store a new session for a key's principal (role, prefix, label, bindings)."""
    tx.run(
        CREATE_SESSION, id_hash=id_hash, role=principal["role"], prefix=principal.get("prefix"),
        label=principal.get("label"), practitioner_id=principal.get("practitioner_id"),
        organization_id=principal.get("organization_id"), csrf=csrf, expires_at=expires_at,
    ).consume()  # fmt: skip


def find(tx: neo4j.ManagedTransaction, id_hash: str, now: datetime) -> dict[str, Any] | None:
    """The live session with this id hash, or None."""
    record = tx.run(FIND_SESSION, id_hash=id_hash, now=now).single()
    return record["session"] if record else None


def end(tx: neo4j.ManagedTransaction, id_hash: str) -> None:
    """End a session (logout); it is kept, marked ended."""
    tx.run(END_SESSION, id_hash=id_hash).consume()
