"""`/stats/activities` equals the same statistic computed the slow, obvious way in Cypher.

The graph: a synthetic registry with its generated activities and sign-ups (seed/activities.py, loaded by the
product's loader), plus two activities in a city, one of them cancelled with an attended row that must not count.
Answers are read as an administrator (no suppression) and compared cell by cell.
"""

from __future__ import annotations

import math
from datetime import date

import pytest

from graph import activities as activity_repo
from seed.synthetic import generate
from services import activity_stats, audit
from services.activity_stats import ActivityStatsRequest, answer
from services.context import Context
from services.synthetic import load_synthetic
from services.synthetic_activities import load_activities
from tests.activity_fixtures import add_activity, join
from tests.fixed_graph import wipe_registry

TODAY = date.today()
YEARS = (TODAY.year, TODAY.year - 1)
FILTERS = [
    {},
    {"region": "420000"},
    {"region": "420100"},
    {"kind": "lecture"},
    {"region": "370000", "kind": "publicity"},
]

# Written out here rather than taken from the code under test: attended, in a published activity not cancelled.
SLOW_CELLS = """
MATCH (a:Activity)
WHERE a.starts_on.year = $year AND a.status IN ['open', 'closed', 'completed'] AND ($kind IS NULL OR a.kind = $kind)
  AND ($region IS NULL OR a.region = $region OR (right($region, 4) = '0000' AND left(a.region, 2) = left($region, 2)))
WITH a, CASE WHEN a.region IS NULL THEN null ELSE left(a.region, 2) + '0000' END AS province,
     toString(a.starts_on.year) + '-' + right('0' + toString(a.starts_on.month), 2) AS month
OPTIONAL MATCH (p:Practitioner)-[j:JOINED {status: 'attended'}]->(a)
RETURN province, month, a.kind AS kind, a.id AS activity, p.id AS person, j.hours AS hours
"""

SLOW_POOLS = """
MATCH (p:Practitioner {status: 'active'})-[:MEMBER_OF]->(pool:Pool)
RETURN pool.code AS pool, count(DISTINCT p) AS members,
       count(DISTINCT CASE WHEN EXISTS { MATCH (p)-[j:JOINED {status: 'attended'}]->(a:Activity)
                                         WHERE a.starts_on.year = $year AND a.status <> 'cancelled' }
                           THEN p END) AS participants
"""


@pytest.fixture(scope="module")
def ctx(graph, settings):
    wipe_registry(graph)
    context = Context(graph=graph, settings=settings, today=TODAY)
    registry = generate(400, seed=91, today=TODAY)
    load_synthetic(context, registry, batch_size=200)
    counts = load_activities(context, registry, batch_size=200)
    assert counts["activities"] > 20 and counts["participations"] > 100, counts
    people, _, _ = graph.driver.execute_query(
        "MATCH (p:Practitioner)-[:BASED_IN]->(:Region {code: '420100'}) RETURN p.id AS id LIMIT 3"
    )
    assert people, "the registry has people in 420100"
    organizer = registry.organizations[0]["id"]
    held = add_activity(graph, organizer, starts_on=TODAY.replace(month=1, day=5), region="420100", hours=3)
    cancelled = add_activity(
        graph, organizer, starts_on=TODAY.replace(month=1, day=6), region="420100", status="cancelled"
    )
    for record in people:
        join(graph, record["id"], held, "attended", 3.0)
        join(graph, record["id"], cancelled, "attended", 3.0)
    yield context
    # Synthetic registries of different seeds share certificate numbers: leave none behind for the next module.
    wipe_registry(graph)


def slow_cells(graph, year: int, filters: dict, dimension: str) -> dict:
    records, _, _ = graph.driver.execute_query(
        SLOW_CELLS, year=year, kind=filters.get("kind"), region=filters.get("region")
    )
    cells: dict = {}
    for r in records:
        cell = cells.setdefault(
            (r[dimension], r["kind"]), {"activities": set(), "people": set(), "n": 0, "hours": 0.0}
        )
        cell["activities"].add(r["activity"])
        if r["person"] is not None:
            cell["people"].add(r["person"])
            cell["n"] += 1
            cell["hours"] += r["hours"] or 0.0
    return {
        key: {"activities": len(c["activities"]), "participants": len(c["people"]), "participations": c["n"],
              "hours": c["hours"]}
        for key, c in cells.items()
    }  # fmt: skip


