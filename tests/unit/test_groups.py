"""Groups of companies (issue 23): the rule against cycles of control and the group's reach, without a server."""

from datetime import date

import pytest

from registry.errors import ValidationFailed
from registry.groups import (
    DEFAULT_GROUP_DEPTH,
    MAX_GROUP_DEPTH,
    group_depth,
    relation_problems,
    would_make_cycle,
)

# (child, parent): plant1 and plant2 belong to a subsidiary of the group, which a holding controls.
EDGES = [("plant1", "sub"), ("plant2", "sub"), ("sub", "group"), ("group", "holding")]


def test_an_organization_cannot_control_itself():
    assert would_make_cycle("sub", "sub", EDGES)


def test_a_parent_controlled_by_the_child_directly_makes_a_cycle():
    assert would_make_cycle("sub", "plant1", EDGES)


def test_a_parent_controlled_by_the_child_through_a_chain_makes_a_cycle():
    assert would_make_cycle("holding", "plant2", EDGES)


def test_a_second_parent_or_a_sibling_is_no_cycle():
    assert not would_make_cycle("plant1", "holding", EDGES)  # a second line of control, upwards
    assert not would_make_cycle("plant1", "plant2", EDGES)  # a sibling controls it


def test_no_relations_no_cycle():
    assert not would_make_cycle("a", "b", [])


def test_the_cycle_check_ends_on_relations_that_already_loop():
    assert not would_make_cycle("x", "a", [("a", "b"), ("b", "a")])


def test_the_group_reaches_three_steps_unless_asked_otherwise():
    assert group_depth(None) == DEFAULT_GROUP_DEPTH == 3
    assert group_depth(1) == 1
    assert group_depth(MAX_GROUP_DEPTH) == 5


@pytest.mark.parametrize("depth", [0, -1, 6, 100])
def test_a_depth_outside_one_to_five_is_refused(depth):
    with pytest.raises(ValidationFailed):
        group_depth(depth)


def test_a_share_is_a_percentage():
    assert relation_problems(0, None, None) == {}
    assert relation_problems(100, None, None) == {}
    assert "share" in relation_problems(100.5, None, None)
    assert "share" in relation_problems(-1, None, None)


def test_a_relation_ending_before_it_starts_is_refused_and_a_one_day_one_is_not():
    assert "until" in relation_problems(None, date(2020, 1, 2), date(2020, 1, 1))
    assert relation_problems(None, date(2020, 1, 1), date(2020, 1, 1)) == {}
