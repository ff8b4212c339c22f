"""Attendance of an activity (issue 25): who came and for how many hours, recorded by the organizer afterwards,
as JSON rows or a CSV/XLSX file, answered with a row report.

A file or a request is applied whole or not at all: every row is checked first (the person signed up, the hours
fit: more than 0 and at most 24 for each day spanned for someone who came, none for someone absent, each person
once); if any row is refused, nothing is written and the answer is a 400 whose `rows` say which and why. A dry
run checks the same way and writes nothing. Rows may correct an earlier record (attended ↔ absent, other hours).
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import Any, BinaryIO

import neo4j

from adapters.spreadsheets import read_rows
from graph import activities as repo
from registry import activities as rules
from registry.activity_rows import ATTENDANCE_FILE, attendance_row
from registry.errors import Conflict, ImportFileError, ValidationFailed
from services import audit
from services.activities import Caller, organized
from services.context import Context


class AttendanceRefused(ValidationFailed):
    """At least one row was refused; nothing was written. `rows` is the report."""


def record(
    ctx: Context, caller: Caller, activity_id: str, rows: list[dict[str, Any]], dry_run: bool = False
) -> dict[str, Any]:
    """Record the rows {practitioner_id, attended, hours} of a request (row n is the n-th, from 1)."""
    numbered = [
        (n, {**row, "practitioner_id": str(row["practitioner_id"])}, None) for n, row in enumerate(rows, 1)
    ]
    return _apply(ctx, caller, activity_id, numbered, dry_run, source="api")


def record_file(
    ctx: Context,
    caller: Caller,
    activity_id: str,
    source: str | Path | BinaryIO,
    filename: str,
    dry_run: bool,
) -> dict[str, Any]:
    """Record the rows of an attendance file (人员编号, 是否出席, 服务时长); row numbers as the file shows them."""
    warnings: list[str] = []
    numbered: list[tuple[int, dict[str, Any] | None, str | None]] = []
    for row_number, raw in read_rows(source, filename, warnings=warnings, kind=ATTENDANCE_FILE):
        if len(numbered) >= rules.MAX_ATTENDANCE_ROWS:
            raise ImportFileError(
                f"The file has more than {rules.MAX_ATTENDANCE_ROWS:,} rows; an activity's attendance is at most that."
            )
        row, problem = attendance_row(raw)
        numbered.append((row_number, row, problem))
    if not numbered:
        raise ImportFileError("The file has no rows below its header.")
    return _apply(ctx, caller, activity_id, numbered, dry_run, source="file", warnings=warnings)


def _apply(
    ctx: Context,
    caller: Caller,
    activity_id: str,
    numbered: Iterable[tuple[int, dict[str, Any] | None, str | None]],
    dry_run: bool,
    *,
    source: str,
    warnings: list[str] | None = None,
) -> dict[str, Any]:
    rows = list(numbered)

    def work(tx: neo4j.ManagedTransaction) -> dict[str, Any]:
        view = organized(tx, caller, activity_id)
        if problem := rules.attendance_state_problem(view["status"], view["starts_on"], ctx.today):
            raise Conflict(problem, activity_status=view["status"])
        ids = [row["practitioner_id"] for _, row, _ in rows if row is not None]
        statuses = repo.join_statuses(tx, activity_id, ids)
        report_rows, to_write = _check(rows, statuses, view)
        refused = sum(1 for row in report_rows if row["status"] != 200)
        report = {
            "activity_id": activity_id, "dry_run": dry_run, "applied": False, "source": source,
            "rows_read": len(rows), "rows_valid": len(rows) - refused, "rows_invalid": refused,
            "attended": sum(1 for row in to_write if row["attended"]),
            "absent": sum(1 for row in to_write if not row["attended"]),
            "hours": sum(row["hours"] or 0 for row in to_write), "warnings": warnings or [], "rows": report_rows,
        }  # fmt: skip
        if refused and not dry_run:
            raise AttendanceRefused(
                {"rows": [f"Row {row['row']}: {row['detail']}" for row in report_rows if row["status"] != 200]},
                detail=f"{refused} of {len(rows)} row(s) refused; nothing was recorded.",
                **{key: value for key, value in report.items() if key != "rows"}, rows=report_rows,
            )  # fmt: skip
        if dry_run:
            return report
        repo.record_attendance(tx, activity_id, to_write)
        audit.record(
            tx, ctx, "activity", activity_id, "attendance",
            details={"source": source, "attended": report["attended"], "absent": report["absent"],
                     "hours": report["hours"]},
            subjects=[row["practitioner_id"] for row in to_write],
        )  # fmt: skip
        return report | {"applied": True}

    return ctx.graph.write(work)


def _check(
    rows: list[tuple[int, dict[str, Any] | None, str | None]], statuses: dict[str, str], view: dict[str, Any]
) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
    """The row report (status 200 or 400 with the reason) and the rows to write, hours filled in."""
    seen: set[str] = set()
    report: list[dict[str, Any]] = []
    to_write: list[dict[str, Any]] = []
    for number, row, unreadable in rows:
        if row is None:
            report.append({"row": number, "practitioner_id": None, "status": 400, "detail": unreadable})
            continue
        pid = row["practitioner_id"]
        hours = rules.attendance_hours(row["attended"], row.get("hours"), view["hours"])
        entry = {"row": number, "practitioner_id": pid, "attended": row["attended"], "hours": hours}
        if pid in seen:
            problem: str | None = "This person has an earlier row; one row per person."
        else:
            problem = rules.attendance_row_problem(
                statuses.get(pid), row["attended"], row.get("hours"), view["starts_on"], view["ends_on"]
            )
        seen.add(pid)
        if problem:
            report.append(entry | {"status": 400, "detail": problem})
        else:
            report.append(entry | {"status": 200, "detail": "attended" if row["attended"] else "absent"})
            to_write.append({"practitioner_id": pid, "attended": row["attended"], "hours": hours})
    return report, to_write
