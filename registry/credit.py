"""The credit record's rules in one bundle, overridable from a JSON mapping (`CREDIT_RULES_FILE`).

The rules themselves, each with its source, live in `registry.evaluations` (criteria, weights, who may evaluate,
the 5-working-day window, the match factor), `registry.misconduct` (catalogue, step-up rules, sanctions) and
`registry.appeals` (complaint triage, the 30-day appeal). A configuration file looks like::

    {
      "criteria": {"quality": {"weight": 50}},
      "categories": {"refused_draw": {"points": 4}, "late_report": {"points": 2, "name_zh": "…",
                     "name_en": "…", "source": "…"}},
      "step_up": [{"records": 2, "within_months": 12, "kind": "expert_suspension", "months": 12},
                  {"records": 3, "within_months": 12, "kind": "bar", "months": null}],
      "evaluation_window": {"working_days": 5, "enforced": false},
      "match_factor": {"min_count": 3},
      "appeal_days": 30,
      "recent_evaluations": 5,
      "assessment": {"pass_mean": 60, "min_evaluations": 1, "max_points": 11}
    }
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, fields, replace
from typing import Any

from registry.appeals import AppealRule
from registry.assessment import AssessmentRule
from registry.evaluations import (
    DEFAULT_CRITERIA,
    Criterion,
    EvaluationFactor,
    EvaluationWindow,
    check_criteria,
)
from registry.misconduct import (
    DEFAULT_CATALOGUE,
    DEFAULT_STEP_UP,
    SYSTEM_CATEGORIES,
    Category,
    StepUpRule,
    check_step_up,
)


@dataclass(frozen=True)
class CreditRules:
    criteria: tuple[Criterion, ...] = DEFAULT_CRITERIA
    window: EvaluationWindow = field(default_factory=EvaluationWindow)
    factor: EvaluationFactor = field(default_factory=EvaluationFactor)
    catalogue: Mapping[str, Category] = field(default_factory=lambda: dict(DEFAULT_CATALOGUE))
    step_up: tuple[StepUpRule, ...] = DEFAULT_STEP_UP
    appeal: AppealRule = field(default_factory=AppealRule)
    recent_evaluations: int = 5  # how many of the latest evaluations a profile shows
    assessment: AssessmentRule = field(default_factory=AssessmentRule)

    def to_dict(self) -> dict[str, Any]:
        """The rules as an administrator reads them, sources included."""
        return {
            "criteria": [c.to_dict() for c in self.criteria],
            "evaluation_window": {"working_days": self.window.working_days, "enforced": self.window.enforced},
            "match_factor": {f.name: getattr(self.factor, f.name) for f in fields(EvaluationFactor)},
            "categories": [c.to_dict() for c in sorted(self.catalogue.values(), key=lambda c: c.code)],
            "step_up": [
                {
                    "records": r.records,
                    "within_months": r.within_months,
                    "kind": r.kind,
                    "months": r.months,
                    "source": r.source,
                    "rule": r.describe(),
                }
                for r in self.step_up
            ],
            "appeal_days": self.appeal.days,
            "recent_evaluations": self.recent_evaluations,
            "assessment": {f.name: getattr(self.assessment, f.name) for f in fields(AssessmentRule)},
        }


DEFAULT_CREDIT_RULES = CreditRules()

_KEYS = (
    "criteria",
    "categories",
    "step_up",
    "evaluation_window",
    "match_factor",
    "appeal_days",
    "recent_evaluations",
    "assessment",
)


def _whole(value: Any, where: str, minimum: int) -> int:
    if not isinstance(value, int) or isinstance(value, bool) or value < minimum:
        raise ValueError(f"{where} must be a whole number, {minimum} or more")
    return value


def _mapping(value: Any, where: str) -> Mapping[str, Any]:
    if not isinstance(value, Mapping):
        raise ValueError(f"{where} must be a mapping")
    return value


def _override(base: Any, overrides: Mapping[str, Any], allowed: tuple[str, ...], where: str) -> Any:
    unknown = set(overrides) - set(allowed)
    if unknown:
        raise ValueError(f"{where}: unknown fields {', '.join(sorted(unknown))}")
    try:
        return replace(base, **overrides)
    except TypeError as error:
        raise ValueError(f"{where}: {error}") from None


def _criteria(data: Any) -> tuple[Criterion, ...]:
    criteria = {c.code: c for c in DEFAULT_CRITERIA}
    for code, overrides in _mapping(data, "criteria").items():
        overrides = _mapping(overrides, f"criterion {code}")
        base = criteria.get(code) or Criterion(code, 0, "", "")
        if code not in criteria and not {"weight", "name_zh", "name_en"} <= set(overrides):
            raise ValueError(f"criterion {code}: a new criterion needs weight, name_zh and name_en")
        criteria[code] = _override(base, overrides, ("weight", "name_zh", "name_en"), f"criterion {code}")
    result = tuple(criteria.values())
    check_criteria(result)
    return result


def _catalogue(data: Any) -> dict[str, Category]:
    catalogue = dict(DEFAULT_CATALOGUE)
    for code, overrides in _mapping(data, "categories").items():
        if overrides is None:
            if code in SYSTEM_CATEGORIES:
                raise ValueError(f"category {code} is written by the system and cannot be removed")
            catalogue.pop(code, None)
            continue
        overrides = _mapping(overrides, f"category {code}")
        base = catalogue.get(code)
        if base is None:
            if not {"points", "name_zh", "name_en", "source"} <= set(overrides):
                raise ValueError(f"category {code}: a new category needs points, name_zh, name_en and source")
            base = Category(code, 0, "", "", "")
        category = _override(base, overrides, ("points", "name_zh", "name_en", "source"), f"category {code}")
        _whole(category.points, f"category {code}: points", 0)
        catalogue[code] = category
    return catalogue


def _step_up(data: Any) -> tuple[StepUpRule, ...]:
    if not isinstance(data, list):
        raise ValueError("step_up must be a list of rules")
    rules = []
    for i, item in enumerate(data):
        item = _mapping(item, f"step_up[{i}]")
        missing = {"records", "within_months", "kind", "months"} - set(item)
        if missing:
            raise ValueError(f"step_up[{i}]: missing {', '.join(sorted(missing))}")
        allowed = ("records", "within_months", "kind", "months", "source")
        rules.append(_override(StepUpRule(1, None, "bar", None), item, allowed, f"step_up[{i}]"))
    check_step_up(rules)
    return tuple(rules)


def credit_rules_from_mapping(data: Any) -> CreditRules:
    """DEFAULT_CREDIT_RULES with the parts named in `data` (e.g. parsed JSON) overridden; ValueError if bad."""
    data = _mapping(data, "credit rules")
    unknown = set(data) - set(_KEYS)
    if unknown:
        raise ValueError(f"credit rules: unknown keys {', '.join(sorted(unknown))}")
    rules = DEFAULT_CREDIT_RULES
    if "criteria" in data:
        rules = replace(rules, criteria=_criteria(data["criteria"]))
    if "categories" in data:
        rules = replace(rules, catalogue=_catalogue(data["categories"]))
    if "step_up" in data:
        rules = replace(rules, step_up=_step_up(data["step_up"]))
    if "evaluation_window" in data:
        window = _override(
            rules.window,
            _mapping(data["evaluation_window"], "evaluation_window"),
            ("working_days", "enforced"),
            "evaluation_window",
        )
        _whole(window.working_days, "evaluation_window.working_days", 0)
        if not isinstance(window.enforced, bool):
            raise ValueError("evaluation_window.enforced must be true or false")
        rules = replace(rules, window=window)
    if "match_factor" in data:
        names = tuple(f.name for f in fields(EvaluationFactor))
        factor = _override(
            rules.factor, _mapping(data["match_factor"], "match_factor"), names, "match_factor"
        )
        _whole(factor.min_count, "match_factor.min_count", 1)
        for name in ("neutral", "points_per_mark", "min_points", "max_points"):
            value = getattr(factor, name)
            if not isinstance(value, int | float) or isinstance(value, bool):
                raise ValueError(f"match_factor.{name} must be a number")
        if factor.min_points > factor.max_points:
            raise ValueError("match_factor: min_points must not exceed max_points")
        rules = replace(rules, factor=factor)
    if "appeal_days" in data:
        rules = replace(rules, appeal=AppealRule(_whole(data["appeal_days"], "appeal_days", 1)))
    if "assessment" in data:
        names = tuple(f.name for f in fields(AssessmentRule))
        assessment = _override(
            rules.assessment, _mapping(data["assessment"], "assessment"), names, "assessment"
        )
        _whole(assessment.min_evaluations, "assessment.min_evaluations", 0)
        _whole(assessment.max_points, "assessment.max_points", 0)
        if not isinstance(assessment.pass_mean, int | float) or isinstance(assessment.pass_mean, bool):
            raise ValueError("assessment.pass_mean must be a number")
        rules = replace(rules, assessment=assessment)
    if "recent_evaluations" in data:
        rules = replace(rules, recent_evaluations=_whole(data["recent_evaluations"], "recent_evaluations", 0))
    return rules
