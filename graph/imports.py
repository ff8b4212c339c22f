"""Imports: what a batch of rows finds already stored, employers named by USCC, and the ImportBatch record.

An ImportBatch is created `running` when an import starts, advanced in the same transaction as each batch
of rows it writes (so its counts are exactly what was committed), and ends `completed` or `failed`.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, LiteralString

import neo4j

from graph.records import native
from registry.import_plan import StoredCertificate

# One record holding a list decodes much faster than thousands of records.
EXISTING_PEOPLE = """
UNWIND $hashes AS hash
MATCH (p:Practitioner {id_card_hash: hash})
RETURN collect({hash: hash, name: p.name}) AS people
"""

EXISTING_CERTIFICATES = """
UNWIND $numbers AS number
MATCH (h:Practitioner)-[:HOLDS]->(c:Certificate {number: number})
RETURN collect({number: number, holder_hash: h.id_card_hash, work_type: c.work_type, level: c.level,
                issued_on: c.issued_on, expires_on: c.expires_on, status: c.status}) AS certificates
"""

# Employers named in an import by USCC: found, or registered with the name the file gives.
UPSERT_EMPLOYERS = """
UNWIND $employers AS row
MERGE (o:Organization {uscc: row.uscc})
ON CREATE SET o.id = randomUUID(), o.name = coalesce(row.name, row.uscc), o.kind = 'enterprise',
              o.created_at = datetime(), o.updated_at = datetime()
RETURN row.uscc AS uscc, o.id AS id
"""

# Whom and what the rows of an employment or control-relation import name: one index lookup per value.
PEOPLE_BY_ID = """
UNWIND $values AS value
MATCH (p:Practitioner {id: value})
RETURN collect({value: value, id: p.id, name: p.name, hash: p.id_card_hash}) AS found
"""

PEOPLE_BY_HASH = """
UNWIND $values AS value
MATCH (p:Practitioner {id_card_hash: value})
RETURN collect({value: value, id: p.id, name: p.name, hash: p.id_card_hash}) AS found
"""

ORGANIZATIONS_BY_ID = """
UNWIND $values AS value
MATCH (o:Organization {id: value})
RETURN collect({value: value, id: o.id, name: o.name, uscc: o.uscc}) AS found
"""

ORGANIZATIONS_BY_USCC = """
UNWIND $values AS value
MATCH (o:Organization {uscc: value})
RETURN collect({value: value, id: o.id, name: o.name, uscc: o.uscc}) AS found
"""

NAMED: Mapping[str, LiteralString] = {
    "practitioner_id": PEOPLE_BY_ID,
    "id_card_hash": PEOPLE_BY_HASH,
    "organization_id": ORGANIZATIONS_BY_ID,
    "uscc": ORGANIZATIONS_BY_USCC,
}

# An import written whole or not at all (employments, control relations): recorded once, when it ends, in the
# transaction that wrote its rows (or on its own when a row refused the file and nothing was written).
RECORD_WHOLE_IMPORT = """
CREATE (:ImportBatch {id: $id, kind: $kind, filename: $filename, sha256: $sha256, by: $by, status: $status,
                      started_at: $started_at, finished_at: datetime(), updated_at: datetime(),
                      batches: $batches, last_row: $report.last_row, rows_read: $report.rows_read,
                      rows_valid: $report.rows_valid, rows_invalid: $report.rows_invalid,
                      rows_written: $report.rows_written, error_count: $report.error_count})
"""

START_IMPORT = """
CREATE (b:ImportBatch {id: $id, filename: $filename, sha256: $sha256, by: $by, status: 'running',
                       started_at: $started_at,
                       updated_at: datetime(), batches: 0, last_row: 0, rows_read: 0, rows_valid: 0,
                       rows_invalid: 0, rows_written: 0, practitioners_created: 0, certificates_created: 0,
                       certificates_unchanged: 0, certificates_conflicting: 0})
"""

# Runs inside each batch's own transaction: the record moves forward only with what was committed.
ADVANCE_IMPORT = """
MATCH (b:ImportBatch {id: $id})
SET b.batches = b.batches + 1, b.last_row = $last_row, b.rows_read = $rows_read,
    b.rows_written = b.rows_written + $rows_written,
    b.practitioners_created = b.practitioners_created + $practitioners_created,
    b.certificates_created = b.certificates_created + $certificates_created,
    b.certificates_unchanged = b.certificates_unchanged + $certificates_unchanged,
    b.certificates_conflicting = b.certificates_conflicting + $certificates_conflicting,
    b.updated_at = datetime()
"""

FINISH_IMPORT = """
MATCH (b:ImportBatch {id: $id})
SET b.status = $status, b.error = $error, b.finished_at = datetime(), b.updated_at = datetime(),
    b.rows_read = $report.rows_read, b.rows_valid = $report.rows_valid, b.rows_invalid = $report.rows_invalid,
    b.error_count = $report.error_count
