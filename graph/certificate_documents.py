"""What a certificate's PDF shows and who may have it: one read by number (services/documents.py)."""

from __future__ import annotations

from datetime import date
from typing import Any

import neo4j

from graph.records import native
from graph.views import certificate_as_of

# The holder's consent (`public_profile`) and status decide who else may have a copy; the ID card's last four
# characters go only into the holder's and an administrator's copy (the service leaves them out otherwise).
DOCUMENT_FACTS = """
MATCH (h:Practitioner)-[:HOLDS]->(c:Certificate {number: $number})
MATCH (c)-[:OF_WORK_TYPE]->(w:WorkType), (c)-[:AT_LEVEL]->(l:Level)
OPTIONAL MATCH (c)-[:ISSUED_BY]->(i:Organization)
RETURN c {.number, .work_type, .level, .status, .issued_on, .expires_on,
          work_type_name_zh: w.name_zh, level_name_zh: l.name_zh, issuer: i.name,
          holder: h.name, holder_id: h.id, holder_status: h.status,
          public_profile: coalesce(h.public_profile, false), id_card_tail: h.id_card_tail} AS certificate
"""


def document_facts(tx: neo4j.ManagedTransaction, number: str, today: date) -> dict[str, Any] | None:
    """The certificate's facts for its document, status as of `today`; None for an unknown number."""
    record = tx.run(DOCUMENT_FACTS, number=number).single()
    return certificate_as_of(native(record["certificate"]), today) if record else None
