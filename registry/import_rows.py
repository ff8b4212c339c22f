"""Validating the rows of an import file: one row is one certificate of one person, or a person alone.

Each row is checked on its own (`validate_row`), then the valid rows of a batch against each other
(`consistency_errors`). Nothing here reads files or touches the graph.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping, Sequence, Set
from dataclasses import dataclass
from datetime import date
from typing import Any

from registry.certificates import validate_dates
from registry.errors import InvalidIdentifier
from registry.import_columns import CERTIFICATE_COLUMNS
from registry.import_values import (
    ECHOED_MAX_LENGTH,
    MAX_CODES,
    BadValue,
    echoed,
    is_blank,
    mask,
    parse_boolean,
    parse_certificate_number,
    parse_date,
    parse_education,
    parse_email,
    parse_employer_name,
    parse_gender,
    parse_id_card,
    parse_level,
    parse_name,
    parse_phone,
    parse_region,
    parse_status,
    parse_uscc,
    parse_work_type,
    parse_year,
    shown,
    split_codes,
)


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    value: str  # masked for id_card, phone and email: reports are logged and shown; cut by `echoed`
    reason: str

    def __post_init__(self) -> None:
        # Reports (JSON, the XLSX of errors, the command line) repeat the value: never more than a line of it.
        object.__setattr__(self, "value", echoed(self.value))
        object.__setattr__(self, "reason", echoed(self.reason, 2 * ECHOED_MAX_LENGTH))  # reasons quote values


@dataclass(frozen=True)
class ImportCertificate:
    number: str
    work_type: str
    level: int
    issued_on: date
    expires_on: date | None
    status: str


@dataclass(frozen=True)
class ImportRow:
    row: int
    name: str
    id_card: str
    gender: str | None = None
    education: str | None = None
    enrolled: bool | None = None
    work_start_year: int | None = None
    region: str | None = None
    phone: str | None = None
    email: str | None = None
    employer_uscc: str | None = None
    employer_name: str | None = None
    public_profile: bool | None = None
    specialties: tuple[str, ...] = ()
    qualifications: tuple[str, ...] = ()
    certificate: ImportCertificate | None = None


def validate_row(
    row_number: int, raw: Mapping[str, Any], *, today: date, known: Mapping[str, Set[str]]
) -> tuple[ImportRow | None, list[RowError]]:
    """Validate and normalise one raw row; return (row, []) or (None, every error found in it)."""
    errors: list[RowError] = []

    def fail(column: str, reason: str, value: Any = None) -> None:
        errors.append(
            RowError(row_number, column, shown(column, raw.get(column) if value is None else value), reason)
        )

    def parse(column: str, parser: Callable[..., Any], *args: Any, required: str | None = None) -> Any:
        value = raw.get(column)
        if is_blank(value):
            if required:
                fail(column, required)
            return None
        try:
            return parser(value, *args)
        except BadValue as error:
            fail(column, f"{column} {error}")  # parsers shared by several columns leave the subject out
        except InvalidIdentifier as error:
            fail(column, str(error))
        return None

    name = parse("name", parse_name, required="name is required")
    id_card = parse("id_card", parse_id_card, today, required="id_card is required")
    gender = parse("gender", parse_gender)
    education = parse("education", parse_education)
    enrolled = parse("enrolled", parse_boolean)
    work_start_year = parse("work_start_year", parse_year, today)
    region = parse("region", parse_region, known["regions"])
    phone = parse("phone", parse_phone)
    email = parse("email", parse_email)
    employer_uscc = parse("employer_uscc", parse_uscc)
    employer_name = parse("employer_name", parse_employer_name)
    public_profile = parse("public_profile", parse_boolean)
    specialties = _codes(raw.get("specialties"), "specialties", "specialty", known, fail)
    qualifications = _codes(raw.get("qualifications"), "qualifications", "qualification", known, fail)
    certificate = _certificate(raw, today, parse, fail)

    if errors:
        return None, errors
    return (
        ImportRow(
            row=row_number,
            name=name,
            id_card=id_card,
            gender=gender,
            education=education,
            enrolled=enrolled,
            work_start_year=work_start_year,
            region=region,
            phone=phone,
            email=email,
            employer_uscc=employer_uscc,
            employer_name=employer_name,
            public_profile=public_profile,
            specialties=specialties,
            qualifications=qualifications,
            certificate=certificate,
        ),
        [],
    )


def _codes(
    value: Any, column: str, noun: str, known: Mapping[str, Set[str]], fail: Callable[..., None]
) -> tuple[str, ...]:
    if is_blank(value):
        return ()
    codes = split_codes(value)
    if len(codes) > MAX_CODES:
        fail(column, f"{column} may list at most {MAX_CODES} codes")
        return ()
    valid = known[column]
    for code in codes:
        if code not in valid:
            fail(
                column, f"{echoed(code, 50)!r} is not a known {noun} code", code
            )  # one error per code names exactly which to fix
    return codes


def _certificate(
    raw: Mapping[str, Any], today: date, parse: Callable[..., Any], fail: Callable[..., None]
) -> ImportCertificate | None:
    if all(is_blank(raw.get(column)) for column in CERTIFICATE_COLUMNS):
        return None  # a person-only row
    needed = "is required when the row has a certificate"
    number = parse("certificate_number", parse_certificate_number, required=f"certificate_number {needed}")
    work_type = parse("work_type", parse_work_type, required=f"work_type {needed}")
    level = parse("level", parse_level, required=f"level {needed}")
    issued_on = parse("issued_on", parse_date, required=f"issued_on {needed}")
    expires_on = parse("expires_on", parse_date)
    status = parse("status", parse_status) or "valid"
    if issued_on is not None:
        for column, reasons in validate_dates(issued_on, expires_on, today).items():
            for reason in reasons:
                fail(column, reason)
    if status == "expired" and expires_on is not None and expires_on >= today:
        # The registry only records an expiry that has happened (certificates.next_status "expire").
        fail("status", f"status is expired but expires_on {expires_on.isoformat()} has not passed")
    if None in (number, work_type, level, issued_on):
        return None
    return ImportCertificate(number, work_type, level, issued_on, expires_on, status)


# --- Across rows ---------------------------------------------------------------------------------------------


def _rows_phrase(rows: Sequence[int]) -> str:
    listed = ", ".join(str(row) for row in rows[:5]) + (", …" if len(rows) > 5 else "")
    return f"row {listed}" if len(rows) == 1 else f"rows {listed}"


def _certificate_content(row: ImportRow) -> dict[str, Any]:
    cert = row.certificate
    assert cert is not None
    return {
        "holder": row.id_card,
        "work_type": cert.work_type,
        "level": cert.level,
        "issued_on": cert.issued_on,
        "expires_on": cert.expires_on,
        "status": cert.status,
    }


def consistency_errors(rows: Sequence[ImportRow]) -> list[RowError]:
    """Errors between valid rows: a certificate number reused with other content, an ID card with two names."""
    errors: list[RowError] = []
    by_id_card: dict[str, list[ImportRow]] = {}
    by_number: dict[str, list[ImportRow]] = {}
    for row in rows:
        by_id_card.setdefault(row.id_card, []).append(row)
        if row.certificate is not None:
            by_number.setdefault(row.certificate.number, []).append(row)

    for id_card, group in by_id_card.items():
        for row in group:
            others = [other.row for other in group if other.name != row.name]
            if others:
                errors.append(
                    RowError(
                        row.row,
                        "id_card",
                        mask(id_card),
                        f"the same ID card number is on {_rows_phrase(others)} with a different name",
                    )
                )

    for number, group in by_number.items():
        contents = [_certificate_content(row) for row in group]
        for row, content in zip(group, contents, strict=True):
            differing = [
                (other.row, [name for name in content if other_content[name] != content[name]])
                for other, other_content in zip(group, contents, strict=True)
            ]
            differing = [(other_row, names) for other_row, names in differing if names]
            if differing:
                names = list(dict.fromkeys(name for _, other_names in differing for name in other_names))
                errors.append(
                    RowError(
                        row.row,
                        "certificate_number",
                        number,
                        f"certificate number {number} is also on {_rows_phrase([r for r, _ in differing])} "
                        f"with a different {', '.join(names)}",
                    )
                )
    errors.sort(key=lambda error: (error.row, error.column))
    return errors
