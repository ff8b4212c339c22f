"""The annual assessment (年度考核) of an expert, from the year's evaluations and misconduct records.

NDRC order 26 of 2024 (国家发展改革委令第26号《评标专家和评标专家库管理办法》) has expert-pool managers assess
their experts every year on published criteria, send the result to the expert, hear an appeal within 30 days,
and remove those who fail. The criteria below are the platform's, as data (`AssessmentRule`); the result is
shown with its reasons. A year is final once it has ended (`final`); before that the result is provisional.
What it rests on is appealable piece by piece (each evaluation and record, 30 days), and removing someone who
failed stays an administrator's decision (a misconduct record), so an assessment never changes the pools.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date
from typing import Any

from registry.evaluations import summarize
from registry.misconduct import RecordFacts

ASSESSMENT_SOURCE = "NDRC order 26 of 2024 (国家发展改革委令第26号): annual assessment on published criteria"


@dataclass(frozen=True)
class AssessmentRule:
    pass_mean: float = 60  # the year's mean evaluation must reach the exam's pass mark ...
    min_evaluations: int = 1  # ... when there are at least this many (otherwise the criterion does not apply)
    max_points: int = 11  # misconduct points in the year above this fail (one falsification, 12, fails)


@dataclass(frozen=True)
class Assessment:
    year: int
    passed: bool
    reasons: tuple[str, ...]
    evaluations: dict[str, Any]
    records: int
    points: int
    as_of: date
    final: bool  # the year has ended

    def to_dict(self) -> dict[str, Any]:
        """The assessment as a JSON-ready dict."""
        return {
            "year": self.year,
            "passed": self.passed,
            "reasons": list(self.reasons),
            "evaluations": self.evaluations,
            "records": self.records,
            "points": self.points,
            "as_of": self.as_of.isoformat(),
            "final": self.final,
            "source": ASSESSMENT_SOURCE,
        }


def assess(
    year: int,
    scores: Iterable[float],
    records: Iterable[RecordFacts],
    as_of: date,
    rule: AssessmentRule = AssessmentRule(),
) -> Assessment:
    """The assessment of `year` from that year's evaluation scores and the records that occurred in it."""
    summary = summarize(scores)
    in_year = [r for r in records if r.effective and r.occurred_on.year == year]
    points = sum(r.points for r in in_year)
    reasons: list[str] = []
    passed = True
    if summary.count >= rule.min_evaluations and summary.mean is not None:
        ok = summary.mean >= rule.pass_mean
        passed &= ok
        reasons.append(
            f"mean evaluation {summary.mean:.1f} over {summary.count}: "
            f"{'at least' if ok else 'below'} {rule.pass_mean:g}"
        )
    else:
        reasons.append(f"{summary.count} evaluations: too few to assess (needs {rule.min_evaluations})")
    ok = points <= rule.max_points
    passed &= ok
    reasons.append(
        f"{len(in_year)} misconduct records, {points} points: {'within' if ok else 'over'} {rule.max_points}"
    )
    return Assessment(
        year=year,
        passed=passed,
        reasons=tuple(reasons),
        evaluations=summary.to_dict(),
        records=len(in_year),
        points=points,
        as_of=as_of,
        final=as_of.year > year,
    )
