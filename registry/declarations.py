"""Declarations for avoidance (回避): a person's relationships with organizations, and when each one conflicts.

Sources: 政府采购法实施条例 art. 9 — a person must stand aside when, within the 3 years before the procurement, they
were employed by the supplier (劳动关系), were its director or supervisor (董事、监事), or its controlling shareholder
or actual controller (控股股东或者实际控制人); when a close relative (spouse, lineal relative, collateral relative
within three generations, close in-law) is its legal representative or head; or when another relationship may
affect fairness. 财库〔2016〕198号 (评审专家管理办法) repeats these grounds for review experts. The expert draw
(issue 11) and `/match` read declarations from the graph; this module is the rule they share.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

# Relationship code → (what it means, the ground it comes under). Stored on Declaration.relationship.
RELATIONSHIPS: dict[str, tuple[str, str]] = {
    "employment": ("employed by the organization (劳动关系)", "政府采购法实施条例 art. 9(1)"),
    "director": ("director of the organization (董事)", "政府采购法实施条例 art. 9(2)"),
    "supervisor": ("supervisor of the organization (监事)", "政府采购法实施条例 art. 9(2)"),
    "shareholder": (
        "controlling shareholder or actual controller (控股股东或者实际控制人)",
        "政府采购法实施条例 art. 9(3)",
    ),
    "adviser": ("paid or standing adviser to the organization (顾问)", "政府采购法实施条例 art. 9(5)"),
    "relative": (
        "a close relative is the organization's legal representative, head or employee (近亲属)",
        "政府采购法实施条例 art. 9(4)",
    ),
}
RELATIONSHIP_CODES: tuple[str, ...] = tuple(RELATIONSHIPS)

# Years after a relationship ends during which it still conflicts. Art. 9(1)-(3) name three years; a relative's
# tie conflicts while it lasts (art. 9(4) has no window); an advisory role is treated like employment (art. 9(5)).
LOOKBACK_YEARS: dict[str, int] = {
    "employment": 3,
    "director": 3,
    "supervisor": 3,
    "shareholder": 3,
    "adviser": 3,
    "relative": 0,
}
EARLIEST_DATE = date(1950, 1, 1)
ENTERED_BY: tuple[str, ...] = ("practitioner", "admin")


@dataclass(frozen=True)
class Declaration:
    relationship: str
    organization_id: str
    from_: date
    to: date | None = None  # None: ongoing


def declaration_problems(
    relationship: str, from_: date | None, to: date | None, today: date
) -> dict[str, list[str]]:
    """Field errors for a new declaration; an empty dict means it may be stored."""
    errors: dict[str, list[str]] = {}
    if relationship not in RELATIONSHIPS:
        errors["relationship"] = [f"Must be one of {', '.join(RELATIONSHIP_CODES)}."]
    if from_ is None:
        errors["from"] = ["When the relationship began is required."]
    else:
        if from_ > today:
            errors["from"] = [
                "A declaration records a relationship that has begun: from must not be in the future."
            ]
        elif from_ < EARLIEST_DATE:
            errors["from"] = [f"Must not be before {EARLIEST_DATE.isoformat()}."]
        if to is not None and to < from_:
            errors["to"] = ["The end date is before the start date."]
    return errors


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year that has none
        return day.replace(year=day.year - years, day=28)


def conflicts_on(declaration: Declaration, day: date, lookback: dict[str, int] | None = None) -> bool:
    """Whether a declaration conflicts with its organization on `day` (begun, and not ended before the window)."""
    years = (lookback or LOOKBACK_YEARS)[declaration.relationship]
    if declaration.from_ > day:
        return False
    return declaration.to is None or declaration.to >= _years_before(day, years)


def duplicates(new: Declaration, existing: list[Declaration]) -> bool:
    """Whether the same relationship with the same organization is already declared for an overlapping time."""
    end = new.to or date.max
    return any(
        d.relationship == new.relationship
        and d.organization_id == new.organization_id
        and d.from_ <= end
        and new.from_ <= (d.to or date.max)
        for d in existing
    )
