"""Conflicts of interest as evidence paths (issue 23): the four kinds with their sources, the bounds a caller may
choose within, and the shape of a path.

A conflict says who is conflicted with an organization on a date, by which rule, and why: the path of facts in the
graph from the person to the organization, each step `{from: {type, id, name}, rel, to: {type, id, name}, since,
until}` in the direction the fact was recorded (a person is EMPLOYED_BY an organization; a subsidiary is
CONTROLLED_BY its parent). The organization's *group* is every organization reachable through CONTROLLED_BY in
either direction within `group_depth` steps, over relations in force at some time in the window; depth 0 is the
organization alone.

Where the rules come from:
- 政府采购法实施条例 (2015) art. 9 — step aside when, within the three years before, one was employed by the supplier
  (1) or has any other relationship that could affect fairness (5). The three-year window is art. 9's.
- 公司法 (2023) art. 265 — 关联关系: control by a controlling shareholder or actual controller, and between companies
  under common control; the registry reads the supplier as its group.
- ISO/IEC 17029:2019 clause 5.2 and ISO 14065:2020 clause 5.4 — a validation or verification body is impartial: it
  does not verify a claim it, or people working for it, helped prepare (consultancy is a threat to impartiality).
- 碳排放权交易管理暂行条例 (State Council order 775, 2024) — verification records are kept for at least five years; the
  registry keeps the facts these paths rest on (docs/engagements.md).

Which engagements "prepare" a claim: consulting, accounting (核算: writing the emission report) and monitoring (the
monitoring plan and its data). A verification job is one whose work type is `verification`.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from registry.errors import ValidationFailed

ART9 = "政府采购法实施条例 art. 9"
GROUP_SOURCE = "公司法 (2023) art. 265 (关联关系: control and common control)"
IMPARTIALITY = (
    "ISO/IEC 17029:2019 cl. 5.2; ISO 14065:2020 cl. 5.4 (impartiality: no verifying what one prepared)"
)


@dataclass(frozen=True)
class ConflictKind:
    code: str
    name_zh: str
    description: str
    source: str
    verification_only: bool = False  # applies only when the job is verification


CONFLICT_KINDS: tuple[ConflictKind, ...] = (
    ConflictKind(
        "group_employment",
        "集团内劳动关系",
        "Employed now or within the window by the organization or another member of its group.",
        f"{ART9} (1); {GROUP_SOURCE}",
    ),
    ConflictKind(
        "group_engagement",
        "集团内业务往来",
        "On an engagement for the organization or another member of its group within the window (or still "
        "running), or employed by that engagement's provider while it ran.",
        f"{ART9} (5); {GROUP_SOURCE}",
    ),
    ConflictKind(
        "colleague",
        "同事关系",
        "On an engagement team within the window together with someone employed, within the window, by the "
        "organization or its group.",
        f"{ART9} (5): any other relationship that could affect fairness",
    ),
    ConflictKind(
        "consult_then_verify",
        "先咨询后核查",
        "The person, or the provider that employed them, did consulting or report-preparation work for the "
        "organization or its group within the window, and the job is verification.",
        IMPARTIALITY,
        verification_only=True,
    ),
)
KIND_CODES: tuple[str, ...] = tuple(k.code for k in CONFLICT_KINDS)
KIND_BY_CODE: dict[str, ConflictKind] = {k.code: k for k in CONFLICT_KINDS}

PREPARATION_KINDS: tuple[str, ...] = ("consulting", "accounting", "monitoring")
VERIFICATION_JOBS: frozenset[str] = frozenset({"verification"})

# Bounds a caller may choose within (a draw's `rules` object, /match): a window of one to ten years (art. 9 says
# three; a province may look further), a group of at most five levels (deeper chains of control are holding
# structures that stop meaning influence, and each level multiplies the group).
WINDOW_BOUNDS = (1, 10)
DEPTH_BOUNDS = (0, 5)
DEFAULT_WINDOW_YEARS = 3
DEFAULT_GROUP_DEPTH = 3


@dataclass(frozen=True)
class ConflictRules:
    window_years: int = DEFAULT_WINDOW_YEARS
    group_depth: int = DEFAULT_GROUP_DEPTH
    kinds: tuple[str, ...] = KIND_CODES

    def applying_to(self, job: str | None) -> tuple[str, ...]:
        """The kinds that apply to a job: consult-then-verify only to verification."""
        return tuple(
            code
            for code in self.kinds
            if not KIND_BY_CODE[code].verification_only or job in VERIFICATION_JOBS
        )

    def to_dict(self) -> dict[str, Any]:
        """Return the rules as sealed into a draw record and shown by the API."""
        return {"window_years": self.window_years, "group_depth": self.group_depth, "kinds": list(self.kinds)}


DEFAULT_CONFLICT_RULES = ConflictRules()

# An engagement's team is checked against its client for these kinds. Earlier engagements for the same client
# (group_engagement) are the normal course of business: their familiarity is what the rotation warning counts
# (registry/rotation.py), so they do not block a team.
ENGAGEMENT_TEAM_KINDS: tuple[str, ...] = ("group_employment", "colleague", "consult_then_verify")


def conflict_rules_problems(mapping: Mapping[str, Any]) -> dict[str, list[str]]:
    """Field errors for a `rules` object; empty when every value is within its bounds."""
    errors: dict[str, list[str]] = {}
    unknown = sorted(set(mapping) - {"window_years", "group_depth", "kinds"})
    if unknown:
        errors["rules"] = [
            f"Unknown rule setting {', '.join(unknown)}; use window_years, group_depth, kinds."
        ]
    for key, (low, high) in (("window_years", WINDOW_BOUNDS), ("group_depth", DEPTH_BOUNDS)):
        value = mapping.get(key)
        if value is None:
            continue
        if isinstance(value, bool) or not isinstance(value, int) or not low <= value <= high:
            errors[key] = [f"{key} is a whole number from {low} to {high}."]
    kinds = mapping.get("kinds")
    if kinds is not None:
        if not isinstance(kinds, list | tuple) or not all(isinstance(k, str) for k in kinds):
            errors["kinds"] = ["kinds is a list of rule codes."]
        elif unknown_kinds := sorted(set(kinds) - set(KIND_CODES)):
            errors["kinds"] = [
                f"Unknown kind {', '.join(unknown_kinds)}; use any of {', '.join(KIND_CODES)}."
            ]
    return errors


def conflict_rules_from(
    mapping: Mapping[str, Any] | None, base: ConflictRules = DEFAULT_CONFLICT_RULES
) -> ConflictRules:
    """The rules a request asks for, within bounds (400 otherwise); `base` where it is silent."""
    if not mapping:
        return base
    errors = conflict_rules_problems(mapping)
    if errors:
        raise ValidationFailed({f"rules.{key}" if key != "rules" else key: v for key, v in errors.items()})
    kinds = mapping.get("kinds")
    return ConflictRules(
        window_years=mapping.get("window_years") or base.window_years,
        group_depth=base.group_depth if mapping.get("group_depth") is None else mapping["group_depth"],
        kinds=base.kinds if kinds is None else tuple(code for code in KIND_CODES if code in set(kinds)),
    )


# --- Paths --------------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Node:
    type: str  # practitioner | organization | engagement
    id: str
    name: str | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the node as a path shows it."""
        return {"type": self.type, "id": self.id, "name": self.name}


