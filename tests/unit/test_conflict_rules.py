"""Conflict rules (issue 23): the bounds a caller chooses within, which kinds apply to which job, and how a path is
shown to a role that may not see every node."""

import pytest

from registry.conflicts import DEFAULT_CONFLICT_RULES, KIND_CODES, ConflictRules, conflict_rules_from
from registry.errors import ValidationFailed
from registry.visibility import path_as_seen


def test_the_defaults_are_three_years_three_levels_every_kind():
    assert DEFAULT_CONFLICT_RULES.to_dict() == {
        "window_years": 3,
        "group_depth": 3,
        "kinds": list(KIND_CODES),
    }


def test_a_request_narrows_or_widens_within_bounds():
    rules = conflict_rules_from(
        {"window_years": 5, "group_depth": 0, "kinds": ["colleague", "group_employment"]}
    )
    assert (rules.window_years, rules.group_depth) == (5, 0)
    assert rules.kinds == ("group_employment", "colleague")  # in the kinds' order


@pytest.mark.parametrize(
    "mapping, field",
    [
        ({"window_years": 0}, "rules.window_years"),
        ({"window_years": 11}, "rules.window_years"),
        ({"window_years": True}, "rules.window_years"),
        ({"group_depth": 6}, "rules.group_depth"),
        ({"group_depth": -1}, "rules.group_depth"),
        ({"kinds": ["nepotism"]}, "rules.kinds"),
        ({"kinds": "colleague"}, "rules.kinds"),
        ({"depth": 2}, "rules"),
    ],
)
def test_rules_out_of_bounds_are_refused(mapping, field):
    with pytest.raises(ValidationFailed) as refused:
        conflict_rules_from(mapping)
    assert field in refused.value.errors


def test_consult_then_verify_applies_only_to_verification_jobs():
    assert "consult_then_verify" in DEFAULT_CONFLICT_RULES.applying_to("verification")
    assert "consult_then_verify" not in DEFAULT_CONFLICT_RULES.applying_to("consulting")
    assert ConflictRules(kinds=("consult_then_verify",)).applying_to(None) == ()


PATH = [
    {"from": {"type": "Practitioner", "id": "me", "name": "甲"}, "rel": "WORKED_ON",
     "to": {"type": "Engagement", "id": "g", "name": "核查"}, "since": None, "until": None},
    {"from": {"type": "Practitioner", "id": "other", "name": "乙"}, "rel": "EMPLOYED_BY",
     "to": {"type": "Organization", "id": "o", "name": "电厂"}, "since": "2020-01-01", "until": None},
]  # fmt: skip


def test_another_person_and_their_employer_are_hidden_steps_for_a_client():
    shown = path_as_seen(PATH, "me", {}, "client")
    assert shown[0]["from"]["id"] == "me"
    assert shown[1]["from"] == {"type": "Practitioner", "hidden": True}
    assert shown[1]["to"] == {"type": "Organization", "hidden": True} and shown[1]["since"] is None


def test_the_subjects_private_employer_is_a_hidden_step():
    mine = [{**PATH[1], "from": PATH[0]["from"]}]
    assert path_as_seen(mine, "me", {}, "client")[0]["to"]["id"] == "o"
    hidden = path_as_seen(mine, "me", {"me": {"employer": "private"}}, "client")
    assert hidden[0]["to"] == {"type": "Organization", "hidden": True}


def test_an_admin_sees_the_whole_path():
    assert path_as_seen(PATH, "me", {}, "admin") == PATH
