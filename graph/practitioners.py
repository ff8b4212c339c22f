"""Practitioners in the graph: creation (singly or in bulk), edits, soft deletion and the per-person lock."""

from __future__ import annotations

from collections.abc import Mapping
from datetime import date
from typing import Any, LiteralString

import neo4j

from graph.cypher import cypher
from graph.links import replace_links, replace_links_statement
from registry.errors import Conflict, NotFound

# Setting a property takes the node's write lock until commit; every change to a person's certificates or
# pools starts here, so changes to one person serialise and each derivation reads what the last one wrote.
LOCK_PRACTITIONERS = """
MATCH (p:Practitioner) WHERE p.id IN $ids
WITH p ORDER BY p.id
SET p._lock = true
REMOVE p._lock
"""

FIND_BY_ID_CARD = "MATCH (p:Practitioner {id_card_hash: $hash}) WHERE p.id <> $id RETURN p.id AS id"

EXISTS_PRACTITIONER = "RETURN EXISTS { (:Practitioner {id: $id}) } AS exists"

# The one way a practitioner is created, singly or by the thousand: people not stored yet (by ID-card hash)
# are created, then their links follow as flat (person, value) pairs, one UNWIND per relationship type.
CREATE_PRACTITIONERS = """
UNWIND $rows AS row
WITH row WHERE NOT EXISTS { MATCH (:Practitioner {id_card_hash: row.props.id_card_hash}) }
CREATE (p:Practitioner)
SET p = row.props, p.id = row.id, p.status = coalesce(row.props.status, 'active'),
    p.created_at = datetime(), p.updated_at = datetime()
RETURN collect(p.id) AS created
"""


def _link_statement(target: LiteralString, key: LiteralString, relationship: LiteralString) -> LiteralString:
    """Cypher linking each (practitioner id, value) pair of $pairs to the `target` node whose `key` is value."""
    return cypher(
        "UNWIND $pairs AS pair MATCH (p:Practitioner {id: pair[0]}), (t:", target, "{", key, ": pair[1]})",
        "CREATE (p)-[", relationship, "]->(t)",
    )  # fmt: skip


# Link fields of a practitioner row and the statement that creates each.
CREATE_LINKS: Mapping[str, LiteralString] = {
    "region": _link_statement("Region", "code", ":BASED_IN"),
    "employer_id": _link_statement("Organization", "id", ":EMPLOYED_BY {since: $today}"),
    "specialties": _link_statement("Specialty", "code", ":HAS_SPECIALTY"),
    "qualifications": _link_statement("Qualification", "code", ":HAS_QUALIFICATION {since: $today}"),
    "industries": _link_statement("Industry", "code", ":EXPERIENCED_IN"),
}

UPDATE_PROPERTIES = """
MATCH (p:Practitioner {id: $id})
SET p += $props, p.updated_at = datetime()
"""

SET_REGION = replace_links_statement("Practitioner", "BASED_IN", "Region", "code")
SET_SPECIALTIES = replace_links_statement("Practitioner", "HAS_SPECIALTY", "Specialty", "code")
SET_INDUSTRIES = replace_links_statement("Practitioner", "EXPERIENCED_IN", "Industry", "code")

# Employment history is kept: the current EMPLOYED_BY gets an `until`, a new one starts today.
SET_EMPLOYER = """
MATCH (p:Practitioner {id: $id})
OPTIONAL MATCH (p)-[current:EMPLOYED_BY]->(o:Organization) WHERE current.until IS NULL
WITH p, current, o
WHERE o IS NULL OR o.id <> $employer_id OR $employer_id IS NULL
SET current.until = $today
WITH p
MATCH (new:Organization {id: $employer_id})
CREATE (p)-[:EMPLOYED_BY {since: $today}]->(new)
"""

SET_QUALIFICATIONS = """
MATCH (p:Practitioner {id: $id})
OPTIONAL MATCH (p)-[old:HAS_QUALIFICATION]->(q:Qualification) WHERE NOT q.code IN $codes
DELETE old
WITH DISTINCT p
UNWIND $codes AS code
MATCH (q:Qualification {code: code})
MERGE (p)-[h:HAS_QUALIFICATION]->(q)
ON CREATE SET h.since = $today
"""

SOFT_DELETE = """
MATCH (p:Practitioner {id: $id})
SET p.status = 'deleted', p.deleted_at = coalesce(p.deleted_at, datetime()), p.updated_at = datetime()
"""

