"""The evaluation factor in the match score: counted from the minimum number, shown in the reasons."""

from datetime import date

from registry.evaluations import EvaluationFactor, EvaluationSummary
from registry.matching import Candidate, MatchRequest, rank, score

TODAY = date(2026, 11, 25)
REQUEST = MatchRequest(work_type="verification")


def candidate(pid: str = "p-1", evaluations: EvaluationSummary | None = None) -> Candidate:
    return Candidate(
        id=pid,
        best_level=2,
        certificate_number="C-1",
        certificate_expires_on=None,
        evaluations=evaluations or EvaluationSummary(0, None),
    )


def test_without_evaluations_there_is_no_evaluation_factor():
    scored = score(candidate(), REQUEST, TODAY)
    assert "evaluations" not in scored.breakdown
    assert not any("evaluation" in reason for reason in scored.reasons)


def test_too_few_evaluations_earn_nothing_but_are_shown():
    scored = score(candidate(evaluations=EvaluationSummary(2, 95.0)), REQUEST, TODAY)
    assert scored.breakdown["evaluations"] == 0
    assert scored.score == 30
    assert "2 verification evaluations (mean 95.0): not counted until 3" in scored.reasons


def test_a_good_mean_over_enough_evaluations_adds_points_and_a_reason():
    scored = score(candidate(evaluations=EvaluationSummary(3, 90.0)), REQUEST, TODAY)
    assert scored.breakdown["evaluations"] == 15
    assert scored.score == 45
    assert "mean evaluation 90.0 over 3 verification evaluations: +15" in scored.reasons


def test_a_poor_mean_ranks_below_no_evaluations_at_all():
    poor = candidate("p-poor", EvaluationSummary(4, 40.0))
    unknown = candidate("p-unknown")
    assert [s.candidate.id for s in rank([poor, unknown], REQUEST, TODAY)] == ["p-unknown", "p-poor"]


def test_the_factor_is_configurable():
    factor = EvaluationFactor(min_count=1, max_points=5)
    scored = score(candidate(evaluations=EvaluationSummary(1, 100.0)), REQUEST, TODAY, factor)
    assert scored.breakdown["evaluations"] == 5
