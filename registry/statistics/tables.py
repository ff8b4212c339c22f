"""A statistic's query and its answer table."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from registry.statistics.periods import is_province, province_code
from registry.taxonomy import POOLS, WORK_TYPES

# --- Query and answer ----------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Query:
    """The filters every statistic takes. `region` is a province (its cities included) or a city."""

    as_of: date
    region: str | None = None
    work_type: str | None = None
    level: int | None = None

    def in_region(self, region: str | None) -> bool:
        if self.region is None:
            return True
        if region is None:
            return False
        if is_province(self.region):
            return province_code(region) == self.region
        return region == self.region

    def certificate_matches(self, work_type: str, level: int) -> bool:
        return (self.work_type is None or work_type == self.work_type) and (
            self.level is None or level == self.level
        )

    def as_dict(self) -> dict[str, Any]:
        return {"region": self.region, "work_type": self.work_type, "level": self.level}


@dataclass
class Table:
    """A statistic's answer: flat rows, their column order, totals and which measures may be suppressed."""

    columns: tuple[str, ...]
    rows: list[dict[str, Any]]
    totals: dict[str, Any]
    people_measures: tuple[str, ...] = ()  # counts of people: the cells privacy suppression looks at
    derived: Mapping[str, tuple[str, ...]] = field(
        default_factory=dict
    )  # measure → measures it is built from
    suppressed: int = 0


def _province_or_none(region: str | None) -> str | None:
    return province_code(region) if region else None


_LEVELS_BY_POOL: dict[str, frozenset[int]] = {pool.code: pool.levels for pool in POOLS}
_POOL_OF_LEVEL: dict[int, str] = {level: pool.code for pool in POOLS for level in pool.levels}
_WORK_TYPE_ORDER: dict[str, int] = {w.code: i for i, w in enumerate(WORK_TYPES)}


def _work_type_order(code: str | None) -> int:
    return _WORK_TYPE_ORDER.get(code or "", len(_WORK_TYPE_ORDER))
