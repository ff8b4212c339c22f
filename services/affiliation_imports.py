"""Imports of employment history and of groups of companies from a CSV or XLSX file (issue 23).

The file is read by the certificate import's reader and reported the same way (`registry.affiliation_rows`).
Unlike certificates, these rows lean on each other — two rows of one file can close a cycle of control, or give
one person two current employers — so a file is written whole or not at all: every row goes, in order, through
the API's own use case (`employments.record_in`, `groups.add_relation_in`) in one transaction, which sees the
rows before it; a row refused by any rule (or unreadable, or naming someone or something not stored) rolls the
whole transaction back, and the report names every such row. A dry run checks the file the same way and always
rolls back. A written file leaves the API's audit entry for each row and one for the import; it is recorded as
an ImportBatch (`completed`, or `refused` when a row refused it).
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any, BinaryIO

import neo4j

from adapters.spreadsheets import read_rows
from graph import imports as repo
from registry.affiliation_rows import (
    EMPLOYMENT_FILE,
    EMPLOYMENTS,
    RELATION_FILE,
    RELATIONS,
    AffiliationReport,
    EmploymentRow,
    RelationRow,
    validate_employment,
    validate_relation,
)
from registry.errors import Conflict, ImportFileError, NotFound, RegistryError, ValidationFailed
from registry.identifiers import id_card_hash
from registry.import_columns import FileColumns
from registry.import_rows import RowError
from registry.import_values import shown
from services import audit, employments, groups
from services.context import Context
from services.imports import file_digest

# One transaction holds the whole file and each row is the API's use case (about ten statements), so a file is
# bounded: 1 000 rows took 50 s on a loaded 2-core machine (docs/integrity.md, "Imports of employments and
# relations"); a longer file is refused before anything is written, and is better split by group or by employer.
MAX_ROWS = 10_000


class _RolledBack(Exception):
    """Raised inside the transaction to undo it: a row was refused, or the import is a dry run."""

    def __init__(self, errors: list[RowError]) -> None:
        super().__init__(f"{len(errors)} row errors")
        self.errors = errors


@dataclass(frozen=True)
class _Kind:
    name: str
    columns: FileColumns
    validate: Callable[[int, dict[str, Any], date], tuple[Any, list[RowError]]]
    write: Callable[[neo4j.ManagedTransaction, Context, Sequence[Any]], tuple[list[RowError], list[str]]]


def _error(row: int, column: str, value: Any, reason: str) -> RowError:
    return RowError(row, column, shown(column, value), reason)


class _Names:
    """The people and organizations a file's rows name, looked up once, and the row errors for those not found."""

    def __init__(self, tx: neo4j.ManagedTransaction, by: dict[str, list[str]]) -> None:
        self.found = {key: repo.named(tx, key, values) for key, values in by.items()}

    def person(
        self, row: int, practitioner_id: str | None, id_card: str | None, holder: str | None, name: str | None
    ) -> tuple[str | None, list[RowError]]:
        """The person's id (by id, else by ID card; both must name the same person, and a name the stored one)."""
        if practitioner_id is not None:
            person = self.found["practitioner_id"].get(practitioner_id)
            if person is None:
                return None, [_error(row, "practitioner_id", practitioner_id, "no practitioner with this id")]
            if holder is not None and person["hash"] != holder:
                return None, [_error(row, "id_card", id_card, "is not the ID card of practitioner_id")]
        else:
            person = self.found["id_card_hash"].get(holder or "")
            if person is None:
                return None, [
                    _error(row, "id_card", id_card, "no practitioner is registered with this ID card")
                ]
        if name is not None and name != person["name"]:
            return None, [_error(row, "name", name, "does not match the name registered for this person")]
        return person["id"], []

    def organization(
        self, row: int, organization_id: str | None, uscc: str | None, columns: tuple[str, str]
    ) -> tuple[str | None, list[RowError]]:
        """The organization's id (by id, else by USCC; both must name the same organization)."""
        id_column, uscc_column = columns
        if organization_id is not None:
            organization = self.found["organization_id"].get(organization_id)
            if organization is None:
                return None, [_error(row, id_column, organization_id, "no organization with this id")]
            if uscc is not None and organization["uscc"] != uscc:
                return None, [_error(row, uscc_column, uscc, f"is not the USCC of {id_column}")]
            return organization["id"], []
        organization = self.found["uscc"].get(uscc or "")
        if organization is None:
            return None, [_error(row, uscc_column, uscc, "no organization is registered with this USCC")]
        return organization["id"], []


