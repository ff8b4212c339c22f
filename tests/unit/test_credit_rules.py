import json

import pytest

from registry.credit import DEFAULT_CREDIT_RULES, credit_rules_from_mapping
from registry.evaluations import weighted_score


def test_the_defaults_are_the_published_rules():
    rules = DEFAULT_CREDIT_RULES
    assert rules.appeal.days == 30
    assert rules.window.working_days == 5
    assert [(r.records, r.within_months, r.kind, r.months) for r in rules.step_up] == [
        (2, 12, "expert_suspension", 12),
        (3, 12, "bar", None),
    ]
    assert rules.factor.min_count == 3


def test_the_rules_read_as_json_with_their_sources():
    doc = json.loads(json.dumps(DEFAULT_CREDIT_RULES.to_dict()))
    assert all(c["source"] for c in doc["categories"])
    assert doc["step_up"][0]["rule"] == "2 records within 12 months → expert_suspension for 12 months"


def test_an_empty_mapping_keeps_the_defaults():
    assert credit_rules_from_mapping({}) == DEFAULT_CREDIT_RULES


def test_a_weight_can_be_changed_and_the_score_follows():
    rules = credit_rules_from_mapping({"criteria": {"quality": {"weight": 85}}})
    scores = {"quality": 100, "timeliness": 0, "independence": 0, "communication": 0}
    assert weighted_score(scores, rules.criteria) == 58.6  # 85 / (85 + 20 + 25 + 15)


def test_categories_can_be_re_weighed_added_and_removed():
    rules = credit_rules_from_mapping(
        {
            "categories": {
                "refused_draw": {"points": 4},
                "late_report": {
                    "points": 2,
                    "name_zh": "报告逾期",
                    "name_en": "late report",
                    "source": "platform",
                },
                "false_application": None,
            }
        }
    )
    assert rules.catalogue["refused_draw"].points == 4
    assert rules.catalogue["late_report"].name_en == "late report"
    assert "false_application" not in rules.catalogue


def test_the_system_categories_cannot_be_removed():
    with pytest.raises(ValueError, match="certificate_revoked"):
        credit_rules_from_mapping({"categories": {"certificate_revoked": None}})


def test_step_up_rules_window_appeal_days_and_factor_are_configurable():
    rules = credit_rules_from_mapping(
        {
            "step_up": [{"records": 2, "within_months": 24, "kind": "bar", "months": None}],
            "evaluation_window": {"enforced": True},
            "appeal_days": 15,
            "match_factor": {"min_count": 5},
            "recent_evaluations": 10,
        }
    )
    assert rules.step_up[0].within_months == 24
    assert rules.window.enforced is True and rules.window.working_days == 5
    assert rules.appeal.days == 15
    assert rules.factor.min_count == 5
    assert rules.recent_evaluations == 10


@pytest.mark.parametrize(
    "data",
    [
        {"nonsense": 1},
        {"criteria": {"quality": {"weight": 0}}},
        {"criteria": {"speed": {"weight": 10}}},
        {"criteria": {"quality": {"colour": "red"}}},
        {"categories": {"new_thing": {"points": 2}}},
        {"categories": {"refused_draw": {"points": -1}}},
        {"step_up": [{"records": 2, "kind": "bar", "months": None}]},
        {"step_up": [{"records": 2, "within_months": 12, "kind": "fine", "months": None}]},
        {"step_up": {"records": 2}},
        {"evaluation_window": {"enforced": "yes"}},
        {"match_factor": {"min_count": 0}},
        {"match_factor": {"min_points": 5, "max_points": 1}},
        {"appeal_days": 0},
        {"appeal_days": True},
        [],
    ],
)
def test_bad_configuration_is_refused_with_a_message(data):
    with pytest.raises(ValueError):
        credit_rules_from_mapping(data)