"""

# An import of the same file (name and SHA-256) that did not finish is completed by one that did.
SUPERSEDE_UNFINISHED = """
MATCH (b:ImportBatch {id: $id}) WHERE b.sha256 IS NOT NULL
MATCH (earlier:ImportBatch {filename: b.filename, sha256: b.sha256})
WHERE earlier.id <> b.id AND earlier.status IN ['running', 'failed']
SET earlier.status = 'superseded', earlier.completed_by = b.id, earlier.updated_at = datetime()
"""

LIST_IMPORTS = """
MATCH (b:ImportBatch)
WITH b ORDER BY b.started_at DESC, b.id
SKIP $skip LIMIT $limit
RETURN collect(b {.*}) AS items
"""

COUNT_IMPORTS = "MATCH (b:ImportBatch) RETURN count(b) AS total"


def existing_people(tx: neo4j.ManagedTransaction, hashes: Sequence[str]) -> dict[str, str]:
    """Names of stored practitioners by ID-card hash."""
    people = tx.run(EXISTING_PEOPLE, hashes=list(hashes)).single()["people"]
    return {p["hash"]: p["name"] for p in people}


def existing_certificates(
    tx: neo4j.ManagedTransaction, numbers: Sequence[str]
) -> dict[str, StoredCertificate]:
    """Stored certificates by number, with their holder's hash: the facts an import compares."""
    certificates = tx.run(EXISTING_CERTIFICATES, numbers=list(numbers)).single()["certificates"]
    return {
        c["number"]: StoredCertificate(
            holder_hash=c["holder_hash"],
            work_type=c["work_type"],
            level=c["level"],
            issued_on=native(c["issued_on"]),
            expires_on=native(c["expires_on"]),
            status=c["status"],
        )
        for c in certificates
    }


def upsert_employers(tx: neo4j.ManagedTransaction, employers: Mapping[str, str | None]) -> dict[str, str]:
    """Organization ids for USCCs ({uscc: name}), registering the ones not yet known."""
    rows = [{"uscc": uscc, "name": name} for uscc, name in employers.items()]
    return {r["uscc"]: r["id"] for r in tx.run(UPSERT_EMPLOYERS, employers=rows)} if rows else {}


def named(tx: neo4j.ManagedTransaction, by: str, values: Sequence[str]) -> dict[str, dict[str, Any]]:
    """The stored people (`by` practitioner_id or id_card_hash: {id, name, hash}) or organizations (`by`
    organization_id or uscc: {id, name, uscc}) that these values name, by value."""
    if not values:
        return {}
    found = tx.run(NAMED[by], values=sorted(set(values))).single()["found"]
    return {item.pop("value"): item for item in found}


def record_whole_import(
    tx: neo4j.ManagedTransaction,
    batch_id: str,
    kind: str,
    filename: str,
    sha256: str | None,
    by: str,
    started_at: datetime,
    status: str,
    report: Mapping[str, Any],
) -> None:
    """Record an import written whole (`completed`, in the transaction that wrote it) or not at all (`refused`)."""
    tx.run(
        RECORD_WHOLE_IMPORT, id=batch_id, kind=kind, filename=filename, sha256=sha256, by=by, status=status,
        started_at=started_at, batches=1 if status == "completed" else 0, report=report,
    ).consume()  # fmt: skip


def start_import(
    tx: neo4j.ManagedTransaction,
    batch_id: str,
    filename: str,
    sha256: str | None,
    by: str,
    started_at: datetime,
) -> None:
    """Record an import as running, before its first batch is written."""
    tx.run(
        START_IMPORT, id=batch_id, filename=filename, sha256=sha256, by=by, started_at=started_at
    ).consume()


def advance_import(tx: neo4j.ManagedTransaction, batch_id: str, progress: Mapping[str, int]) -> None:
    """Add one committed batch to the import's record (inside that batch's transaction)."""
    tx.run(ADVANCE_IMPORT, dict(progress), id=batch_id).consume()


def finish_import(
    tx: neo4j.ManagedTransaction,
    batch_id: str,
    status: str,
    report: Mapping[str, Any],
    error: str | None = None,
) -> None:
    """Mark an import completed or failed with its final row counts; a completed one supersedes earlier
    unfinished imports of the same file (same name and SHA-256)."""
    tx.run(FINISH_IMPORT, id=batch_id, status=status, error=error, report=report).consume()
    if status == "completed":
        tx.run(SUPERSEDE_UNFINISHED, id=batch_id).consume()


def list_imports(tx: neo4j.ManagedTransaction, page: int, per_page: int) -> tuple[list[dict[str, Any]], int]:
    """Imports, newest first, and how many there are."""
    items = tx.run(LIST_IMPORTS, skip=(page - 1) * per_page, limit=per_page).single()["items"]
    return native(items), tx.run(COUNT_IMPORTS).single()["total"]