def _refusal(
    row: int,
    error: RegistryError,
    values: dict[str, Any],
    fallback: str,
    renamed: dict[str, str] | None = None,
) -> list[RowError]:
    """The API's refusal of a row as row errors: a field error on the column of that field (`renamed` when the
    file calls it otherwise), any other refusal on `fallback`; `values` are the row's cells by column."""
    if isinstance(error, ValidationFailed):
        columns = [((renamed or {}).get(field, field), reason) for field, reasons in error.errors.items()
                   for reason in reasons]  # fmt: skip
        return [_error(row, column, values.get(column), reason) for column, reason in columns]
    return [_error(row, fallback, values.get(fallback), error.detail)]


def _write_employments(
    tx: neo4j.ManagedTransaction, ctx: Context, rows: Sequence[EmploymentRow]
) -> tuple[list[RowError], list[str]]:
    """Every row through `employments.record_in`, in order; the row errors and the people written."""
    holders = {row.row: id_card_hash(row.id_card, ctx.settings.id_card_key) for row in rows if row.id_card}
    names = _Names(
        tx,
        {
            "practitioner_id": [row.practitioner_id for row in rows if row.practitioner_id],
            "id_card_hash": list(holders.values()),
            "organization_id": [row.organization_id for row in rows if row.organization_id],
            "uscc": [row.organization_uscc for row in rows if row.organization_uscc],
        },
    )
    errors: list[RowError] = []
    people: list[str] = []
    for row in rows:
        person, refused = names.person(
            row.row, row.practitioner_id, row.id_card, holders.get(row.row), row.name
        )
        organization, more = names.organization(
            row.row, row.organization_id, row.organization_uscc, ("organization_id", "organization_uscc")
        )
        if refused or more:
            errors += refused + more
            continue
        assert person is not None and organization is not None
        data = {"organization_id": organization, "since": row.since, "until": row.until}
        try:
            employments.record_in(tx, ctx, person, data)
        except RegistryError as error:
            # Overlapping the same organization is about `since`; a second current employer wants an `until`.
            column = "until" if error.detail.startswith(employments.EMPLOYED_ELSEWHERE) else "since"
            if isinstance(error, NotFound):
                column = "practitioner_id" if row.practitioner_id else "id_card"
            values = {"since": row.since, "until": row.until, "practitioner_id": row.practitioner_id,
                      "id_card": row.id_card}  # fmt: skip
            errors += _refusal(row.row, error, values, column)
            continue
        people.append(person)
    return errors, people


def _write_relations(
    tx: neo4j.ManagedTransaction, ctx: Context, rows: Sequence[RelationRow]
) -> tuple[list[RowError], list[str]]:
    """Every row through `groups.add_relation_in`, in order (a cycle two rows close is refused on the second)."""
    names = _Names(
        tx,
        {
            "organization_id": [i for row in rows for i in (row.child_id, row.parent_id) if i],
            "uscc": [u for row in rows for u in (row.child_uscc, row.parent_uscc) if u],
        },
    )
    errors: list[RowError] = []
    for row in rows:
        child, refused = names.organization(row.row, row.child_id, row.child_uscc, ("child_id", "child_uscc"))
        parent, more = names.organization(
            row.row, row.parent_id, row.parent_uscc, ("parent_id", "parent_uscc")
        )
        if refused or more:
            errors += refused + more
            continue
        assert child is not None and parent is not None
        data = {
            "parent_id": parent,
            "kind": row.kind,
            "share": row.share,
            "since": row.since,
            "until": row.until,
        }
        parent_column = "parent_id" if row.parent_id else "parent_uscc"
        try:
            groups.add_relation_in(tx, ctx, child, data)
        except RegistryError as error:
            fallback = (
                parent_column if isinstance(error, Conflict) else "child_id" if row.child_id else "child_uscc"
            )
            if isinstance(error, NotFound) and "parent_id" in error.detail:
                fallback = parent_column
            values = {"share": row.share, "since": row.since, "until": row.until,
                      parent_column: row.parent_id or row.parent_uscc, "child_id": row.child_id,
                      "child_uscc": row.child_uscc}  # fmt: skip
            errors += _refusal(row.row, error, values, fallback, {"parent_id": parent_column})
    return errors, []