def answered(ctx, year: int, filters: dict, table: str) -> dict:
    request = ActivityStatsRequest(as_of=TODAY, table=table, year=year, **filters)
    return answer(ctx, request, "admin")


@pytest.mark.parametrize("filters", FILTERS)
@pytest.mark.parametrize("year", YEARS)
@pytest.mark.parametrize("table, dimension", [("provinces", "province"), ("months", "month")])
def test_each_cell_equals_the_cypher_count(ctx, graph, year, filters, table, dimension):
    result = answered(ctx, year, filters, table)
    expected = slow_cells(graph, year, filters, dimension)
    got = {(row[dimension], row["kind"]): row for row in result["rows"]}
    assert set(got) == set(expected)
    for key, cell in expected.items():
        row = got[key]
        assert (row["activities"], row["participants"], row["participations"]) == (
            cell["activities"], cell["participants"], cell["participations"],
        ), key  # fmt: skip
        assert math.isclose(row["hours"], cell["hours"], abs_tol=0.01), key
    assert result["totals"]["activities"] == sum(c["activities"] for c in expected.values())
    assert result["suppression"]["minimum"] is None  # an administrator sees every cell


def test_the_generated_year_has_activities_and_people_who_took_part(ctx):
    totals = answered(ctx, TODAY.year - 1, {}, "provinces")["totals"]
    assert totals["activities"] > 10 and totals["participants"] > 20


def test_a_cancelled_activity_gives_no_participants_or_hours(ctx):
    rows = answered(ctx, TODAY.year, {"region": "420100"}, "provinces")["rows"]
    lecture = next(row for row in rows if row["kind"] == "lecture")
    expected = slow_cells(ctx.graph, TODAY.year, {"region": "420100", "kind": "lecture"}, "province")
    assert lecture["participants"] == expected[("420000", "lecture")]["participants"] >= 1


@pytest.mark.parametrize("year", YEARS)
def test_each_pools_share_equals_the_cypher_count(ctx, graph, year):
    records, _, _ = graph.driver.execute_query(SLOW_POOLS, year=year)
    expected = {r["pool"]: (r["members"], r["participants"]) for r in records}
    rows = {row["pool"]: row for row in answered(ctx, year, {}, "pools")["rows"]}
    for pool, (members, participants) in expected.items():
        assert (rows[pool]["members"], rows[pool]["participants"]) == (members, participants), pool
        assert math.isclose(rows[pool]["share"], participants / members, abs_tol=1e-4)
    assert any(participants for _, participants in expected.values())


def test_an_answer_is_kept_until_a_write_and_read_again_after_it(ctx, graph):
    before = answered(ctx, TODAY.year, {"region": "420100"}, "provinces")
    assert answered(ctx, TODAY.year, {"region": "420100"}, "provinces") is before  # kept: no write since

    def unrelated(tx):  # a write elsewhere in the registry, with its audit entry: the kept answer stands
        audit.record(tx, ctx, "organization", None, "update", details={"unrelated": 1})

    graph.write(unrelated)
    assert answered(ctx, TODAY.year, {"region": "420100"}, "provinces") is before

    def correct_attendance(
        tx,
    ):  # as the services write: the attendance and its audit entry in one transaction
        row = tx.run(
            """MATCH (p:Practitioner)-[j:JOINED {status: 'attended'}]->(a:Activity {region: '420100', status: 'completed'})
            WHERE a.starts_on.year = $year RETURN p.id AS person, a.id AS activity LIMIT 1""",
            year=TODAY.year,
        ).single()
        activity_repo.record_attendance(
            tx, row["activity"], [{"practitioner_id": row["person"], "attended": False, "hours": None}]
        )
        audit.record(tx, ctx, "activity", row["activity"], "attendance", details={"corrected": 1})

    graph.write(correct_attendance)
    after = answered(ctx, TODAY.year, {"region": "420100"}, "provinces")
    assert after["totals"]["participations"] == before["totals"]["participations"] - 1


def test_a_servers_start_reads_the_dashboards_chart_for_administrators_and_government(ctx, graph, settings):
    activity_stats._KEPT.answers.clear()
    activity_stats.warm_up(graph, TODAY, settings)
    kept = list(activity_stats._KEPT.answers)
    assert sorted((key[0].table, key[1]) for key in kept) == [("months", False), ("months", True)]
    warmed = activity_stats._KEPT.answers[kept[0]]
    request = ActivityStatsRequest(as_of=TODAY, table="months")
    assert answer(ctx, request, "admin" if not kept[0][1] else "government", "zh") is warmed
