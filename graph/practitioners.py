"""Practitioners: registration, edits and soft deletion, each one transaction that also keeps pools derived."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import neo4j

from graph.driver import Graph
from graph.links import replace_links, replace_links_statement
from graph.pools import CURRENT_MEMBER, rederive
from graph.records import native
from registry.errors import Conflict, NotFound, ValidationFailed

# The full view of one practitioner; PII is in it and the API decides who sees it.
PRACTITIONER_VIEW = f"""
p {{.id, .name, .gender, .education, .enrolled, .work_start_year, .status, .public_profile, .bio,
    .id_card_tail, .phone, .email, .created_at, .updated_at, .deleted_at,
    region: COLLECT {{ MATCH (p)-[:BASED_IN]->(r:Region) RETURN r {{.code, .name_zh}} }}[0],
    employer: COLLECT {{ MATCH (p)-[e:EMPLOYED_BY]->(o:Organization) WHERE e.until IS NULL
                         RETURN o {{.id, .name, .kind, since: e.since}} }}[0],
    specialties: COLLECT {{ MATCH (p)-[:HAS_SPECIALTY]->(s:Specialty)
                            RETURN s {{.code, .name_zh, .category}} ORDER BY s.code }},
    industries: COLLECT {{ MATCH (p)-[:EXPERIENCED_IN]->(i:Industry) RETURN i {{.code, .name_zh}} ORDER BY i.code }},
    qualifications: COLLECT {{ MATCH (p)-[h:HAS_QUALIFICATION]->(q:Qualification)
                               RETURN q {{.code, .name_zh, number: h.number, since: h.since}} ORDER BY q.code }},
    pools: COLLECT {{ MATCH (p)-[m:MEMBER_OF]->(pool:Pool) WHERE {CURRENT_MEMBER}
                      RETURN pool.code ORDER BY pool.code DESC }},
    certificates: COLLECT {{ MATCH (p)-[:HOLDS]->(c:Certificate)
                             RETURN c {{.number, .work_type, .level, .status, .issued_on, .expires_on}}
                             ORDER BY c.issued_on, c.number }}
}}
"""

GET_PRACTITIONER = f"MATCH (p:Practitioner {{id: $id}}) RETURN {PRACTITIONER_VIEW} AS practitioner"

FIND_BY_ID_CARD = "MATCH (p:Practitioner {id_card_hash: $hash}) WHERE p.id <> $id RETURN p.id AS id"

FIND_ORGANIZATION = "MATCH (o:Organization {id: $id}) RETURN o.id AS id"

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

LINK_REGION = """
UNWIND $pairs AS pair MATCH (p:Practitioner {id: pair[0]}), (t:Region {code: pair[1]})
CREATE (p)-[:BASED_IN]->(t)
"""
LINK_EMPLOYER = """
UNWIND $pairs AS pair MATCH (p:Practitioner {id: pair[0]}), (t:Organization {id: pair[1]})
CREATE (p)-[:EMPLOYED_BY {since: $today}]->(t)
"""
LINK_SPECIALTIES = """
UNWIND $pairs AS pair MATCH (p:Practitioner {id: pair[0]}), (t:Specialty {code: pair[1]})
CREATE (p)-[:HAS_SPECIALTY]->(t)
"""
LINK_QUALIFICATIONS = """
UNWIND $pairs AS pair MATCH (p:Practitioner {id: pair[0]}), (t:Qualification {code: pair[1]})
CREATE (p)-[:HAS_QUALIFICATION {since: $today}]->(t)
"""
LINK_INDUSTRIES = """
UNWIND $pairs AS pair MATCH (p:Practitioner {id: pair[0]}), (t:Industry {code: pair[1]})
CREATE (p)-[:EXPERIENCED_IN]->(t)
"""
# Link fields of a practitioner row and the statement that creates each.
CREATE_LINKS = {
    "region": LINK_REGION,
    "employer_id": LINK_EMPLOYER,
    "specialties": LINK_SPECIALTIES,
    "qualifications": LINK_QUALIFICATIONS,
    "industries": LINK_INDUSTRIES,
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


def _read_view(tx: neo4j.ManagedTransaction, practitioner_id: str, today: date) -> dict[str, Any] | None:
    record = tx.run(GET_PRACTITIONER, id=practitioner_id, today=today).single()
    return native(record["practitioner"]) if record else None


def _require(tx: neo4j.ManagedTransaction, practitioner_id: str) -> None:
    # A one-index-lookup check; the full view is read once, after the change.
    if not tx.run(EXISTS_PRACTITIONER, id=practitioner_id).single()["exists"]:
        raise NotFound(f"No practitioner with id {practitioner_id}.")


def _check_unique_id_card(
    tx: neo4j.ManagedTransaction, practitioner_id: str, id_card_hash: str | None
) -> None:
    if id_card_hash is None:
        return
    record = tx.run(FIND_BY_ID_CARD, hash=id_card_hash, id=practitioner_id).single()
    if record:
        raise Conflict(
            f"A practitioner with this ID card number is already registered: {record['id']}.",
            existing_id=record["id"],
        )


def _check_employer(tx: neo4j.ManagedTransaction, employer_id: str | None) -> None:
    if employer_id is not None and tx.run(FIND_ORGANIZATION, id=employer_id).single() is None:
        raise ValidationFailed({"employer_id": [f"No organization with id {employer_id}."]})


def _write_relationships(
    tx: neo4j.ManagedTransaction, practitioner_id: str, data: dict[str, Any], today: date
) -> None:
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


def register(graph: Graph, data: dict[str, Any], today: date) -> dict[str, Any]:
    """Create a practitioner (ID card already hashed in `data`); 409 when the ID card is registered."""
    practitioner_id = str(uuid.uuid4())

    def work(tx: neo4j.ManagedTransaction) -> dict[str, Any]:
        _check_unique_id_card(tx, practitioner_id, data["id_card_hash"])
        _check_employer(tx, data.get("employer_id"))
        if not create_practitioners(tx, [practitioner_row(practitioner_id, data)], today):
            raise Conflict("A practitioner with this ID card number is already registered.")
        rederive(tx, [practitioner_id], today)
        return _read_view(tx, practitioner_id, today)

    return graph.write(work)


def get(graph: Graph, practitioner_id: str, today: date) -> dict[str, Any]:
    """One practitioner's full view, or NotFound."""
    view = graph.read(_read_view, practitioner_id, today)
    if view is None:
        raise NotFound(f"No practitioner with id {practitioner_id}.")
    return view


