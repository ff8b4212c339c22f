"""Exams (考试): the paper, the monthly sessions and what a score means.

Source: the training-base brochure (seed-docs/000_e294aabf07463324.txt), section 考试与证书:

- 考试时间：每月最后一个周末上、下午各一场，上午9：00-11：00；下午14：00-16：00，具体考试时间视情况另行通知
- 考试形式：线上考试
- 题型题量：100道题，分为客观题（单选、多选、判断）和主观题（简答），60分及格
- 考试科目：碳排放管理员理论基础知识
- 考试内容目前只针对公共基础课程，专业课在公共课考完后陆续推出 (so the subject is a field, and which subjects
  count for which work type is data: `ExamRules.subjects`).

Choices the brochure leaves open, made here and named so an administrator can change them:

- "the last weekend" of a month is the last Saturday–Sunday pair lying wholly in the month (`weekend_wholly_in_month`);
  for a month that ends on a Saturday that is the weekend before, since the month-end Saturday's Sunday belongs to
  the next month. Set it to false to use the month's last Saturday whatever day follows.
- "上、下午各一场" is read as two sittings per monthly session, held on the weekend's Saturday (`sitting_days`);
  add Sunday (6) to hold both sittings on both days.
- Times are China Standard Time (UTC+08:00, Asia/Shanghai). China has kept no daylight saving time since 1991, so a
  fixed offset is exact and needs no time-zone database.
"""

from __future__ import annotations

import math
from calendar import monthrange
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date, datetime, time, timedelta, timezone
from decimal import Decimal
from typing import Any

from registry.taxonomy import WORK_TYPE_CODES

SOURCE = "培训基地宣传册《碳排放管理员》考试与证书 (seed-docs/000_e294aabf07463324.txt)"

CHINA_TIME = timezone(timedelta(hours=8), "Asia/Shanghai")
# Sessions outside these years are typing slips (and would overflow when moved to China time).
EARLIEST_YEAR, LATEST_YEAR = 2000, 2100
SATURDAY, SUNDAY = 5, 6

THEORY_SUBJECT = "碳排放管理员理论基础知识"
EXAM_MODES: tuple[str, ...] = ("online", "offline")
QUESTION_KINDS: tuple[tuple[str, str, str], ...] = (
    # code, 中文, objective (客观题) or subjective (主观题)
    ("single_choice", "单选", "objective"),
    ("multiple_choice", "多选", "objective"),
    ("true_false", "判断", "objective"),
    ("short_answer", "简答", "subjective"),
)


@dataclass(frozen=True)
class Sitting:
    """One sitting of a session day, in China time."""

    starts: time
    ends: time


@dataclass(frozen=True)
class ExamRules:
    """The exam as the brochure describes it; every field can be overridden by configuration."""

    questions: int = 100
    max_score: int = 100
    pass_mark: int = 60  # 60分及格: a score of exactly 60 passes
    mode: str = "online"
    subject: str = THEORY_SUBJECT
    sittings: tuple[Sitting, ...] = (Sitting(time(9), time(11)), Sitting(time(14), time(16)))
    sitting_days: tuple[int, ...] = (SATURDAY,)
    weekend_wholly_in_month: bool = True
    # Not in the brochure: the capacity of a generated session until an administrator changes it.
    default_capacity: int = 200
    # Which session subjects count for an application of each work type; today the one public theory exam.
    subjects: Mapping[str, tuple[str, ...]] = field(
        default_factory=lambda: {code: (THEORY_SUBJECT,) for code in sorted(WORK_TYPE_CODES)}
    )

    def subjects_for(self, work_type: str) -> tuple[str, ...]:
        """Return the session subjects an application for `work_type` may sit."""
        return tuple(self.subjects.get(work_type, (self.subject,)))

    def to_dict(self) -> dict[str, Any]:
        """Return the rules as JSON-ready data, with their source."""
        return {
            "source": SOURCE,
            "questions": self.questions,
            "question_kinds": [{"code": c, "name_zh": zh, "kind": k} for c, zh, k in QUESTION_KINDS],
            "max_score": self.max_score,
            "pass_mark": self.pass_mark,
            "mode": self.mode,
            "subject": self.subject,
            "time_zone": "Asia/Shanghai (+08:00)",
            "sittings": [
                {"starts": s.starts.strftime("%H:%M"), "ends": s.ends.strftime("%H:%M")}
                for s in self.sittings
            ],
            "sitting_days": [_DAY_NAMES[d] for d in self.sitting_days],
            "weekend_wholly_in_month": self.weekend_wholly_in_month,
            "default_capacity": self.default_capacity,
            "subjects": {code: list(subjects) for code, subjects in sorted(self.subjects.items())},
        }


