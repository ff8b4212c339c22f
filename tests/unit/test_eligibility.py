import json
from dataclasses import replace
from datetime import date

import pytest

from registry.eligibility import (
    DEFAULT_RULES,
    Application,
    Decision,
    HeldCertificate,
    LevelRule,
    Reason,
    is_eligible,
    rules_from_mapping,
)

AS_OF = date(2025, 6, 15)


def application(
    level: int,
    education: str | None = "junior_high",
    enrolled: bool = False,
    related_work_years: float = 0,
    certificates: tuple[HeldCertificate, ...] = (),
    work_type: str | None = "accounting",
) -> Application:
    return Application(level, work_type, education, enrolled, related_work_years, certificates, AS_OF)


def reason(decision: Decision, code: str) -> Reason:
    (found,) = [r for r in decision.reasons if r.code == code]
    return found


# --- Level 4 ---


def test_secondary_vocational_student_is_eligible_for_level_4():
    decision = is_eligible(application(4, education="secondary", enrolled=True))
    assert decision.eligible is True
    assert reason(decision, "education").met is True


def test_secondary_graduate_is_eligible_for_level_4():
    assert is_eligible(application(4, education="secondary")).eligible is True


def test_junior_high_with_2_years_of_related_work_is_not_eligible_for_level_4():
    decision = is_eligible(application(4, education="junior_high", related_work_years=2))
    assert decision.eligible is False
    assert [(r.code, r.met) for r in decision.reasons] == [
        ("education", False),
        ("related_work_years", False),
    ]


def test_junior_high_with_3_years_of_related_work_is_eligible_for_level_4():
    decision = is_eligible(application(4, education="junior_high", related_work_years=3))
    assert decision.eligible is True
    assert reason(decision, "related_work_years").met is True
    assert reason(decision, "education").met is False


def test_junior_high_with_almost_3_years_is_not_eligible_for_level_4():
    assert is_eligible(application(4, education="junior_high", related_work_years=2.99)).eligible is False


def test_missing_education_does_not_meet_the_education_condition():
    decision = is_eligible(application(4, education=None))
    assert reason(decision, "education").met is False
    assert "not given" in reason(decision, "education").en


def test_level_4_reasons_name_the_rule_and_the_facts():
    decision = is_eligible(application(4, education="junior_high", related_work_years=2))
    work = reason(decision, "related_work_years")
    assert work.zh == "累计从事相关职业工作3年（含）以上：不满足（申请人：2年）"
    assert work.en == "at least 3 years of related work: not met (applicant: 2 years)"
    education = reason(decision, "education")
    assert education.zh.startswith("学历中职/中专/高中及以上（含在读）：不满足")


# --- Level 3 ---


def level_4_certificate(issued_on: date, work_type: str = "accounting") -> HeldCertificate:
    return HeldCertificate(work_type=work_type, level=4, issued_on=issued_on)


def test_bachelor_graduate_is_eligible_for_level_3():
    decision = is_eligible(application(3, education="bachelor"))
    assert decision.eligible is True
    assert reason(decision, "education").zh == "学历本科及以上（已毕业）：满足（申请人：本科）"


def test_master_graduate_is_eligible_for_level_3():
    assert is_eligible(application(3, education="master")).eligible is True


def test_enrolled_bachelor_student_is_not_eligible_for_level_3_by_education():
    decision = is_eligible(application(3, education="bachelor", enrolled=True))
    assert decision.eligible is False
    assert reason(decision, "education").met is False
    assert "在读" in reason(decision, "education").zh


def test_college_graduate_without_a_level_4_certificate_is_not_eligible_for_level_3():
    decision = is_eligible(application(3, education="college", related_work_years=10))
    assert decision.eligible is False
    assert reason(decision, "prior_certificate").met is False


def test_level_4_holder_11_months_after_issue_is_not_eligible_for_level_3():
    held = level_4_certificate(date(2024, 7, 15))
    decision = is_eligible(application(3, related_work_years=2, certificates=(held,)))
    assert decision.eligible is False
    assert "with 11 months since issue" in reason(decision, "prior_certificate").en


def test_level_4_holder_12_months_after_issue_is_eligible_for_level_3():
    held = level_4_certificate(date(2024, 6, 15))
    decision = is_eligible(application(3, related_work_years=1, certificates=(held,)))
    assert decision.eligible is True
    assert reason(decision, "prior_certificate").met is True


def test_level_4_holder_one_day_short_of_12_months_is_not_eligible_for_level_3():
    held = level_4_certificate(date(2024, 6, 16))
    assert is_eligible(application(3, related_work_years=1, certificates=(held,))).eligible is False


def test_level_4_holder_needs_a_year_of_related_work_for_level_3():
    held = level_4_certificate(date(2023, 1, 1))
    decision = is_eligible(application(3, related_work_years=0.5, certificates=(held,)))
    assert decision.eligible is False
    assert reason(decision, "prior_certificate").met is False


def test_level_4_holder_reason_names_the_certificate_and_the_months():
    held = level_4_certificate(date(2024, 4, 10))
    decision = is_eligible(application(3, related_work_years=2, certificates=(held,)))
    assert reason(decision, "prior_certificate").en.startswith(
        "holds a level-4 certificate (accounting, issued 2024-04-10) with 14 months since issue "
        "and 2 years of related work: met"
    )
    assert "碳排放核算员" in reason(decision, "prior_certificate").zh


def test_level_4_certificate_of_another_work_type_counts_by_default():
    held = level_4_certificate(date(2023, 1, 1), work_type="trading")
    assert is_eligible(application(3, related_work_years=1, certificates=(held,))).eligible is True


