"""Curation queues for administrators: certificates about to lapse, qualifications people declared and no admin
has confirmed yet. Read-only; the actions go through the services that own them."""

from __future__ import annotations

from datetime import date
from typing import Any

import neo4j

from graph.records import native

# Stored `valid` certificates whose expiry falls within the window, of people not deleted; soonest first.
EXPIRING = """
MATCH (p:Practitioner)-[:HOLDS]->(c:Certificate {status: 'valid'})
WHERE c.expires_on IS NOT NULL AND c.expires_on >= $today AND c.expires_on <= $until
  AND coalesce(p.status, 'active') <> 'deleted'
WITH p, c ORDER BY c.expires_on, c.number
RETURN collect({number: c.number, work_type: c.work_type, level: c.level, expires_on: c.expires_on,
                practitioner: {id: p.id, name: p.name}})[..$limit] AS items, count(c) AS total
"""

# Qualifications a person declared that await an administrator's confirmation; oldest first.
DECLARED_QUALIFICATIONS = """
MATCH (p:Practitioner)-[h:HAS_QUALIFICATION {status: 'declared'}]->(q:Qualification)
WHERE coalesce(p.status, 'active') <> 'deleted'
WITH p, h, q ORDER BY h.declared_at, p.id, q.code
RETURN collect({code: q.code, name_zh: q.name_zh, declared_at: h.declared_at,
                practitioner: {id: p.id, name: p.name}})[..$limit] AS items, count(h) AS total
"""


def expiring(
    tx: neo4j.ManagedTransaction, today: date, until: date, limit: int
) -> tuple[list[dict[str, Any]], int]:
    record = tx.run(EXPIRING, today=today, until=until, limit=limit).single()
    return native(record["items"]), record["total"]


def declared_qualifications(tx: neo4j.ManagedTransaction, limit: int) -> tuple[list[dict[str, Any]], int]:
    record = tx.run(DECLARED_QUALIFICATIONS, limit=limit).single()
    return native(record["items"]), record["total"]
