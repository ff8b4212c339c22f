"""Opening an XLSX workbook for streaming with bounded cost, whatever the file claims.

An XLSX file is a zip of XML parts, so a small upload can expand enormously (a 208 KB workbook once made a
worker grow by 440 MB). Before openpyxl parses anything, `inspect` reads only the zip's directory and
scans the worksheet and shared-string parts as they decompress, refusing a workbook over `XlsxLimits`.
Shared strings (the text of every cell, which openpyxl keeps in a list) are then stored in a temporary
file with an array of offsets, so memory stays flat however many strings a sheet has.
"""

from __future__ import annotations

import re
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
_SCAN_CHUNK = 1024 * 1024
# Elements counted while a part decompresses: <row …> in worksheets, <si> in the shared strings; an
# element may carry a namespace prefix (<x:row …>).
_ROW = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?row[\s/>]")
_SHARED_STRING = re.compile(rb"<(?:[A-Za-z_][\w.-]*:)?si[\s/>]")
_OVERLAP = 64  # longer than any counted start tag, so one cut across two chunks is seen once


@dataclass(frozen=True)
class XlsxShape:
    """What `inspect` found: rows in all worksheets and shared strings."""

    rows: int
    shared_strings: int


def _megabytes(size: int) -> str:
    return f"{size / (1024 * 1024):.0f} MB"


def _count(archive: zipfile.ZipFile, name: str, pattern: re.Pattern[bytes], limit: int, refuse: str) -> int:
    """Count `pattern` in one part as it decompresses, stopping as soon as the count passes `limit`."""
    count = 0
    tail = b""
    with archive.open(name) as part:
        while chunk := part.read(_SCAN_CHUNK):
            buffer = tail + chunk
            cut = max(0, len(buffer) - _OVERLAP)
            count += sum(1 for match in pattern.finditer(buffer) if match.start() < cut)
            tail = buffer[cut:]
            if count > limit:
                raise ImportFileError(refuse)
    count += len(pattern.findall(tail))
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
        data = text.encode("utf-8", "surrogatepass")
        self._spool.seek(self._offsets[-1])
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
    tag = f"{{{SHEET_MAIN_NS}}}si"
    root = None
    for event, node in iterparse(source, events=("start", "end")):
        if event == "start":
            if root is None:
                root = node
            continue
        if node.tag == tag:
            table.append(Text.from_tree(node).content.replace("x005F_", ""))
            node.clear()
            if root is not None:
                root.clear()


class _Reader(ExcelReader):
    """openpyxl's reader with the shared strings kept on disk."""

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


def sheet_rows(workbook: Workbook) -> Iterator[tuple[Any, ...]]:
    """The first worksheet's rows as tuples of values."""
    if not workbook.worksheets:
        raise ImportFileError("The workbook has no worksheet.")
    sheet = workbook.worksheets[0]
    # The stored dimension is often wrong in files from other tools; recompute it while streaming.
    sheet.reset_dimensions()
    return sheet.iter_rows(values_only=True)
