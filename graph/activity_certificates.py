"""Participation certificates of public-welfare activities: the code on the JOINED row and what it shows.

The model is /tmp/helpers/ACTIVITY_MODEL.md (docs/activities.md): a participation counts when graph/activities.py
`COUNTED` holds; `j.certificate_code` is null until the first certificate is asked for, then never changes.
"""

from __future__ import annotations

from typing import Any

import neo4j

from graph.activities import COUNTED
from graph.cypher import cypher
from graph.records import native

PARTICIPATION_VIEW = (
    """
{code: j.certificate_code, counted: """
    + COUNTED
    + """, hours: j.hours,
 holder: p.name, holder_id: p.id,
 activity: a {.id, .title, .kind, .starts_on, .ends_on, .status, organizer_id: o.id, organizer: o.name}}
"""
)

# The activity and its organizer even when the person took no (counted) part, so the caller's right to ask is
# decided before "did not take part" is said.
PARTICIPATION = cypher(
    """
MATCH (a:Activity {id: $activity_id})
OPTIONAL MATCH (a)-[:ORGANIZED_BY]->(o:Organization)
OPTIONAL MATCH (p:Practitioner {id: $practitioner_id})-[j:JOINED]->(a)
RETURN a.id AS activity_id, o.id AS organizer_id,
       CASE WHEN j IS NULL THEN null ELSE""",
    PARTICIPATION_VIEW,
    """END AS participation""",
)

# Set once: a second request (or two at once: the write lock on the row orders them) keeps the first code.
ASSIGN_CODE = """
MATCH (:Practitioner {id: $practitioner_id})-[j:JOINED]->(:Activity {id: $activity_id})
SET j.certificate_code = coalesce(j.certificate_code, $code)
RETURN j.certificate_code AS code
"""

BY_CODE = cypher(
    """
MATCH (p:Practitioner)-[j:JOINED {certificate_code: $code}]->(a:Activity)
OPTIONAL MATCH (a)-[:ORGANIZED_BY]->(o:Organization)
RETURN""",
    PARTICIPATION_VIEW,
    "AS participation",
)


def participation(
    tx: neo4j.ManagedTransaction, activity_id: str, practitioner_id: str
) -> dict[str, Any] | None:
    """{activity_id, organizer_id, participation (None if the person never joined)}; None for no such activity."""
    record = tx.run(PARTICIPATION, activity_id=activity_id, practitioner_id=practitioner_id).single()
    return native(record.data()) if record else None


def assign_code(tx: neo4j.ManagedTransaction, activity_id: str, practitioner_id: str, code: str) -> str:
    """The participation's certificate code: the one it has, or `code` written now."""
    record = tx.run(ASSIGN_CODE, activity_id=activity_id, practitioner_id=practitioner_id, code=code).single()
    return record["code"]


def by_code(tx: neo4j.ManagedTransaction, code: str) -> dict[str, Any] | None:
    """The participation a certificate code belongs to; None for an unknown code."""
    record = tx.run(BY_CODE, code=code).single()
    return native(record["participation"]) if record else None
