"""Curation queues for administrators: certificates about to lapse, qualifications people declared and no admin
has confirmed yet, complaints still open. Read-only; the actions go through the services that own them.

Every queue is one page read in its order from an index and a total counted from an index (graph/schema.py:
Certificate (status, expires_on), HAS_QUALIFICATION (status), Complaint (status, created_at)), so the page costs
the same whatever the registry's size: only what a page shows is read in full.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import neo4j

from graph.complaints import COMPLAINT_VIEW
from graph.cypher import cypher
from graph.records import native

# Stored `valid` certificates whose expiry falls within the window, of people not deleted; soonest first.
EXPIRING = """
MATCH (c:Certificate)
WHERE c.status = 'valid' AND c.expires_on >= $today AND c.expires_on <= $until
  AND EXISTS { MATCH (p:Practitioner)-[:HOLDS]->(c) WHERE coalesce(p.status, 'active') <> 'deleted' }
WITH c ORDER BY c.status, c.expires_on, c.number SKIP $skip LIMIT $limit
MATCH (p:Practitioner)-[:HOLDS]->(c)
RETURN c.number AS number, c.work_type AS work_type, c.level AS level, c.expires_on AS expires_on,
       {id: p.id, name: p.name} AS practitioner
ORDER BY expires_on, number
"""
# Their number: the window's valid certificates (the index alone) less those of deleted people (few). Every
# certificate has its holder (graph/certificates.py creates both together).
EXPIRING_TOTAL = """
CALL () {
  MATCH (c:Certificate) WHERE c.status = 'valid' AND c.expires_on >= $today AND c.expires_on <= $until
  RETURN count(c) AS window
}
CALL () {
  MATCH (p:Practitioner) USING INDEX p:Practitioner(status) WHERE p.status = 'deleted'
  RETURN sum(COUNT { MATCH (p)-[:HOLDS]->(c:Certificate)
                     WHERE c.status = 'valid' AND c.expires_on >= $today AND c.expires_on <= $until }) AS deleted
}
RETURN window - deleted AS total
"""

# Qualifications a person declared that await an administrator's confirmation; oldest first. The declared
# relationships are found by their status (a relationship index): the queue, not every qualification held.
_DECLARED = """
MATCH (p:Practitioner)-[h:HAS_QUALIFICATION]->(q:Qualification) USING INDEX h:HAS_QUALIFICATION(status)
WHERE h.status = 'declared' AND coalesce(p.status, 'active') <> 'deleted'
"""
DECLARED_QUALIFICATIONS = cypher(
    _DECLARED,
    """WITH p, h, q ORDER BY h.declared_at, p.id, q.code SKIP $skip LIMIT $limit
RETURN q.code AS code, q.name_zh AS name_zh, h.declared_at AS declared_at, {id: p.id, name: p.name} AS practitioner""",
)
DECLARED_TOTAL = cypher(_DECLARED, "RETURN count(h) AS total")

# Complaints still open, by status in the queue's order (received first), newest first within each: one seek of
# (status, created_at) each, the views of the page's only.
OPEN_STATUSES = ("received", "investigating")
OPEN_COMPLAINTS = cypher(
    """
UNWIND range(0, size($statuses) - 1) AS rank
CALL (rank) {
  MATCH (c:Complaint) WHERE c.status = $statuses[rank] AND c.created_at IS NOT NULL
  WITH c ORDER BY c.status DESC, c.created_at DESC, c.id LIMIT $skip + $limit
  RETURN c
}
WITH rank, c ORDER BY rank, c.created_at DESC, c.id SKIP $skip LIMIT $limit
RETURN""",
    COMPLAINT_VIEW,
    "AS complaint",
)
OPEN_COMPLAINTS_TOTAL = """
MATCH (c:Complaint) WHERE c.status IN $statuses AND c.created_at IS NOT NULL
RETURN count(c) AS total
"""


def expiring(
    tx: neo4j.ManagedTransaction, today: date, until: date, limit: int, skip: int = 0
) -> tuple[list[dict[str, Any]], int]:
    """One page of the certificates expiring in [today, until], soonest first, and their number."""
    window = {"today": today, "until": until}
    items = [native(r.data()) for r in tx.run(EXPIRING, window, skip=skip, limit=limit)]
    return items, tx.run(EXPIRING_TOTAL, window).single(strict=True)["total"]


def declared_qualifications(
    tx: neo4j.ManagedTransaction, limit: int, skip: int = 0
) -> tuple[list[dict[str, Any]], int]:
    """One page of the declared qualifications awaiting confirmation, oldest first, and their number."""
    items = [native(r.data()) for r in tx.run(DECLARED_QUALIFICATIONS, skip=skip, limit=limit)]
    return items, tx.run(DECLARED_TOTAL).single(strict=True)["total"]


def open_complaints(
    tx: neo4j.ManagedTransaction, limit: int, skip: int = 0
) -> tuple[list[dict[str, Any]], int]:
    """One page of the open complaints (received, then investigating; newest first in each) and their number."""
    statuses = list(OPEN_STATUSES)
    items = [
        native(r["complaint"]) for r in tx.run(OPEN_COMPLAINTS, statuses=statuses, skip=skip, limit=limit)
    ]
    return items, tx.run(OPEN_COMPLAINTS_TOTAL, statuses=statuses).single(strict=True)["total"]
