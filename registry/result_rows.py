"""Rows of an exam-results file from the exam provider: ID card, name, session, score (身份证号, 姓名, 考试场次, 成绩).

The file is read by the same reader as the certificate import (adapters/spreadsheets.py, with the columns of
registry/import_columns.py); each row is checked here on its own, and the writer (services/exam_imports.py) then
finds the sitting and applies the exam rules. Errors use the certificate import's RowError, so both imports
report rows the same way.
"""

from __future__ import annotations

import uuid
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from typing import Any

from registry.errors import InvalidIdentifier
from registry.exams import CHINA_TIME, DEFAULT_EXAM_RULES, ExamRules, validate_score
from registry.identifiers import normalize_id_card
from registry.import_report import MAX_STORED_ERRORS
from registry.import_rows import RowError

NAME_MAX_LENGTH = 50
REQUIRED: tuple[str, ...] = ("id_card", "name", "session", "score")


@dataclass(frozen=True)
class ResultRow:
    row: int
    id_card: str
    name: str
    session_id: str | None  # the session named by id ...
    session_starts_at: datetime | None  # ... or by its start (China time when the cell has no offset)
    score: float


def _masked(text: str) -> str:
    # As the certificate import shows ID cards: first 3 and last 2 characters.
    return text[:3] + "***" + text[-2:] if len(text) >= 8 else "***"


def _text(value: Any) -> str:
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.isoformat(" ")
    return "" if value is None else str(value).strip()


def parse_session(value: Any) -> tuple[str | None, datetime | None]:
    """A session cell: a session id, or its start as a date-time (with or without offset; none means China time)."""
    if isinstance(value, datetime):
        start = value
    else:
        text = _text(value)
        try:
            return str(uuid.UUID(text)), None
        except ValueError:
            pass
        try:
            start = datetime.fromisoformat(text.replace("/", "-"))
        except ValueError:
            raise ValueError("must be the session's id or its start, e.g. 2026-12-26 09:00") from None
    if start.tzinfo is None:
        start = start.replace(tzinfo=CHINA_TIME)
    return None, start


def parse_score(value: Any, rules: ExamRules = DEFAULT_EXAM_RULES) -> float:
    """A score cell: a number (text is accepted, e.g. "72.5"), within 0–100."""
    if isinstance(value, bool):
        raise ValueError("must be a number")
    number: Any = value
    if isinstance(value, str):
        try:
            number = Decimal(value.strip())
        except InvalidOperation:
            raise ValueError("must be a number") from None
        if not number.is_finite():
            raise ValueError("must be a number")
    errors = validate_score(number, rules)
    if errors:
        raise ValueError(errors["score"][0])
    return float(number)


def validate_result_row(
    row_number: int, raw: dict[str, Any], today: date, rules: ExamRules = DEFAULT_EXAM_RULES
) -> tuple[ResultRow | None, list[RowError]]:
    """Check one row on its own; the row and no errors, or None and every error found."""
    errors: list[RowError] = []

    def fail(column: str, reason: str, value: Any) -> None:
        shown = _masked(_text(value)) if column == "id_card" else _text(value)
        errors.append(RowError(row=row_number, column=column, value=shown, reason=reason))

    for column in REQUIRED:
        if raw.get(column) is None or _text(raw.get(column)) == "":
            fail(column, "is required", None)
    if errors:
        return None, errors
    id_card = name = ""
    session_id = starts_at = None
    score = 0.0
    if isinstance(raw["id_card"], float):
        fail(
            "id_card",
            "was stored as a number, which loses its last digits; format the column as text",
            raw["id_card"],
        )
    else:
        try:
            id_card = normalize_id_card(_text(raw["id_card"]), today=today)
        except InvalidIdentifier as error:
            fail("id_card", str(error), raw["id_card"])
    name = _text(raw["name"])
    if len(name) > NAME_MAX_LENGTH or any(ord(char) < 32 for char in name):
        fail("name", f"must be a name of at most {NAME_MAX_LENGTH} characters", raw["name"])
    try:
        session_id, starts_at = parse_session(raw["session"])
    except ValueError as error:
        fail("session", str(error), raw["session"])
    try:
        score = parse_score(raw["score"], rules)
    except ValueError as error:
        fail("score", str(error), raw["score"])
    if errors:
        return None, errors
    return ResultRow(row_number, id_card, name, session_id, starts_at, score), []


@dataclass
class ResultImportReport:
    """What a results import did, in the certificate import's shape: rows, errors (first 1000), warnings, counts."""

    import_id: str | None = None
    rows_read: int = 0
    rows_valid: int = 0
    rows_invalid: int = 0
    error_count: int = 0
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    results_created: int = 0
    results_unchanged: int = 0
    results_conflicting: int = 0

    def add(self, errors: list[RowError]) -> None:
        """Count one row: valid when it has no errors."""
        self.rows_read += 1
        if errors:
            self.rows_invalid += 1
        else:
            self.rows_valid += 1
        for error in errors:
            self.error_count += 1
            if len(self.errors) < MAX_STORED_ERRORS:
                self.errors.append(error)

    def reject(self, error: RowError) -> None:
        """Turn a row counted valid into an invalid one (the writer refused it)."""
        self.rows_valid -= 1
        self.rows_invalid += 1
        self.error_count += 1
        if len(self.errors) < MAX_STORED_ERRORS:
            self.errors.append(error)

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data."""
        return asdict(self) | {"errors_truncated": self.error_count > len(self.errors)}
