"""GET /activities from the per-process catalogue (services/activity_catalogue.py) answers exactly what the
straightforward Cypher query (graph/activities.py `search`) answers: the same views in the same order and the same
total, for every filter, role and page, over a synthetic registry's generated activities plus hand-made edge cases
(every status, ties on the start day, national and city activities, full and ended ones). A create, a status
change or a sign-up made through another driver (another process) is seen by the next request.
"""

from __future__ import annotations

import itertools
import random
from datetime import date, timedelta

import pytest

from graph import activities as repo
from graph import activity_catalogue as catalogue_repo
from graph.driver import graph_from_settings
from seed.synthetic import generate
from services import activities
from services.activities import Caller
from services.activity_catalogue import Catalogue
from services.context import Context
from services.synthetic import load_synthetic
from services.synthetic_activities import load_activities
from tests.activity_fixtures import join
from tests.fixed_graph import wipe_registry

TODAY = date.today()
REGIONS = (None, "420000", "420100", "420700", "370000", "110000")
KINDS = ("lecture", "publicity", "sme_assistance")
PER_PAGE = 7


def _publish(context, organizer_id: str, rng: random.Random, **fields) -> str:
    starts = fields.pop(
        "starts_on", TODAY + timedelta(days=rng.choice((-400, -30, -3, -1, 0, 0, 2, 2, 9, 40)))
    )
    data = {"title": "公益讲座", "kind": rng.choice(KINDS), "organizer_id": organizer_id, "description": "测试",
            "region": rng.choice(REGIONS), "online": False, "place": "社区中心", "starts_on": starts,
            "ends_on": starts + timedelta(days=rng.choice((0, 0, 1, 3))), "hours": 2, "capacity": rng.choice((1, 2, 3)),
            "needs": {}, **fields}  # fmt: skip
    return activities.publish(context, Caller("admin"), data)["id"]


def _move(context, activity_id: str, *statuses: str) -> None:
    for status in statuses:
        activities.change_status(context, Caller("admin"), activity_id, status, "测试")


@pytest.fixture(scope="module")
def world(graph, settings):
    """The synthetic registry's activities and 40 hand-made ones of three organizers; who organizes them."""
    wipe_registry(graph)
    context = Context(graph=graph, settings=settings, today=TODAY)
    registry = generate(300, seed=53, today=TODAY)
    load_synthetic(context, registry, batch_size=200)
    assert load_activities(context, registry, batch_size=200)["activities"] > 10
    organizers = [r["id"] for r in graph.driver.execute_query(
        "MATCH (:Activity)-[:ORGANIZED_BY]->(o:Organization) RETURN DISTINCT o.id AS id ORDER BY id LIMIT 3"
    ).records]  # fmt: skip
    people = [r["id"] for r in graph.driver.execute_query(
        "MATCH (p:Practitioner {status: 'active'}) RETURN p.id AS id ORDER BY id LIMIT 6"
    ).records]  # fmt: skip
    rng = random.Random(25)
    paths = [(), ("open",), ("open",), ("open", "closed"), ("open", "closed", "open"), ("cancelled",),
             ("open", "cancelled"), ("open", "closed", "completed")]  # fmt: skip
    for n in range(40):
        path = paths[n % len(paths)]
        starts = TODAY - timedelta(days=rng.choice((3, 30))) if "completed" in path else None
        activity_id = _publish(context, organizers[n % 3], rng, **({"starts_on": starts} if starts else {}))
        _move(context, activity_id, *path)
        for person in people[: rng.choice((0, 1, 2, 3))]:  # some full, some with places left
            join(graph, person, activity_id, status="signed_up")
    yield {"organizers": organizers, "people": people}
    wipe_registry(graph)  # leave no synthetic registry behind for the next module


def _callers(organizers: list[str]) -> list[Caller]:
    return [Caller("public"), Caller("client"), Caller("government"), Caller("government", organizers[0]),
            Caller("admin")]  # fmt: skip


def _filters(organizers: list[str]) -> list[dict]:
    return [
        {}, {"kind": "lecture"}, {"region": "420000"}, {"region": "420100"}, {"region": "999999"},
        {"open_for_sign_up": True}, {"open_for_sign_up": False}, {"status": "draft"}, {"status": "open"},
        {"status": "cancelled", "organizer_id": organizers[1]}, {"organizer_id": organizers[0]},
        {"from": TODAY}, {"to": TODAY - timedelta(days=2)}, {"from": TODAY - timedelta(days=40), "to": TODAY},
        {"kind": "publicity", "region": "420000", "open_for_sign_up": True},
        {"status": "closed", "open_for_sign_up": False}, {"status": "completed", "open_for_sign_up": True},
    ]  # fmt: skip


def _reference(graph, caller: Caller, filters: dict, page: int, per_page: int, today: date = TODAY):
    """The straightforward Cypher listing (graph/activities.py), with the service's scope and filters."""
    scope = activities._scope(caller)  # the scope is the service's, the query the reference's
    items, total = graph.read(repo.search, filters, scope, today, page, per_page)
    return [item["id"] for item in items], items, total


def _assert_same(context, caller: Caller, filters: dict, page: int, per_page: int = PER_PAGE) -> int:
    answer = activities.search(context, caller, filters, page, per_page)
    ids, items, total = _reference(context.graph, caller, filters, page, per_page, context.today)
    assert [item["id"] for item in answer.items] == ids, (caller, filters, page)
    assert answer.items == items and answer.total == total, (caller, filters, page)
    return total


