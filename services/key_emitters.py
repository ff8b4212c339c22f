"""Importing a key emitter list (重点排放单位名录, CSV or XLSX) as the Ministry publishes it.

The file is read by the one bounded spreadsheet reader the imports use (`adapters.spreadsheets.read_cells`: CSV
or XLSX within the XLSX bounds; ImportFileError when it cannot be read); the rules in registry/key_emitters.py
see rows. The list is validated as a whole — a list with one bad row is not written at all, and the answer says
which rows and why — then merged into organizations by USCC in one transaction. The file is the complete list of
its year.
"""

from __future__ import annotations

from collections.abc import Iterator, Sequence
from contextlib import closing
from pathlib import Path
from typing import Any, BinaryIO

from adapters.spreadsheets import read_cells
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


def read_list(source: str | Path | BinaryIO, filename: str) -> list[tuple[int, dict[str, Any]]]:
    """(row number as a person sees it, {column key: value}) for each non-empty row below the header."""
    with closing(read_cells(source, filename)) as rows:
        return _list_rows(rows)


def _list_rows(rows: Iterator[tuple[int, Sequence[Any]]]) -> list[tuple[int, dict[str, Any]]]:
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


def import_list(
    ctx: Context, source: str | Path | BinaryIO, filename: str, year: int | None
) -> dict[str, Any]:
    """Validate and write one year's list (a path or a binary stream); returns {year, rows, units, created,
    delisted}."""
    today = ctx.today
    rows = read_list(source, filename)
    reference = ctx.graph.read(repo.regions_and_industries)
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