_DAY_NAMES = ("monday", "tuesday", "wednesday", "thursday", "friday", "saturday", "sunday")
DEFAULT_EXAM_RULES = ExamRules()


# --- The monthly schedule --------------------------------------------------------------------------------------


def last_weekend(year: int, month: int, *, wholly_in_month: bool = True) -> tuple[date, date]:
    """Return the Saturday and Sunday of the month's last weekend (see the module notes for the month-end case)."""
    last_day = date(year, month, monthrange(year, month)[1])
    saturday = last_day - timedelta(days=(last_day.weekday() - SATURDAY) % 7)
    if wholly_in_month and saturday == last_day:
        saturday -= timedelta(days=7)
    return saturday, saturday + timedelta(days=1)


@dataclass(frozen=True)
class SessionPlan:
    """A session to create: when (aware datetimes), what subject, how many seats."""

    starts_at: datetime
    ends_at: datetime
    subject: str
    capacity: int
    mode: str


def monthly_sessions(year: int, month: int, rules: ExamRules = DEFAULT_EXAM_RULES) -> list[SessionPlan]:
    """Return the default sessions of a month: each sitting on each sitting day of its last weekend."""
    saturday, sunday = last_weekend(year, month, wholly_in_month=rules.weekend_wholly_in_month)
    days = [saturday if day == SATURDAY else sunday for day in sorted(rules.sitting_days)]
    return [
        SessionPlan(
            starts_at=datetime.combine(day, sitting.starts, CHINA_TIME),
            ends_at=datetime.combine(day, sitting.ends, CHINA_TIME),
            subject=rules.subject,
            capacity=rules.default_capacity,
            mode=rules.mode,
        )
        for day in days
        for sitting in rules.sittings
    ]


def session_day(starts_at: datetime) -> date:
    """Return the calendar day a session is held on, in China time (the day validity is judged on)."""
    if starts_at.tzinfo is None or starts_at.utcoffset() is None:
        raise ValueError("a session's start must carry a UTC offset")
    return starts_at.astimezone(CHINA_TIME).date()


def validate_session(
    starts_at: datetime | None,
    ends_at: datetime | None,
    subject: str | None,
    capacity: Any,
) -> dict[str, list[str]]:
    """Return field errors for a session's fields; an empty dict means they are fine."""
    errors: dict[str, list[str]] = {}
    if starts_at is not None and (starts_at.tzinfo is None or starts_at.utcoffset() is None):
        errors["starts_at"] = ["starts_at must carry a UTC offset, e.g. 2026-12-26T09:00:00+08:00"]
    elif starts_at is not None and not EARLIEST_YEAR <= starts_at.year <= LATEST_YEAR:
        errors["starts_at"] = [f"starts_at must be in the years {EARLIEST_YEAR}–{LATEST_YEAR}"]
    if ends_at is not None:
        if ends_at.tzinfo is None or ends_at.utcoffset() is None:
            errors["ends_at"] = ["ends_at must carry a UTC offset"]
        elif not EARLIEST_YEAR <= ends_at.year <= LATEST_YEAR:
            errors["ends_at"] = [f"ends_at must be in the years {EARLIEST_YEAR}–{LATEST_YEAR}"]
        elif starts_at is not None and "starts_at" not in errors and ends_at <= starts_at:
            errors["ends_at"] = ["ends_at must be after starts_at"]
    if subject is not None and not subject.strip():
        errors["subject"] = ["subject must not be blank"]
    if capacity is not None and (isinstance(capacity, bool) or not isinstance(capacity, int) or capacity < 1):
        errors["capacity"] = ["capacity must be a whole number of seats, 1 or more"]
    return errors


