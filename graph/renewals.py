"""Continuing education and renewals of certificates in the graph.

(c:Certificate)-[:HAS_CONTINUING_EDUCATION]->(e:ContinuingEducation {id, hours, completed_on, provider})
(follow_on:Certificate)-[:RENEWS]->(c)
"""

from __future__ import annotations

from typing import Any

import neo4j

from graph.records import native
from registry.renewal import ContinuingEducation

RENEWAL_FACTS = """
MATCH (h:Practitioner)-[:HOLDS]->(c:Certificate {number: $number})
OPTIONAL MATCH (c)-[:ISSUED_BY]->(i:Organization)
RETURN c {.number, .work_type, .level, .status, .issued_on, .expires_on} AS facts,
       h.id AS holder_id, i.id AS issuer_id,
       COLLECT { MATCH (c)-[:HAS_CONTINUING_EDUCATION]->(e:ContinuingEducation)
                 RETURN e {.id, .hours, .completed_on, .provider} ORDER BY e.completed_on, e.id } AS education,
       COLLECT { MATCH (next:Certificate)-[:RENEWS]->(c) RETURN next.number }[0] AS renewed_by,
       COLLECT { MATCH (c)-[:RENEWS]->(previous:Certificate) RETURN previous.number }[0] AS renews
"""

ADD_CONTINUING_EDUCATION = """
MATCH (c:Certificate {number: $number})
CREATE (c)-[:HAS_CONTINUING_EDUCATION]->(:ContinuingEducation {id: $id, hours: $hours, completed_on: $completed_on,
                                                                provider: $provider, created_at: datetime()})
"""

LINK_RENEWAL = """
MATCH (next:Certificate {number: $number}), (previous:Certificate {number: $previous})
CREATE (next)-[:RENEWS]->(previous)
"""


def facts(tx: neo4j.ManagedTransaction, number: str) -> dict[str, Any] | None:
    """The certificate's facts, holder, issuer, continuing education and renewal links; None when unknown."""
    record = tx.run(RENEWAL_FACTS, number=number).single()
    if record is None:
        return None
    data = native(record.data())
    data["records"] = [ContinuingEducation(e["hours"], e["completed_on"]) for e in data["education"]]
    return data


def add_continuing_education(tx: neo4j.ManagedTransaction, number: str, record: dict[str, Any]) -> None:
    """Attach one continuing-education record to the certificate."""
    tx.run(ADD_CONTINUING_EDUCATION, number=number, **record).consume()


def link_renewal(tx: neo4j.ManagedTransaction, number: str, previous: str) -> None:
    """Record that certificate `number` renews `previous`."""
    tx.run(LINK_RENEWAL, number=number, previous=previous).consume()
