"""A person's data export as an XLSX workbook: one sheet per kind of data, written by `adapters.spreadsheets`."""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from typing import Any

from adapters.spreadsheets import to_workbook


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


def _sheet(title: str, rows: Iterable[Mapping[str, Any]]) -> tuple[str, list[str], list[list[Any]]]:
    flat = [_flat(row) for row in rows]
    columns = list(dict.fromkeys(key for row in flat for key in row))
    return title, columns, [[row.get(column) for column in columns] for row in flat]


def export_workbook(export: Mapping[str, Any]) -> bytes:
    """The export as XLSX: `practitioner` and `stored` (field, value), one sheet per link type, keys, history."""
    sheets = [
        _sheet("practitioner", ({"field": k, "value": v} for k, v in export["practitioner"].items())),
        _sheet("stored", ({"field": k, "value": v} for k, v in export["person"].items())),
        *(_sheet(kind, items) for kind, items in sorted(export["links"].items())),
        _sheet("keys", export["keys"]),
        _sheet("history", export["history"]),
        _sheet("participations", export.get("participations") or []),
    ]
    return to_workbook(sheets)
