"""Small-cell suppression for privacy, and the column headers and values in Chinese."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from typing import Any

from registry.statistics.rules import DEFAULT_MINIMUM_CELL, HEADERS_ZH
from registry.statistics.tables import Table
from registry.taxonomy import LEVEL_BY_RANK, WORK_TYPE_BY_CODE

# --- Privacy suppression -------------------------------------------------------------------------------------


def _cell_groups(rows: Sequence[dict[str, Any]], group_by: Sequence[str]) -> list[list[int]]:
    # The narrow groups first, the whole table last: pairing inside a province usually settles the table too.
    groups: list[list[int]] = []
    for dimension in group_by:
        by_value: dict[Any, list[int]] = defaultdict(list)
        for index, row in enumerate(rows):
            by_value[row.get(dimension)].append(index)
        groups.extend(by_value.values())
    groups.append(list(range(len(rows))))
    return groups


def suppress(
    table: Table, minimum: int = DEFAULT_MINIMUM_CELL, group_by: Sequence[str] = ("province",)
) -> Table:
    """Blank (None) every people count in 1..minimum-1, then enough other cells that no total gives one back.

    Primary suppression: a count of people below `minimum` (zero is not sensitive). Secondary suppression:
    for each measure and each group of rows that adds up to a published or derivable total — the whole table
    (`totals`) and the rows sharing a value of each `group_by` dimension — a group with exactly one blanked
    cell also loses its smallest other non-zero cell (ties: first row), repeated until stable; a total left
    with one blanked cell and nothing to pair it with is blanked too, as is a total below `minimum`.
    Measures derived from a blanked count (a ratio, a shortfall) are blanked with it. This protects every
    answer on its own; answers to different filters are not cross-checked (documented in the README).
    """
    if minimum <= 1 or not table.people_measures:
        return table
    rows = [dict(row) for row in table.rows]
    totals = dict(table.totals)
    groups = _cell_groups(rows, [d for d in group_by if d in table.columns])
    blanked = 0
    for measure in table.people_measures:
        hidden = {
            i
            for i, row in enumerate(rows)
            if isinstance(row.get(measure), int) and 0 < row[measure] < minimum
        }
        changed = bool(hidden)
        while changed:
            changed = False
            for group in groups:
                inside = [i for i in group if i in hidden]
                if len(inside) != 1:
                    continue
                candidates = [i for i in group if i not in hidden and (rows[i].get(measure) or 0) > 0]
                if candidates:
                    hidden.add(min(candidates, key=lambda i: (rows[i][measure], i)))
                    changed = True
        whole_table = groups[-1]
        lone = len([i for i in whole_table if i in hidden]) == 1
        total = totals.get(measure)
        if lone or (isinstance(total, int) and 0 < total < minimum):
            totals[measure] = None
        for i in hidden:
            rows[i][measure] = None
        blanked += len(hidden)
    for measure, sources in table.derived.items():
        for row in rows:
            if any(row.get(source) is None for source in sources if source in table.people_measures):
                row[measure] = None
        if any(totals.get(source) is None for source in sources if source in table.people_measures):
            totals[measure] = None
    return Table(table.columns, rows, totals, table.people_measures, table.derived, blanked)


# --- Labels --------------------------------------------------------------------------------------------------


def headers(columns: Iterable[str], lang: str | None) -> list[str]:
    """Column headers: the keys themselves, or their Chinese names for `lang=zh`."""
    if lang == "zh":
        return [HEADERS_ZH.get(column, column) for column in columns]
    return list(columns)


def label_value(column: str, value: Any) -> Any:
    """A dimension value in Chinese for `lang=zh` exports (work type and level names); others unchanged."""
    if column == "work_type" and value in WORK_TYPE_BY_CODE:
        return WORK_TYPE_BY_CODE[value].name_zh
    if column == "level" and value in LEVEL_BY_RANK:
        return LEVEL_BY_RANK[value].name_zh
    return value