def test_every_filter_role_and_page_answers_as_the_cypher_listing(world, graph, settings):
    context = Context(graph=graph, settings=settings, today=TODAY)
    totals = set()
    for caller, filters in itertools.product(_callers(world["organizers"]), _filters(world["organizers"])):
        total = _assert_same(context, caller, filters, 1)
        totals.add(total)
        for page in range(2, min(total // PER_PAGE + 2, 5)):  # the next pages, and one past the end
            _assert_same(context, caller, filters, page)
    assert len(totals) > 10, "the filters must tell the activities apart"
    later = Context(
        graph=graph, settings=settings, today=TODAY + timedelta(days=5)
    )  # open ones end meanwhile
    for caller in _callers(world["organizers"]):
        for wanted in (True, False):
            _assert_same(later, caller, {"open_for_sign_up": wanted}, 1, per_page=50)


def test_a_write_through_another_driver_is_seen_on_the_next_request(world, graph, settings):
    here = Context(graph=graph, settings=settings, today=TODAY)
    other_graph = graph_from_settings(settings)
    try:
        other = Context(graph=other_graph, settings=settings, today=TODAY)
        organizer = world["organizers"][2]
        mine = {"organizer_id": organizer}
        before = activities.search(here, Caller("admin"), mine, 1, 100)  # this process keeps its catalogue
        activity_id = _publish(other, organizer, random.Random(1), capacity=2, region="420100",
                               starts_on=TODAY + timedelta(days=500))  # fmt: skip
        after = activities.search(here, Caller("admin"), mine, 1, 100)
        assert after.total == before.total + 1 and after.items[0]["id"] == activity_id
        assert after.items[0]["status"] == "draft"
        assert activity_id not in [
            a["id"] for a in activities.search(here, Caller("public"), mine, 1, 100).items
        ]

        _move(other, activity_id, "open")
        listed = activities.search(here, Caller("public"), {"open_for_sign_up": True}, 1, 1)
        assert listed.items[0]["id"] == activity_id and listed.items[0]["places_left"] == 2
        for person in world["people"][:2]:  # full: no longer open for sign-up, with no catalogue change
            join(other_graph, person, activity_id, status="signed_up")
        listed = activities.search(here, Caller("public"), {"open_for_sign_up": True}, 1, 100)
        assert activity_id not in [a["id"] for a in listed.items]
        full = activities.search(
            here, Caller("public"), {"open_for_sign_up": False, "organizer_id": organizer}, 1, 1
        )
        assert full.items[0]["id"] == activity_id and full.items[0]["places_left"] == 0
        _assert_same(here, Caller("public"), {"open_for_sign_up": True}, 1, per_page=100)

        _move(other, activity_id, "cancelled")
        assert activity_id not in [
            a["id"] for a in activities.search(here, Caller("public"), mine, 1, 100).items
        ]
        _assert_same(here, Caller("admin"), {"status": "cancelled"}, 1)
    finally:
        other_graph.close()


def test_a_registry_without_the_catalogue_revision_is_read_as_revision_zero(world, graph, settings):
    context = Context(graph=graph, settings=settings, today=TODAY)
    graph.driver.execute_query("MATCH (r:Revision {id: 'activities'}) DELETE r")
    _assert_same(context, Caller("public"), {}, 1)
    # An activity written straight into the graph, bumping nothing, is seen through the activities' count.
    graph.driver.execute_query(
        """MATCH (o:Organization {id: $organizer})
        CREATE (a:Activity {id: 'raw-activity', title: '直接写入', kind: 'other', status: 'open',
                            starts_on: $starts, ends_on: $starts, capacity: 5, hours: 1, online: true})
        CREATE (a)-[:ORGANIZED_BY]->(o)""",
        organizer=world["organizers"][0], starts=TODAY + timedelta(days=900),
    )  # fmt: skip
    assert activities.search(context, Caller("public"), {}, 1, 1).items[0]["id"] == "raw-activity"
    _assert_same(context, Caller("public"), {"open_for_sign_up": True}, 1, per_page=100)


def test_after_writes_the_kept_catalogue_reads_only_the_changed_activities_and_equals_a_whole_read(
    world, graph, settings
):
    context = Context(graph=graph, settings=settings, today=TODAY)
    # Every activity marked at or below the revision now (an earlier test restarted the counter, leaving marks of
    # the old one above it: those would be read again, harmlessly, and blur what this test counts).
    graph.driver.execute_query(
        """MERGE (r:Revision {id: 'activities'}) ON CREATE SET r.epoch = randomUUID()
        SET r.value = coalesce(r.value, 0) + 1 WITH r MATCH (a:Activity) SET a.catalogue_revision = r.value"""
    )
    key = graph.read(lambda tx: catalogue_repo.revision(tx)[0])
    kept = graph.read(lambda tx: Catalogue.read(tx, key))
    rng = random.Random(7)
    new = _publish(context, world["organizers"][1], rng, starts_on=TODAY + timedelta(days=3))
    _move(context, new, "open")
    later = graph.read(lambda tx: catalogue_repo.revision(tx)[0])
    assert later[0] > key[0]
    changed = graph.read(catalogue_repo.changed_since, key[0])
    assert [row["id"] for row in changed] == [new]  # only what the writes touched, not every activity
    updated = graph.read(lambda tx: Catalogue.updated(tx, later, kept))
    whole = graph.read(lambda tx: Catalogue.read(tx, later))
    assert updated.ids == whole.ids and new in updated.ids
    for field, codes in (
        ("status", "statuses"),
        ("kind", "kinds"),
        ("region", "regions"),
        ("organizer", "organizers"),
    ):
        table = {v: k for k, v in getattr(updated, codes).items()}
        again = {v: k for k, v in getattr(whole, codes).items()}
        assert [table.get(int(c)) for c in getattr(updated, field)] == [
            again.get(int(c)) for c in getattr(whole, field)
        ]
    assert updated.starts.tolist() == whole.starts.tolist() and updated.capacity == whole.capacity
