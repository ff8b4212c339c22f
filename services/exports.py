"""CSV and XLSX answers built in memory (statistics, open data, key emitter lists), for HTTP and the CLI.

A spreadsheet treats a cell starting with `=`, `+`, `-`, `@` (or a tab or carriage return) as a formula: text from
the graph — an organization's name, a reason — could run in the reader's Excel (OWASP "CSV Injection"). The rule is
`registry.formulas`, shared with the import checks and `adapters.spreadsheets` (which writes files); answers here
also escape a leading line feed and the full-width forms (＝＋－＠) some spreadsheet locales evaluate. Numbers stay
numbers. What this module adds to the file writers: bytes in memory, a preamble line, an optional BOM, column keys
apart from their headers, and a sheet name.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

from registry.formulas import looks_like_formula

EXTRA_TRIGGERS: tuple[str, ...] = ("\n", "＝", "＋", "－", "＠")

CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_SHEET_TITLE = 31  # Excel's limit


def safe_text(value: str) -> str:
    """A text cell that no spreadsheet reads as a formula: a leading `'` before a formula prefix."""
    return "'" + value if looks_like_formula(value) or value.startswith(EXTRA_TRIGGERS) else value


def safe_cell(value: Any) -> Any:
    """A cell value for export: None → empty, bool → true/false, numbers as they are, text made safe."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return value
    return safe_text(str(value))


def _cells(row: Mapping[str, Any], columns: Sequence[str]) -> list[Any]:
    return [safe_cell(row.get(column)) for column in columns]


def to_csv(
    columns: Sequence[str],
    rows: Iterable[Mapping[str, Any]],
    headers: Sequence[str] | None = None,
    *,
    preamble: Sequence[str] = (),
    bom: bool = False,
) -> bytes:
    """UTF-8 CSV: optional preamble lines (e.g. `# licence`), one header line, then the rows in `columns` order.

    `bom` prefixes a UTF-8 byte-order mark so that Excel opens Chinese text correctly.
    """
    buffer = io.StringIO()
    for line in preamble:
        buffer.write(line.rstrip("\r\n") + "\r\n")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([safe_cell(h) for h in (headers or columns)])
    for row in rows:
        writer.writerow(_cells(row, columns))
    text = buffer.getvalue()
    return ("\ufeff" + text if bom else text).encode("utf-8")


def to_xlsx(
    columns: Sequence[str],
    rows: Iterable[Mapping[str, Any]],
    headers: Sequence[str] | None = None,
    *,
    sheet: str = "data",
) -> bytes:
    """One-sheet XLSX (write-only, streams rows); text cells are stored as text, never as formulas."""
    workbook = Workbook(write_only=True)
    worksheet = workbook.create_sheet(title=sheet[:MAX_SHEET_TITLE] or "data")

    def line(values: Iterable[Any]) -> list[WriteOnlyCell]:
        cells = []
        for value in values:
            cell = WriteOnlyCell(worksheet, value=value)
            if isinstance(value, str):
                cell.data_type = "s"  # openpyxl would store "=…" as a formula; text it is
            cells.append(cell)
        return cells

    worksheet.append(line(safe_cell(h) for h in (headers or columns)))
    for row in rows:
        worksheet.append(line(_cells(row, columns)))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
