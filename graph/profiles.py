"""A practitioner's own edits (self-service): profile fields, per-field visibility, claimed qualifications.

Visibility is stored on the node as `visibility` ("field=level" strings, registry/visibility.py) plus the
fields hidden from each audience (`hidden_public`, `hidden_clients`), which search reads (graph/search.py).
A qualification the person claims is a HAS_QUALIFICATION with `status: 'declared'` until an admin confirms it;
one without a status was entered by an admin and counts as confirmed.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import neo4j

from graph.records import native

SET_PROFILE = """
MATCH (p:Practitioner {id: $id})
SET p += $props, p.updated_at = datetime()
"""

VISIBILITY_OF = """
UNWIND $ids AS id
MATCH (p:Practitioner {id: id})
RETURN p.id AS id, p.visibility AS visibility
"""

QUALIFICATION_STATUSES = """
MATCH (:Practitioner {id: $id})-[h:HAS_QUALIFICATION]->(q:Qualification)
RETURN q.code AS code, coalesce(h.status, 'confirmed') AS status
"""

DECLARE_QUALIFICATIONS = """
MATCH (p:Practitioner {id: $id})
UNWIND $codes AS code
MATCH (q:Qualification {code: code})
MERGE (p)-[h:HAS_QUALIFICATION]->(q)
ON CREATE SET h.since = $today, h.status = 'declared', h.declared_at = datetime()
"""

WITHDRAW_QUALIFICATIONS = """
MATCH (:Practitioner {id: $id})-[h:HAS_QUALIFICATION {status: 'declared'}]->(q:Qualification)
WHERE q.code IN $codes
DELETE h
"""

CONFIRM_QUALIFICATION = """
MATCH (:Practitioner {id: $id})-[h:HAS_QUALIFICATION]->(:Qualification {code: $code})
WITH h, coalesce(h.status, 'confirmed') AS before
SET h.status = 'confirmed', h.confirmed_at = coalesce(h.confirmed_at, datetime())
RETURN before
"""


# The person's evaluations as /me shows them (written by graph/evaluations.py), each with its engagement and the
# organization that wrote it.
EVALUATIONS_OF = """
MATCH (ev:Evaluation)-[:OF]->(:Practitioner {id: $id})
RETURN ev {.id, .score, .work_type, .comment, .effective, .on_time, .due_on, .created_on, .created_at,
           .reply, .replied_at, .overturned_on,
           engagement: COLLECT { MATCH (ev)-[:FOR_ENGAGEMENT]->(e:Engagement) RETURN e {.id, .title, .kind} }[0],
           organization: COLLECT { MATCH (ev)-[:BY]->(o:Organization) RETURN o {.id, .name, .kind} }[0]}
       AS evaluation
ORDER BY ev.created_at DESC, ev.id
"""


def evaluations_of(tx: neo4j.ManagedTransaction, practitioner_id: str) -> list[dict[str, Any]]:
    """Every evaluation of the person, withdrawn ones included, newest first."""
    return [native(r["evaluation"]) for r in tx.run(EVALUATIONS_OF, id=practitioner_id)]


def set_profile(tx: neo4j.ManagedTransaction, practitioner_id: str, props: dict[str, Any]) -> None:
    """Set the person's own properties (bio, phone, email, public_profile, visibility and hidden lists)."""
    tx.run(SET_PROFILE, id=practitioner_id, props=props).consume()


def visibility_of(tx: neo4j.ManagedTransaction, practitioner_ids: list[str]) -> dict[str, list[str] | None]:
    """The stored visibility choices of these practitioners, by id."""
    return {r["id"]: r["visibility"] for r in tx.run(VISIBILITY_OF, ids=list(practitioner_ids))}


def qualification_statuses(tx: neo4j.ManagedTransaction, practitioner_id: str) -> dict[str, str]:
    """code → declared or confirmed, for the person's qualifications."""
    return {r["code"]: r["status"] for r in tx.run(QUALIFICATION_STATUSES, id=practitioner_id)}


def declare_qualifications(
    tx: neo4j.ManagedTransaction, practitioner_id: str, codes: list[str], today: date
) -> None:
    """Record qualifications the person claims, as declared."""
    if codes:
        tx.run(DECLARE_QUALIFICATIONS, id=practitioner_id, codes=codes, today=today).consume()


def withdraw_qualifications(tx: neo4j.ManagedTransaction, practitioner_id: str, codes: list[str]) -> None:
    """Remove claims the person no longer makes (declared ones only; a confirmed one never goes here)."""
    if codes:
        tx.run(WITHDRAW_QUALIFICATIONS, id=practitioner_id, codes=codes).consume()


def confirm_qualification(tx: neo4j.ManagedTransaction, practitioner_id: str, code: str) -> str | None:
    """Mark one qualification confirmed; its status before, or None when the person does not have it."""
    record = tx.run(CONFIRM_QUALIFICATION, id=practitioner_id, code=code).single()
    return native(record["before"]) if record else None