EMPLOYMENT_IMPORT = _Kind(EMPLOYMENTS, EMPLOYMENT_FILE, validate_employment, _write_employments)
RELATION_IMPORT = _Kind(RELATIONS, RELATION_FILE, validate_relation, _write_relations)


def import_employments(
    ctx: Context, source: str | Path | BinaryIO, filename: str, *, dry_run: bool = False
) -> AffiliationReport:
    """Check a file of employments and, unless it is a dry run or a row is refused, record them all."""
    return _import(ctx, EMPLOYMENT_IMPORT, source, filename, dry_run)


def import_relations(
    ctx: Context, source: str | Path | BinaryIO, filename: str, *, dry_run: bool = False
) -> AffiliationReport:
    """Check a file of control relations and, unless it is a dry run or a row is refused, record them all."""
    return _import(ctx, RELATION_IMPORT, source, filename, dry_run)


def _import(
    ctx: Context, kind: _Kind, source: str | Path | BinaryIO, filename: str, dry_run: bool
) -> AffiliationReport:
    """Read and check every row, then write them all in one transaction or none; ImportFileError when the file
    as a whole cannot be read (type, encoding, header, size), with nothing written."""
    started_at = datetime.now(UTC)
    report = AffiliationReport(kind=kind.name, dry_run=dry_run)
    rows: list[Any] = []
    last_row = 0
    for row_number, raw in read_rows(source, filename, warnings=report.warnings, kind=kind.columns):
        if report.rows_read >= MAX_ROWS:
            raise ImportFileError(
                f"The file has more than {MAX_ROWS:,} rows; this import writes a file whole, in one transaction: "
                "split it into files of at most that many rows."
            )
        row, errors = kind.validate(row_number, raw, ctx.today)
        report.record(row, errors)
        last_row = row_number
        if row is not None:
            rows.append(row)
    report.import_id = f"import-{uuid.uuid4()}"
    record = {
        "import_id": report.import_id, "kind": kind.name, "filename": filename, "sha256": file_digest(source),
        "by": "cli" if ctx.actor.kind == "cli" else "api", "started_at": started_at, "last_row": last_row,
    }  # fmt: skip
    undo = dry_run or report.rows_invalid > 0
    try:
        written = ctx.graph.write(
            _write, ctx, kind, rows, record, _summary(report, last_row, len(rows)), undo
        )
    except _RolledBack as rolled_back:
        report.add_errors(rolled_back.errors)
        report.reject(len({error.row for error in rolled_back.errors}))
        report.errors.sort(key=lambda error: error.row)
        if not dry_run:
            ctx.graph.write(_record, record, "refused", _summary(report, last_row, 0))
        return report
    report.written, report.rows_written = True, written
    return report


def _write(
    tx: neo4j.ManagedTransaction,
    ctx: Context,
    kind: _Kind,
    rows: Sequence[Any],
    record: dict[str, Any],
    summary: dict[str, Any],
    undo: bool,
) -> int:
    """Every row in this transaction; _RolledBack (undoing it) if a row is refused or `undo` is set."""
    errors, people = kind.write(tx, ctx, rows)
    if errors or undo:
        raise _RolledBack(errors)
    _record(tx, record, "completed", summary)
    details = {"kind": kind.name, "rows_written": len(rows)}
    audit.record(tx, ctx, "import", record["import_id"], "import_batch", details=details, subjects=people)
    return len(rows)


def _summary(report: AffiliationReport, last_row: int, rows_written: int) -> dict[str, int]:
    """The counts an ImportBatch keeps."""
    return {"rows_read": report.rows_read, "rows_valid": report.rows_valid, "rows_invalid": report.rows_invalid,
            "error_count": report.error_count, "last_row": last_row, "rows_written": rows_written}  # fmt: skip


def _record(
    tx: neo4j.ManagedTransaction, record: dict[str, Any], status: str, summary: dict[str, Any]
) -> None:
    repo.record_whole_import(
        tx, record["import_id"], record["kind"], record["filename"], record["sha256"], record["by"],
        record["started_at"], status, summary,
    )  # fmt: skip
