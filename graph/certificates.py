"""Certificates in the graph: issue, status changes with their events, the expiry batch, verification."""

from __future__ import annotations

from datetime import date
from typing import Any

import neo4j

from graph.cypher import cypher
from graph.records import native
from graph.views import certificate_as_of
from registry.certificates import CertificateFacts

CERTIFICATE_VIEW = """
c {.number, .work_type, .level, .status, .status_reason, .status_changed_at, .issued_on, .expires_on, .created_at,
   work_type_name_zh: w.name_zh, level_name_zh: l.name_zh,
   holder: h {.id, .name, .status},
   issuer: i {.id, .name},
   history: COLLECT { MATCH (c)-[:HAS_EVENT]->(e:CertificateEvent)
                      RETURN e {.action, .from_status, .to_status, .reason, .at} ORDER BY e.at, e.seq }
}
"""

GET_CERTIFICATE = cypher(
    """
MATCH (h:Practitioner)-[:HOLDS]->(c:Certificate {number: $number})
MATCH (c)-[:OF_WORK_TYPE]->(w:WorkType), (c)-[:AT_LEVEL]->(l:Level)
OPTIONAL MATCH (c)-[:ISSUED_BY]->(i:Organization)
RETURN""",
    CERTIFICATE_VIEW,
    "AS certificate",
)

# The holder's lock first: a lifecycle change reads the status only once no other change of this person's
# certificates or pools is in flight, so two changes can never both act on the same old status.
LOCK_HOLDER = """
MATCH (h:Practitioner)-[:HOLDS]->(:Certificate {number: $number})
SET h._lock = true
REMOVE h._lock
RETURN h.id AS holder_id
"""

ISSUE_CHECKS = """
OPTIONAL MATCH (existing:Certificate {number: $number})
OPTIONAL MATCH (p:Practitioner {id: $practitioner_id})
OPTIONAL MATCH (issuer:Organization {id: $issuer_id})
RETURN existing IS NOT NULL AS duplicate, p.status AS holder_status, issuer IS NOT NULL AS issuer_exists
"""

ISSUE = """
MATCH (p:Practitioner {id: $practitioner_id})
MATCH (w:WorkType {code: $work_type}), (l:Level {rank: $level}), (issuer:Organization {id: $issuer_id})
CREATE (c:Certificate {number: $number, work_type: $work_type, level: $level, status: 'valid',
                       issued_on: $issued_on, expires_on: $expires_on,
                       created_at: datetime(), status_changed_at: datetime()})
CREATE (p)-[:HOLDS]->(c), (c)-[:OF_WORK_TYPE]->(w), (c)-[:AT_LEVEL]->(l), (c)-[:ISSUED_BY]->(issuer)
CREATE (c)-[:HAS_EVENT]->(:CertificateEvent {action: 'issue', to_status: 'valid', reason: $reason,
                                             at: datetime(), seq: 0})
"""

FACTS = """
MATCH (h:Practitioner)-[:HOLDS]->(c:Certificate {number: $number})
RETURN c {.number, .work_type, .level, .status, .issued_on, .expires_on} AS facts, h.id AS holder_id
"""

CHANGE_STATUS = """
MATCH (c:Certificate {number: $number})
SET c.status = $to_status, c.status_reason = $reason, c.status_changed_at = datetime()
CREATE (c)-[:HAS_EVENT]->(:CertificateEvent {action: $action, from_status: $from_status, to_status: $to_status,
                                             reason: $reason, at: datetime(),
                                             seq: COUNT { (c)-[:HAS_EVENT]->() }})
"""

DUE_TO_EXPIRE = """
MATCH (h:Practitioner)-[:HOLDS]->(c:Certificate)
WHERE c.status = 'valid' AND c.expires_on < $today
WITH h, c LIMIT $batch
RETURN collect(c.number) AS numbers, collect(DISTINCT h.id) AS holders
"""

# Run after the holders' locks are held, so the status is re-read: a certificate suspended meanwhile stays so.
EXPIRE = """
UNWIND $numbers AS number
MATCH (c:Certificate {number: number})
WHERE c.status = 'valid' AND c.expires_on < $today
SET c.status = 'expired', c.status_reason = $reason, c.status_changed_at = datetime()
CREATE (c)-[:HAS_EVENT]->(:CertificateEvent {action: 'expire', from_status: 'valid', to_status: 'expired',
                                             reason: $reason, at: datetime(),
                                             seq: COUNT { (c)-[:HAS_EVENT]->() }})
RETURN count(c) AS expired
"""

VERIFY = """
MATCH (h:Practitioner)-[:HOLDS]->(c:Certificate {number: $number})
WHERE h.name = $name
MATCH (c)-[:OF_WORK_TYPE]->(w:WorkType), (c)-[:AT_LEVEL]->(l:Level)
RETURN c {.number, .work_type, .level, .status, .issued_on, .expires_on,
          work_type_name_zh: w.name_zh, level_name_zh: l.name_zh, holder: h.name,
          holder_status: h.status} AS certificate
"""


def view(tx: neo4j.ManagedTransaction, number: str, today: date) -> dict[str, Any] | None:
    """One certificate with holder, issuer and history, its status as of `today`; None when unknown."""
    record = tx.run(GET_CERTIFICATE, number=number).single()
    return certificate_as_of(native(record["certificate"]), today) if record else None


def lock_holder(tx: neo4j.ManagedTransaction, number: str) -> str | None:
    """Take the write lock of the certificate's holder; the holder's id, or None for an unknown number."""
    record = tx.run(LOCK_HOLDER, number=number).single()
    return record["holder_id"] if record else None


def facts(tx: neo4j.ManagedTransaction, number: str) -> CertificateFacts | None:
    """The stored facts the lifecycle rules decide on."""
    record = tx.run(FACTS, number=number).single()
    return CertificateFacts(**native(record["facts"])) if record else None


def issue_checks(tx: neo4j.ManagedTransaction, params: dict[str, Any]) -> dict[str, Any]:
    """Whether the number is taken, the holder's status (None when unknown), whether the issuer exists."""
    return tx.run(ISSUE_CHECKS, params).single().data()


def create(tx: neo4j.ManagedTransaction, params: dict[str, Any]) -> None:
    """Create a valid certificate with its links and its `issue` event."""
    tx.run(ISSUE, params).consume()


def change_status(
    tx: neo4j.ManagedTransaction, number: str, action: str, from_status: str, to_status: str, reason: str
) -> None:
    """Write a new status and the event recording the change."""
    tx.run(
        CHANGE_STATUS,
        number=number,
        action=action,
        reason=reason,
        from_status=from_status,
        to_status=to_status,
    ).consume()


def due_to_expire(tx: neo4j.ManagedTransaction, today: date, batch: int) -> tuple[list[str], list[str]]:
    """Up to `batch` valid certificates past expires_on: (their numbers, their holders' ids)."""
    record = tx.run(DUE_TO_EXPIRE, today=today, batch=batch).single()
    return record["numbers"], record["holders"]


def expire(tx: neo4j.ManagedTransaction, numbers: list[str], today: date, reason: str) -> int:
    """Mark these certificates expired if they still are valid and past expiry; how many were."""
    return tx.run(EXPIRE, numbers=numbers, today=today, reason=reason).single()["expired"]


def verification(tx: neo4j.ManagedTransaction, number: str, name: str, today: date) -> dict[str, Any] | None:
    """The public facts of certificate `number` if `name` is its holder's, status as of `today`."""
    record = tx.run(VERIFY, number=number, name=name).single()
    return certificate_as_of(native(record["certificate"]), today) if record else None
