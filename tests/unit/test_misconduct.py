from datetime import date

import pytest

from registry.misconduct import (
    CERTIFICATE_REVOKED,
    DEFAULT_CATALOGUE,
    RecordFacts,
    Sanction,
    StepUpRule,
    UnknownCategory,
    barred_from_draws,
    category_for,
    check_step_up,
    derive_sanctions,
    is_active,
    points_within,
    pool_exclusions,
    reconcile,
    returns_on,
    validate_record_dates,
)


def record(
    rid: str, occurred: str, recorded: str | None = None, category: str = "undisclosed_conflict", **kw
):
    occurred_on = date.fromisoformat(occurred)
    recorded_on = date.fromisoformat(recorded) if recorded else occurred_on
    return RecordFacts(rid, category, occurred_on, recorded_on, DEFAULT_CATALOGUE[category].points, **kw)


# --- Catalogue ---


def test_every_category_names_its_source_and_has_points():
    for category in DEFAULT_CATALOGUE.values():
        assert category.source and category.points > 0 and category.name_zh and category.name_en


def test_the_issue_s_examples_are_in_the_catalogue():
    for code in (
        "data_falsification",
        "undisclosed_conflict",
        "refused_draw",
        "complaint_upheld",
        CERTIFICATE_REVOKED,
    ):
        assert category_for(code).code == code


def test_an_unknown_category_is_a_validation_problem_listing_the_known_ones():
    with pytest.raises(UnknownCategory) as raised:
        category_for("jaywalking")
    assert raised.value.status == 400
    assert "data_falsification" in raised.value.errors["category"][0]


def test_a_record_cannot_have_occurred_in_the_future():
    assert validate_record_dates(date(2025, 3, 11), date(2025, 3, 10)) == {
        "occurred_on": ["occurred_on must not be in the future"]
    }
    assert validate_record_dates(date(2025, 3, 10), date(2025, 3, 10)) == {}


# --- Step-up ---


def test_one_record_gives_no_sanction():
    assert derive_sanctions([record("r1", "2025-01-10")], date(2025, 6, 1)) == []


def test_two_records_within_12_months_suspend_from_the_expert_pool_for_12_months():
    records = [record("r1", "2025-01-10"), record("r2", "2025-09-01", "2025-09-03")]
    (sanction,) = derive_sanctions(records, date(2025, 10, 1))
    assert sanction.kind == "expert_suspension"
    assert sanction.from_ == date(2025, 9, 3)  # the day the second record was entered
    assert sanction.until == date(2026, 9, 2)
    assert sanction.record_ids == ("r1", "r2")
    assert sanction.id == "expert_suspension:r2"
    assert "2 records within 12 months" in sanction.reason and "provincial" in sanction.reason


def test_two_records_exactly_12_months_apart_do_not_count_together():
    records = [record("r1", "2024-06-30"), record("r2", "2025-06-30")]
    assert derive_sanctions(records, date(2025, 7, 1)) == []


def test_two_records_12_months_less_a_day_apart_do():
    records = [record("r1", "2024-07-01"), record("r2", "2025-06-30")]
    assert [s.kind for s in derive_sanctions(records, date(2025, 7, 1))] == ["expert_suspension"]


def test_three_records_within_12_months_bar_with_no_end_date_and_keep_the_suspension_in_history():
    records = [record("r1", "2025-01-10"), record("r2", "2025-03-01"), record("r3", "2025-05-01")]
    suspension, bar = derive_sanctions(records, date(2025, 6, 1))
    assert (suspension.kind, suspension.from_, suspension.until) == (
        "expert_suspension",
        date(2025, 3, 1),
        date(2026, 2, 28),
    )
    assert (bar.kind, bar.from_, bar.until) == ("bar", date(2025, 5, 1), None)
    assert bar.record_ids == ("r1", "r2", "r3")


def test_records_not_yet_occurred_or_entered_by_the_day_do_not_count():
    records = [record("r1", "2025-01-10"), record("r2", "2025-03-01", "2025-04-01")]
    assert derive_sanctions(records, date(2025, 3, 15)) == []
    assert len(derive_sanctions(records, date(2025, 4, 1))) == 1


def test_a_fourth_record_while_barred_adds_nothing():
    records = [record(f"r{i}", f"2025-0{i}-01") for i in range(1, 5)]
    assert [s.kind for s in derive_sanctions(records, date(2025, 6, 1))] == ["expert_suspension", "bar"]


def test_a_record_after_a_suspension_ended_starts_a_new_suspension():
    dates = ["2023-01-10", "2023-02-01", "2024-05-01", "2024-08-01"]
    records = [record(f"r{i}", day) for i, day in enumerate(dates, start=1)]
    first, second = derive_sanctions(records, date(2024, 9, 1))
    assert first.until == date(2024, 1, 31)
    assert (second.kind, second.from_, second.record_ids) == (
        "expert_suspension",
        date(2024, 8, 1),
        ("r3", "r4"),
    )


