"""Evaluations (履职评价): a client organization rates each member of a completed engagement's team once.

Rules and where they come from:

- Published criteria and an assessment result the expert sees: NDRC order 26 of 2024 (国家发展改革委令第26号,
  《评标专家和评标专家库管理办法》) asks expert-pool managers to assess experts on published criteria and send the
  result to the expert. The four criteria below are the platform's; their weights are data (`CREDIT_RULES_FILE`).
- Recording performance soon after the work: 财库〔2016〕198号 (《政府采购评审专家管理办法》) has the buyer record
  each expert's performance within 5 working days of the review. Here the window is shown as `due_on` and, by
  default, not enforced: a late evaluation is accepted and marked `on_time: false`.
- Who may evaluate: the engagement's client organization (an admin, or a client key bound to that organization),
  once per team member per engagement, and only after the engagement is `completed` (the issue's contract).
- An evaluation is immutable; the practitioner may reply once.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from registry.dates import add_working_days
from registry.errors import Conflict, RegistryError, ValidationFailed

SCORE_MIN, SCORE_MAX = 0, 100


@dataclass(frozen=True)
class Criterion:
    code: str
    weight: float  # relative; the weighted score divides by the sum of the weights
    name_zh: str
    name_en: str

    def to_dict(self) -> dict[str, Any]:
        """The criterion as a JSON-ready dict."""
        return {"code": self.code, "weight": self.weight, "name_zh": self.name_zh, "name_en": self.name_en}


# The contract fixes the four codes; the weights are the platform's default (quality counts most, and
# independence next because a verifier's worth is that it is independent of the client).
DEFAULT_CRITERIA: tuple[Criterion, ...] = (
    Criterion("quality", 40, "工作质量", "quality: accurate, complete data, method and report"),
    Criterion("timeliness", 20, "按期完成", "timeliness: milestones and the final report on time"),
    Criterion(
        "independence", 25, "独立公正", "independence: objective, free of influence, conflicts disclosed"
    ),
    Criterion("communication", 15, "沟通配合", "communication: responsive, clear, cooperative"),
)
CRITERIA_SOURCE = (
    "NDRC order 26 of 2024 (国家发展改革委令第26号): assessment on published criteria; weights: platform"
)


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _round1(value: Decimal) -> float:
    # Half up, not Python's half-to-even: 84.25 shows as 84.3 the way a person would round it.
    return float(value.quantize(Decimal("0.1"), rounding=ROUND_HALF_UP))


def check_criteria(criteria: Iterable[Criterion]) -> None:
    """Raise ValueError unless the criteria have distinct codes and positive weights."""
    criteria = tuple(criteria)
    if not criteria:
        raise ValueError("evaluation criteria: at least one criterion is needed")
    codes = [c.code for c in criteria]
    if len(set(codes)) != len(codes):
        raise ValueError("evaluation criteria: codes must be distinct")
    for c in criteria:
        if not isinstance(c.code, str) or not c.code:
            raise ValueError("evaluation criteria: each needs a code")
        if not _is_number(c.weight) or c.weight <= 0:
            raise ValueError(f"evaluation criterion {c.code}: weight must be a number above 0")


def validate_scores(scores: Any, criteria: Iterable[Criterion] = DEFAULT_CRITERIA) -> dict[str, list[str]]:
    """Field errors for `scores` (one number 0–100 per criterion, no others); empty when they are fine."""
    if not isinstance(scores, Mapping):
        return {"scores": ["scores must be an object with one score per criterion"]}
    errors: dict[str, list[str]] = {}
    codes = [c.code for c in criteria]
    for code in codes:
        if code not in scores or scores[code] is None:
            errors.setdefault(f"scores.{code}", []).append("Missing data for required field.")
            continue
        value = scores[code]
        if not _is_number(value):
            errors.setdefault(f"scores.{code}", []).append("must be a number")
        elif not SCORE_MIN <= value <= SCORE_MAX:
            errors.setdefault(f"scores.{code}", []).append(f"must be between {SCORE_MIN} and {SCORE_MAX}")
    for code in sorted(set(scores) - set(codes)):
        errors.setdefault(f"scores.{code}", []).append(
            f"unknown criterion; the criteria are {', '.join(codes)}"
        )
    return errors


def weighted_score(scores: Mapping[str, float], criteria: Iterable[Criterion] = DEFAULT_CRITERIA) -> float:
    """The weighted total of valid `scores`, 0–100, rounded half up to one decimal."""
    criteria = tuple(criteria)
    total_weight = sum(Decimal(str(c.weight)) for c in criteria)
    total = sum(Decimal(str(scores[c.code])) * Decimal(str(c.weight)) for c in criteria)
    return _round1(total / total_weight)


# --- Who may evaluate, and when ------------------------------------------------------------------------------


@dataclass(frozen=True)
class EvaluationWindow:
    """财库〔2016〕198号: the buyer records performance within 5 working days; enforced only if configured."""

    working_days: int = 5
    enforced: bool = False


WINDOW_SOURCE = "财库〔2016〕198号《政府采购评审专家管理办法》: performance recorded within 5 working days"


def due_on(end_on: date | None, window: EvaluationWindow = EvaluationWindow()) -> date | None:
    """The last day to evaluate on time: `working_days` working days after the engagement ended."""
    return add_working_days(end_on, window.working_days) if end_on else None


@dataclass(frozen=True)
class EngagementFacts:
    id: str
    status: str
    client_id: str | None
    work_type: str
    end_on: date | None
    team: frozenset[str]  # practitioner ids


@dataclass(frozen=True)
class Evaluator:
    """Who is evaluating: an admin (any organization) or a client key bound to `organization_id`."""

    role: str
    organization_id: str | None = None


class NotTheClient(RegistryError):
    status = 403
    title = "Not the engagement's client"
    slug = "not-the-client"


class NotCompleted(Conflict):
    title = "Engagement not completed"
    slug = "engagement-not-completed"


class AlreadyDone(Conflict):
    title = "Already done"
    slug = "already-done"


class DeadlinePassed(Conflict):
    title = "Deadline passed"
    slug = "deadline-passed"


def check_may_evaluate(
    engagement: EngagementFacts,
    practitioner_id: str,
    evaluator: Evaluator,
    already_evaluated: bool,
    today: date,
    window: EvaluationWindow = EvaluationWindow(),
) -> None:
    """Raise the first reason this evaluation may not be written; return None when it may."""
    # Whose engagement it is comes first, so another organization learns nothing about its state.
    if evaluator.role != "admin":
        if evaluator.organization_id is None:
            raise NotTheClient(
                "Only the engagement's client organization may evaluate: use a client key bound to it.",
                engagement_id=engagement.id,
            )
        if evaluator.organization_id != engagement.client_id:
            raise NotTheClient(
                f"Engagement {engagement.id} is not a client engagement of organization "
                f"{evaluator.organization_id}; only its client organization may evaluate it.",
                engagement_id=engagement.id,
            )
    if engagement.client_id is None:
        raise NotCompleted(
            f"Engagement {engagement.id} has no client organization, so nobody can evaluate it.",
            engagement_id=engagement.id,
        )
    if engagement.status != "completed":
        raise NotCompleted(
            f"Engagement {engagement.id} is {engagement.status}; only a completed engagement can be evaluated.",
            engagement_id=engagement.id,
            engagement_status=engagement.status,
        )
    if practitioner_id not in engagement.team:
        raise ValidationFailed(
            {"practitioner_id": [f"{practitioner_id} is not on the team of engagement {engagement.id}"]},
            detail="The practitioner did not work on this engagement.",
        )
    if already_evaluated:
        raise AlreadyDone(
            f"Practitioner {practitioner_id} has already been evaluated for engagement {engagement.id}; "
            "an evaluation is written once and never changed.",
            engagement_id=engagement.id,
            practitioner_id=practitioner_id,
        )
    due = due_on(engagement.end_on, window)
    if window.enforced and due is not None and today > due:
        raise DeadlinePassed(
            f"Evaluations of engagement {engagement.id} were due by {due.isoformat()} "
            f"({window.working_days} working days after it ended).",
            due_on=due.isoformat(),
        )


def on_time(end_on: date | None, written_on: date, window: EvaluationWindow = EvaluationWindow()) -> bool:
    """Whether an evaluation written on `written_on` met the 5-working-day window (no end date: on time)."""
    due = due_on(end_on, window)
    return due is None or written_on <= due


def check_may_reply(
    evaluation_of: str, existing_reply: str | None, role: str, practitioner_id: str | None
) -> None:
    """The evaluated practitioner (or an admin on their behalf) may reply once."""
    if role != "admin" and not (role == "practitioner" and practitioner_id == evaluation_of):
        raise NotTheClient("Only the evaluated practitioner may reply to an evaluation.")
    if existing_reply is not None:
        raise AlreadyDone("This evaluation already has a reply; a practitioner replies once.")


# --- Summaries and the match factor -------------------------------------------------------------------------


@dataclass(frozen=True)
class EvaluationSummary:
    count: int
    mean: float | None  # None when there is no evaluation

    def to_dict(self) -> dict[str, Any]:
        """The summary as the profile's `{"count", "mean"}`."""
        return {"count": self.count, "mean": self.mean}


