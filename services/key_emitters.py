"""Importing a key emitter list (重点排放单位名录, CSV or XLSX) as the Ministry publishes it.

The file is read here (an adapter: the rules in registry/key_emitters.py see rows), validated as a whole — a
list with one bad row is not written at all, and the answer says which rows and why — then merged into
organizations by USCC in one transaction. The file is the complete list of its year.
"""

from __future__ import annotations

import csv
import io
from collections.abc import Iterator, Sequence
from pathlib import PurePath
from typing import Any

import openpyxl

from graph import key_emitters as repo
from registry.errors import ValidationFailed
from registry.key_emitters import REQUIRED_LIST_COLUMNS, list_column, parse_list_row, province_names
from services import audit
from services.context import Context

HEADER_SEARCH_ROWS = 10  # a title line or two above the header is common in published lists
MAX_ROWS = 20_000


class ListFileError(ValidationFailed):
    """The file cannot be read as a list: wrong type, no header, too many rows."""

    def __init__(self, detail: str) -> None:
        super().__init__({"file": [detail]}, detail)


def _cells(data: bytes, filename: str) -> Iterator[tuple[int, Sequence[Any]]]:
    extension = PurePath(filename).suffix.lower()
    if extension == ".xlsx":
        try:
            workbook = openpyxl.load_workbook(io.BytesIO(data), read_only=True, data_only=True)
        except Exception as error:  # openpyxl raises many kinds for a file that is not a workbook
            raise ListFileError(f"not a readable .xlsx file ({type(error).__name__})") from error
        yield from enumerate(workbook.active.iter_rows(values_only=True), start=1)
        return
    if extension != ".csv":
        raise ListFileError(f"unsupported file type {extension or '(none)'!r}: use .csv or .xlsx")
    for encoding in ("utf-8-sig", "gb18030"):  # lists saved by Excel in China are often GB 18030
        try:
            text = data.decode(encoding)
            break
        except UnicodeDecodeError:
            continue
    else:
        raise ListFileError("the CSV is neither UTF-8 nor GB 18030 text")
    yield from enumerate(csv.reader(io.StringIO(text)), start=1)


def read_list(data: bytes, filename: str) -> list[tuple[int, dict[str, Any]]]:
    """(row number as a person sees it, {column key: value}) for each non-empty row below the header."""
    rows = _cells(data, filename)
    columns: list[tuple[int, str]] | None = None
    for index, values in rows:
        keys = [(position, list_column(value)) for position, value in enumerate(values)]
        found = [(position, key) for position, key in keys if key]
        if set(REQUIRED_LIST_COLUMNS) <= {key for _, key in found}:
            columns = found
            break
        if index >= HEADER_SEARCH_ROWS:
            break
    if columns is None:
        raise ListFileError("no header row naming 单位名称, 统一社会信用代码 and 行业 in the first 10 rows")
    result = []
    for index, values in rows:
        raw = {key: values[position] for position, key in columns if position < len(values)}
        if all(value in (None, "") for value in raw.values()):
            continue
        result.append((index, raw))
        if len(result) > MAX_ROWS:
            raise ListFileError(f"more than {MAX_ROWS} rows: a national list is far smaller")
    return result


REFERENCE = """
RETURN COLLECT { MATCH (r:Region) RETURN [r.code, r.name_zh] } AS regions,
       COLLECT { MATCH (i:Industry) RETURN i.code } AS industries
"""


def import_list(ctx: Context, data: bytes, filename: str, year: int | None) -> dict[str, Any]:
    """Validate and write one year's list; returns {year, rows, units, created, delisted}."""
    today = ctx.today
    rows = read_list(data, filename)
    reference = ctx.graph.read(lambda tx: tx.run(REFERENCE).single(strict=True).data())
    names = {code: name for code, name in reference["regions"]}
    units, errors = [], {}
    for index, raw in rows:
        unit, problems = parse_list_row(
            index,
            raw,
            year=year,
            province_codes=province_names(names),
            regions=names,
            industries=reference["industries"],
        )
        if problems:
            errors[f"row {index}"] = problems
        else:
            units.append(unit)
    years = {unit.year for unit in units}
    if len(years) > 1:
        errors["year"] = [f"one file is one year's list; this one names {sorted(years)}"]
    if not units and not errors:
        errors["file"] = ["the list has no rows"]
    seen: dict[str, int] = {}
    for unit in units:
        if unit.uscc in seen:
            errors.setdefault(f"row {unit.row}", []).append(f"统一社会信用代码 repeats row {seen[unit.uscc]}")
        seen.setdefault(unit.uscc, unit.row)
    if units and max(years) > today.year + 1:
        errors["year"] = [f"{max(years)} is too far ahead"]
    if errors:
        raise ValidationFailed(errors, f"the list was not imported: {len(errors)} problem(s)")
    listed_year = units[0].year
    payload = [
        {"name": u.name, "uscc": u.uscc, "industry": u.industry, "region": u.region, "year": u.year}
        for u in units
    ]

    def work(tx: Any) -> dict[str, Any]:
        written = repo.merge_list(tx, listed_year, payload)
        summary = {"year": listed_year, "rows": len(rows)} | {
            key: written[key] for key in ("units", "created", "delisted")
        }
        audit.record(
            tx, ctx, "key_emitter_list", str(listed_year), "import", details=summary | {"file": filename}
        )
        return summary

    return ctx.graph.write(work)
