"""Bulk import of practitioners and their certificates from a CSV or XLSX file, streamed and written in batches.

Each row is validated on its own (`registry.import_rows`); an invalid row is reported with its row number,
column and reason and writes nothing. Valid rows are written batch by batch, one transaction per batch,
after `registry.import_plan` has compared them with what is stored: a certificate number already stored
with other facts, or an ID card already registered under another name, is a conflict reported for that row.
Importing the same file again creates nothing and changes nothing.

The import is recorded as an ImportBatch from its start (`running`), advanced in each batch's transaction,
and ends `completed` or `failed`; re-running the same file completes an import that did not finish.
"""

from __future__ import annotations

import hashlib
import logging
import uuid
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime
from functools import partial
from itertools import chain
from pathlib import Path
from typing import Any, BinaryIO

import neo4j

from adapters.spreadsheets import read_rows
from graph import bulk
from graph import imports as repo
from graph.practitioners import practitioner_row
from graph.reference import known_codes
from registry.errors import ImportFileError
from registry.identifiers import id_card_hash, id_card_tail
from registry.import_plan import plan_batch
from registry.import_report import ImportReport
from registry.import_rows import ImportRow, RowError, consistency_errors, validate_row
from services import audit
from services.batches import BatchWriter, write_batch
from services.context import Context, Page

log = logging.getLogger("registry.imports")

DEFAULT_BATCH_SIZE = 2000
_DIGEST_CHUNK = 1024 * 1024


@dataclass
class BatchOutcome:
    """What one committed batch did."""

    practitioners_created: int
    certificates_created: int
    certificates_unchanged: int
    conflicts: list[RowError]


def _write_batch(
    tx: neo4j.ManagedTransaction, ctx: Context, rows: list[ImportRow], *, batch_id: str, rows_read: int
) -> BatchOutcome:
    """One batch in one transaction: compare with what is stored, write what is new, advance the record."""
    today = ctx.today
    holders = {row.row: id_card_hash(row.id_card, ctx.settings.id_card_key) for row in rows}
    stored_names = repo.existing_people(tx, sorted(set(holders.values())))
    numbers = sorted({row.certificate.number for row in rows if row.certificate})
    plan = plan_batch(rows, holders, stored_names, repo.existing_certificates(tx, numbers), today)

    employers = {row.employer_uscc: row.employer_name for row in plan.new_people if row.employer_uscc}
    employer_ids = repo.upsert_employers(tx, employers)
    people = [_person(row, holders[row.row], employer_ids) for row in plan.new_people]
    certificates = [
        bulk.certificate_row(
            holder_hash=holders[row.row], number=cert.number, work_type=cert.work_type, level=cert.level,
            issued_on=cert.issued_on, expires_on=cert.expires_on, status=cert.status,
        )
        for row in plan.new_certificates
        if (cert := row.certificate) is not None
    ]  # fmt: skip
    result = write_batch(tx, people, certificates, today=today, reason="bulk import", import_batch=batch_id)
    outcome = BatchOutcome(result.people_created, result.certificates_created, plan.unchanged, plan.conflicts)
    progress = {
        "last_row": max(row.row for row in rows),
        "rows_read": rows_read,
        "rows_written": len(rows) - len({c.row for c in plan.conflicts}),
        "practitioners_created": outcome.practitioners_created,
        "certificates_created": outcome.certificates_created,
        "certificates_unchanged": outcome.certificates_unchanged,
        "certificates_conflicting": _certificate_conflicts(plan.conflicts),
    }
    repo.advance_import(tx, batch_id, progress)
    if result.people_created or result.certificates_created:  # a batch that changed nothing leaves no entry
        audit.record(
            tx, ctx, "import", batch_id, "import_batch", details=progress,
            subjects=[*result.created, *result.holders],
        )  # fmt: skip
    return outcome


def _person(row: ImportRow, holder: str, employer_ids: dict[str, str]) -> dict[str, Any]:
    """A new person for `create_practitioners`; the raw ID card is never stored, only its hash and tail."""
    return practitioner_row(
        str(uuid.uuid4()),
        {
            **vars(row),
            "id_card_hash": holder,
            "id_card_tail": id_card_tail(row.id_card),
            "employer_id": employer_ids.get(row.employer_uscc) if row.employer_uscc else None,
            "specialties": list(row.specialties),
            "qualifications": list(row.qualifications),
        },
    )