def test_same_work_type_rule_ignores_a_level_4_certificate_of_another_work_type():
    rules = rules_from_mapping({"3": {"prior_same_work_type": True}})
    other = level_4_certificate(date(2023, 1, 1), work_type="trading")
    same = level_4_certificate(date(2023, 1, 1), work_type="accounting")
    assert is_eligible(application(3, related_work_years=1, certificates=(other,)), rules).eligible is False
    assert is_eligible(application(3, related_work_years=1, certificates=(same,)), rules).eligible is True


def test_the_longest_held_level_4_certificate_is_the_one_considered():
    recent, old = level_4_certificate(date(2025, 1, 1)), level_4_certificate(date(2022, 3, 1), "trading")
    decision = is_eligible(application(3, related_work_years=1, certificates=(recent, old)))
    assert decision.eligible is True
    assert "trading, issued 2022-03-01" in reason(decision, "prior_certificate").en


def test_a_level_3_certificate_is_not_the_level_4_certificate_level_3_asks_for():
    held = HeldCertificate("accounting", 3, date(2020, 1, 1))
    assert is_eligible(application(3, related_work_years=5, certificates=(held,))).eligible is False


def test_twelve_months_after_a_leap_day_issue_ends_on_28_february():
    held = level_4_certificate(date(2024, 2, 29))
    app = replace(application(3, related_work_years=1, certificates=(held,)), as_of=date(2025, 2, 28))
    assert is_eligible(app).eligible is True
    assert is_eligible(replace(app, as_of=date(2025, 2, 27))).eligible is False


# --- Levels 2 and 1 ---


@pytest.mark.parametrize(("level", "name_zh"), [(2, "二级"), (1, "一级")])
def test_levels_2_and_1_are_undetermined(level, name_zh):
    decision = is_eligible(application(level, education="doctorate", related_work_years=30))
    assert decision.eligible is None
    assert [r.code for r in decision.reasons] == ["undetermined"]
    assert decision.reasons[0].met is None
    assert decision.reasons[0].zh == f"{name_zh}报考条件尚未公布（待定）"
    assert decision.reasons[0].en == f"Level {level} requirements are not yet defined (待定)"


def test_unknown_level_is_an_error():
    with pytest.raises(ValueError, match="unknown level"):
        is_eligible(application(5))


def test_decision_serialises_to_plain_data():
    decision = is_eligible(application(2))
    assert json.loads(json.dumps(decision.to_dict())) == {
        "eligible": None,
        "reasons": [
            {
                "code": "undetermined",
                "met": None,
                "zh": "二级报考条件尚未公布（待定）",
                "en": "Level 2 requirements are not yet defined (待定)",
            }
        ],
    }


# --- Rule table ---


def test_default_rules_follow_the_brochure():
    assert DEFAULT_RULES[4] == LevelRule(4, True, "secondary", True, 3, None, None, False)
    assert DEFAULT_RULES[3] == LevelRule(3, True, "bachelor", False, 1, 4, 12, False)
    assert not DEFAULT_RULES[2].defined
    assert not DEFAULT_RULES[1].defined


def test_rules_from_mapping_override_makes_level_2_defined():
    rules = rules_from_mapping(
        json.loads(
            '{"2": {"defined": true, "min_education": "master", "enrolled_counts": false,'
            ' "min_related_work_years": 2, "prior_level": 3, "prior_level_min_months": 24}}'
        )
    )
    assert rules[2].defined
    assert rules[4] == DEFAULT_RULES[4]
    level_3 = HeldCertificate("accounting", 3, date(2023, 1, 1))
    decision = is_eligible(
        application(2, education="bachelor", related_work_years=3, certificates=(level_3,)), rules
    )
    assert decision.eligible is True
    assert [(r.code, r.met) for r in decision.reasons] == [("education", False), ("prior_certificate", True)]
    assert is_eligible(application(2, education="bachelor", related_work_years=3), rules).eligible is False


def test_rules_from_mapping_does_not_change_the_defaults():
    rules_from_mapping({"4": {"min_related_work_years": 5}})
    assert DEFAULT_RULES[4].min_related_work_years == 3


def test_an_override_changes_only_the_fields_it_names():
    rules = rules_from_mapping({4: {"min_related_work_years": 5}})
    assert rules[4] == replace(DEFAULT_RULES[4], min_related_work_years=5)
    assert is_eligible(application(4, related_work_years=4), rules).eligible is False


@pytest.mark.parametrize(
    "data",
    [
        [],
        {"5": {"defined": True}},
        {"two": {"defined": True}},
        {"2": "defined"},
        {"2": {"defined": "yes"}},
        {"2": {"defined": True}},  # defined but no condition
        {"2": {"defined": True, "min_education": "phd"}},
        {"2": {"defined": True, "min_related_work_years": -1}},
        {"2": {"defined": True, "min_related_work_years": "3"}},
        {"2": {"defined": True, "prior_level": 2}},
        {"2": {"defined": True, "prior_level": 1}},
        {"2": {"defined": True, "prior_level": 3, "prior_level_min_months": 1.5}},
        {"2": {"defined": True, "min_education": "master", "prior_level_min_months": 12}},
        {"2": {"defined": True, "minimum_education": "master"}},
        {"2": {"level": 3, "defined": True, "min_education": "master"}},
    ],
)
def test_invalid_rule_mapping_is_rejected(data):
    with pytest.raises(ValueError):
        rules_from_mapping(data)
