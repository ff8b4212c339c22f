"""Rows of the employment and control-relation imports (issue 23): their columns, each row checked on its own,
and the report, which is the certificate import's with what these imports add.

The files are read by the certificate import's reader with the columns below (`registry.import_columns`); each
row's period and share go through the same rules as the API (`registry.employments`, `registry.groups`), and the
writer (services/affiliation_imports.py) then runs every row through the API's own use case, in one transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal, InvalidOperation
from typing import Any

from registry.employments import employment_problems
from registry.errors import InvalidIdentifier
from registry.groups import RELATION_KINDS, relation_problems
from registry.import_columns import FileColumns
from registry.import_report import ImportReport
from registry.import_rows import RowError
from registry.import_values import (
    BadValue,
    as_text,
    is_blank,
    parse_date,
    parse_id_card,
    parse_name,
    parse_uscc,
    shown,
)

EMPLOYMENTS = "employments"
RELATIONS = "relations"

# A person is named by id or by ID card (as the certificate import finds people); an organization by id or by
# USCC (as the certificate import finds employers). The name, when given, must be the one stored.
EMPLOYMENT_FILE = FileColumns(
    {
        "practitioner_id": "人员编号",
        "id_card": "身份证号",
        "name": "姓名",
        "organization_id": "单位编号",
        "organization_uscc": "单位统一社会信用代码",
        "since": "起始日期",
        "until": "终止日期",
    },
    {
        "practitioner_id": ("人员id", "practitioner"),
        "id_card": ("身份证号码", "公民身份号码", "id_card_number", "id_number"),
        "organization_id": ("单位id", "organization"),
        "organization_uscc": ("统一社会信用代码", "employer_uscc", "uscc"),
        "since": ("入职日期", "开始日期", "start"),
        "until": ("离职日期", "结束日期", "end"),
    },
    required=(("practitioner_id", "id_card"), ("organization_id", "organization_uscc"), ("since",)),
)

RELATION_FILE = FileColumns(
    {
        "child_id": "被控制单位编号",
        "child_uscc": "被控制单位统一社会信用代码",
        "parent_id": "控制方单位编号",
        "parent_uscc": "控制方统一社会信用代码",
        "kind": "关系类型",
        "share": "持股比例",
        "since": "起始日期",
        "until": "终止日期",
    },
    {
        "child_id": ("子公司编号", "下属单位编号", "child"),
        "child_uscc": ("子公司统一社会信用代码", "下属单位统一社会信用代码"),
        "parent_id": ("母公司编号", "上级单位编号", "parent"),
        "parent_uscc": ("母公司统一社会信用代码", "上级单位统一社会信用代码"),
        "kind": ("关系", "控制类型", "relation"),
        "share": ("股权比例", "持股", "percentage"),
        "since": ("开始日期", "start"),
        "until": ("结束日期", "end"),
    },
    required=(("child_id", "child_uscc"), ("parent_id", "parent_uscc"), ("kind",), ("since",)),
)

# The words people write for the kinds of registry/groups.py (its codes are accepted too).
RELATION_KIND_VALUES: dict[str, str] = {
    **{kind: kind for kind in RELATION_KINDS},
    "子公司": "subsidiary",
    "母子公司": "subsidiary",
    "控股股东": "controlling_shareholder",
    "集团成员": "group_member",
    "集团成员单位": "group_member",
}


@dataclass(frozen=True)
class EmploymentRow:
    row: int
    practitioner_id: str | None  # the person by id ...
    id_card: str | None  # ... or by ID card (both: they must agree)
    name: str | None
    organization_id: str | None  # the organization by id ...
    organization_uscc: str | None  # ... or by USCC
    since: date
    until: date | None


@dataclass(frozen=True)
class RelationRow:
    row: int
    child_id: str | None
    child_uscc: str | None
    parent_id: str | None
    parent_uscc: str | None
    kind: str
    share: float | None
    since: date
    until: date | None


@dataclass
class AffiliationReport(ImportReport):
    """The certificate import's report, for a file written whole or not at all: its kind, whether it was a dry
    run, whether it was written, and how many employments or relations it recorded."""

    kind: str = EMPLOYMENTS
    dry_run: bool = False
    written: bool = False
    rows_written: int = 0

    def to_dict(self) -> dict[str, Any]:
        data = super().to_dict()
        for key in ("practitioners_created", "certificates_created", "certificates_unchanged",
                    "certificates_conflicting"):  # fmt: skip
            data.pop(key)
        return data


def parse_id(value: Any) -> str:
    try:
        return str(uuid.UUID(as_text(value)))
    except ValueError:
        raise BadValue("must be an id as the registry gives it (a UUID)") from None


def parse_share(value: Any) -> float:
    """A percentage cell: 51, 51.5 or "51%" (a number from 0 to 100; the range is registry/groups.py's)."""
    if isinstance(value, bool):
        raise BadValue("must be a percentage, e.g. 51 or 51%")
    text = as_text(value).removesuffix("%").removesuffix("％").strip()
    try:
        number = Decimal(text)
    except InvalidOperation:
        raise BadValue("must be a percentage, e.g. 51 or 51%") from None
    if not number.is_finite():
        raise BadValue("must be a percentage, e.g. 51 or 51%")
    return float(number)


def parse_kind(value: Any) -> str:
    key = as_text(value).lower()
    if key not in RELATION_KIND_VALUES:
        raise BadValue(
            "must be 子公司 (subsidiary), 控股股东 (controlling_shareholder) or 集团成员 (group_member)"
        )
    return RELATION_KIND_VALUES[key]


class _Cells:
    """One raw row being parsed: each column's value or None, and the errors found, by column."""

    def __init__(self, row: int, raw: Mapping[str, Any]) -> None:
        self.row, self.raw = row, raw
        self.errors: list[RowError] = []

    def fail(self, column: str, reason: str) -> None:
        self.errors.append(RowError(self.row, column, shown(column, self.raw.get(column)), reason))

    def parse(self, column: str, parser: Callable[..., Any], *args: Any, required: bool = False) -> Any:
        value = self.raw.get(column)
        if is_blank(value):
            if required:
                self.fail(column, f"{column} is required")
            return None
        try:
            return parser(value, *args)
        except BadValue as error:
            self.fail(column, f"{column} {error}")
        except InvalidIdentifier as error:
            self.fail(column, str(error))
        return None

    def either(self, first: str, second: str) -> None:
        if is_blank(self.raw.get(first)) and is_blank(self.raw.get(second)):
            self.fail(first, f"{first} or {second} is required")

    def problems(self, errors: Mapping[str, list[str]]) -> None:
        """Field errors of a registry rule, each on the column of the same name."""
        for column, reasons in errors.items():
            for reason in reasons:
                self.fail(column, reason)


def validate_employment(
    row_number: int, raw: Mapping[str, Any], today: date
) -> tuple[EmploymentRow | None, list[RowError]]:
    """Check one row of an employment file; (row, []) or (None, every error found in it)."""
    cells = _Cells(row_number, raw)
    cells.either("practitioner_id", "id_card")
    cells.either("organization_id", "organization_uscc")
    practitioner_id = cells.parse("practitioner_id", parse_id)
    id_card = cells.parse("id_card", parse_id_card, today)
    name = cells.parse("name", parse_name)
    organization_id = cells.parse("organization_id", parse_id)
    organization_uscc = cells.parse("organization_uscc", parse_uscc)
    since = cells.parse("since", parse_date, required=True)
    until = cells.parse("until", parse_date)
    if since is not None and not cells.errors:
        cells.problems(employment_problems(since, until, today))  # the API's rule for the period
    if cells.errors:
        return None, cells.errors
    row = EmploymentRow(
        row_number, practitioner_id, id_card, name, organization_id, organization_uscc, since, until
    )
    return row, []


def validate_relation(
    row_number: int, raw: Mapping[str, Any], today: date
) -> tuple[RelationRow | None, list[RowError]]:
    """Check one row of a control-relation file; (row, []) or (None, every error found in it)."""
    cells = _Cells(row_number, raw)
    cells.either("child_id", "child_uscc")
    cells.either("parent_id", "parent_uscc")
    child_id = cells.parse("child_id", parse_id)
    child_uscc = cells.parse("child_uscc", parse_uscc)
    parent_id = cells.parse("parent_id", parse_id)
    parent_uscc = cells.parse("parent_uscc", parse_uscc)
    kind = cells.parse("kind", parse_kind, required=True)
    share = cells.parse("share", parse_share)
    since = cells.parse("since", parse_date, required=True)
    until = cells.parse("until", parse_date)
    if not cells.errors:
        cells.problems(relation_problems(share, since, until))  # the API's rule for the share and period
    if cells.errors:
        return None, cells.errors
    return RelationRow(
        row_number, child_id, child_uscc, parent_id, parent_uscc, kind, share, since, until
    ), []
