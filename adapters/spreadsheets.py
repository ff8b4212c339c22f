"""Spreadsheet files in and out: CSV and XLSX read as rows of cells for the import, and written for exports.

The file-shaped work lives here (file types, encoding detection, delimiters, openpyxl, spooling a pipe);
what the columns mean and whether a row is valid is domain code in `registry.import_columns` and
`registry.import_rows`, which only ever see rows of cell values. Every CSV or XLSX the service writes goes
through this module — files (`write_csv`, `write_xlsx`) and answers in memory (`to_csv`, `to_xlsx`,
`to_workbook`) — under one rule for text a spreadsheet would run as a formula (`safe_text`).
"""

from __future__ import annotations

import codecs
import csv
import io
import shutil
import tempfile
from collections.abc import Generator, Iterable, Iterator, Mapping, Sequence
from contextlib import ExitStack
from pathlib import Path, PurePath
from typing import Any, BinaryIO

import openpyxl
from openpyxl.cell import WriteOnlyCell

from adapters import xlsx
from registry.errors import ImportFileError
from registry.formulas import looks_like_formula
from registry.import_columns import CERTIFICATE_FILE, FileColumns, records

# --- Reading files -------------------------------------------------------------------------------------------

SUPPORTED_EXTENSIONS: tuple[str, ...] = (".csv", ".xlsx")
_SNIFF_CHUNK = 64 * 1024
_SNIFF_LIMIT = 1024 * 1024


def read_rows(
    source: str | Path | BinaryIO,
    filename: str,
    *,
    warnings: list[str] | None = None,
    kind: FileColumns = CERTIFICATE_FILE,
) -> Iterator[tuple[int, dict[str, Any]]]:
    """Stream (row number as a person sees it, {column key: raw value}) for each non-empty data row, with the
    columns of `kind` (certificates unless another kind of import is read)."""
    # A generator: ImportFileError (bad type, encoding, header) is raised by the first next(), before any row.
    # Warnings (unknown columns, rows above the header) go to `warnings`, e.g. an ImportReport's list.
    notes: list[str] = warnings if warnings is not None else []
    cells = read_cells(source, filename)
    try:
        yield from records(cells, notes, kind)
    finally:
        cells.close()  # closes the file or the workbook now, not when the generator is collected


def read_cells(
    source: str | Path | BinaryIO, filename: str
) -> Generator[tuple[int, Sequence[Any]], None, None]:
    """Stream (row number, cell values) of every row of a CSV or of an XLSX's first sheet, within the bounds
    of `adapters.xlsx`; what the columns mean is the caller's (the import's `records`, a key emitter list)."""
    # A generator: ImportFileError (bad type, encoding, size) is raised by the first next(), before any row.
    extension = PurePath(filename).suffix.lower()
    if extension not in SUPPORTED_EXTENSIONS:
        hint = (
            " Save it as .xlsx or as CSV UTF-8." if extension in (".xls", ".et", ".numbers", ".ods") else ""
        )
        raise ImportFileError(
            f"Unsupported file type {extension or '(none)'!r}: only .csv and .xlsx files can be imported.{hint}"
        )
    with ExitStack() as stack:
        if isinstance(source, str | Path):
            try:
                stream: BinaryIO = stack.enter_context(open(source, "rb"))
            except OSError as error:
                raise ImportFileError(f"Cannot open the file: {error.strerror or error}") from error
        else:
            stream = source  # the caller's stream: read it, never close it
        yield from _csv_cells(stream, stack) if extension == ".csv" else _xlsx_cells(stream, stack)


