"""Certificates: issue, lifecycle (suspend, reinstate, revoke, expire) and public verification.

Each change is one transaction that writes the status, an event with its reason, and the holder's pools.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import neo4j

from graph.driver import Graph
from graph.pools import rederive
from graph.records import native
from graph.reference import DEFAULT_ISSUER_ID
from registry.certificates import CertificateFacts, effective_status, next_status
from registry.errors import Conflict, NotFound, ValidationFailed

CERTIFICATE_VIEW = """
c {.number, .work_type, .level, .status, .status_reason, .status_changed_at, .issued_on, .expires_on, .created_at,
   work_type_name_zh: w.name_zh, level_name_zh: l.name_zh,
   holder: h {.id, .name, .status},
   issuer: i {.id, .name},
   history: COLLECT { MATCH (c)-[:HAS_EVENT]->(e:CertificateEvent)
                      RETURN e {.action, .from_status, .to_status, .reason, .at} ORDER BY e.at, e.seq }
}
"""

GET_CERTIFICATE = f"""
MATCH (h:Practitioner)-[:HOLDS]->(c:Certificate {{number: $number}})
MATCH (c)-[:OF_WORK_TYPE]->(w:WorkType), (c)-[:AT_LEVEL]->(l:Level)
OPTIONAL MATCH (c)-[:ISSUED_BY]->(i:Organization)
RETURN {CERTIFICATE_VIEW} AS certificate
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
SET c.status = 'expired', c.status_reason = $reason, c.status_changed_at = datetime()
CREATE (c)-[:HAS_EVENT]->(:CertificateEvent {action: 'expire', from_status: 'valid', to_status: 'expired',
                                             reason: $reason, at: datetime(),
                                             seq: COUNT { (c)-[:HAS_EVENT]->() }})
RETURN count(c) AS expired, collect(DISTINCT h.id) AS holders
"""

VERIFY = """
MATCH (h:Practitioner)-[:HOLDS]->(c:Certificate {number: $number})
WHERE h.name = $name
MATCH (c)-[:OF_WORK_TYPE]->(w:WorkType), (c)-[:AT_LEVEL]->(l:Level)
RETURN c {.number, .work_type, .level, .status, .issued_on, .expires_on,
          work_type_name_zh: w.name_zh, level_name_zh: l.name_zh, holder: h.name,
          holder_status: h.status} AS certificate
"""


def _facts(view: dict[str, Any]) -> CertificateFacts:
    return CertificateFacts(
        number=view["number"],
        work_type=view["work_type"],
        level=view["level"],
        status=view["status"],
        issued_on=view["issued_on"],
        expires_on=view.get("expires_on"),
    )


def with_effective_status(view: dict[str, Any], today: date) -> dict[str, Any]:
    """The certificate view with `status` as of today (a valid certificate past expiry reads as expired)."""
    return {**view, "status": effective_status(_facts(view), today)}


def _read_view(tx: neo4j.ManagedTransaction, number: str, today: date) -> dict[str, Any] | None:
    record = tx.run(GET_CERTIFICATE, number=number).single()
    return with_effective_status(native(record["certificate"]), today) if record else None


def issue(graph: Graph, data: dict[str, Any], today: date) -> dict[str, Any]:
    """Issue a certificate to an existing, active practitioner and re-derive their pools."""
    params = {
        "number": data["number"],
        "practitioner_id": data["practitioner_id"],
        "work_type": data["work_type"],
        "level": data["level"],
        "issued_on": data["issued_on"],
        "expires_on": data.get("expires_on"),
        "issuer_id": data.get("issuer_id") or DEFAULT_ISSUER_ID,
        "reason": data.get("reason"),
    }

    def work(tx: neo4j.ManagedTransaction) -> dict[str, Any]:
        check = tx.run(ISSUE_CHECKS, params).single()
        if check["duplicate"]:
            raise Conflict(
                f"Certificate number {params['number']} is already issued.", number=params["number"]
            )
        errors: dict[str, list[str]] = {}
        if check["holder_status"] is None:
            errors["practitioner_id"] = [f"No practitioner with id {params['practitioner_id']}."]
        elif check["holder_status"] == "deleted":
            errors["practitioner_id"] = ["This practitioner is deleted; restore them before issuing."]
        if not check["issuer_exists"]:
            errors["issuer_id"] = [f"No organization with id {params['issuer_id']}."]
        if errors:
            raise ValidationFailed(errors)
        tx.run(ISSUE, params).consume()
        rederive(tx, [params["practitioner_id"]], today)
        return _read_view(tx, params["number"], today)

    return graph.write(work)


def get(graph: Graph, number: str, today: date) -> dict[str, Any]:
    """One certificate with its holder, issuer and history, or NotFound."""
    view = graph.read(_read_view, number, today)
    if view is None:
        raise NotFound(f"No certificate with number {number}.")
    return view


def change_status(graph: Graph, number: str, action: str, reason: str, today: date) -> dict[str, Any]:
    """Suspend, reinstate or revoke; the rules of `registry.certificates` decide what is allowed."""

    def work(tx: neo4j.ManagedTransaction) -> dict[str, Any]:
        record = tx.run(FACTS, number=number).single()
        if record is None:
            raise NotFound(f"No certificate with number {number}.")
        facts = CertificateFacts(**native(record["facts"]))
        to_status = next_status(facts, action, today)
        tx.run(
            CHANGE_STATUS, number=number, action=action, reason=reason,
            from_status=effective_status(facts, today), to_status=to_status,
        ).consume()  # fmt: skip
        rederive(tx, [record["holder_id"]], today)
        return _read_view(tx, number, today)

    return graph.write(work)


def expire_due(graph: Graph, today: date, batch: int = 1000) -> int:
    """Mark valid certificates past expires_on as expired, batch by batch; the number expired."""
    reason = f"expired on its expires_on date (job run {today.isoformat()})"

    def work(tx: neo4j.ManagedTransaction) -> int:
        record = tx.run(DUE_TO_EXPIRE, today=today, batch=batch, reason=reason).single()
        rederive(tx, record["holders"], today)
        return record["expired"]

    total = 0
    while (expired := graph.write(work)) > 0:
        total += expired
    return total


def verify(graph: Graph, number: str, name: str, today: date) -> dict[str, Any]:
    """The public facts of the certificate `number` if `name` is its holder's, with `holder_status` (to decide
    validity, never shown); NotFound otherwise. A deleted holder's certificate is still found (then not valid)."""
    record = graph.read(lambda tx: tx.run(VERIFY, number=number, name=name).single())
    if record is None:
        # The same answer for an unknown number and a wrong name: no way to learn who holds a number.
        raise NotFound("No certificate matches this number and holder name.")
    return with_effective_status(native(record["certificate"]), today)
