"""Text a spreadsheet would run as a formula (CSV/formula injection, OWASP): `=`, `+`, `-` or `@` first.

The one rule for every way in and out: the API's schemas (`interface.schemas.common.Text`) and the bulk import
refuse such text in names, organization names and e-mail addresses; every file the service writes escapes it
with a leading `'` (`adapters.spreadsheets.safe_text`). The full-width and small forms (＝ ＋ － ＠, ﹦ ﹢ ﹣ ﹫) count
too — spreadsheets in Chinese and Japanese locales evaluate them, and an IME types them — as does every other
character whose compatibility form (NFKC) is one of the four; so does a tab, carriage return or line feed first,
which many readers trim away.
"""

from __future__ import annotations

# Every character whose NFKC form begins with = + - or @ (tests/unit/test_formulas.py checks the list is whole).
FORMULA_STARTS = "=+-@⁺⁼₊₌⩵⩶﬩﹢﹣﹦﹫＋－＝＠"
LEADING_BREAKS: tuple[str, ...] = ("\t", "\r", "\n")
FORMULA_RULE = (
    "must not start with =, +, - or @ (nor their full-width forms ＝ ＋ － ＠, nor a tab or line break): "
    "a spreadsheet would run it as a formula"
)


def looks_like_formula(text: str) -> bool:
    """Whether a spreadsheet could run `text` as a formula, e.g. "=HYPERLINK(...)", "＝1+1" or "\\t=1+1"."""
    return text.startswith(LEADING_BREAKS) or text[:1] in FORMULA_STARTS if text else False
