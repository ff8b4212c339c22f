"""Training (培训): the hours an application needs and how far it has got.

Source: the training-base brochure (seed-docs/000_e294aabf07463324.txt), 课程时长:
基础模块 公共基础课 40小时 80讲; 实务模块 监测、核算、核查、交易、咨询 各20小时 40讲; 培训形式：线上线下结合.

An application needs the basic part (`basic`) and the module of its own work type. The brochure lists no module for
民航 (aviation); it gets the same 20 h as the others until a module is published (override in configuration).
A part is complete on the day its recorded hours first reach the requirement.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from registry.taxonomy import WORK_TYPE_CODES

SOURCE = "培训基地宣传册《碳排放管理员》课程时长 (seed-docs/000_e294aabf07463324.txt)"

BASIC = "basic"
TRAINING_MODES: tuple[str, ...] = ("online", "offline")
# A single record longer than this is a typing slip, not a course (the longest published part is 40 h).
MAX_HOURS_PER_RECORD = 200


@dataclass(frozen=True)
class TrainingRequirement:
    """Hours (and lectures, for information) per part; configurable."""

    basic_hours: float = 40
    basic_lectures: int = 80
    module_hours: Mapping[str, float] = field(
        default_factory=lambda: dict.fromkeys(sorted(WORK_TYPE_CODES), 20)
    )
    module_lectures: int = 40

    def parts_for(self, work_type: str) -> dict[str, float]:
        """Return the parts an application for `work_type` needs, each with its required hours."""
        return {BASIC: self.basic_hours, work_type: self.module_hours.get(work_type, 0)}

    def to_dict(self) -> dict[str, Any]:
        """Return the requirement as JSON-ready data, with its source."""
        return {
            "source": SOURCE,
            "basic": {"hours": self.basic_hours, "lectures": self.basic_lectures},
            "modules": {
                code: {"hours": hours, "lectures": self.module_lectures}
                for code, hours in sorted(self.module_hours.items())
            },
        }


DEFAULT_REQUIREMENT = TrainingRequirement()


@dataclass(frozen=True)
class TrainingRecord:
    part: str  # "basic" or a work type code
    hours: float
    completed_on: date
    mode: str | None = None


@dataclass(frozen=True)
class PartProgress:
    part: str
    required_hours: float
    hours: float
    # The day the recorded hours first reached the requirement; None while short (or when none is required).
    completed_on: date | None

    @property
    def complete(self) -> bool:
        """Whether the part's hours are done (a part requiring 0 hours is done from the start)."""
        return self.hours >= self.required_hours

    def to_dict(self) -> dict[str, Any]:
        """Return the part's progress as JSON-ready data."""
        return {
            "part": self.part,
            "required_hours": self.required_hours,
            "hours": self.hours,
            "complete": self.complete,
            "completed_on": self.completed_on.isoformat() if self.completed_on else None,
        }


@dataclass(frozen=True)
class TrainingProgress:
    parts: tuple[PartProgress, ...]

    @property
    def complete(self) -> bool:
        """Whether every required part is complete."""
        return all(part.complete for part in self.parts)

    @property
    def started(self) -> bool:
        """Whether any hours are recorded."""
        return any(part.hours > 0 for part in self.parts)

    @property
    def completed_on(self) -> date | None:
        """The day the last required part was completed, or None while training is incomplete."""
        if not self.complete:
            return None
        return max((p.completed_on for p in self.parts if p.completed_on), default=None)

    def to_dict(self) -> dict[str, Any]:
        """Return the progress as JSON-ready data."""
        completed_on = self.completed_on
        return {
            "complete": self.complete,
            "completed_on": completed_on.isoformat() if completed_on else None,
            "parts": [part.to_dict() for part in self.parts],
        }


def training_progress(
    work_type: str,
    records: Iterable[TrainingRecord],
    requirement: TrainingRequirement = DEFAULT_REQUIREMENT,
) -> TrainingProgress:
    """Sum the recorded hours per required part, in date order, and find the day each part was completed."""
    ordered = sorted(records, key=lambda record: record.completed_on)
    parts = []
    for part, required in requirement.parts_for(work_type).items():
        hours, completed_on = 0.0, None
        for record in ordered:
            if record.part != part:
                continue
            hours = round(hours + record.hours, 2)  # 0.1 + 0.2 must reach 0.3
            if completed_on is None and hours >= required:
                completed_on = record.completed_on
        parts.append(PartProgress(part, required, hours, completed_on))
    return TrainingProgress(tuple(parts))


def validate_record(
    work_type: str,
    registered_on: date,
    part: Any,
    hours: Any,
    completed_on: date | None,
    mode: Any,
    today: date,
) -> dict[str, list[str]]:
    """Return field errors for a training record of an application for `work_type`; empty means fine."""
    errors: dict[str, list[str]] = {}
    if part not in (BASIC, work_type):
        errors["part"] = [f"part must be {BASIC!r} or the application's work type {work_type!r}"]
    if isinstance(hours, bool) or not isinstance(hours, int | float) or not math.isfinite(hours):
        errors["hours"] = ["hours must be a number"]
    elif not 0 < hours <= MAX_HOURS_PER_RECORD:
        errors["hours"] = [f"hours must be more than 0 and at most {MAX_HOURS_PER_RECORD}"]
    if completed_on is not None:
        if completed_on > today:
            errors["completed_on"] = ["completed_on must not be in the future"]
        elif completed_on < registered_on:
            # The fee covers the training: it belongs to the application, so it cannot come before it.
            errors["completed_on"] = [
                f"completed_on must not be before the application ({registered_on.isoformat()})"
            ]
    if mode is not None and mode not in TRAINING_MODES:
        errors["mode"] = [f"mode must be one of {', '.join(TRAINING_MODES)}"]
    return errors


def requirement_from_mapping(data: Mapping[str, Any]) -> TrainingRequirement:
    """Return DEFAULT_REQUIREMENT with `basic_hours` and/or `module_hours` (per work type) replaced, checked."""
    if not isinstance(data, Mapping) or set(data) - {"basic_hours", "module_hours"}:
        raise ValueError("training requirement: only basic_hours and module_hours can be set")
    basic = data.get("basic_hours", DEFAULT_REQUIREMENT.basic_hours)
    modules = dict(DEFAULT_REQUIREMENT.module_hours)
    overrides = data.get("module_hours", {})
    if not isinstance(overrides, Mapping) or set(overrides) - WORK_TYPE_CODES:
        raise ValueError("training requirement: module_hours maps work type codes to hours")
    modules.update(overrides)
    for name, value in [("basic_hours", basic), *((f"module_hours.{k}", v) for k, v in modules.items())]:
        if isinstance(value, bool) or not isinstance(value, int | float) or value < 0:
            raise ValueError(f"training requirement: {name} must be a number of hours, 0 or more")
    return TrainingRequirement(basic_hours=basic, module_hours=modules)
