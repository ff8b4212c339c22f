from dataclasses import replace
from datetime import date

import pytest

from registry.errors import ValidationFailed
from registry.evaluations import (
    DEFAULT_CRITERIA,
    AlreadyDone,
    Criterion,
    DeadlinePassed,
    EngagementFacts,
    EvaluationFactor,
    EvaluationSummary,
    EvaluationWindow,
    Evaluator,
    NotCompleted,
    NotTheClient,
    check_may_evaluate,
    check_may_reply,
    due_on,
    evaluation_points,
    on_time,
    summarize,
    validate_scores,
    weighted_score,
)

ALL_80 = {"quality": 80, "timeliness": 80, "independence": 80, "communication": 80}
ENGAGEMENT = EngagementFacts(
    id="e1",
    status="completed",
    client_id="org-client",
    work_type="verification",
    end_on=date(2025, 3, 7),  # a Friday
    team=frozenset({"p1", "p2"}),
)
CLIENT = Evaluator("client", "org-client")
TODAY = date(2025, 3, 10)


# --- Scores ---


def test_the_default_weights_sum_to_100_and_cover_the_four_contract_criteria():
    assert [c.code for c in DEFAULT_CRITERIA] == ["quality", "timeliness", "independence", "communication"]
    assert sum(c.weight for c in DEFAULT_CRITERIA) == 100


def test_equal_scores_give_that_score():
    assert weighted_score(ALL_80) == 80.0


def test_the_weighted_score_follows_the_weights():
    scores = {"quality": 100, "timeliness": 0, "independence": 0, "communication": 0}
    assert weighted_score(scores) == 40.0  # quality weighs 40 of 100


def test_the_weighted_score_rounds_half_up_to_one_decimal():
    criteria = (Criterion("a", 1, "", ""), Criterion("b", 1, "", ""))
    assert weighted_score({"a": 84, "b": 84.5}, criteria) == 84.3  # 84.25 → 84.3, not 84.2


def test_weights_need_not_sum_to_100():
    criteria = (Criterion("a", 3, "", ""), Criterion("b", 1, "", ""))
    assert weighted_score({"a": 100, "b": 0}, criteria) == 75.0


def test_valid_scores_have_no_errors():
    assert validate_scores(ALL_80) == {}
    assert validate_scores({**ALL_80, "quality": 0, "timeliness": 100, "independence": 72.5}) == {}


def test_a_missing_criterion_is_an_error_on_its_field():
    scores = dict(ALL_80)
    del scores["timeliness"]
    assert list(validate_scores(scores)) == ["scores.timeliness"]


def test_scores_outside_0_to_100_and_non_numbers_are_errors():
    errors = validate_scores(
        {**ALL_80, "quality": 101, "timeliness": -1, "independence": "90", "communication": True}
    )
    assert set(errors) == {
        "scores.quality",
        "scores.timeliness",
        "scores.independence",
        "scores.communication",
    }


def test_an_unknown_criterion_is_an_error_naming_the_criteria():
    errors = validate_scores({**ALL_80, "friendliness": 90})
    assert "quality, timeliness" in errors["scores.friendliness"][0]


def test_scores_that_are_not_an_object_are_an_error():
    assert list(validate_scores([80, 80, 80, 80])) == ["scores"]


# --- Who may evaluate ---


def test_the_client_organization_may_evaluate_a_team_member_of_its_completed_engagement():
    check_may_evaluate(ENGAGEMENT, "p1", CLIENT, already_evaluated=False, today=TODAY)


def test_an_admin_may_evaluate_for_the_client():
    check_may_evaluate(ENGAGEMENT, "p1", Evaluator("admin"), already_evaluated=False, today=TODAY)


def test_another_organization_may_not_evaluate():
    with pytest.raises(NotTheClient) as raised:
        check_may_evaluate(ENGAGEMENT, "p1", Evaluator("client", "org-other"), False, TODAY)
    assert raised.value.status == 403


def test_a_client_key_bound_to_no_organization_may_not_evaluate():
    with pytest.raises(NotTheClient):
        check_may_evaluate(ENGAGEMENT, "p1", Evaluator("client"), False, TODAY)


def test_another_organization_learns_nothing_about_the_engagement_state():
    ongoing = replace(ENGAGEMENT, status="ongoing")
    with pytest.raises(NotTheClient):
        check_may_evaluate(ongoing, "p1", Evaluator("client", "org-other"), False, TODAY)


@pytest.mark.parametrize("status", ["planned", "ongoing", "cancelled"])
def test_an_engagement_that_is_not_completed_cannot_be_evaluated(status):
    with pytest.raises(NotCompleted) as raised:
        check_may_evaluate(replace(ENGAGEMENT, status=status), "p1", CLIENT, False, TODAY)
    assert raised.value.status == 409
    assert status in raised.value.detail


