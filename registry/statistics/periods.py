"""Periods (month, quarter, year) and regions (a province and its cities)."""

from __future__ import annotations

from datetime import date

from registry.statistics.rules import INTERVALS

# --- Periods -------------------------------------------------------------------------------------------------


def period_key(day: date, interval: str) -> str:
    """The key of the period holding `day`: `2026-11` (month), `2026-Q4` (quarter), `2026` (year)."""
    if interval == "month":
        return f"{day.year:04d}-{day.month:02d}"
    if interval == "quarter":
        return f"{day.year:04d}-Q{(day.month - 1) // 3 + 1}"
    if interval == "year":
        return f"{day.year:04d}"
    raise ValueError(f"unknown interval {interval!r}; use one of {', '.join(INTERVALS)}")


def period_start(day: date, interval: str) -> date:
    """The first day of the period holding `day`."""
    if interval == "month":
        return day.replace(day=1)
    if interval == "quarter":
        return date(day.year, (day.month - 1) // 3 * 3 + 1, 1)
    if interval == "year":
        return date(day.year, 1, 1)
    raise ValueError(f"unknown interval {interval!r}; use one of {', '.join(INTERVALS)}")


def _next_period_start(start: date, interval: str) -> date:
    months = {"month": 1, "quarter": 3, "year": 12}[interval]
    month = start.month - 1 + months
    return date(start.year + month // 12, month % 12 + 1, 1)


def periods_between(start: date, end: date, interval: str) -> list[str]:
    """Keys of every period from the one holding `start` to the one holding `end`, in order."""
    keys: list[str] = []
    current = period_start(start, interval)
    while current <= end:
        keys.append(period_key(current, interval))
        current = _next_period_start(current, interval)
    return keys


def default_trend_start(as_of: date, interval: str) -> date:
    """Without `from`, trends show the last 12 months, 8 quarters or 5 years up to `as_of`."""
    back = {"month": 11, "quarter": 21, "year": 48}[interval]
    month = as_of.year * 12 + as_of.month - 1 - back
    return period_start(date(month // 12, month % 12 + 1, 1), interval)


def same_day_a_year_before(day: date) -> date:
    """The same calendar day one year earlier (29 February → 28 February)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


def change(current: float | None, previous: float | None) -> float | None:
    """Year-over-year change `current - previous`, rounded to 2 places; None when either side is unknown."""
    if current is None or previous is None:
        return None
    return round(current - previous, 2)


# --- Regions -------------------------------------------------------------------------------------------------


def province_code(region: str) -> str:
    """The province-level code a GB/T 2260 region code belongs to (first two digits, then 0000)."""
    return region[:2] + "0000"


def is_province(region: str) -> bool:
    """Whether a GB/T 2260 code names a province-level division rather than a city."""
    return region.endswith("0000")