def update(graph: Graph, practitioner_id: str, data: dict[str, Any], today: date) -> dict[str, Any]:
    """Apply a partial update; lists replace, a changed employer closes the previous employment."""

    def work(tx: neo4j.ManagedTransaction) -> dict[str, Any]:
        _require(tx, practitioner_id)
        _check_unique_id_card(tx, practitioner_id, data.get("id_card_hash"))
        _check_employer(tx, data.get("employer_id"))
        props = {k: data[k] for k in PROPERTY_FIELDS if k in data}
        if "status" in props:
            props["deleted_at"] = None  # any status set here (active, suspended) is not deleted
        tx.run(UPDATE_PROPERTIES, id=practitioner_id, props=props).consume()
        _write_relationships(tx, practitioner_id, data, today)
        rederive(tx, [practitioner_id], today)  # status, region or industries may have changed
        return _read_view(tx, practitioner_id, today)

    return graph.write(work)


def soft_delete(graph: Graph, practitioner_id: str, today: date) -> dict[str, Any]:
    """Mark a practitioner deleted (history and certificates stay) and end their pool memberships."""

    def work(tx: neo4j.ManagedTransaction) -> dict[str, Any]:
        _require(tx, practitioner_id)
        tx.run(SOFT_DELETE, id=practitioner_id).consume()
        rederive(tx, [practitioner_id], today)
        return _read_view(tx, practitioner_id, today)

    return graph.write(work)