class _Replay(io.RawIOBase):
    """The bytes already read for sniffing the encoding, then the rest of the stream, read lazily."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        super().__init__()
        self._head = memoryview(head)
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._head:
            size = min(len(buffer), len(self._head))
            buffer[:size] = self._head[:size]
            self._head = self._head[size:]
            return size
        data = self._rest.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _sniff(stream: BinaryIO) -> tuple[bytes, bool]:
    """Read the start of the stream: until a non-ASCII byte shows the encoding, 1 MiB, or the end."""
    chunks: list[bytes] = []
    size = 0
    while size < _SNIFF_LIMIT:
        chunk = stream.read(_SNIFF_CHUNK)
        if not chunk:
            return b"".join(chunks), True
        chunks.append(chunk)
        size += len(chunk)
        if not chunk.isascii():
            break
    return b"".join(chunks), False


def _decodes(head: bytes, encoding: str, final: bool) -> bool:
    try:
        codecs.getincrementaldecoder(encoding)().decode(head, final=final)
    except UnicodeDecodeError:
        return False
    return True


def _csv_encoding(head: bytes, at_end: bool) -> str:
    if head.startswith(b"PK\x03\x04"):
        raise ImportFileError(
            "This file is an Excel workbook, not CSV text; name it .xlsx or save it as CSV."
        )
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError("This file is an old Excel .xls workbook; save it as .xlsx or as CSV UTF-8.")
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ImportFileError("This CSV is UTF-16 (Excel 'Unicode text'); save it as CSV UTF-8 instead.")
    if b"\x00" in head:
        raise ImportFileError("This file is binary data, not CSV text.")
    if head.startswith(codecs.BOM_UTF8) or _decodes(head, "utf-8", at_end):
        return "utf-8-sig"  # also strips the BOM Excel's "CSV UTF-8" writes
    # Chinese Excel saves plain "CSV" in the ANSI code page; GB18030 is a superset of GBK and GB2312.
    if _decodes(head, "gb18030", at_end):
        return "gb18030"
    raise ImportFileError("This CSV is neither UTF-8 nor GB18030 text; save it as CSV UTF-8.")


def _delimiter(head: bytes, encoding: str) -> str:
    # Some locales' Excel writes ";" and some tools write tabs; the header line tells which.
    first_line = head.split(b"\n", 1)[0].decode(encoding, errors="replace")
    counts = {delimiter: first_line.count(delimiter) for delimiter in (",", ";", "\t")}
    best = max(counts, key=lambda delimiter: counts[delimiter])
    return best if counts[best] > counts[","] else ","


def _csv_cells(stream: BinaryIO, stack: ExitStack) -> Iterator[tuple[int, Sequence[Any]]]:
    head, at_end = _sniff(stream)
    encoding = _csv_encoding(head, at_end)
    text = stack.enter_context(
        io.TextIOWrapper(io.BufferedReader(_Replay(head, stream)), encoding=encoding, newline="")
    )
    reader = csv.reader(text, delimiter=_delimiter(head, encoding))
    # Row numbers count records, as a spreadsheet shows them, not physical lines (a quoted cell may span lines).
    index = 0
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except UnicodeDecodeError as error:
            name = "UTF-8" if encoding.startswith("utf-8") else "GB18030"
            # The decoder works a buffer ahead of the CSV reader, so only "after row N" is certain.
            raise ImportFileError(
                f"The file is not valid {name} text after row {index}; save the whole file as CSV UTF-8."
            ) from error
        except csv.Error as error:
            raise ImportFileError(f"Row {index + 1} is not valid CSV: {error}.") from error
        index += 1
        yield index, values


def _xlsx_cells(stream: BinaryIO, stack: ExitStack) -> Iterator[tuple[int, Sequence[Any]]]:
    if not stream.seekable():
        # A zip archive is read from its end; spool a pipe or socket to disk rather than into memory.
        spool = stack.enter_context(tempfile.TemporaryFile())  # noqa: SIM115 - the stack closes it
        shutil.copyfileobj(stream, spool)
        spool.seek(0)
        stream = spool  # type: ignore[assignment]
    rows = xlsx.sheet_rows(xlsx.open_workbook(stream, stack))
    index = 0
    while True:
        try:
            values = next(rows)
        except StopIteration:
            return
        except Exception as error:  # a damaged sheet fails only when its XML is reached
            raise ImportFileError(f"The workbook could not be read after row {index}.") from error
        index += 1
        yield index, values


def estimate_rows(path: str | Path) -> int:
    """Data rows in a file, for a progress bar: lines of a CSV, rows of a workbook (0 if it will be refused)."""
    with open(path, "rb") as handle:
        if PurePath(path).suffix.lower() == ".xlsx":
            try:
                return max(0, xlsx.inspect(handle).rows - 1)
            except ImportFileError:
                return 0
        return max(0, sum(chunk.count(b"\n") for chunk in iter(lambda: handle.read(1 << 20), b"")) - 1)


# --- Writing files -------------------------------------------------------------------------------------------
#
# One formula rule for everything the service writes. A spreadsheet treats a cell starting with `=`, `+`, `-`,
# `@` (their full-width forms too, or any of them behind a tab or line break) as a formula: text from the graph —
# an organization's name, a reason — could run in the reader's Excel (OWASP "CSV Injection").
# `registry.formulas.looks_like_formula` is that rule, the same the API and the import refuse names by; every
# writer here escapes what it matches. Numbers stay numbers; XLSX text cells are stored as text, never formulas.

CSV_MEDIA_TYPE = "text/csv; charset=utf-8"
XLSX_MEDIA_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_SHEET_TITLE = 31  # Excel's limit


def safe_text(value: str) -> str:
    """A text cell that no spreadsheet reads as a formula: a leading `'` before a formula prefix."""
    return "'" + value if looks_like_formula(value) else value


def escape_formula(value: Any) -> Any:
    """Text made safe (`safe_text`); other values (numbers, dates, None) as given."""
    return safe_text(value) if isinstance(value, str) else value


def safe_cell(value: Any) -> Any:
    """A cell of an answer: None → empty, bool → true/false, numbers as they are, anything else as safe text."""
    if value is None:
        return ""
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int | float):
        return value
    return safe_text(str(value))


def _text_cells(sheet: Any, values: Iterable[Any]) -> list[WriteOnlyCell]:
    """Write-only cells whose text is stored as text: openpyxl would store "=…" as a formula."""
    cells = []
    for value in values:
        cell = WriteOnlyCell(sheet, value=value)
        if isinstance(value, str):
            cell.data_type = "s"
        cells.append(cell)
    return cells


def write_csv(target: str | Path, headers: Sequence[str], rows: Iterable[Mapping[str, Any]]) -> int:
    """Write rows ({header: value}) as UTF-8 CSV with a BOM (so Excel reads Chinese), streaming, formulas
    escaped; returns the row count."""
    count = 0
    with open(target, "w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow([escape_formula(header) for header in headers])
        for row in rows:
            writer.writerow([escape_formula(row.get(header)) for header in headers])
            count += 1
    return count


def write_xlsx(
    target: str | Path | BinaryIO, headers: Sequence[str], rows: Iterable[Mapping[str, Any]]
) -> int:
    """Write rows ({header: value}) as a one-sheet workbook, streaming, formulas escaped; returns the row count."""
    workbook = openpyxl.Workbook(write_only=True)
    sheet = workbook.create_sheet()
    sheet.append(_text_cells(sheet, (escape_formula(header) for header in headers)))
    count = 0
    for row in rows:
        sheet.append(_text_cells(sheet, (escape_formula(row.get(header)) for header in headers)))
        count += 1
    workbook.save(target)
    return count


def to_csv(
    columns: Sequence[str],
    rows: Iterable[Mapping[str, Any]],
    headers: Sequence[str] | None = None,
    *,
    preamble: Sequence[str] = (),
    bom: bool = False,
) -> bytes:
    """An answer as UTF-8 CSV in memory: optional preamble lines (e.g. `# licence`), one header line, then the
    rows in `columns` order; `bom` prefixes a byte-order mark so that Excel opens Chinese text correctly."""
    buffer = io.StringIO()
    for line in preamble:
        buffer.write(line.rstrip("\r\n") + "\r\n")
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow([safe_cell(h) for h in (headers or columns)])
    for row in rows:
        writer.writerow([safe_cell(row.get(column)) for column in columns])
    text = buffer.getvalue()
    return ("\ufeff" + text if bom else text).encode("utf-8")


def to_xlsx(
    columns: Sequence[str],
    rows: Iterable[Mapping[str, Any]],
    headers: Sequence[str] | None = None,
    *,
    sheet: str = "data",
) -> bytes:
    """An answer as a one-sheet XLSX in memory (write-only, streams rows), cells as `to_csv` writes them."""
    header = [safe_cell(h) for h in (headers or columns)]
    return to_workbook([(sheet, header, ([safe_cell(row.get(c)) for c in columns] for row in rows))])


def to_workbook(sheets: Iterable[tuple[str, Sequence[str], Iterable[Sequence[Any]]]]) -> bytes:
    """A workbook in memory, one sheet per (title, headers, rows of values); text made safe, other values kept."""
    workbook = openpyxl.Workbook(write_only=True)
    for title, headers, rows in sheets:
        sheet = workbook.create_sheet(title=title[:MAX_SHEET_TITLE] or "data")
        sheet.append(_text_cells(sheet, (escape_formula(h) for h in headers)))
        for values in rows:
            sheet.append(_text_cells(sheet, (escape_formula(v) for v in values)))
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
