"""Expert panel draws: the avoidance (回避) rules with their sources, and the numbers a deployment may tune.

The sources are listed in `registry/draws.py`'s docstring; `DrawRules` holds the registry's own choices (the yearly
cap, the reply window, the reserve count), which a JSON config may override through `rules_from_mapping`.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from typing import Any

from registry.conflicts import CONFLICT_KINDS


@dataclass(frozen=True)
class AvoidanceRule:
    code: str
    name_zh: str
    description: str
    source: str


ART9 = "政府采购法实施条例 art. 9"
AVOIDANCE_RULES: tuple[AvoidanceRule, ...] = (
    AvoidanceRule(
        "employment",
        "劳动关系",
        "Employed by the organization now or within the window (employment records or an employment declaration).",
        f"{ART9} (1); 财库〔2016〕198号",
    ),
    AvoidanceRule(
        "engagement",
        "业务往来",
        "On an engagement for the organization that has not ended or ended within the window.",
        f"{ART9} (5): any other relationship that could affect fairness",
    ),
    AvoidanceRule(
        "declaration",
        "申报的利害关系",
        "A declared relationship with the organization: director, supervisor, shareholder or adviser, current or "
        "within the window; close relative of its legal representative, while it lasts.",
        f"{ART9} (2)-(4); 财库〔2016〕198号",
    ),
    AvoidanceRule(
        "certificate_status",
        "证书暂停或撤销",
        "Holds a suspended or revoked certificate.",
        "brochure: pools follow valid certificates; 财库〔2016〕198号 (experts who break the rules leave the pool)",
    ),
    AvoidanceRule(
        "sanction",
        "不良记录",
        "An active expert suspension or bar on the reference date.",
        "财库〔2016〕198号; NDRC order 26 of 2024 (misconduct bars an expert from draws)",
    ),
    AvoidanceRule(
        "same_employer",
        "同一单位",
        "Another expert from the same employer is already on the panel; applied along the sealed order.",
        "registry rule, in the spirit of 财库〔2016〕198号 (a panel independent of any one employer)",
    ),
    AvoidanceRule(
        "unavailable",
        "无法到场",
        "Recorded as unavailable on the panel's date, or already on another panel that day.",
        "财库〔2016〕198号 (experts confirm they can attend)",
    ),
    AvoidanceRule(
        "draw_cap",
        "抽取次数上限",
        "Already seated on the yearly cap of panels, so the same people are not drawn again and again.",
        "registry default (configurable); NDRC order 26 of 2024 asks pool keepers to manage how often experts "
        "serve",
    ),
    AvoidanceRule("manual", "人工回避", "Excluded by the administrator, with a reason.", "财库〔2016〕198号"),
)
RULE_CODES: tuple[str, ...] = tuple(r.code for r in AVOIDANCE_RULES)
# Indirect conflicts (issue 23, registry/conflicts.py) exclude from a draw too, each with its evidence path.
CONFLICT_RULES: tuple[AvoidanceRule, ...] = tuple(
    AvoidanceRule(k.code, k.name_zh, k.description, k.source) for k in CONFLICT_KINDS
)
EXCLUSION_CODES: tuple[str, ...] = RULE_CODES + tuple(r.code for r in CONFLICT_RULES)
RULE_BY_CODE: dict[str, AvoidanceRule] = {r.code: r for r in (*AVOIDANCE_RULES, *CONFLICT_RULES)}

# Relationships a person may declare (docs/self-service.md, Declarations); `employment` counts under `employment`.
DECLARED_RELATIONSHIPS: tuple[str, ...] = (
    "employment",
    "director",
    "supervisor",
    "shareholder",
    "adviser",
    "relative",
)
SANCTION_KINDS: tuple[str, ...] = ("expert_suspension", "bar")


@dataclass(frozen=True)
class DrawRules:
    """The numbers a deployment may tune; defaults as documented in the module docstring."""

    window_years: int = 3  # 政府采购法实施条例 art. 9: "参加采购活动前3年内"
    draws_per_year_cap: int = 6  # registry default: panel seats per expert per calendar year
    response_hours: int = 48  # registry default: how long an invited expert has to answer
    barring_certificate_statuses: tuple[str, ...] = ("suspended", "revoked")
    barring_sanction_kinds: tuple[str, ...] = SANCTION_KINDS
    declared_relationships: tuple[str, ...] = ("director", "supervisor", "shareholder", "adviser", "relative")


DEFAULT_RULES = DrawRules()
_RULE_FIELDS = {f.name for f in fields(DrawRules)}


def rules_from_mapping(overrides: Mapping[str, Any] | None) -> DrawRules:
    """DrawRules with `overrides` (e.g. {"window_years": 2}) applied; raise ValueError on unknown or bad values."""
    if not overrides:
        return DEFAULT_RULES
    unknown = set(overrides) - _RULE_FIELDS
    if unknown:
        raise ValueError(f"unknown draw rule settings: {', '.join(sorted(unknown))}")
    values: dict[str, Any] = {}
    for name, value in overrides.items():
        if name in ("window_years", "draws_per_year_cap", "response_hours"):
            if not isinstance(value, int) or isinstance(value, bool) or value < 1:
                raise ValueError(f"{name} must be a positive whole number")
            values[name] = value
        else:
            if not isinstance(value, list | tuple) or not all(isinstance(v, str) for v in value):
                raise ValueError(f"{name} must be a list of codes")
            values[name] = tuple(value)
    return replace(DEFAULT_RULES, **values)
