"""Bulk writes with UNWIND: imported files and synthetic registries, a batch per transaction.

A batch writes its people, their certificates and their derived pools in one transaction, so a batch is
all-or-nothing and pools never disagree with certificates. Re-writing the same rows changes nothing:
people are matched on their ID-card hash and certificates on their number, and existing ones are left as
they are (the import reports them as unchanged, or as conflicts when the file says something else).
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from datetime import date
from typing import Any

import neo4j

from graph import key_emitters
from graph.pools import rederive
from graph.reference import DEFAULT_ISSUER_ID
from registry.identifiers import id_card_hash, id_card_tail

# People not stored yet are created; the relationships follow as flat (person, code) pairs, one UNWIND per
# type, which costs far less than a subquery per row.
CREATE_PEOPLE = """
UNWIND $people AS row
WITH row WHERE NOT EXISTS { MATCH (:Practitioner {id_card_hash: row.id_card_hash}) }
CREATE (p:Practitioner)
SET p = row.props, p.id = row.id, p.id_card_hash = row.id_card_hash, p.status = 'active',
    p.created_at = datetime(), p.updated_at = datetime()
RETURN collect(p.id) AS created
"""

LINKS: dict[str, str] = {
    "region": "MATCH (t:Region {code: pair[1]}) CREATE (p)-[:BASED_IN]->(t)",
    "employer_id": "MATCH (t:Organization {id: pair[1]}) CREATE (p)-[:EMPLOYED_BY {since: $today}]->(t)",
    "specialties": "MATCH (t:Specialty {code: pair[1]}) CREATE (p)-[:HAS_SPECIALTY]->(t)",
    "qualifications": "MATCH (t:Qualification {code: pair[1]}) CREATE (p)-[:HAS_QUALIFICATION {since: $today}]->(t)",
    "industries": "MATCH (t:Industry {code: pair[1]}) CREATE (p)-[:EXPERIENCED_IN]->(t)",
}
LINK_PEOPLE = "UNWIND $pairs AS pair MATCH (p:Practitioner {{id: pair[0]}}) {link}"

# One record holding a list decodes much faster than thousands of records.
EXISTING_PEOPLE = """
UNWIND $hashes AS hash
MATCH (p:Practitioner {id_card_hash: hash})
RETURN collect({hash: hash, id: p.id, name: p.name}) AS people
"""

EXISTING_CERTIFICATES = """
UNWIND $numbers AS number
MATCH (h:Practitioner)-[:HOLDS]->(c:Certificate {number: number})
RETURN collect({number: number, holder_hash: h.id_card_hash, work_type: c.work_type, level: c.level,
                issued_on: c.issued_on, expires_on: c.expires_on, status: c.status}) AS certificates
"""

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
                                             at: datetime(), seq: 0})
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

# Employers named in an import by USCC: found, or registered with the name the file gives.
UPSERT_EMPLOYERS = """
UNWIND $employers AS row
MERGE (o:Organization {uscc: row.uscc})
ON CREATE SET o.id = randomUUID(), o.name = coalesce(row.name, row.uscc), o.kind = 'enterprise',
              o.created_at = datetime(), o.updated_at = datetime()
