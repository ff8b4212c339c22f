"""Text a spreadsheet would run as a formula (CSV/formula injection, OWASP): `=`, `+`, `-` or `@` first.

A tab or carriage return before them is trimmed away by many readers, so those starts count too. Imports
refuse such text in free-text columns; files the service writes escape it (`adapters.spreadsheets`).
"""

from __future__ import annotations

FORMULA_TRIGGERS: tuple[str, ...] = ("=", "+", "-", "@", "\t", "\r")


def looks_like_formula(text: str) -> bool:
    """Whether a spreadsheet could run `text` as a formula, e.g. "=HYPERLINK(...)" or "\\t=1+1"."""
    return text.startswith(FORMULA_TRIGGERS)
