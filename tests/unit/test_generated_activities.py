"""Generated public-welfare activities (seed/activities.py): in proportion to the registry, across provinces,
within capacity, with participation that follows region and level, the same for any batch size."""

from collections import Counter
from datetime import date

import pytest

from registry.activities import KINDS, STATUSES, max_hours
from registry.reference import province_of
from seed.activities import ACTIVITIES_PER_PERSON_YEAR, AHEAD_DAYS, YEARS, plan
from seed.synthetic import generate

TODAY = date(2026, 12, 7)


@pytest.fixture(scope="module")
def generated():
    registry = generate(3000, seed=5, today=TODAY)
    activities = plan(registry)
    joins = [row for batch in registry.batches(500) for row in activities.participation(batch)]
    people = {p["id"]: p for batch in registry.batches(500) for p in batch.practitioners}
    levels: dict[str, int] = {}
    for batch in registry.batches(500):
        for c in batch.certificates:
            if c["status"] == "valid" and (c["expires_on"] is None or c["expires_on"] >= TODAY):
                levels[c["practitioner_id"]] = min(c["level"], levels.get(c["practitioner_id"], 9))
    return registry, activities, joins, people, levels


def test_activities_are_in_proportion_to_the_registry(generated):
    registry, activities, *_ = generated
    expected = registry.size * ACTIVITIES_PER_PERSON_YEAR * (YEARS + AHEAD_DAYS / 365)
    assert abs(len(activities.activities) - expected) <= 2


def test_activities_follow_the_model(generated):
    _, activities, *_ = generated
    organizers = {o["id"] for o in activities.organizers}
    assert {a["kind"] for a in activities.activities} == set(KINDS)
    assert {a["status"] for a in activities.activities} <= set(STATUSES)
    assert len({province_of(a["region"]) for a in activities.activities if a["region"]}) >= 20
    for a in activities.activities:
        assert a["starts_on"] <= a["ends_on"] and 0 < a["hours"] <= max_hours(a["starts_on"], a["ends_on"])
        assert a["online"] or a["place"]
        assert a["organizer_id"] in organizers or a["kind"] == "lecture"
        if a["status"] == "completed":
            assert a["ends_on"] < TODAY


def test_no_activity_takes_more_people_than_its_capacity(generated):
    _, activities, joins, *_ = generated
    taken = Counter(row["activity_id"] for row in joins)
    capacity = {a["id"]: a["capacity"] for a in activities.activities}
    assert all(n <= capacity[activity] for activity, n in taken.items())
    assert len({(row["practitioner_id"], row["activity_id"]) for row in joins}) == len(joins)


def test_only_a_completed_activity_has_attendance_and_only_attendance_has_hours(generated):
    _, activities, joins, *_ = generated
    status = {a["id"]: a["status"] for a in activities.activities}
    for row in joins:
        props = row["props"]
        assert status[row["activity_id"]] != "draft"
        if props["status"] in ("attended", "absent"):
            assert status[row["activity_id"]] == "completed"
        assert (props["hours"] is not None) == (props["status"] == "attended")
    assert Counter(row["props"]["status"] for row in joins)["attended"] > len(joins) / 2


def test_people_take_part_mostly_in_their_own_province(generated):
    _, activities, joins, people, _ = generated
    region = {a["id"]: a["region"] for a in activities.activities}
    home = sum(
        1
        for row in joins
        if region[row["activity_id"]] and people[row["practitioner_id"]]["region"]
        and province_of(people[row["practitioner_id"]]["region"]) == region[row["activity_id"]]
    )  # fmt: skip
    assert home / len(joins) > 0.7


def test_experts_take_part_more_often_than_level_four_holders(generated):
    _, _, joins, people, levels = generated
    per_person = Counter(row["practitioner_id"] for row in joins)

    def rate(ranks: set[int]) -> float:
        group = [pid for pid in people if levels.get(pid) in ranks]
        return sum(per_person[pid] for pid in group) / len(group)

    assert rate({1, 2}) > 1.5 * rate({4})


def test_the_same_registry_gives_the_same_sign_ups_for_any_batch_size():
    registry = generate(600, seed=8, today=TODAY)
    first, second = plan(registry), plan(registry)
    small = [r for b in registry.batches(100) for r in first.participation(b)]
    large = [r for b in registry.batches(600) for r in second.participation(b)]
    assert small == large and small