RETURN row.uscc AS uscc, o.id AS id
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
CALL (e, row) { MATCH (i:Industry {code: row.industry}) CREATE (e)-[:IN_INDUSTRY]->(i) }
CALL (e, row) { MATCH (r:Region {code: row.region}) CREATE (e)-[:IN_REGION]->(r) }
CALL (e, row) {
  UNWIND row.team AS member
  MATCH (p:Practitioner {id: member.practitioner_id})
  CREATE (p)-[:WORKED_ON {role: member.role}]->(e)
}
RETURN count(e) AS created
"""


class BatchWriter:
    """Writes batches on one background thread while the caller prepares the next one.

    At most one batch is in flight and batches commit in order, so each sees what the earlier ones stored;
    `on_result` receives each batch's result on the caller's thread.
    """

    def __init__(self, graph: Any, on_result: Callable[[Any], None]):
        self.graph = graph
        self.on_result = on_result
        self.executor = ThreadPoolExecutor(max_workers=1, thread_name_prefix="batch-writer")
        self.in_flight: Future | None = None

    def submit(self, work: Callable[..., Any], *args: Any) -> None:
        """Wait for the previous batch, then start writing this one."""
        self.wait()
        self.in_flight = self.executor.submit(self.graph.write, work, *args)

    def wait(self) -> None:
        """Wait for the batch in flight (re-raising its error) and hand over its result."""
        if self.in_flight is not None:
            future, self.in_flight = self.in_flight, None
            self.on_result(future.result())

    def __enter__(self) -> BatchWriter:
        return self

    def __exit__(self, *exc: object) -> None:
        try:
            if exc[0] is None:
                self.wait()
        finally:
            self.executor.shutdown(wait=True)


@dataclass
class BatchResult:
    people_created: int = 0
    certificates_created: int = 0
    holders: tuple[str, ...] = ()


def person_row(
    *,
    id_card_hash: str,
    practitioner_id: str,
    props: dict[str, Any],
    region: str | None = None,
    employer_id: str | None = None,
    specialties: Iterable[str] = (),
    qualifications: Iterable[str] = (),
    industries: Iterable[str] = (),
) -> dict[str, Any]:
    """A person as UPSERT_PEOPLE expects it; `props` are stored as they are (None values dropped)."""
    return {
        "id_card_hash": id_card_hash,
        "id": practitioner_id,
        "props": {key: value for key, value in props.items() if value is not None},
        "region": region,
        "employer_id": employer_id,
        "specialties": list(specialties),
        "qualifications": list(qualifications),
        "industries": list(industries),
    }


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


def existing_people(tx: neo4j.ManagedTransaction, hashes: Sequence[str]) -> dict[str, dict[str, str]]:
    """Stored practitioners by ID-card hash: {hash: {id, name}}."""
    people = tx.run(EXISTING_PEOPLE, hashes=list(hashes)).single()["people"]
    return {p["hash"]: {"id": p["id"], "name": p["name"]} for p in people}


def existing_certificates(tx: neo4j.ManagedTransaction, numbers: Sequence[str]) -> dict[str, dict[str, Any]]:
    """Stored certificates by number, with their holder's hash and the facts an import compares."""
    certificates = tx.run(EXISTING_CERTIFICATES, numbers=list(numbers)).single()["certificates"]
    return {c["number"]: c for c in certificates}


def upsert_employers(tx: neo4j.ManagedTransaction, employers: dict[str, str | None]) -> dict[str, str]:
    """Organization ids for USCCs ({uscc: name}), registering the ones not yet known."""
    rows = [{"uscc": uscc, "name": name} for uscc, name in employers.items()]
    return {r["uscc"]: r["id"] for r in tx.run(UPSERT_EMPLOYERS, employers=rows)} if rows else {}


def write_batch(
    tx: neo4j.ManagedTransaction,
    people: list[dict[str, Any]],
    certificates: list[dict[str, Any]],
    *,
    today: date,
    reason: str,
    derive: bool = True,
) -> BatchResult:
    """Create the new people and certificates of one batch and re-derive pools and search keys of everyone
    touched (`derive=False` leaves that to a caller that writes more first)."""
    created_people = 0
    if people:
        created = set(tx.run(CREATE_PEOPLE, people=people).single()["created"])
        created_people = len(created)
        for field, link in LINKS.items():
            pairs = []
            for person in people:
                if person["id"] in created:
                    values = person[field] if isinstance(person[field], list) else [person[field]]
                    pairs += [[person["id"], value] for value in values if value is not None]
            if pairs:
                tx.run(LINK_PEOPLE.format(link=link), pairs=pairs, today=today).consume()
    created_certificates, holders = 0, []
    if certificates:
        record = tx.run(
            CREATE_CERTIFICATES, certificates=certificates, issuer_id=DEFAULT_ISSUER_ID, reason=reason
        ).single()
        created_certificates, holders = record["created"], record["holders"]
    if derive:
        rederive(tx, [person["id"] for person in people] + list(holders), today)
    return BatchResult(created_people, created_certificates, tuple(holders))