def default_end(starts_at: datetime, rules: ExamRules = DEFAULT_EXAM_RULES) -> datetime:
    """Return when a session starting at `starts_at` ends: as long as the first published sitting (2 h)."""
    first = rules.sittings[0]
    length = datetime.combine(date.min, first.ends) - datetime.combine(date.min, first.starts)
    return starts_at + length


# --- Scores ----------------------------------------------------------------------------------------------------


def validate_score(score: Any, rules: ExamRules = DEFAULT_EXAM_RULES) -> dict[str, list[str]]:
    """Return field errors for a score: a number from 0 to the maximum (100), halves and tenths allowed."""
    if isinstance(score, bool) or not isinstance(score, int | float | Decimal):
        return {"score": ["score must be a number"]}
    if isinstance(score, float) and not math.isfinite(score):
        return {"score": ["score must be a finite number"]}
    if not 0 <= score <= rules.max_score:
        return {"score": [f"score must be between 0 and {rules.max_score}, got {score}"]}
    return {}


def is_pass(score: float, rules: ExamRules = DEFAULT_EXAM_RULES) -> bool:
    """Return whether `score` passes (60分及格: 60 and above)."""
    return score >= rules.pass_mark


# --- Configuration ---------------------------------------------------------------------------------------------


def _parse_time(text: Any, where: str) -> time:
    try:
        return time.fromisoformat(str(text))
    except ValueError:
        raise ValueError(f"{where}: {text!r} is not a time like 09:00") from None


def exam_rules_from_mapping(data: Mapping[str, Any]) -> ExamRules:
    """Return DEFAULT_EXAM_RULES with the fields in `data` (e.g. from JSON) replaced, checked."""
    if not isinstance(data, Mapping):
        raise ValueError("exam rules must be a mapping")
    known = {
        "questions",
        "max_score",
        "pass_mark",
        "mode",
        "subject",
        "sittings",
        "sitting_days",
        "weekend_wholly_in_month",
        "default_capacity",
        "subjects",
    }
    unknown = set(data) - known
    if unknown:
        raise ValueError(f"exam rules: unknown fields {', '.join(sorted(unknown))}")
    values: dict[str, Any] = dict(data)
    if "sittings" in values:
        values["sittings"] = tuple(
            Sitting(
                _parse_time(s["starts"], "exam rules sittings"), _parse_time(s["ends"], "exam rules sittings")
            )
            for s in values["sittings"]
        )
    if "sitting_days" in values:
        days = []
        for day in values["sitting_days"]:
            if day not in ("saturday", "sunday"):
                raise ValueError("exam rules: sitting_days are saturday and/or sunday")
            days.append(_DAY_NAMES.index(day))
        values["sitting_days"] = tuple(days)
    if "subjects" in values:
        subjects = values["subjects"]
        if not isinstance(subjects, Mapping) or set(subjects) - WORK_TYPE_CODES:
            raise ValueError("exam rules: subjects maps work type codes to lists of subjects")
        values["subjects"] = {**DEFAULT_EXAM_RULES.subjects, **{k: tuple(v) for k, v in subjects.items()}}
    rules = replace(DEFAULT_EXAM_RULES, **values)
    for name in ("questions", "max_score", "pass_mark", "default_capacity"):
        value = getattr(rules, name)
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise ValueError(f"exam rules: {name} must be a whole number, 1 or more")
    if rules.pass_mark > rules.max_score:
        raise ValueError("exam rules: pass_mark must not exceed max_score")
    if rules.mode not in EXAM_MODES:
        raise ValueError(f"exam rules: mode must be one of {', '.join(EXAM_MODES)}")
    if not rules.sittings or any(s.ends <= s.starts for s in rules.sittings):
        raise ValueError("exam rules: each sitting needs a start before its end")
    if not rules.sitting_days:
        raise ValueError("exam rules: sitting_days must name at least one day")
    if not isinstance(rules.weekend_wholly_in_month, bool):
        raise ValueError("exam rules: weekend_wholly_in_month must be true or false")
    return rules
