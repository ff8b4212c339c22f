"""Rotation of verifiers (registry/rotation.py): runs of consecutive years and the warning they earn."""

from registry.rotation import (
    ROTATION_RULE,
    RotationRule,
    consecutive_years,
    counts,
    current_run,
    identity_visible,
    rotation_row,
    run_years,
    shown,
    warns,
)

VERIFIER = {"type": "organization", "id": "v1", "name": "某核查机构"}


def test_the_default_rule_warns_at_three_years_and_blocks_nothing():
    assert (ROTATION_RULE.warn_at, ROTATION_RULE.block_at) == (3, None)


def test_the_rules_source_says_no_national_cap_was_found_and_a_province_can_set_one():
    source = ROTATION_RULE.source
    assert "No national cap" in source
    assert "province can set its own cap" in source
    assert "order 775" in source


def test_only_verifications_that_were_not_cancelled_count():
    assert counts("verification", "completed")
    assert counts("verification", "planned")
    assert not counts("verification", "cancelled")
    assert not counts("consulting", "completed")


def test_no_years_is_a_run_of_zero():
    assert consecutive_years([]) == 0


def test_one_year_is_a_run_of_one():
    assert consecutive_years([2024]) == 1


def test_the_run_ends_at_the_latest_year():
    assert consecutive_years([2021, 2022, 2023, 2024]) == 4


def test_a_gap_year_breaks_the_run_and_only_the_latest_run_counts():
    assert consecutive_years([2016, 2017, 2018, 2019, 2021, 2022]) == 2


def test_a_year_held_twice_counts_once_and_order_does_not_matter():
    assert consecutive_years([2024, 2022, 2023, 2023]) == 3


def test_years_after_through_are_left_out():
    assert consecutive_years([2020, 2021, 2022, 2024, 2025], through=2022) == 3
    assert consecutive_years([2025], through=2024) == 0


def test_the_current_run_is_the_one_a_verification_this_year_would_continue():
    assert current_run([2023, 2024, 2025], 2026) == 3
    assert current_run([2024, 2025, 2026], 2026) == 3


def test_a_run_that_ended_two_years_ago_is_no_current_run():
    assert current_run([2021, 2022, 2023, 2024], 2026) == 0


def test_three_consecutive_years_earn_the_warning_two_do_not():
    assert warns(3)
    assert not warns(2)


def test_a_province_with_a_lower_threshold_warns_sooner():
    assert warns(2, RotationRule(warn_at=2, block_at=3, source="a province's cap"))


def test_a_row_holds_the_years_once_ascending_with_the_run_and_its_warning():
    row = rotation_row(VERIFIER, [2025, 2023, 2024, 2024, 2020])
    assert row == {
        "verifier": VERIFIER,
        "years": [2020, 2023, 2024, 2025],
        "consecutive_years": 3,
        "warning": True,
    }


def test_a_row_with_a_broken_run_earns_no_warning():
    row = rotation_row(VERIFIER, [2019, 2020, 2021, 2023])
    assert (row["consecutive_years"], row["warning"]) == (1, False)


def test_the_runs_years_are_the_tail_of_consecutive_years():
    assert run_years([2018, 2019, 2021, 2022, 2023]) == [2021, 2022, 2023]
    assert run_years([]) == []


def test_a_deleted_persons_identity_is_for_admins_only():
    deleted = {"type": "practitioner", "id": "p1", "name": "已注销", "status": "deleted"}
    assert identity_visible(deleted, "admin")
    assert not identity_visible(deleted, "government")
    assert not identity_visible(deleted, "client")


def test_people_on_record_and_organizations_are_seen_by_every_reader_of_the_table():
    assert identity_visible({"type": "practitioner", "id": "p2", "status": "active"}, "client")
    assert identity_visible(VERIFIER, "client")


def test_a_hidden_verifier_shows_only_its_type():
    assert shown(VERIFIER, False) == {"type": "organization", "hidden": True}
    assert shown({**VERIFIER, "status": "x"}, True) == VERIFIER