def test_an_engagement_without_a_client_cannot_be_evaluated():
    with pytest.raises(NotCompleted):
        check_may_evaluate(replace(ENGAGEMENT, client_id=None), "p1", Evaluator("admin"), False, TODAY)


def test_someone_not_on_the_team_cannot_be_evaluated():
    with pytest.raises(ValidationFailed) as raised:
        check_may_evaluate(ENGAGEMENT, "p9", CLIENT, False, TODAY)
    assert "practitioner_id" in raised.value.errors


def test_a_second_evaluation_of_the_same_person_for_the_same_engagement_is_refused():
    with pytest.raises(AlreadyDone) as raised:
        check_may_evaluate(ENGAGEMENT, "p1", CLIENT, already_evaluated=True, today=TODAY)
    assert raised.value.status == 409


def test_the_evaluation_is_due_5_working_days_after_the_engagement_ended():
    assert due_on(date(2025, 3, 7)) == date(2025, 3, 14)
    assert due_on(None) is None


def test_a_late_evaluation_is_accepted_and_marked_late_unless_the_window_is_enforced():
    late = date(2025, 3, 17)
    check_may_evaluate(ENGAGEMENT, "p1", CLIENT, False, late)
    assert on_time(ENGAGEMENT.end_on, date(2025, 3, 14)) is True
    assert on_time(ENGAGEMENT.end_on, late) is False
    with pytest.raises(DeadlinePassed):
        check_may_evaluate(ENGAGEMENT, "p1", CLIENT, False, late, EvaluationWindow(enforced=True))
    check_may_evaluate(ENGAGEMENT, "p1", CLIENT, False, date(2025, 3, 14), EvaluationWindow(enforced=True))


# --- Replies ---


def test_the_evaluated_practitioner_may_reply_once():
    check_may_reply("p1", None, "practitioner", "p1")
    with pytest.raises(AlreadyDone):
        check_may_reply("p1", "Thank you", "practitioner", "p1")


def test_another_practitioner_or_a_client_may_not_reply():
    with pytest.raises(NotTheClient):
        check_may_reply("p1", None, "practitioner", "p2")
    with pytest.raises(NotTheClient):
        check_may_reply("p1", None, "client", None)


def test_an_admin_may_enter_a_reply_for_the_practitioner():
    check_may_reply("p1", None, "admin", None)


# --- Summary and match factor ---


def test_no_evaluations_summarize_to_count_0_and_no_mean():
    assert summarize([]) == EvaluationSummary(0, None)
    assert summarize([]).to_dict() == {"count": 0, "mean": None}


def test_the_mean_is_rounded_half_up_to_one_decimal():
    assert summarize([80, 85, 90.5]) == EvaluationSummary(3, 85.2)  # 85.1666…
    assert summarize([84, 84.5]) == EvaluationSummary(2, 84.3)


def test_the_evaluation_factor_waits_for_the_minimum_count_and_says_so():
    points, reason = evaluation_points(EvaluationSummary(2, 95.0), "verification")
    assert points == 0
    assert reason == "2 verification evaluations (mean 95.0): not counted until 3"


def test_the_evaluation_factor_is_zero_at_the_pass_mark_and_grows_half_a_point_per_mark():
    assert evaluation_points(EvaluationSummary(3, 60.0), "verification")[0] == 0
    points, reason = evaluation_points(EvaluationSummary(4, 86.5), "verification")
    assert points == 13  # (86.5 − 60) × 0.5 = 13.25
    assert reason == "mean evaluation 86.5 over 4 verification evaluations: +13"


def test_the_evaluation_factor_is_capped_both_ways():
    assert evaluation_points(EvaluationSummary(5, 100.0), "consulting")[0] == 20
    points, reason = evaluation_points(EvaluationSummary(5, 10.0), "consulting")
    assert points == -10
    assert reason.endswith(": -10")


def test_no_evaluation_gives_no_points_and_no_reason():
    assert evaluation_points(EvaluationSummary(0, None), "consulting") == (0, None)


def test_the_minimum_count_is_configurable():
    assert evaluation_points(EvaluationSummary(1, 90.0), "trading", EvaluationFactor(min_count=1))[0] == 15


def test_search_keys_carry_the_overall_and_per_work_type_means():
    from registry.evaluations import search_keys

    keys = search_keys([("verification", 90), ("verification", 85), ("consulting", 70)])
    assert keys == {
        "evaluation_mean": 81.7,
        "evaluation_count": 3,
        "evaluation_keys": ["consulting|70.0|1", "verification|87.5|2"],
    }
    assert search_keys([]) == {"evaluation_mean": None, "evaluation_count": 0, "evaluation_keys": []}