def summarize(scores: Iterable[float]) -> EvaluationSummary:
    """Count and mean (one decimal) of the evaluations' weighted scores that still count."""
    values = [Decimal(str(s)) for s in scores]
    if not values:
        return EvaluationSummary(0, None)
    return EvaluationSummary(len(values), _round1(sum(values) / len(values)))


@dataclass(frozen=True)
class EvaluationFactor:
    """Match points for the mean evaluation in the requested work type.

    points = (mean − neutral) × points_per_mark, rounded half up, within [min_points, max_points];
    nothing until `min_count` evaluations exist, so one client's opinion does not move the ranking.
    """

    min_count: int = 3
    neutral: float = 60  # the exam's pass mark: a mean of 60 neither helps nor hurts
    points_per_mark: float = 0.5
    min_points: int = -10
    max_points: int = 20


DEFAULT_FACTOR = EvaluationFactor()
NO_EVALUATIONS = EvaluationSummary(0, None)


def evaluation_points(
    summary: EvaluationSummary, work_type: str, factor: EvaluationFactor = DEFAULT_FACTOR
) -> tuple[int, str | None]:
    """Points for the match score and the reason to show (None when there is no evaluation to speak of)."""
    if summary.count == 0 or summary.mean is None:
        return 0, None
    plural = "evaluation" if summary.count == 1 else "evaluations"
    if summary.count < factor.min_count:
        return 0, (
            f"{summary.count} {work_type} {plural} (mean {summary.mean:.1f}): not counted until "
            f"{factor.min_count}"
        )
    raw = (Decimal(str(summary.mean)) - Decimal(str(factor.neutral))) * Decimal(str(factor.points_per_mark))
    points = int(raw.quantize(Decimal("1"), rounding=ROUND_HALF_UP))
    points = max(factor.min_points, min(factor.max_points, points))
    sign = "+" if points >= 0 else ""
    return (
        points,
        f"mean evaluation {summary.mean:.1f} over {summary.count} {work_type} {plural}: {sign}{points}",
    )


def search_keys(evaluations: Iterable[tuple[str, float]]) -> dict[str, Any]:
    """Search keys from the (work_type, score) of the evaluations that count: the overall mean and count,
    and `work_type|mean|count` per work type, so search can sort and filter without expanding evaluations."""
    evaluations = list(evaluations)
    overall = summarize(score for _, score in evaluations)
    keys = []
    for work_type in sorted({w for w, _ in evaluations}):
        summary = summarize(score for w, score in evaluations if w == work_type)
        keys.append(f"{work_type}|{summary.mean}|{summary.count}")
    return {"evaluation_mean": overall.mean, "evaluation_count": overall.count, "evaluation_keys": keys}
