"""Spreadsheet files in and out: CSV and XLSX read as rows of cells for the import, and written for exports.

The file-shaped work lives here (file types, encoding detection, delimiters, openpyxl, spooling a pipe);
what the columns mean and whether a row is valid is domain code in `registry.import_columns` and
`registry.import_rows`, which only ever see rows of cell values. Every CSV or XLSX the service writes goes
through `write_csv` / `write_xlsx`, which escape text a spreadsheet would run as a formula.
"""

from __future__ import annotations

import codecs
import csv
import io
import shutil
import tempfile
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextlib import ExitStack
from pathlib import Path, PurePath
from typing import Any, BinaryIO

import openpyxl

from adapters import xlsx
from registry.errors import ImportFileError
from registry.formulas import looks_like_formula
from registry.import_columns import records

# --- Reading files -------------------------------------------------------------------------------------------

SUPPORTED_EXTENSIONS: tuple[str, ...] = (".csv", ".xlsx")
_SNIFF_CHUNK = 64 * 1024
_SNIFF_LIMIT = 1024 * 1024


def read_rows(
    source: str | Path | BinaryIO, filename: str, *, warnings: list[str] | None = None
) -> Iterator[tuple[int, dict[str, Any]]]:
    """Stream (row number as a person sees it, {column key: raw value}) for each non-empty data row."""
    # A generator: ImportFileError (bad type, encoding, header) is raised by the first next(), before any row.
    # Warnings (unknown columns, rows above the header) go to `warnings`, e.g. an ImportReport's list.
    extension = PurePath(filename).suffix.lower()
    if extension not in SUPPORTED_EXTENSIONS:
        hint = (
            " Save it as .xlsx or as CSV UTF-8." if extension in (".xls", ".et", ".numbers", ".ods") else ""
        )
        raise ImportFileError(
            f"Unsupported file type {extension or '(none)'!r}: only .csv and .xlsx files can be imported.{hint}"
        )
    notes: list[str] = warnings if warnings is not None else []
    with ExitStack() as stack:
        if isinstance(source, str | Path):
            try:
                stream: BinaryIO = stack.enter_context(open(source, "rb"))
            except OSError as error:
                raise ImportFileError(f"Cannot open the file: {error.strerror or error}") from error
        else:
            stream = source  # the caller's stream: read it, never close it
        cells = _csv_cells(stream, stack) if extension == ".csv" else _xlsx_cells(stream, stack)
        yield from records(cells, notes)


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


def escape_formula(value: Any) -> Any:
    """Text a spreadsheet would run as a formula, prefixed with ' so it shows as text; other values as given."""
    if isinstance(value, str) and looks_like_formula(value):
        return "'" + value
    return value


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
    sheet.append([escape_formula(header) for header in headers])
    count = 0
    for row in rows:
        # openpyxl stores any text starting with "=" as a formula; escaped text is stored as text.
        sheet.append([escape_formula(row.get(header)) for header in headers])
        count += 1
    workbook.save(target)
    return count
