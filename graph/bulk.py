"""Bulk writes with UNWIND: the certificates, organizations and engagements of imported files and synthetic registries,
and the employment histories and groups of companies of synthetic ones.

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
CALL (e, row) { MATCH (o:Organization {id: row.provider_id}) CREATE (e)-[:PERFORMED_BY]->(o) }
CALL (e, row) { MATCH (i:Industry {code: row.industry}) CREATE (e)-[:IN_INDUSTRY]->(i) }
CALL (e, row) { MATCH (r:Region {code: row.region}) CREATE (e)-[:IN_REGION]->(r) }
CALL (e, row) {
  UNWIND row.team AS member
  MATCH (p:Practitioner {id: member.practitioner_id})
  CREATE (p)-[:WORKED_ON {role: member.role, roles: coalesce(member.roles, [member.role])}]->(e)
}
CALL (e, row) {
  UNWIND coalesce(row.site_visits, []) AS visit
  MATCH (p:Practitioner {id: visit.practitioner_id}), (r:Region {code: visit.region})
  CREATE (p)-[:VISITED]->(v:SiteVisit {id: visit.id, date: visit.date})-[:OF_ENGAGEMENT]->(e),
         (v)-[:IN_REGION]->(r)
}
RETURN count(e) AS created
"""

# Employment history with real dates (synthetic registries): the open employment a new person was created with
# gets its id and real start; past ones are added once (matched on their id).
DATE_CURRENT_EMPLOYMENTS = """
UNWIND $employments AS row
MATCH (:Practitioner {id: row.practitioner_id})-[e:EMPLOYED_BY]->(:Organization {id: row.organization_id})
WHERE e.until IS NULL AND e.id IS NULL
SET e.id = row.id, e.since = row.since, e.recorded_at = datetime()
"""

CREATE_PAST_EMPLOYMENTS = """
UNWIND $employments AS row
MATCH (p:Practitioner {id: row.practitioner_id}), (o:Organization {id: row.organization_id})
WHERE NOT EXISTS { (p)-[:EMPLOYED_BY {id: row.id}]->(:Organization) }
CREATE (p)-[:EMPLOYED_BY {id: row.id, since: row.since, until: row.until, recorded_at: datetime()}]->(o)
"""

# Groups of companies (synthetic registries): each relation once.
CREATE_CONTROL_RELATIONS = """
UNWIND $relations AS row
MATCH (c:Organization {id: row.child_id}), (p:Organization {id: row.parent_id})
WHERE NOT EXISTS { (c)-[:CONTROLLED_BY]->(p) }
CREATE (c)-[:CONTROLLED_BY {kind: row.kind, share: row.share, since: row.since, until: row.until,
                            recorded_at: datetime()}]->(p)
RETURN count(*) AS created
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
    """Create engagements that do not exist yet (by id) with client, provider, industry, region, team (with
    roles) and site visits."""
    return tx.run(CREATE_ENGAGEMENTS, engagements=engagements).single()["created"] if engagements else 0


def create_employments(tx: neo4j.ManagedTransaction, employments: list[dict[str, Any]]) -> None:
    """Write employment histories (rows of practitioner_id, organization_id, id, since, until): the current one,
    already created with its person, gets its real start; past ones are created once."""
    current = [row for row in employments if row["until"] is None]
    past = [row for row in employments if row["until"] is not None]
    if current:
        tx.run(DATE_CURRENT_EMPLOYMENTS, employments=current).consume()
    if past:
        tx.run(CREATE_PAST_EMPLOYMENTS, employments=past).consume()


def create_control_relations(tx: neo4j.ManagedTransaction, relations: list[dict[str, Any]]) -> int:
    """Create the CONTROLLED_BY relations (child_id, parent_id, kind, share, since, until) not stored yet."""
    return tx.run(CREATE_CONTROL_RELATIONS, relations=relations).single()["created"] if relations else 0


def has_practitioners(tx: neo4j.ManagedTransaction) -> bool:
    """Whether any practitioner is stored."""
    return tx.run(ANY_PRACTITIONER).single()["any"]
