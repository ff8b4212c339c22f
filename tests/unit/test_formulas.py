"""One rule for text a spreadsheet would run as a formula: the API and the import refuse it, every writer escapes it."""

from __future__ import annotations

import sys
import unicodedata

import pytest

from adapters.spreadsheets import safe_text
from registry.formulas import FORMULA_STARTS, looks_like_formula

FORMULAS = [
    '=HYPERLINK("http://example.invalid","点我")',
    "@SUM(A1:A9)",
    "+1+1",
    "-1+1",
    "＝1+1",  # full-width forms, which spreadsheets in Chinese and Japanese locales evaluate too
    "＠SUM(A1)",
    "＋1",
    "－1",
    "﹦1+1",  # the small form of the equals sign
    "\t=1+1",  # a tab, carriage return or line feed before it is trimmed away by many readers
    "\r=1+1",
    "\n=1+1",
]
PLAIN = ["王小明", "湖北某某水泥有限公司", "Zhang-Wei", "a=b", "1+1", "", " 中 ", "（有限合伙）"]


@pytest.mark.parametrize("text", FORMULAS)
def test_a_formula_prefix_full_width_or_behind_a_line_break_looks_like_a_formula(text):
    assert looks_like_formula(text)


@pytest.mark.parametrize("text", PLAIN)
def test_names_and_text_with_no_formula_prefix_are_plain(text):
    assert not looks_like_formula(text)


@pytest.mark.parametrize("text", FORMULAS + PLAIN)
def test_the_writers_escape_exactly_what_the_rule_refuses(text):
    assert safe_text(text) == ("'" + text if looks_like_formula(text) else text)


def test_every_character_that_normalises_to_a_formula_sign_counts():
    signs = {chr(code) for code in range(sys.maxunicode + 1)
             if unicodedata.normalize("NFKC", chr(code))[:1] in "=+-@"}  # fmt: skip
    assert set(FORMULA_STARTS) == signs


@pytest.mark.parametrize("text", ["＝1+1", "＠SUM(A1)", "﹦1", '=HYPERLINK("x")'])
def test_the_bulk_import_refuses_names_by_the_same_rule(text):
    from registry.import_values import BadValue, parse_employer_name, parse_name

    for parse in (parse_name, parse_employer_name):
        with pytest.raises(BadValue, match="formula"):
            parse(text)


@pytest.mark.parametrize("name", ["＝1+1", "@SUM(A1)"])
def test_a_key_emitter_list_refuses_a_unit_named_like_a_formula(name):
    from registry.identifiers import make_uscc
    from registry.key_emitters import parse_list_row

    raw = {"name": name, "uscc": make_uscc("91130200MA0000001"), "region": "130000", "industry": "钢铁"}
    unit, problems = parse_list_row(
        2, raw, year=2026, province_codes={}, regions={"130000"}, industries=["steel"]
    )
    assert unit is None and any("formula" in problem for problem in problems)
