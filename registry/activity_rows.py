"""The attendance file of an activity (issue 25): one row per person — 人员编号, 是否出席, 服务时长 — read from CSV or
XLSX by the import's reader (adapters/spreadsheets.py) and checked here cell by cell before any rule of
registry/activities.py sees it."""

from __future__ import annotations

import uuid
from typing import Any

from registry.import_columns import FileColumns

ATTENDANCE_FILE = FileColumns(
    {"practitioner_id": "人员编号", "name": "姓名", "attended": "是否出席", "hours": "服务时长"},
    {
        "practitioner_id": ("人员id", "practitioner", "id"),
        "attended": ("出席", "到场", "attendance"),
        "hours": ("时长", "小时", "服务时长（小时）", "服务时长(小时)", "service_hours"),
    },
    required=(("practitioner_id",), ("attended",)),
)

# How a person writes yes and no in the 是否出席 column.
_YES = {"是", "出席", "到场", "已出席", "y", "yes", "true", "1", "√"}
_NO = {"否", "缺席", "未出席", "未到", "n", "no", "false", "0", "×"}


def attendance_row(raw: dict[str, Any]) -> tuple[dict[str, Any] | None, str | None]:
    """({practitioner_id, attended, hours}, None) for a readable row, or (None, why it cannot be read)."""
    text = str(raw.get("practitioner_id") or "").strip()
    try:
        practitioner_id = str(uuid.UUID(text))
    except ValueError:
        return None, f"人员编号 {text[:40]!r} is not a practitioner id (a UUID)."
    attended = raw.get("attended")
    if isinstance(attended, bool):
        came = attended
    else:
        word = str(attended if attended is not None else "").strip().lower()
        if word in _YES:
            came = True
        elif word in _NO:
            came = False
        else:
            return None, f"是否出席 {word[:20]!r} is neither 是 nor 否."
    hours_cell = raw.get("hours")
    hours: float | None = None
    if hours_cell is not None and str(hours_cell).strip() != "":
        try:
            hours = float(str(hours_cell).strip())
        except ValueError:
            return None, f"服务时长 {str(hours_cell)[:20]!r} is not a number of hours."
    return {"practitioner_id": practitioner_id, "attended": came, "hours": hours}, None
