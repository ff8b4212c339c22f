"""Portal sessions kept server-side: the cookie holds only a random id; the graph holds a keyed hash of it.

A session is tied to the key it was opened with (`OPENED_WITH`): it works only while that key does, and revoking
the key ends its sessions in the same transaction.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import neo4j

CREATE_SESSION = """
MATCH (k:ApiKey {hash: $key_hash}) WHERE NOT k.revoked
CREATE (s:WebSession {id_hash: $id_hash, role: $role, key_prefix: $prefix, label: $label,
                      practitioner_id: $practitioner_id, organization_id: $organization_id,
                      csrf: $csrf, created_at: datetime(), expires_at: $expires_at})-[:OPENED_WITH]->(k)
"""

# An expired or ended session is not returned: it simply stops working. So is one whose key is revoked (ended
# with it, or revoked while the session was being opened), or that names no key (opened before sessions had one).
FIND_SESSION = """
MATCH (s:WebSession {id_hash: $id_hash})-[:OPENED_WITH]->(k:ApiKey)
WHERE s.ended_at IS NULL AND s.expires_at > $now AND NOT k.revoked
RETURN s {.role, .key_prefix, .label, .practitioner_id, .organization_id, .csrf} AS session
"""

END_SESSIONS_OF_KEY = """
MATCH (s:WebSession)-[:OPENED_WITH]->(:ApiKey {prefix: $prefix})
WHERE s.ended_at IS NULL
SET s.ended_at = datetime(), s.ended_because = 'key revoked'
RETURN count(s) AS ended
"""

END_SESSIONS_OF_PERSON = """
MATCH (s:WebSession)-[:OPENED_WITH]->(:ApiKey {practitioner_id: $practitioner_id})
WHERE s.ended_at IS NULL
SET s.ended_at = datetime(), s.ended_because = 'key revoked'
RETURN count(s) AS ended
"""

END_SESSION = "MATCH (s:WebSession {id_hash: $id_hash}) WHERE s.ended_at IS NULL SET s.ended_at = datetime()"


def create(
    tx: neo4j.ManagedTransaction,
    id_hash: str,
    key_hash: str,
    principal: dict[str, Any],
    csrf: str,
    expires_at: datetime,
) -> None:
    """Store a new session for a key's principal (role, prefix, label, bindings), tied to the key."""
    tx.run(
        CREATE_SESSION, id_hash=id_hash, key_hash=key_hash, role=principal["role"], prefix=principal.get("prefix"),
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


def end_for_key(tx: neo4j.ManagedTransaction, prefix: str) -> int:
    """End every live session opened with the key(s) of this prefix (the key is being revoked); how many."""
    return tx.run(END_SESSIONS_OF_KEY, prefix=prefix).single(strict=True)["ended"]


def end_for_person(tx: neo4j.ManagedTransaction, practitioner_id: str) -> int:
    """End every live session opened with a key bound to this person (their keys are being revoked); how many."""
    return tx.run(END_SESSIONS_OF_PERSON, practitioner_id=practitioner_id).single(strict=True)["ended"]
