"""Periods counted in months, as the Civil Code counts them (《中华人民共和国民法典》第二百零一条、第二百零二条)."""

from __future__ import annotations

from calendar import monthrange
from datetime import date


def add_months(day: date, months: int) -> date:
    """Return the day `months` months after `day`: the same day number, or the month's last day if it has none.

    A period of N months starting on `day` (which itself is not counted) ends on this day, inclusive:
    2026-01-15 + 6 → 2026-07-15; 2026-08-31 + 6 → 2027-02-28; 2027-08-31 + 6 → 2028-02-29.
    """
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))