def upsert_organizations(tx: neo4j.ManagedTransaction, organizations: list[dict[str, Any]]) -> int:
    """MERGE organizations by id (synthetic registries)."""
    return tx.run(UPSERT_ORGANIZATIONS, organizations=organizations).single()["organizations"]


def create_engagements(tx: neo4j.ManagedTransaction, engagements: list[dict[str, Any]]) -> int:
    """Create engagements that do not exist yet (by id) with client, industry, region and team."""
    return tx.run(CREATE_ENGAGEMENTS, engagements=engagements).single()["created"] if engagements else 0


PERSON_PROPERTIES = (
    "name", "gender", "education", "enrolled", "work_start_year", "phone", "email", "public_profile", "bio",
)  # fmt: skip


def load_synthetic(
    graph: Any,
    registry: Any,
    *,
    id_card_key: bytes,
    today: date,
    batch_size: int = 5000,
    progress: Any = None,
) -> dict[str, int]:
    """Write a `seed.synthetic` registry: organizations, then people, certificates and engagements by batch."""
    counts = {"organizations": 0, "key_emitters": 0, "practitioners": 0, "certificates": 0, "engagements": 0}
    organizations = registry.organizations
    for start in range(0, len(organizations), batch_size):
        chunk = organizations[start : start + batch_size]
        counts["organizations"] += graph.write(lambda tx, chunk=chunk: upsert_organizations(tx, chunk))
    # Key emitting units (重点排放单位) of the national ETS lists up to this year, for the demand statistics.
    units = registry.key_emitters()
    for start in range(0, len(units), batch_size):
        chunk = units[start : start + batch_size]
        counts["key_emitters"] += graph.write(
            lambda tx, chunk=chunk: key_emitters.upsert_synthetic(tx, chunk)
        )

    def tally(result: BatchResult) -> None:
        counts["practitioners"] += result.people_created
        counts["certificates"] += result.certificates_created

    writer = BatchWriter(graph, tally)  # generating the next batch overlaps writing this one
    with writer:
        for batch in registry.batches(batch_size):
            _load_batch(writer, batch, id_card_key, today)
            counts["engagements"] += len(batch.engagements)
            if progress:
                progress(len(batch.practitioners))
    return counts


def _load_batch(writer: BatchWriter, batch: Any, id_card_key: bytes, today: date) -> None:
    hashes = {p["id"]: id_card_hash(p["id_card"], id_card_key) for p in batch.practitioners}
    people = [
        person_row(
            id_card_hash=hashes[p["id"]],
            practitioner_id=p["id"],
            props={
                **{key: p.get(key) for key in PERSON_PROPERTIES},
                "id_card_tail": id_card_tail(p["id_card"]),
            },
            region=p.get("region"),
            employer_id=p.get("employer_id"),
            specialties=p.get("specialties") or (),
            qualifications=p.get("qualifications") or (),
            industries=p.get("industries") or (),
        )
        for p in batch.practitioners
    ]
    certificates = [
        certificate_row(
            holder_hash=hashes[c["practitioner_id"]], number=c["number"], work_type=c["work_type"],
            level=c["level"], issued_on=c["issued_on"], expires_on=c.get("expires_on"),
            status=c.get("status", "valid"), status_reason=c.get("status_reason"),
        )
        for c in batch.certificates
    ]  # fmt: skip

    writer.submit(_write_synthetic_batch, people, certificates, batch.engagements, today)


def _write_synthetic_batch(
    tx: neo4j.ManagedTransaction,
    people: list[dict[str, Any]],
    certificates: list[dict[str, Any]],
    engagements: list[dict[str, Any]],
    today: date,
) -> BatchResult:
    result = write_batch(tx, people, certificates, today=today, reason="synthetic registry", derive=False)
    create_engagements(tx, engagements)
    # After the engagements: a person's industry keys include the industries of their engagements.
    rederive(tx, [person["id"] for person in people], today)
    return result
