"""Day arithmetic for deadlines, periods and sanctions; every date is a calendar date (no time of day).

Periods in months are counted as the Civil Code counts them (《中华人民共和国民法典》第二百零一条、第二百零二条).
"""

from __future__ import annotations

from calendar import monthrange
from datetime import date, timedelta


def add_months(day: date, months: int) -> date:
    """`day` moved by whole months: the same day number, or the month's last day if it has none.

    A period of N months starting on `day` (which itself is not counted) ends on this day, inclusive:
    2026-01-15 + 6 → 2026-07-15; 2026-08-31 + 6 → 2027-02-28; 12 months after 2024-02-29 is 2025-02-28.
    """
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return date(year, month, min(day.day, monthrange(year, month)[1]))


def months_later_inclusive(start: date, months: int) -> date:
    """The last day of a period of `months` months that starts on `start` (both ends count).

    A 12-month suspension from 2025-03-10 runs to 2026-03-09: on 2026-03-10 the person is back.
    """
    return add_months(start, months) - timedelta(days=1)


def within_months_before(day: date, anchor: date, months: int) -> bool:
    """Whether `day` lies in the `months` months that end on `anchor` (anchor included, the start excluded).

    "Two records within 12 months" of 2025-06-30 counts records after 2024-06-30 up to 2025-06-30.
    """
    return add_months(anchor, -months) < day <= anchor


def add_working_days(day: date, count: int) -> date:
    """The `count`-th working day (Monday–Friday) after `day`.

    Public holidays and the make-up working weekends of the State Council's holiday calendar are not
    modelled, so a deadline over a holiday comes out earlier than the legal one, never later.
    """
    if count < 0:
        raise ValueError("count must be 0 or more")
    current = day
    remaining = count
    while remaining:
        current += timedelta(days=1)
        if current.weekday() < 5:
            remaining -= 1
    return current