# The one list of a practitioner's stored properties; relationships are handled by their own statements.
PROPERTY_FIELDS = (
    "name", "gender", "education", "enrolled", "work_start_year", "public_profile", "bio",
    "phone", "email", "id_card_hash", "id_card_tail", "status",
)  # fmt: skip


def practitioner_row(practitioner_id: str, data: dict[str, Any]) -> dict[str, Any]:
    """A row for `create_practitioners`: stored properties (None dropped) and link values from `data`."""
    return {
        "id": practitioner_id,
        "props": {k: data[k] for k in PROPERTY_FIELDS if data.get(k) is not None},
        **{field: data.get(field) for field in CREATE_LINKS},
    }


def create_practitioners(tx: neo4j.ManagedTransaction, rows: list[dict[str, Any]], today: date) -> set[str]:
    """Create the practitioners of `rows` whose ID card is not stored yet, with their links; the ids created."""
    if not rows:
        return set()
    created = set(tx.run(CREATE_PRACTITIONERS, rows=rows).single()["created"])
    for field, statement in CREATE_LINKS.items():
        pairs = []
        for row in rows:
            if row["id"] in created and row.get(field) is not None:
                values = row[field] if isinstance(row[field], list | tuple) else [row[field]]
                pairs += [[row["id"], value] for value in values if value is not None]
        if pairs:
            tx.run(statement, pairs=pairs, today=today).consume()
    return created


def lock(tx: neo4j.ManagedTransaction, practitioner_ids: list[str]) -> None:
    """Take the write locks of these practitioners (in id order, so two transactions never deadlock)."""
    if practitioner_ids:
        tx.run(LOCK_PRACTITIONERS, ids=sorted(set(practitioner_ids))).consume()


def require(tx: neo4j.ManagedTransaction, practitioner_id: str) -> None:
    """NotFound unless the practitioner is stored (one index lookup)."""
    if not tx.run(EXISTS_PRACTITIONER, id=practitioner_id).single()["exists"]:
        raise NotFound(f"No practitioner with id {practitioner_id}.")


def check_unique_id_card(
    tx: neo4j.ManagedTransaction, practitioner_id: str, id_card_hash: str | None
) -> None:
    """409 naming the other practitioner when this ID card is registered to someone else."""
    if id_card_hash is None:
        return
    record = tx.run(FIND_BY_ID_CARD, hash=id_card_hash, id=practitioner_id).single()
    if record:
        raise Conflict(
            f"A practitioner with this ID card number is already registered: {record['id']}.",
            existing_id=record["id"],
        )


def create(tx: neo4j.ManagedTransaction, practitioner_id: str, data: dict[str, Any], today: date) -> None:
    """Create one practitioner with its links (409 when the ID card was registered meanwhile)."""
    if not create_practitioners(tx, [practitioner_row(practitioner_id, data)], today):
        raise Conflict("A practitioner with this ID card number is already registered.")


def update(tx: neo4j.ManagedTransaction, practitioner_id: str, data: dict[str, Any], today: date) -> None:
    """Apply a partial update: the properties given, and each relationship whose field is given."""
    props = {k: data[k] for k in PROPERTY_FIELDS if k in data}
    if "status" in props:
        props["deleted_at"] = None  # any status set here (active, suspended) is not deleted
    tx.run(UPDATE_PROPERTIES, id=practitioner_id, props=props).consume()
    if "region" in data:
        replace_links(tx, SET_REGION, practitioner_id, data["region"])
    if "employer_id" in data:
        tx.run(SET_EMPLOYER, id=practitioner_id, employer_id=data["employer_id"], today=today).consume()
    if "specialties" in data:
        replace_links(tx, SET_SPECIALTIES, practitioner_id, data["specialties"])
    if "industries" in data:
        replace_links(tx, SET_INDUSTRIES, practitioner_id, data["industries"])
    if "qualifications" in data:
        tx.run(
            SET_QUALIFICATIONS, id=practitioner_id, codes=data["qualifications"] or [], today=today
        ).consume()


def soft_delete(tx: neo4j.ManagedTransaction, practitioner_id: str) -> None:
    """Mark a practitioner deleted; certificates, employment and history stay."""
    tx.run(SOFT_DELETE, id=practitioner_id).consume()
