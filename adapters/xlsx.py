"""Opening an XLSX workbook for streaming with bounded cost, whatever the file claims.

An XLSX file is a zip of XML parts, so a small upload can expand enormously (a 208 KB workbook once made a
worker grow by 440 MB). Before openpyxl parses anything, `inspect` reads only the zip's directory and
scans the worksheet and shared-string parts as they decompress, refusing a workbook over `XlsxLimits`.
Shared strings (the text of every cell, which openpyxl keeps in a list) are then stored in a temporary
file with an array of offsets, so memory stays flat however many strings a sheet has.
"""

from __future__ import annotations

import tempfile
import zipfile
from array import array
from collections.abc import Iterator
from contextlib import ExitStack
from dataclasses import dataclass
from functools import lru_cache
from typing import Any, BinaryIO

from openpyxl.cell.text import Text
from openpyxl.reader.excel import ExcelReader
from openpyxl.workbook import Workbook
from openpyxl.worksheet._read_only import ReadOnlyWorksheet
from openpyxl.worksheet._reader import ROW_TAG, WorkSheetParser
from openpyxl.xml.constants import SHARED_STRINGS, SHEET_MAIN_NS
from openpyxl.xml.functions import iterparse

from registry.errors import ImportFileError


@dataclass(frozen=True)
class XlsxLimits:
    """What an imported workbook may expand to; larger lists can be imported as CSV, which has no such limit."""

    expanded_bytes: int = 256 * 1024 * 1024  # all parts, uncompressed
    shared_strings_bytes: int = 64 * 1024 * 1024  # the shared-strings part, uncompressed
    shared_strings: int = 2_000_000
    rows: int = 1_048_576  # Excel's own limit for one sheet


LIMITS = XlsxLimits()
_SCAN_CHUNK = 256 * 1024


def _start_tags(name: bytes) -> tuple[bytes, ...]:
    # <row …>, <row>, <row/> and with a namespace prefix (<x:row …>); bytes.count is fast and allocates nothing.
    return tuple(
        lead + name + end for lead in (b"<", b":") for end in (b" ", b">", b"/", b"\n", b"\r", b"\t")
    )


_ROW = _start_tags(b"row")
_SHARED_STRING = _start_tags(b"si")


def _occurrences(data: bytes, tags: tuple[bytes, ...]) -> int:
    return sum(data.count(tag) for tag in tags)


@dataclass(frozen=True)
class XlsxShape:
    """What `inspect` found: rows in all worksheets and shared strings."""

    rows: int
    shared_strings: int


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB"


def _count(archive: zipfile.ZipFile, name: str, tags: tuple[bytes, ...], limit: int, refuse: str) -> int:
    """Count start tags in one part as it decompresses, stopping as soon as the count passes `limit`."""
    keep = max(len(tag) for tag in tags) - 1  # a tag cut across two chunks is whole in tail + chunk
    count = 0
    tail = b""
    with archive.open(name) as part:
        while chunk := part.read(_SCAN_CHUNK):
            buffer = tail + chunk
            tail = buffer[-keep:]
            # Tags wholly inside the new tail are counted with the next chunk (or at the end), not now.
            count += _occurrences(buffer, tags) - _occurrences(tail, tags)
            if count > limit:
                raise ImportFileError(refuse)
    count += _occurrences(tail, tags)
    if count > limit:
        raise ImportFileError(refuse)
    return count


def inspect(stream: BinaryIO, limits: XlsxLimits = LIMITS) -> XlsxShape:
    """Check a workbook against `limits` before it is parsed; raise ImportFileError saying which is passed."""
    position = stream.tell()
    try:
        with zipfile.ZipFile(stream) as archive:
            parts = archive.infolist()
            expanded = sum(part.file_size for part in parts)
            if expanded > limits.expanded_bytes:
                raise ImportFileError(
                    f"This workbook expands to {_megabytes(expanded)} when unzipped, more than the "
                    f"{_megabytes(limits.expanded_bytes)} an .xlsx import may; split it or save it as CSV UTF-8."
                )
            # Parts where Excel, WPS and openpyxl put them; elsewhere only the size limit above applies, and the
            # shared strings still go to disk.
            names = {part.filename.lower(): part for part in parts}
            strings = names.get("xl/sharedstrings.xml")
            shared = 0
            if strings is not None:
                if strings.file_size > limits.shared_strings_bytes:
                    raise ImportFileError(
                        f"This workbook's text table expands to {_megabytes(strings.file_size)}, more than "
                        f"{_megabytes(limits.shared_strings_bytes)}; split it or save it as CSV UTF-8."
                    )
                shared = _count(
                    archive, strings.filename, _SHARED_STRING, limits.shared_strings,
                    f"This workbook holds more than {limits.shared_strings:,} distinct texts; "
                    "split it or save it as CSV UTF-8.",
                )  # fmt: skip
            rows = 0
            for name, part in names.items():
                if name.startswith("xl/worksheets/") and name.endswith(".xml"):
                    rows += _count(
                        archive, part.filename, _ROW, limits.rows - rows,
                        f"This workbook has more than {limits.rows:,} rows; split it or save it as CSV UTF-8.",
                    )  # fmt: skip
            return XlsxShape(rows=rows, shared_strings=shared)
    except ImportFileError:
        raise
    except (zipfile.BadZipFile, zipfile.LargeZipFile, EOFError, ValueError, OSError) as error:
        raise ImportFileError("This file is not a valid .xlsx workbook.") from error
    finally:
        stream.seek(position)