def _certificate_conflicts(conflicts: list[RowError]) -> int:
    return sum(1 for c in conflicts if c.column == "certificate_number")


def import_file(
    ctx: Context,
    source: str | Path | BinaryIO,
    filename: str,
    *,
    batch_size: int = DEFAULT_BATCH_SIZE,
    progress: Callable[[int], None] | None = None,
) -> ImportReport:
    """Validate and write a CSV/XLSX file; returns the report (errors by row, counts of what was written).

    Raises ImportFileError, writing nothing, when the file as a whole cannot be read (type, encoding, header,
    size limits).
    """
    report = ImportReport()
    rows = read_rows(source, filename, warnings=report.warnings)
    # The header is read (and the file refused if it must be) before anything is recorded.
    first = next(rows, None)
    sha256 = file_digest(source)
    report.import_id = f"import-{uuid.uuid4()}"
    by = "cli" if ctx.actor.kind == "cli" else "api"
    ctx.graph.write(repo.start_import, report.import_id, filename, sha256, by, datetime.now(UTC))
    try:
        _import_rows(ctx, chain([first] if first else [], rows), report, batch_size, progress)
    except BaseException as error:
        _record_failure(ctx, report, error)
        raise
    ctx.graph.write(repo.finish_import, report.import_id, "completed", report.to_dict())
    return report


def _import_rows(
    ctx: Context,
    rows: Iterator[tuple[int, dict[str, Any]]],
    report: ImportReport,
    batch_size: int,
    progress: Callable[[int], None] | None,
) -> None:
    known = ctx.graph.read(known_codes)
    pending: list[ImportRow] = []
    batch_id = report.import_id
    assert batch_id is not None

    def tally(outcome: BatchOutcome) -> None:
        report.practitioners_created += outcome.practitioners_created
        report.certificates_created += outcome.certificates_created
        report.certificates_unchanged += outcome.certificates_unchanged
        report.certificates_conflicting += _certificate_conflicts(outcome.conflicts)
        report.add_errors(outcome.conflicts)
        report.reject(len({c.row for c in outcome.conflicts}))

    # The next batch is read and validated while this one is written: Python and Neo4j work side by side.
    writer = BatchWriter[BatchOutcome](ctx.graph, tally)

    def flush() -> None:
        errors = consistency_errors(pending)
        report.add_errors(errors)
        bad = {error.row for error in errors}
        report.reject(len(bad))
        batch = [row for row in pending if row.row not in bad]
        if batch:
            work = partial(_write_batch, ctx=ctx, rows=batch, batch_id=batch_id, rows_read=report.rows_read)
            writer.submit(work)
        if progress:
            progress(len(pending))
        pending.clear()

    try:
        for row_number, raw in rows:
            row, errors = validate_row(row_number, raw, today=ctx.today, known=known)
            report.record(row, errors)
            if errors or row is None:
                if progress:
                    progress(1)
                continue
            pending.append(row)
            if len(pending) >= batch_size:
                flush()
    except ImportFileError as error:
        # Rows before the break were validated and written batch by batch; keep them and say where it stopped.
        report.add_warning(
            f"Reading stopped after {report.rows_read} rows: {error} The rows before were imported."
        )
    finally:
        with writer:
            flush()


def _record_failure(ctx: Context, report: ImportReport, error: BaseException) -> None:
    """Mark the import failed; if the graph itself is gone, the record stays `running` with what was committed."""
    assert report.import_id is not None
    reason = str(error) if isinstance(error, ImportFileError) else type(error).__name__
    try:
        ctx.graph.write(repo.finish_import, report.import_id, "failed", report.to_dict(), reason)
    except Exception:
        log.warning("could not mark import %s failed", report.import_id, exc_info=True)


def file_digest(source: str | Path | BinaryIO) -> str | None:
    """The file's SHA-256 when it can be read twice (a path or a seekable stream), else None."""
    if isinstance(source, str | Path):
        with open(source, "rb") as handle:
            return hashlib.file_digest(handle, "sha256").hexdigest()
    if not source.seekable():
        return None
    position = source.tell()
    source.seek(0)
    digest = hashlib.sha256()
    while chunk := source.read(_DIGEST_CHUNK):
        digest.update(chunk)
    source.seek(position)
    return digest.hexdigest()


def list_imports(ctx: Context, page: int, per_page: int) -> Page:
    """The recorded imports, newest first, and how many there are."""
    return Page.of(ctx.graph.read(repo.list_imports, page, per_page))
