"""Bulk writes with UNWIND: imported files and synthetic registries, one batch per transaction.

A batch writes its people, their certificates and their derived pools in one transaction, so a batch is
all-or-nothing and pools never disagree with certificates. People are created the one way practitioners
are created (`graph.practitioners.create_practitioners`, matched on their ID-card hash) and certificates
are matched on their number; ones already stored are left as they are.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

import neo4j

from graph.pools import rederive
from graph.practitioners import create_practitioners
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


@dataclass
class BatchResult:
    """What one batch created, and the practitioners whose certificates changed."""

    people_created: int = 0
    certificates_created: int = 0
    holders: tuple[str, ...] = ()  # whose new certificates this batch wrote
    created: tuple[str, ...] = ()  # the practitioners it created


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


def write_batch(
    tx: neo4j.ManagedTransaction,
    people: list[dict[str, Any]],
    certificates: list[dict[str, Any]],
    *,
    today: date,
    reason: str,
    import_batch: str | None = None,
    derive: bool = True,
) -> BatchResult:
    """Create the new people (`practitioner_row`s) and certificates of one batch and re-derive pools and search
    keys of everyone touched (`derive=False` leaves that to a caller that writes more first)."""
    created_people = create_practitioners(tx, people, today)
    created_certificates, holders = 0, []
    if certificates:
        record = tx.run(
            CREATE_CERTIFICATES, certificates=certificates, issuer_id=DEFAULT_ISSUER_ID, reason=reason,
            import_batch=import_batch,
        ).single()  # fmt: skip
        created_certificates, holders = record["created"], record["holders"]
    if derive:
        rederive(tx, [person["id"] for person in people] + list(holders), today)
    return BatchResult(
        len(created_people), created_certificates, tuple(holders), tuple(sorted(created_people))
    )


def upsert_organizations(tx: neo4j.ManagedTransaction, organizations: list[dict[str, Any]]) -> int:
    """MERGE organizations by id (synthetic registries)."""
    return tx.run(UPSERT_ORGANIZATIONS, organizations=organizations).single()["organizations"]


def create_engagements(tx: neo4j.ManagedTransaction, engagements: list[dict[str, Any]]) -> int:
    """Create engagements that do not exist yet (by id) with client, industry, region and team."""
    return tx.run(CREATE_ENGAGEMENTS, engagements=engagements).single()["created"] if engagements else 0


def write_synthetic_batch(
    tx: neo4j.ManagedTransaction,
    people: list[dict[str, Any]],
    certificates: list[dict[str, Any]],
    engagements: list[dict[str, Any]],
    today: date,
) -> BatchResult:
    """One batch of a synthetic registry: people, certificates and engagements, then pools and search keys."""
    result = write_batch(tx, people, certificates, today=today, reason="synthetic registry", derive=False)
    create_engagements(tx, engagements)
    # After the engagements: a person's industry keys include the industries of their engagements.
    rederive(tx, [person["id"] for person in people], today)
    return result


def has_practitioners(tx: neo4j.ManagedTransaction) -> bool:
    """Whether any practitioner is stored."""
    return tx.run(ANY_PRACTITIONER).single()["any"]
