"""The spreadsheet adapter: bounded XLSX reading (zip bombs refused before parsing, flat memory) and the
writers that escape formulas."""

from __future__ import annotations

import csv
import io
import time
import tracemalloc
import zipfile
from contextlib import ExitStack
from pathlib import Path

import openpyxl
import pytest

from adapters import xlsx
from adapters.spreadsheets import escape_formula, read_rows, write_csv, write_xlsx
from registry.errors import ImportFileError

_CONTENT_TYPES = """<?xml version="1.0" encoding="UTF-8"?>
<Types xmlns="http://schemas.openxmlformats.org/package/2006/content-types">
<Default Extension="rels" ContentType="application/vnd.openxmlformats-package.relationships+xml"/>
<Default Extension="xml" ContentType="application/xml"/>
<Override PartName="/xl/workbook.xml"
 ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet.main+xml"/>
<Override PartName="/xl/worksheets/sheet1.xml"
 ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.worksheet+xml"/>
<Override PartName="/xl/sharedStrings.xml"
 ContentType="application/vnd.openxmlformats-officedocument.spreadsheetml.sharedStrings+xml"/>
</Types>"""
_RELS = """<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/officeDocument"
 Target="xl/workbook.xml"/></Relationships>"""
_WORKBOOK = """<?xml version="1.0" encoding="UTF-8"?>
<workbook xmlns="http://schemas.openxmlformats.org/spreadsheetml/2006/main"
 xmlns:r="http://schemas.openxmlformats.org/officeDocument/2006/relationships">
<sheets><sheet name="Sheet1" sheetId="1" r:id="rId1"/></sheets></workbook>"""
_WORKBOOK_RELS = """<?xml version="1.0" encoding="UTF-8"?>
<Relationships xmlns="http://schemas.openxmlformats.org/package/2006/relationships">
<Relationship Id="rId1" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/worksheet"
 Target="worksheets/sheet1.xml"/>
<Relationship Id="rId2" Type="http://schemas.openxmlformats.org/officeDocument/2006/relationships/sharedStrings"
 Target="sharedStrings.xml"/></Relationships>"""
_MAIN = "http://schemas.openxmlformats.org/spreadsheetml/2006/main"


def workbook_bytes(rows: list[list[int]] | int, strings: list[str] | int, string_text: str = "x") -> bytes:
    """A hand-made workbook: rows of shared-string indexes (or how many copies of one row); `strings` is the
    table, or how many copies of `string_text` it holds (a bomb compresses to almost nothing)."""
    sheet = io.StringIO()
    sheet.write(f'<?xml version="1.0" encoding="UTF-8"?><worksheet xmlns="{_MAIN}"><sheetData>')
    if isinstance(rows, int):
        sheet.write('<row r="1"><c r="A1" t="s"><v>0</v></c></row>' * rows)
        rows = []
    for number, row in enumerate(rows, start=1):
        cells = "".join(
            f'<c r="{chr(65 + col)}{number}" t="s"><v>{index}</v></c>' for col, index in enumerate(row)
        )
        sheet.write(f'<row r="{number}">{cells}</row>')
    sheet.write("</sheetData></worksheet>")
    if isinstance(strings, int):
        table = f"<si><t>{string_text}</t></si>" * strings
        count = strings
    else:
        table = "".join(f"<si><t>{text}</t></si>" for text in strings)
        count = len(strings)
    buffer = io.BytesIO()
    with zipfile.ZipFile(buffer, "w", zipfile.ZIP_DEFLATED, compresslevel=9) as archive:
        archive.writestr("[Content_Types].xml", _CONTENT_TYPES)
        archive.writestr("_rels/.rels", _RELS)
        archive.writestr("xl/workbook.xml", _WORKBOOK)
        archive.writestr("xl/_rels/workbook.xml.rels", _WORKBOOK_RELS)
        archive.writestr("xl/worksheets/sheet1.xml", sheet.getvalue())
        archive.writestr(
            "xl/sharedStrings.xml",
            f'<?xml version="1.0" encoding="UTF-8"?><sst xmlns="{_MAIN}" count="{count}" uniqueCount="{count}">'
            f"{table}</sst>",
        )
    return buffer.getvalue()


def _refusal(data: bytes) -> tuple[str, float, int]:
    """Read the workbook as an import; the refusal's message, the seconds it took and Python's peak bytes."""
    tracemalloc.start()
    started = time.perf_counter()
    with pytest.raises(ImportFileError) as refused:
        list(read_rows(io.BytesIO(data), "bomb.xlsx"))
    elapsed = time.perf_counter() - started
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    return str(refused.value), elapsed, peak


