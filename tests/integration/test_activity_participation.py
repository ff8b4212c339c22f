"""Activities against the real graph (issue 25): the Cypher `COUNTED` agrees with `registry.activities.counts` for
every participation and activity status, and sign-ups racing for the last place never overfill an activity."""

from __future__ import annotations

import threading
from datetime import date, timedelta

import pytest

from registry import activities as rules
from registry.errors import Conflict
from services import activities, activity_attendance, activity_participation, organizations, practitioners
from services.activities import Caller
from tests.support import unique_id_card

ADMIN = Caller("admin")
START = date.today() - timedelta(days=2)


@pytest.fixture()
def organizer(context) -> str:
    return organizations.create(context, {"name": "公益活动测试局", "kind": "government"})["id"]


def _person(context) -> str:
    return practitioners.register(context, {"name": "参与者", "id_card": unique_id_card()})["id"]


def _activity(context, organizer: str, capacity: int = 10) -> str:
    body = {
        "title": "节能宣传周讲座", "kind": "lecture", "organizer_id": organizer, "online": True,
        "starts_on": START, "ends_on": START, "hours": 3.0, "capacity": capacity, "needs": {},
    }  # fmt: skip
    activity_id = activities.publish(context, ADMIN, body)["id"]
    activities.change_status(context, ADMIN, activity_id, "open", "开始报名")
    return activity_id


def test_the_cypher_counted_fragment_agrees_with_counts_for_every_status(context, organizer):
    # every participation status in an activity that then ends in each status it can reach from open
    endings = {
        "open": [],
        "closed": ["closed"],
        "completed": ["closed", "completed"],
        "cancelled": ["cancelled"],
    }
    seen = set()
    for ending, path in endings.items():
        activity_id = _activity(context, organizer)
        people = {status: _person(context) for status in rules.JOIN_STATUSES}
        for person in people.values():
            activity_participation.sign_up(context, person, activity_id)
        activities.confirm(context, ADMIN, activity_id, people["confirmed"])
        rows = [
            {"practitioner_id": people["attended"], "attended": True, "hours": 2.5},
            {"practitioner_id": people["absent"], "attended": False, "hours": None},
        ]
        assert activity_attendance.record(context, ADMIN, activity_id, rows)["applied"]
        for status in path:
            activities.change_status(context, ADMIN, activity_id, status, "按计划")
        for row in activities.participants(context, ADMIN, activity_id):
            assert row["counted"] is rules.counts(row["status"], ending), (row["status"], ending)
            seen.add((row["status"], ending, row["counted"]))
    assert ("attended", "completed", True) in seen and ("attended", "cancelled", False) in seen
    assert len(seen) == len(rules.JOIN_STATUSES) * len(endings)


def test_sign_ups_racing_for_the_last_places_never_overfill_the_activity(context, organizer):
    activity_id = _activity(context, organizer, capacity=3)
    people = [_person(context) for _ in range(8)]
    outcomes: list[str] = []
    lock = threading.Lock()

    def sign_up(person: str) -> None:
        try:
            activity_participation.sign_up(context, person, activity_id)
            result = "signed_up"
        except Conflict:
            result = "refused"
        with lock:
            outcomes.append(result)

    threads = [threading.Thread(target=sign_up, args=(person,)) for person in people]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["refused"] * 5 + ["signed_up"] * 3
    assert len(activities.participants(context, ADMIN, activity_id)) == 3


def test_accepting_an_invitation_and_signing_up_at_once_leaves_one_participation(context, organizer):
    activity_id = _activity(context, organizer)
    person = _person(context)
    report = activities.invite(context, ADMIN, activity_id, [person], None)
    invitation_id = report["rows"][0]["invitation_id"]
    errors: list[Exception] = []

    def run(action) -> None:
        try:
            action()
        except Conflict as error:
            errors.append(error)

    threads = [
        threading.Thread(
            target=run, args=(lambda: activity_participation.sign_up(context, person, activity_id),)
        ),
        threading.Thread(
            target=run,
            args=(lambda: activity_participation.answer(context, person, invitation_id, "accepted", None),),
        ),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    rows = activities.participants(context, ADMIN, activity_id)
    assert [row["practitioner"]["id"] for row in rows] == [person]
    assert len(errors) <= 1
