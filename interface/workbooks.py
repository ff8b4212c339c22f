"""A person's data export as an XLSX workbook: one sheet per kind of data (openpyxl, write-only)."""

from __future__ import annotations

import io
import json
from collections.abc import Iterable, Mapping
from typing import Any

from openpyxl import Workbook
from openpyxl.cell import WriteOnlyCell

XLSX_MIMETYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
MAX_SHEET_TITLE = 31  # Excel's limit


def _cell_value(value: Any) -> Any:
    if value is None or isinstance(value, bool | int | float):
        return value
    if hasattr(value, "isoformat"):
        return value.isoformat()
    if isinstance(value, Mapping | list | tuple):
        return json.dumps(value, ensure_ascii=False, sort_keys=True, default=str)
    return str(value)


def _flat(row: Mapping[str, Any]) -> dict[str, Any]:
    flat: dict[str, Any] = {}
    for key, value in row.items():
        if isinstance(value, Mapping) and key in ("link", "node"):
            flat |= {f"{key}.{name}": _cell_value(item) for name, item in value.items()}
        else:
            flat[key] = _cell_value(value)
    return flat


def _sheet(workbook: Workbook, title: str, rows: Iterable[Mapping[str, Any]]) -> None:
    sheet = workbook.create_sheet(title[:MAX_SHEET_TITLE])
    flat = [_flat(row) for row in rows]
    columns = list(dict.fromkeys(key for row in flat for key in row))
    sheet.append(columns)
    for row in flat:
        cells = []
        for column in columns:
            cell = WriteOnlyCell(sheet, value=row.get(column))
            if isinstance(cell.value, str):
                cell.data_type = "s"  # text, never a formula, whatever it starts with
            cells.append(cell)
        sheet.append(cells)


def export_workbook(export: Mapping[str, Any]) -> bytes:
    """The export as XLSX: `practitioner` and `stored` (field, value), one sheet per link type, keys, history."""
    workbook = Workbook(write_only=True)
    _sheet(workbook, "practitioner", ({"field": k, "value": v} for k, v in export["practitioner"].items()))
    _sheet(workbook, "stored", ({"field": k, "value": v} for k, v in export["person"].items()))
    for kind, items in sorted(export["links"].items()):
        _sheet(workbook, kind, items)
    _sheet(workbook, "keys", export["keys"])
    _sheet(workbook, "history", export["history"])
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()
