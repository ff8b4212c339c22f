"""Import exam results from the provider's spreadsheet (CSV or XLSX): ID card, name, session, score.

Read with the certificate import's reader, each row is validated on its own (`registry.result_rows`), then written
in its own transaction through the same use case as `POST /exam-results`, so every exam rule applies. A row that is
invalid, names someone not registered for the session, or disagrees with the stored name or score is reported with
its row number, column and reason and writes nothing. The same score again is `unchanged`: importing a file twice
creates nothing the second time. The import is recorded as an ImportBatch (kind `exam_results`).
"""

from __future__ import annotations

import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, BinaryIO

from graph import applications as repo
from graph import exams as session_repo
from registry.applications import ApplicationExpired, NoRetakeLeft, NotRegistered
from registry.errors import RegistryError, ValidationFailed
from registry.identifiers import id_card_hash
from registry.importing import ImportFileError, RowError, read_rows
from registry.result_rows import ResultImportReport, ResultRow, validate_result_row
from services import applications
from services.context import Context


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


def _write_row(ctx: Context, row: ResultRow, session_id: str, at: datetime) -> tuple[str, RowError | None]:
    """Record one row; ("created" | "unchanged" | "conflict" | "refused", the error if any)."""
    holder = id_card_hash(row.id_card, ctx.settings.id_card_key)
    sittings = ctx.graph.read(repo.sitting_by_id_card, holder, session_id)
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
        _, created = ctx.graph.write(
            applications.record_result_in, ctx, sitting["application_id"], session_id, row.score, "import", at,
            applications.rules(ctx),
        )  # fmt: skip
    except ValidationFailed as error:
        return "refused", _error(row, "score", row.score, error.detail)
    except (NotRegistered, ApplicationExpired, NoRetakeLeft) as error:
        return "refused", _error(row, "session", session_id, error.detail)
    except RegistryError as error:
        column = "score" if "result_id" in error.extra else "session"
        return ("conflict" if column == "score" else "refused"), _error(row, column, row.score, error.detail)
    return ("created" if created else "unchanged"), None


def import_results(
    ctx: Context, source: str | Path | BinaryIO, filename: str, by: str = "cli"
) -> ResultImportReport:
    """Validate and record every row of a results file; the report. ImportFileError when the file is unreadable."""
    started_at = datetime.now(UTC)
    report = ResultImportReport(import_id=f"import-{uuid.uuid4()}")
    process = applications.rules(ctx)
    cache: dict[Any, str | None] = {}
    at = applications.now()
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
            outcome, error = _write_row(ctx, row, session_id, at)
            report.add([error] if error else [])
            if outcome == "created":
                report.results_created += 1
            elif outcome == "unchanged":
                report.results_unchanged += 1
            elif outcome == "conflict":
                report.results_conflicting += 1
    except ImportFileError as error:
        if report.rows_read == 0:
            raise
        report.warnings.append(
            f"Reading stopped after {report.rows_read} rows: {error} The rows before were imported."
        )
    ctx.graph.write(session_repo.record_import, report.import_id, filename, started_at, report.to_dict(), by)
    return report
