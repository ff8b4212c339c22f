"""CSV/XLSX writers: headers, order, Chinese, and no cell a spreadsheet would run as a formula."""

import csv
import io

import openpyxl
import pytest

from adapters.spreadsheets import safe_cell, safe_text, to_csv, to_xlsx

HOSTILE = ["=1+1", "+SUM(A1)", "-2+3", "@cmd", "\t=1", "\r=1", "＝1+1", '=HYPERLINK("http://x","y")']


@pytest.mark.parametrize("value", HOSTILE)
def test_formula_prefixes_are_neutralised(value):
    assert safe_text(value) == "'" + value


def test_plain_text_numbers_and_none_pass_through():
    assert safe_text("北京市") == "北京市"
    assert safe_cell(-3) == -3  # a negative number is a number, not a formula
    assert safe_cell(-0.5) == -0.5
    assert safe_cell(None) == ""
    assert safe_cell(True) == "true"


def test_csv_has_preamble_header_and_rows_in_column_order():
    data = to_csv(
        ["province", "holders"],
        [{"holders": 7, "province": "110000"}, {"province": "=cmd", "holders": None}],
        ["省份代码", "有效持证人数"],
        preamble=["# 许可 licence: CC BY 4.0"],
        bom=True,
    )
    assert data.startswith("\ufeff".encode())
    lines = data.decode("utf-8-sig").splitlines()
    assert lines[0] == "# 许可 licence: CC BY 4.0"
    assert list(csv.reader(lines[1:])) == [["省份代码", "有效持证人数"], ["110000", "7"], ["'=cmd", ""]]


def test_xlsx_keeps_numbers_and_stores_hostile_text_as_text():
    data = to_xlsx(["name", "holders"], [{"name": value, "holders": 5} for value in HOSTILE], sheet="supply")
    sheet = openpyxl.load_workbook(io.BytesIO(data)).active
    assert sheet.title == "supply"
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == ("name", "holders")
    for (name, holders), value in zip(rows[1:], HOSTILE, strict=True):
        # A raw carriage return in XML text is read as a line feed by the standard library's parser, kept by lxml's
        # (openpyxl reads with lxml when it is installed: pyHanko brings it); either way the text stays text.
        assert name in {"'" + value, "'" + value.replace("\r", "\n")}
        assert holders == 5
    for row in sheet.iter_rows(min_row=2):
        assert row[0].data_type == "s"