def test_a_shared_strings_bomb_is_refused_before_parsing_in_little_time_and_memory():
    data = workbook_bytes([[0, 1]], xlsx.LIMITS.shared_strings + 1)
    assert len(data) < 300_000  # a small upload …
    message, elapsed, peak = _refusal(data)
    assert "distinct texts" in message and "CSV" in message
    assert elapsed < 5 and peak < 16 * 1024 * 1024, (elapsed, peak)


def test_a_workbook_with_more_rows_than_excel_allows_is_refused_before_parsing():
    message, elapsed, peak = _refusal(workbook_bytes(xlsx.LIMITS.rows + 1, ["x"]))
    assert "rows" in message
    assert elapsed < 5 and peak < 16 * 1024 * 1024, (elapsed, peak)


def test_a_workbook_that_expands_too_far_is_refused_from_the_zip_directory_alone():
    data = workbook_bytes([[0]], 10_000, string_text="y" * 200)
    small = xlsx.XlsxLimits(expanded_bytes=1024 * 1024)
    with pytest.raises(ImportFileError, match="expands to"):
        xlsx.inspect(io.BytesIO(data), small)
    with pytest.raises(ImportFileError, match="text table"):
        xlsx.inspect(io.BytesIO(data), xlsx.XlsxLimits(shared_strings_bytes=1024 * 1024))


def test_shared_strings_are_kept_on_disk_so_memory_stays_flat():
    count = 50_000
    texts = [f"文本{n:07d}" for n in range(count)]
    data = workbook_bytes(
        [[0, 1], *[[n, n] for n in range(2, count, 1000)]], ["姓名", "身份证号", *texts[2:]]
    )
    tracemalloc.start()
    with ExitStack() as stack:
        workbook = xlsx.open_workbook(io.BytesIO(data), stack)
        rows = list(xlsx.sheet_rows(workbook))
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert rows[0] == ("姓名", "身份证号") and rows[1] == (texts[2], texts[2])
    # openpyxl's list of 50 000 strings peaks at ≈ 9 MB; on disk they cost 8 bytes each of memory (≈ 2.6 MB).
    assert peak < 5 * 1024 * 1024, f"peak {peak / 1e6:.1f} MB"


def test_the_inspection_counts_rows_for_a_progress_bar():
    shape = xlsx.inspect(io.BytesIO(workbook_bytes([[0], [0], [0]], ["a"])))
    assert (shape.rows, shape.shared_strings) == (3, 1)


# --- Writing ---


@pytest.mark.parametrize("text", ["=1+1", "+1", "-1", "@SUM(A1)", "\t=1", "\r=1"])
def test_text_a_spreadsheet_would_run_is_written_as_text(text):
    assert escape_formula(text) == "'" + text


@pytest.mark.parametrize("value", ["王小明", "a-b", "2024-03-01", 42, None, ""])
def test_other_values_are_written_as_they_are(value):
    assert escape_formula(value) == value


def test_the_csv_writer_escapes_formulas_and_excel_reads_its_chinese(tmp_path: Path):
    path = tmp_path / "out.csv"
    rows = [{"姓名": '=HYPERLINK("http://example.invalid")', "手机": "13800000000"}]
    assert write_csv(path, ["姓名", "手机"], rows) == 1
    raw = path.read_bytes()
    assert raw.startswith(b"\xef\xbb\xbf")
    assert list(csv.reader(io.StringIO(raw.decode("utf-8-sig")))) == [
        ["姓名", "手机"],
        ['\'=HYPERLINK("http://example.invalid")', "13800000000"],
    ]


def test_the_xlsx_writer_stores_escaped_text_never_a_formula(tmp_path: Path):
    path = tmp_path / "out.xlsx"
    assert (
        write_xlsx(path, ["姓名", "分数"], [{"姓名": "=1+1", "分数": 3}, {"姓名": "王小明", "分数": None}])
        == 2
    )
    sheet = openpyxl.load_workbook(path).active
    assert [[cell.value for cell in row] for row in sheet.iter_rows()] == [
        ["姓名", "分数"],
        ["'=1+1", 3],
        ["王小明", None],
    ]
    assert all(cell.data_type != "f" for row in sheet.iter_rows() for cell in row)
