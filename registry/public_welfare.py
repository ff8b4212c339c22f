"""A person's public-welfare record (公益服务, platform function 6): their counted participation, per year.

What counts is decided once, in registry/activities.py (`counts`: attended, in an activity not cancelled; the
graph states the same rule as `graph.activities.COUNTED`); this module only adds the counted rows up, so the
profile, `/me`, the export and the credit summary show the same numbers.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from typing import Any

# The credit summary's name for the record; a count and hours only — no score is derived from them (issue 25).
CREDIT_LABEL_ZH = "公益服务"


def _hours(value: float) -> float:
    # Hours are recorded per person in steps of at most a quarter hour: two decimals keep sums exact enough.
    return round(float(value), 2)


def record(years: Iterable[Mapping[str, Any]]) -> dict[str, Any]:
    """`{activities, hours, by_year: [{year, activities, hours}]}` from per-year counted totals (oldest first)."""
    by_year = sorted(
        (
            {
                "year": int(row["year"]),
                "activities": int(row["activities"]),
                "hours": _hours(row["hours"] or 0),
            }
            for row in years
            if row.get("year") is not None and row.get("activities")
        ),
        key=lambda row: row["year"],
    )
    return {
        "activities": sum(row["activities"] for row in by_year),
        "hours": _hours(sum(row["hours"] for row in by_year)),
        "by_year": by_year,
    }


def credit_entry(summary: Mapping[str, Any]) -> dict[str, Any]:
    """The credit summary's 公益服务: how many activities and how many hours, nothing weighed."""
    return {"label": CREDIT_LABEL_ZH, "activities": summary["activities"], "hours": summary["hours"]}