def test_a_third_record_during_a_suspension_but_outside_the_window_of_the_first_renews_the_suspension():
    # r1 2025-01-10, r2 2025-06-01 → suspended 2025-06-01..2026-05-31; r3 2026-03-01: window (2025-03-01, 2026-03-01]
    # holds r2 and r3 only → a new suspension to 2027-02-28 (it lasts longer, so it is written).
    records = [record("r1", "2025-01-10"), record("r2", "2025-06-01"), record("r3", "2026-03-01")]
    _, second = derive_sanctions(records, date(2026, 3, 2))
    assert second.until == date(2027, 2, 28)
    assert second.record_ids == ("r2", "r3")


def test_a_certificate_revocation_counts_as_a_record():
    records = [record("r1", "2025-01-10", category=CERTIFICATE_REVOKED), record("r2", "2025-02-10")]
    assert [s.kind for s in derive_sanctions(records, date(2025, 3, 1))] == ["expert_suspension"]


def test_a_record_overturned_on_appeal_stops_counting():
    records = [record("r1", "2025-01-10", effective=False), record("r2", "2025-02-10")]
    assert derive_sanctions(records, date(2025, 3, 1)) == []


def test_step_up_rules_are_data():
    rules = (StepUpRule(records=1, within_months=None, kind="bar", months=None),)
    (bar,) = derive_sanctions([record("r1", "2020-01-01")], date(2025, 1, 1), rules)
    assert bar.kind == "bar" and bar.until is None
    assert "1 records → bar with no end date" in bar.reason


@pytest.mark.parametrize(
    "rule",
    [
        StepUpRule(0, 12, "bar", None),
        StepUpRule(2, 0, "bar", None),
        StepUpRule(2, 12, "expert_suspension", -1),
        StepUpRule(2, 12, "warning", None),
        StepUpRule(True, 12, "bar", None),
    ],
)
def test_malformed_step_up_rules_are_refused(rule):
    with pytest.raises(ValueError):
        check_step_up([rule])


# --- Activity, exclusions, reconciliation ---


def sanction(kind="expert_suspension", start="2025-03-01", until="2026-02-28", lifted=None, sid="s1"):
    return Sanction(
        id=sid,
        kind=kind,
        from_=date.fromisoformat(start),
        until=date.fromisoformat(until) if until else None,
        reason="test",
        lifted_on=date.fromisoformat(lifted) if lifted else None,
    )


def test_a_sanction_is_active_from_its_first_to_its_last_day():
    s = sanction()
    assert not is_active(s, date(2025, 2, 28))
    assert is_active(s, date(2025, 3, 1))
    assert is_active(s, date(2026, 2, 28))
    assert not is_active(s, date(2026, 3, 1))
    assert returns_on(s) == date(2026, 3, 1)


def test_a_lifted_sanction_stops_on_the_day_it_is_lifted():
    s = sanction(lifted="2025-06-01")
    assert is_active(s, date(2025, 5, 31))
    assert not is_active(s, date(2025, 6, 1))
    assert returns_on(s) == date(2025, 6, 1)


def test_a_bar_has_no_return_date():
    assert returns_on(sanction("bar", until=None)) is None
    assert sanction("bar", until=None).to_dict()["returns_on"] is None


def test_the_sanction_dict_has_the_conventions_shape():
    d = sanction().to_dict()
    assert {"id", "kind", "from", "until", "lifted_on", "reason"} <= set(d)
    assert d["from"] == "2025-03-01" and d["until"] == "2026-02-28" and d["returns_on"] == "2026-03-01"


def test_exclusions_say_which_pool_and_when_the_person_may_return():
    sanctions = [sanction(sid="a"), sanction(start="2025-05-01", until="2026-04-30", sid="b")]
    (exclusion,) = pool_exclusions(sanctions, date(2025, 6, 1)).values()
    assert exclusion.pool == "expert"
    assert exclusion.sanction_ids == ("a", "b")
    assert exclusion.returns_on == date(2026, 5, 1)
    assert pool_exclusions(sanctions, date(2026, 5, 1)) == {}


def test_a_bar_excludes_with_no_return_date_and_from_draws():
    sanctions = [sanction(), sanction("bar", until=None, sid="b")]
    assert pool_exclusions(sanctions, date(2025, 6, 1))["expert"].returns_on is None
    assert barred_from_draws(sanctions, date(2025, 6, 1))
    assert not barred_from_draws([sanction()], date(2026, 3, 1))


def test_reconcile_creates_new_sanctions_and_lifts_those_the_records_no_longer_support():
    stored = [sanction(sid="keep"), sanction(sid="gone"), sanction(sid="old", lifted="2025-04-01")]
    derived = [sanction(sid="keep"), sanction(sid="new")]
    result = reconcile(stored, derived)
    assert [s.id for s in result.create] == ["new"]
    assert result.lift == ("gone",)


def test_reconcile_does_not_bring_back_a_lifted_sanction():
    stored = [sanction(sid="s1", lifted="2025-04-01")]
    assert reconcile(stored, [sanction(sid="s1")]).create == ()


def test_points_count_effective_records_of_the_last_12_months():
    records = [
        record("r1", "2024-04-01", category="data_falsification"),
        record("r2", "2025-02-01", category="refused_draw"),
        record("r3", "2025-03-01", category="undisclosed_conflict", effective=False),
    ]
    assert points_within(records, date(2025, 4, 1)) == 3