@dataclass(frozen=True)
class Step:
    source: Node
    rel: str
    target: Node
    since: date | None = None
    until: date | None = None

    def to_dict(self) -> dict[str, Any]:
        """Return the step as the API shows it: `from`, `rel`, `to`, `since`, `until`."""
        return {
            "from": self.source.to_dict(),
            "rel": self.rel,
            "to": self.target.to_dict(),
            "since": self.since,
            "until": self.until,
        }


@dataclass(frozen=True)
class Conflict:
    practitioner_id: str
    rule: str
    path: tuple[Step, ...]
    detail: str = ""
    facts: tuple[str, ...] = field(default=(), compare=False)  # ids of the engagements/relations it rests on

    def to_dict(self) -> dict[str, Any]:
        """Return the conflict as a dict: rule, detail and path (dates as dates, for the API's schemas)."""
        return {"rule": self.rule, "detail": self.detail, "path": [step.to_dict() for step in self.path]}

    def to_record(self) -> dict[str, Any]:
        """Return the conflict as plain JSON (dates as ISO strings): for a problem body or a sealed record."""
        path = [
            {**step, "since": _iso(step["since"]), "until": _iso(step["until"])}
            for step in (s.to_dict() for s in self.path)
        ]
        return {"rule": self.rule, "detail": self.detail, "path": path}


def _iso(day: date | None) -> str | None:
    return day.isoformat() if day else None


def detail_of(rule: str, path: Iterable[Step]) -> str:
    """One line naming the rule and the path's facts, e.g. 'group_employment: EMPLOYED_BY 某电厂 ← CONTROLLED_BY …'."""
    steps = list(path)
    words = [f"{step.rel} {step.target.name or step.target.type}" for step in steps]
    return (
        f"{KIND_BY_CODE[rule].name_zh}: " + " · ".join(words) if rule in KIND_BY_CODE else " · ".join(words)
    )


def overlaps(since: date | None, until: date | None, start: date, end: date) -> bool:
    """Whether the period [since, until] (open ends) meets [start, end]."""
    return (since is None or since <= end) and (until is None or until >= start)


def ordered(conflicts: Iterable[Conflict]) -> list[Conflict]:
    """Conflicts in the kinds' order, shortest path first, then by path, each (rule, path) once."""
    unique: dict[tuple[str, str, tuple[Step, ...]], Conflict] = {}
    for conflict in conflicts:
        unique.setdefault((conflict.practitioner_id, conflict.rule, conflict.path), conflict)
    return sorted(
        unique.values(),
        key=lambda c: (c.practitioner_id, KIND_CODES.index(c.rule), len(c.path), repr(c.path)),
    )


# /match's conflicts keep the kind and fields they had before paths (clients read them), and gain `rule` and `path`.
MATCH_KINDS: dict[str, str] = {
    "group_employment": "employment",
    "group_engagement": "engagement",
    "colleague": "colleague",
    "consult_then_verify": "consult_then_verify",
}


def match_entry(conflict: Conflict) -> dict[str, Any]:
    """A conflict as /match lists it: `kind` (employment, engagement, …), `rule`, `path`, and for employment and
    engagement the organization and dates read from the path's first steps."""
    entry = {"kind": MATCH_KINDS[conflict.rule], **conflict.to_dict()}
    first = conflict.path[0]
    client = next((step.target for step in conflict.path if step.rel == "FOR_CLIENT"), None)
    if conflict.rule == "group_employment":
        entry |= {"organization": first.target.name, "since": first.since, "until": first.until}
    elif conflict.rule == "group_engagement" and client is not None:
        engagement = next(step for step in conflict.path if step.rel in ("WORKED_ON", "PERFORMED_BY"))
        node = engagement.target if engagement.rel == "WORKED_ON" else engagement.source
        entry |= {"organization": client.name, "title": node.name, "start_on": engagement.since,
                  "end_on": engagement.until}  # fmt: skip
    return entry
