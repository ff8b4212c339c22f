"""Bulk writes with UNWIND: the certificates, organizations and engagements of imported files and synthetic registries.

A batch of them is written, with its people and their derived pools, in one transaction by services/batches.py
`write_batch`. Certificates are matched on their number and engagements on their id; ones already stored are left
as they are.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import neo4j

from graph.reference import DEFAULT_ISSUER_ID

CREATE_CERTIFICATES = """
MATCH (issuer:Organization {id: $issuer_id})
UNWIND $certificates AS row
MATCH (p:Practitioner {id_card_hash: row.holder_hash})
MATCH (w:WorkType {code: row.work_type}), (l:Level {rank: row.level})
WHERE NOT EXISTS { MATCH (:Certificate {number: row.number}) }
CREATE (c:Certificate {number: row.number, work_type: row.work_type, level: row.level, status: row.status,
                       status_reason: row.status_reason, issued_on: row.issued_on, expires_on: row.expires_on,
                       created_at: datetime(), status_changed_at: datetime()})
CREATE (p)-[:HOLDS]->(c), (c)-[:OF_WORK_TYPE]->(w), (c)-[:AT_LEVEL]->(l), (c)-[:ISSUED_BY]->(issuer)
CREATE (c)-[:HAS_EVENT]->(:CertificateEvent {action: 'import', to_status: row.status, reason: $reason,
                                             import_batch: $import_batch, at: datetime(), seq: 0})
RETURN count(c) AS created, collect(DISTINCT p.id) AS holders
"""

UPSERT_ORGANIZATIONS = """
UNWIND $organizations AS row
MERGE (o:Organization {id: row.id})
ON CREATE SET o.name = row.name, o.kind = row.kind, o.uscc = row.uscc, o.created_at = datetime(),
              o.updated_at = datetime()
WITH o, row
CALL (o, row) { MATCH (r:Region {code: row.region}) MERGE (o)-[:LOCATED_IN]->(r) }
CALL (o, row) { MATCH (i:Industry {code: row.industry}) MERGE (o)-[:IN_INDUSTRY]->(i) }
RETURN count(o) AS organizations
"""

CREATE_ENGAGEMENTS = """
UNWIND $engagements AS row
MERGE (e:Engagement {id: row.id})
ON CREATE SET e.title = row.title, e.kind = row.kind, e.start_on = row.start_on, e.end_on = row.end_on,
              e.status = row.status, e.created_at = datetime(), e.updated_at = datetime(), e._new = true
WITH e, row WHERE e._new
REMOVE e._new
WITH e, row
CALL (e, row) { MATCH (o:Organization {id: row.client_id}) CREATE (e)-[:FOR_CLIENT]->(o) }
CALL (e, row) { MATCH (i:Industry {code: row.industry}) CREATE (e)-[:IN_INDUSTRY]->(i) }
CALL (e, row) { MATCH (r:Region {code: row.region}) CREATE (e)-[:IN_REGION]->(r) }
CALL (e, row) {
  UNWIND row.team AS member
  MATCH (p:Practitioner {id: member.practitioner_id})
  CREATE (p)-[:WORKED_ON {role: member.role}]->(e)
}
RETURN count(e) AS created
"""


ANY_PRACTITIONER = "RETURN EXISTS { (:Practitioner) } AS any"


def certificate_row(
    *,
    holder_hash: str,
    number: str,
    work_type: str,
    level: int,
    issued_on: date,
    expires_on: date | None,
    status: str = "valid",
    status_reason: str | None = None,
) -> dict[str, Any]:
    """A certificate as CREATE_CERTIFICATES expects it."""
    return {
        "holder_hash": holder_hash, "number": number, "work_type": work_type, "level": level,
        "issued_on": issued_on, "expires_on": expires_on, "status": status, "status_reason": status_reason,
    }  # fmt: skip


def create_certificates(
    tx: neo4j.ManagedTransaction, certificates: list[dict[str, Any]], *, reason: str, import_batch: str | None
) -> tuple[int, list[str]]:
    """Create the certificates (`certificate_row`s) whose numbers are not stored yet, each with its import event;
    how many were created and the ids of their holders."""
    record = tx.run(
        CREATE_CERTIFICATES, certificates=certificates, issuer_id=DEFAULT_ISSUER_ID, reason=reason,
        import_batch=import_batch,
    ).single()  # fmt: skip
    return record["created"], record["holders"]


def upsert_organizations(tx: neo4j.ManagedTransaction, organizations: list[dict[str, Any]]) -> int:
    """MERGE organizations by id (synthetic registries)."""
    return tx.run(UPSERT_ORGANIZATIONS, organizations=organizations).single()["organizations"]


def create_engagements(tx: neo4j.ManagedTransaction, engagements: list[dict[str, Any]]) -> int:
    """Create engagements that do not exist yet (by id) with client, industry, region and team."""
    return tx.run(CREATE_ENGAGEMENTS, engagements=engagements).single()["created"] if engagements else 0


def has_practitioners(tx: neo4j.ManagedTransaction) -> bool:
    """Whether any practitioner is stored."""
    return tx.run(ANY_PRACTITIONER).single()["any"]