class DiskStrings:
    """The shared-string table in a temporary file: 8 bytes of memory per string instead of the string."""

    def __init__(self, spool: BinaryIO) -> None:
        self._spool = spool
        self._offsets = array("Q", [0])
        self._cached = lru_cache(maxsize=4096)(self._read)  # 男/本科/有效 and the like repeat on every row

    def append(self, text: str) -> None:
        """Add the next string (the table is built whole before the sheet is read)."""
        data = text.encode("utf-8", "surrogatepass")
        self._spool.write(data)
        self._offsets.append(self._offsets[-1] + len(data))

    def __len__(self) -> int:
        return len(self._offsets) - 1

    def __getitem__(self, index: int) -> str:
        if not 0 <= index < len(self):
            raise IndexError(index)
        return self._cached(index)

    def _read(self, index: int) -> str:
        start, end = self._offsets[index], self._offsets[index + 1]
        self._spool.seek(start)
        return self._spool.read(end - start).decode("utf-8", "surrogatepass")


def _read_strings(source: BinaryIO, table: DiskStrings) -> None:
    # As openpyxl.reader.strings.read_string_table, but each string goes to disk and the parsed element is
    # dropped from its parent too, so the tree does not grow with the table.
    tag, plain = f"{{{SHEET_MAIN_NS}}}si", f"{{{SHEET_MAIN_NS}}}t"
    root = None
    for event, node in iterparse(source, events=("start", "end")):
        if event == "start":
            if root is None:
                root = node
            continue
        if node.tag == tag:
            # Most strings are one plain <t>; rich text (runs, phonetics) takes openpyxl's slower path.
            simple = len(node) == 1 and node[0].tag == plain
            text = (node[0].text or "") if simple else Text.from_tree(node).content
            table.append(text.replace("x005F_", ""))
            node.clear()
            if root is not None:
                root.clear()


class _Sheet(ReadOnlyWorksheet):
    """A read-only sheet that does not look for its dimension: openpyxl parses a sheet without a <dimension>
    element whole to find it (80 MB for a million rows), and the stored one is often wrong anyway."""

    def _get_size(self) -> None:
        pass


class _Reader(ExcelReader):
    """openpyxl's reader with the shared strings kept on disk and sheets read as `_Sheet`s."""

    def __init__(self, stream: BinaryIO, spool: BinaryIO) -> None:
        super().__init__(stream, read_only=True, data_only=True)
        self._spool = spool

    def read_strings(self) -> None:
        table = DiskStrings(self._spool)
        part = self.package.find(SHARED_STRINGS)
        if part is not None:
            with self.archive.open(part.PartName[1:]) as source:
                _read_strings(source, table)
        self.shared_strings = table  # type: ignore[assignment] - used only by index, like the list it replaces

    def read_worksheets(self) -> None:
        # As ExcelReader.read_worksheets in read-only mode (openpyxl 3.1, pinned); chart sheets hold no rows.
        for sheet, rel in self.parser.find_sheets():
            if rel.target not in self.valid_files or "chartsheet" in rel.Type:
                continue
            worksheet = _Sheet(self.wb, sheet.name, rel.target, self.shared_strings)
            worksheet.sheet_state = sheet.state
            self.wb._sheets.append(worksheet)


def open_workbook(stream: BinaryIO, stack: ExitStack, limits: XlsxLimits = LIMITS) -> Workbook:
    """A read-only, values-only workbook over a seekable stream, checked against `limits` first."""
    inspect(stream, limits)
    spool = stack.enter_context(tempfile.TemporaryFile())  # noqa: SIM115 - the stack closes it
    reader = _Reader(stream, spool)
    try:
        reader.read()
    except ImportFileError:
        raise
    except Exception as error:  # openpyxl raises many kinds (BadZipFile, KeyError, XML errors) for a bad file
        raise ImportFileError("This file is not a valid .xlsx workbook.") from error
    workbook = reader.wb
    stack.callback(workbook.close)  # read-only mode keeps the archive open until closed
    return workbook


_SHEET_DATA = f"{{{SHEET_MAIN_NS}}}sheetData"


class _RowParser(WorkSheetParser):
    """openpyxl's sheet parser reduced to rows, dropping each row from the tree once parsed: openpyxl keeps the
    emptied elements (≈ 100 bytes a row, 300 MB for 3 million rows)."""

    def parse(self) -> Iterator[tuple[int, list[dict[str, Any]]]]:
        sheet_data = None
        for event, element in iterparse(self.source, events=("start", "end")):
            if event == "start":
                if element.tag == _SHEET_DATA:
                    sheet_data = element
            elif element.tag == ROW_TAG:
                row = self.parse_row(element)
                element.clear()
                if sheet_data is not None:
                    sheet_data.clear()
                yield row


def sheet_rows(workbook: Workbook) -> Iterator[tuple[Any, ...]]:
    """The first worksheet's rows as tuples of values; a row the file leaves out is an empty tuple."""
    if not workbook.worksheets:
        raise ImportFileError("The workbook has no worksheet.")
    return _values(workbook.worksheets[0])


def _values(sheet: ReadOnlyWorksheet) -> Iterator[tuple[Any, ...]]:
    # As ReadOnlyWorksheet.iter_rows(values_only=True) with openpyxl 3.1 (pinned), over _RowParser, and with
    # no dimension (the stored one is often wrong in files from other tools).
    book = sheet.parent
    with sheet._get_source() as source:
        parser = _RowParser(
            source, sheet._shared_strings, data_only=True, epoch=book.epoch,
            date_formats=book._date_formats, timedelta_formats=book._timedelta_formats,
        )  # fmt: skip
        expected = 1
        for index, cells in parser.parse():
            if index < expected:  # a repeated or out-of-order row number: openpyxl skips it too
                continue
            for _ in range(expected, index):
                yield ()
            expected = index + 1
            yield sheet._get_row(cells, values_only=True)
