"""GET /applications' index-backed lists (graph/application_lists.py STATUS_PARTS and the region keys) against the
straightforward derivation over the graph: every application's status decided row by row by STATUS, its region
found by walking to where its applicant is based. On generated applications whose stored progress covers every
branch of STATUS and every boundary (sittings at the limit, a sitting due now, the last valid registration day,
zero and partial hours), for every status and filter; and a person's move takes their applications along."""

from __future__ import annotations

import random
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from graph import application_lists as lists
from graph.applications import sync_region_keys
from registry.applications import STATUSES, status_parameters
from services import applications, practitioners
from tests.support import unique_id_card

NOW = datetime.now(UTC).replace(microsecond=0)
PARAMS = status_parameters(NOW)
REGIONS = ("420100", "420000", "420200", "110000", "440300")
MARK = "test_application_lists"

GENERATED = """
UNWIND $rows AS row
MATCH (p:Practitioner {id: row.person})
CREATE (a:Application {id: row.id, work_type: row.work_type, level: row.level, registered_on: row.registered_on,
                       created_at: row.created_at, stage: row.stage, sittings: row.sittings,
                       pending_at: row.pending_at, basic_hours: row.basic_hours, module_hours: row.module_hours,
                       source: $mark})
CREATE (a)-[:BY]->(p)
"""

# The slow, obvious list: every application, its status by STATUS row by row, its region by the walk.
DIRECT = (
    "MATCH (a:Application)-[:BY]->(p:Practitioner) "
    "WHERE ($status IS NULL OR (" + lists.STATUS + ") = $status) "
    "AND ($work_type IS NULL OR a.work_type = $work_type) AND ($level IS NULL OR a.level = $level) "
    "AND ($region IS NULL OR EXISTS { MATCH (p)-[:BASED_IN]->(r:Region) "
    "WHERE r.code = $region OR EXISTS { (r)-[:PART_OF]->(:Region {code: $region}) } }) "
    "RETURN a.id AS id ORDER BY a.registered_on DESC, a.created_at DESC, a.id"
)


def _row(rng: random.Random, person: str, n: int) -> dict:
    expired_before: date = PARAMS["expired_before"]
    stage = rng.choice(("certified", "passed", "retake", "failed", "booked", "open", "open", "booked"))
    pending = None
    if stage in ("booked", "retake"):
        around = (
            timedelta(0),
            timedelta(seconds=-1),
            timedelta(seconds=1),
            timedelta(days=rng.randint(-60, 60)),
        )
        pending = NOW + rng.choice(around)
    basic_required = PARAMS["basic_required"]
    hours = rng.choice((0.0, 0.5, basic_required - 0.5, basic_required, basic_required + 3))
    module = rng.choice((0.0, 0.25, 10.0, 20.0, 200.0))
    return {
        "id": str(uuid.uuid4()),
        "person": person,
        "work_type": rng.choice(("accounting", "monitoring", "verification")),
        "level": rng.randint(1, 4),
        # Around the last valid day, several on the same day (the order then falls to created_at and id).
        "registered_on": expired_before + timedelta(days=rng.choice((-400, -30, -1, 0, 0, 1, 20, 90))),
        "created_at": NOW - timedelta(minutes=rng.choice((1, 1, 5, n))),
        "stage": stage,
        "sittings": rng.choice((0, 1, 2, 3)) if stage != "open" else rng.choice((0, 0, 2)),
        "pending_at": pending,
        "basic_hours": max(hours, 0.0),
        "module_hours": module,
    }


@pytest.fixture(scope="module")
def generated(context):
    """Six people in provinces and cities (one with none) and 600 applications of theirs, removed afterwards."""
    people = []
    for region in (*REGIONS, None):
        body = {"name": "列表", "id_card": unique_id_card(), "education": "bachelor", "work_start_year": 2012}
        people.append(practitioners.register(context, body | ({"region": region} if region else {}))["id"])
    rng = random.Random(24)
    rows = [_row(rng, people[n % len(people)], n) for n in range(600)]
    context.graph.driver.execute_query(GENERATED, rows=rows, mark=MARK)
    # Written straight into the graph as a bulk load does: the region keys come from the schema's sync.
    assert sync_region_keys(context.graph) >= len(rows)
    yield people
    context.graph.driver.execute_query("MATCH (a:Application {source: $mark}) DETACH DELETE a", mark=MARK)


def _listed(context, filters: dict, status: str | None, per_page: int = 37) -> tuple[list[str], int]:
    ids: list[str] = []
    while True:
        page, total = context.graph.read(lists.page, filters, len(ids), per_page, status, PARAMS)
        ids += page
        if not page or len(ids) >= total:
            return ids, total


def _direct(context, filters: dict, status: str | None) -> list[str]:
    records, _, _ = context.graph.driver.execute_query(DIRECT, filters | PARAMS | {"status": status})
    return [record["id"] for record in records]


FILTERS = (
    {},
    {"region": "420000"},
    {"region": "420100"},
    {"region": "110000", "work_type": "monitoring"},
    {"work_type": "verification", "level": 3},
    {"level": 2},
)


@pytest.mark.parametrize("status", (None, *STATUSES))
def test_each_status_and_filter_lists_what_the_row_by_row_derivation_finds_in_its_order(
    context, generated, status
):
    for base in FILTERS:
        filters = {
            "work_type": None,
            "level": None,
            "region": None,
            "practitioner_id": None,
            "session_id": None,
        }
        filters |= base
        ids, total = _listed(context, filters, status)
        expected = _direct(context, filters, status)
        assert ids == expected, (status, base)
        assert total == len(expected), (status, base)


def test_generated_applications_cover_every_status(context, generated):
    filters = {"work_type": None, "level": None, "region": None, "practitioner_id": None, "session_id": None}
    for status in STATUSES:
        assert _direct(context, filters, status), status


def test_a_person_who_moves_takes_their_applications_to_the_new_region(context):
    body = {"name": "搬家", "id_card": unique_id_card(), "education": "bachelor", "work_start_year": 2012,
            "region": "420100"}  # fmt: skip
    person = practitioners.register(context, body)["id"]
    application = applications.create(
        context,
        {"practitioner_id": person, "work_type": "accounting", "level": 4, "registered_on": date.today()},
    )["id"]

    def listed(region: str) -> set[str]:
        items, _ = applications.search(context, {"region": region, "status": "registered"}, 1, 100)
        items += applications.search(context, {"region": region}, 1, 100)[0]
        return {item["id"] for item in items}

    assert application in listed("420100") and application in listed("420000")
    practitioners.update(context, person, {"region": "110000"})
    assert application in listed("110000")
    assert application not in listed("420100") and application not in listed("420000")
