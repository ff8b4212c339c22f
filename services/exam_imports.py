"""Import exam results from the provider's spreadsheet (CSV or XLSX): ID card, name, session, score.

Read with the certificate import's reader, each row is validated on its own (`registry.result_rows`), then
written through the same use case as `POST /exam-results` (so every exam rule applies), BATCH_SIZE rows per
transaction. A row that is invalid, names someone not registered for the session, or disagrees with the stored
name or score is reported with its row number, column and reason and writes nothing. The same score again is
`unchanged`: importing a file twice creates nothing the second time. The import is recorded as an ImportBatch
(kind `exam_results`).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

import neo4j

from adapters.spreadsheets import read_rows
from graph import applications as repo
from graph import exams as session_repo
from registry.applications import ApplicationExpired, ApplicationRules, NoRetakeLeft, NotRegistered
from registry.errors import ImportFileError, RegistryError, ValidationFailed
from registry.identifiers import id_card_hash
from registry.import_rows import RowError
from registry.result_rows import ResultImportReport, ResultRow, validate_result_row
from services import applications, exam_results
from services.context import Context

# Rows per transaction: a refused row writes nothing and the others of its batch go on.
BATCH_SIZE = 200


def _session_id(ctx: Context, row: ResultRow, cache: dict[Any, str | None]) -> str | None:
    key = row.session_id or row.session_starts_at
    if key not in cache:
        if row.session_id:
            cache[key] = row.session_id if ctx.graph.read(session_repo.view, row.session_id) else None
        else:
            cache[key] = ctx.graph.read(session_repo.starting_at, row.session_starts_at)
    return cache[key]


def _error(row: ResultRow, column: str, value: Any, reason: str) -> RowError:
    return RowError(row=row.row, column=column, value=str(value), reason=reason)


def _write_row(
    tx: neo4j.ManagedTransaction,
    ctx: Context,
    row: ResultRow,
    session_id: str,
    at: datetime,
    process: ApplicationRules,
) -> tuple[str, RowError | None]:
    """Record one row in `tx`; ("created" | "unchanged" | "conflict" | "refused", the error if any).

    Every refusal is raised by the checks before the row writes anything, so the batch's transaction goes on."""
    holder = id_card_hash(row.id_card, ctx.settings.id_card_key)
    sittings = repo.sitting_by_id_card(tx, holder, session_id)
    if not sittings:
        return "refused", _error(
            row, "session", session_id, "this person has no application registered for the session"
        )
    if len(sittings) > 1:
        return "refused", _error(
            row, "session", session_id, "this person has several applications registered for the session"
        )
    (sitting,) = sittings
    if sitting["name"] != row.name:
        return "refused", _error(row, "name", row.name, "does not match the name registered for this ID card")
    try:
        _, created = exam_results.record_result_in(
            tx, ctx, sitting["application_id"], session_id, row.score, "import", at, process
        )
    except ValidationFailed as error:
        return "refused", _error(row, "score", row.score, error.detail)
    except (NotRegistered, ApplicationExpired, NoRetakeLeft) as error:
        return "refused", _error(row, "session", session_id, error.detail)
    except RegistryError as error:
        column = "score" if "result_id" in error.extra else "session"
        return ("conflict" if column == "score" else "refused"), _error(row, column, row.score, error.detail)
    return ("created" if created else "unchanged"), None


def _write_batch(
    tx: neo4j.ManagedTransaction,
    ctx: Context,
    batch: list[tuple[ResultRow, str]],
    at: datetime,
    process: ApplicationRules,
) -> list[tuple[str, RowError | None]]:
    # Built afresh on each attempt: a retried transaction must not count its rows twice.
    return [_write_row(tx, ctx, row, session_id, at, process) for row, session_id in batch]


def import_results(
    ctx: Context, source: str | Path | BinaryIO, filename: str, by: str = "cli", batch_size: int = BATCH_SIZE
) -> ResultImportReport:
    """Validate and record every row of a results file; the report. ImportFileError when the file is unreadable."""
    started_at = datetime.now(UTC)
    report = ResultImportReport(import_id=f"import-{uuid.uuid4()}")
    process = applications.rules(ctx)
    cache: dict[Any, str | None] = {}
    at = applications.now()
    pending: list[tuple[ResultRow, str]] = []

    def flush() -> None:
        if not pending:
            return
        for outcome, error in ctx.graph.write(_write_batch, ctx, list(pending), at, process):
            report.add([error] if error else [])
            if outcome == "created":
                report.results_created += 1
            elif outcome == "unchanged":
                report.results_unchanged += 1
            elif outcome == "conflict":
                report.results_conflicting += 1
        pending.clear()

    try:
        for row_number, raw in read_rows(source, filename, warnings=report.warnings):
            row, errors = validate_result_row(row_number, raw, ctx.today, process.exam)
            if row is None:
                report.add(errors)
                continue
            session_id = _session_id(ctx, row, cache)
            if session_id is None:
                shown = row.session_id or (row.session_starts_at.isoformat() if row.session_starts_at else "")
                report.add([_error(row, "session", shown, "no exam session matches")])
                continue
            pending.append((row, session_id))
            if len(pending) >= batch_size:
                flush()
    except ImportFileError as error:
        if report.rows_read + len(pending) == 0:
            raise
        report.warnings.append(
            f"Reading stopped after {report.rows_read + len(pending)} rows: {error} The rows before were imported."
        )
    finally:
        flush()
    report.errors.sort(key=lambda error: error.row)
    ctx.graph.write(session_repo.record_import, report.import_id, filename, started_at, report.to_dict(), by)
    return report
