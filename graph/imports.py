"""Bulk import of practitioners and their certificates from CSV or XLSX, streamed and written in batches.

Each row is validated on its own (`registry.importing`); an invalid row is reported with its row number,
column and reason and writes nothing. Valid rows are written batch by batch with UNWIND (`graph.bulk`); a
certificate number already stored with other facts, or an ID card already registered under another name,
is a conflict reported for that row. Importing the same file again creates nothing and changes nothing.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any, BinaryIO

import neo4j

from graph.bulk import (
    BatchWriter,
    certificate_row,
    existing_certificates,
    existing_people,
    person_row,
    upsert_employers,
    write_batch,
)
from graph.driver import Graph
from graph.records import native
from graph.reference import known_codes
from registry.certificates import CertificateFacts, effective_status
from registry.identifiers import id_card_hash, id_card_tail
from registry.importing import (
    ImportFileError,
    ImportReport,
    ImportRow,
    RowError,
    consistency_errors,
    read_rows,
    validate_row,
)
from registry.masking import mask_name

DEFAULT_BATCH_SIZE = 2000

RECORD_IMPORT = """
CREATE (b:ImportBatch {id: $id, filename: $filename, started_at: $started_at, finished_at: datetime(),
                       rows_read: $report.rows_read, rows_valid: $report.rows_valid,
                       rows_invalid: $report.rows_invalid, practitioners_created: $report.practitioners_created,
                       certificates_created: $report.certificates_created, by: $by})
"""

PERSON_FIELDS = (
    "name",
    "gender",
    "education",
    "enrolled",
    "work_start_year",
    "phone",
    "email",
    "public_profile",
)


def _conflict(row: ImportRow, column: str, value: str, reason: str) -> RowError:
    return RowError(row=row.row, column=column, value=value, reason=reason)


def _write(
    tx: neo4j.ManagedTransaction, rows: list[ImportRow], id_card_key: bytes, today: date
) -> tuple[int, int, int, list[RowError]]:
    """One batch in one transaction: (people created, certificates created, unchanged, conflicts)."""
    hashes = {row.row: id_card_hash(row.id_card, id_card_key) for row in rows}
    stored_people = existing_people(tx, sorted(set(hashes.values())))
    numbers = sorted({row.certificate.number for row in rows if row.certificate})
    stored_certificates = {k: native(v) for k, v in existing_certificates(tx, numbers).items()}
    employers = {row.employer_uscc: row.employer_name for row in rows if row.employer_uscc}
    employer_ids = upsert_employers(tx, employers)

    conflicts: list[RowError] = []
    people: dict[str, dict[str, Any]] = {}
    certificates: dict[str, dict[str, Any]] = {}
    unchanged = 0
    for row in rows:
        holder = hashes[row.row]
        stored = stored_people.get(holder)
        if stored and stored["name"] != row.name:
            conflicts.append(
                _conflict(row, "name", mask_name(row.name), "This ID card is registered under another name.")
            )
            continue
        if row.certificate:
            cert = row.certificate
            existing = stored_certificates.get(cert.number)
            if existing:
                stored_status = effective_status(
                    CertificateFacts(cert.number, existing["work_type"], existing["level"], existing["status"],
                                     existing["issued_on"], existing["expires_on"]),
                    today,
                )  # fmt: skip
                # A different status is a conflict too: lifecycle changes go through the API, with a reason.
                same = (
                    existing["holder_hash"] == holder
                    and existing["work_type"] == cert.work_type
                    and existing["level"] == cert.level
                    and existing["issued_on"] == cert.issued_on
                    and existing["expires_on"] == cert.expires_on
                    and stored_status == cert.status
                )
                if not same:
                    conflicts.append(
                        _conflict(
                            row,
                            "certificate_number",
                            cert.number,
                            "This certificate number is already stored with other facts.",
                        )
                    )
                    continue
                unchanged += 1
            else:
                certificates[cert.number] = certificate_row(
                    holder_hash=holder, number=cert.number, work_type=cert.work_type, level=cert.level,
                    issued_on=cert.issued_on, expires_on=cert.expires_on, status=cert.status,
                )  # fmt: skip
        if not stored and holder not in people:
            people[holder] = person_row(
                id_card_hash=holder,
                practitioner_id=str(uuid.uuid4()),
                props={
                    **{f: getattr(row, f) for f in PERSON_FIELDS},
                    "id_card_tail": id_card_tail(row.id_card),
                },
                region=row.region,
                employer_id=employer_ids.get(row.employer_uscc) if row.employer_uscc else None,
                specialties=row.specialties,
                qualifications=row.qualifications,
            )
    result = write_batch(
        tx,
        list(people.values()),
        list(certificates.values()),
        today=today,
        reason="bulk import",
    )
    return result.people_created, result.certificates_created, unchanged, conflicts


def import_file(
    graph: Graph,
    source: str | BinaryIO,
    filename: str,
    *,
    id_card_key: bytes,
    today: date,
    batch_size: int = DEFAULT_BATCH_SIZE,
    by: str = "cli",
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Validate and write a CSV/XLSX file; returns the report (errors by row, counts of what was written)."""
    started_at = datetime.now(UTC)
    batch_id = f"import-{uuid.uuid4()}"
    known = graph.read(known_codes)
    report = ImportReport()
    pending: list[ImportRow] = []

    def tally(result: tuple[int, int, int, list[RowError]]) -> None:
        created_people, created_certs, unchanged, conflicts = result
        report.practitioners_created += created_people
        report.certificates_created += created_certs
        report.certificates_unchanged += unchanged
        report.certificates_conflicting += sum(1 for c in conflicts if c.column == "certificate_number")
        report.add_errors(conflicts)
        report.reject(len({c.row for c in conflicts}))

    # The next batch is read and validated while this one is written: Python and Neo4j work side by side.
    writer = BatchWriter(graph, tally)

    def flush() -> None:
        errors = consistency_errors(pending)
        report.add_errors(errors)
        bad = {error.row for error in errors}
        report.reject(len(bad))
        rows = [row for row in pending if row.row not in bad]
        if rows:
            writer.submit(_write, rows, id_card_key, today)
        if progress:
            progress(len(pending))
        pending.clear()

    try:
        for row_number, raw in read_rows(source, filename, warnings=report.warnings):
            row, errors = validate_row(row_number, raw, today=today, known=known)
            report.record(row, errors)
            if errors or row is None:
                if progress:
                    progress(1)
                continue
            pending.append(row)
            if len(pending) >= batch_size:
                flush()
    except ImportFileError as error:
        if report.rows_read == 0:
            raise  # nothing was read: the file as a whole is refused
        # Rows before the break were validated and written batch by batch; keep them and say where it stopped.
        report.add_warning(
            f"Reading stopped after {report.rows_read} rows: {error} The rows before were imported."
        )
    finally:
        with writer:
            flush()
    graph.write(
        lambda tx: tx.run(
            RECORD_IMPORT,
            id=batch_id,
            filename=filename,
            started_at=started_at,
            report=report.to_dict(),
            by=by,
        ).consume()
    )
    return report
