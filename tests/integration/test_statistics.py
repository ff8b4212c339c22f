"""Every statistic of services/statistics.py equals the same statistic computed the slow way in Cypher.

The graph: a synthetic registry (people, certificates, engagements, key emitters) loaded by the product's bulk
loader, then suspensions, revocations and the expiry job through the certificate lifecycle, and exam results
in issue 14's shape. Answers are read as an administrator (no suppression) and compared cell by cell.
"""

from __future__ import annotations

import math
import time
from collections import Counter
from datetime import date, timedelta

import pytest

from graph import revision
from registry.statistics import ENGAGEMENT_BUCKETS
from seed.key_emitters import generate_key_emitters
from seed.synthetic import generate
from services import certificates, engagements, practitioners
from services.context import Context
from services.open_data import open_data
from services.statistics import (
    STATISTICS,
    StatisticsCache,
    StatisticsRequest,
    StatisticsSettings,
    answer,
)
from services.statistics_cache import SnapshotFile
from services.synthetic import load_synthetic
from tests.fixed_graph import wipe_registry
from tests.integration import slow_statistics as slow
from tests.support import unique_id_card

TODAY = date.today()
LAST_YEAR = (
    TODAY.replace(year=TODAY.year - 1) if (TODAY.month, TODAY.day) != (2, 29) else TODAY.replace(day=28)
)
FILTERS = [
    {},
    {"region": "420000"},  # a province with cities in the reference data
    {"region": "420100"},  # one of its cities
    {"work_type": "verification"},
    {"level": 2},
    {"region": "370000", "work_type": "accounting", "level": 4},
]

EXAM_RESULTS = """
MATCH (p:Practitioner) WHERE p.status = 'active'
WITH p ORDER BY p.id LIMIT 12
WITH collect(p) AS people
UNWIND range(0, size(people) - 1) AS i
WITH people[i] AS p, i
CREATE (a:Application {id: randomUUID(), work_type: ['verification', 'accounting', 'monitoring'][i % 3],
                       level: 4 - i % 2, registered_on: $day})-[:BY]->(p)
CREATE (s:ExamSession {id: randomUUID(), day: $day - duration({days: 20 * i})})
CREATE (r:ExamResult {id: randomUUID(), score: 40 + 5 * i, passed: 40 + 5 * i >= 60, recorded_at: datetime()})
CREATE (r)-[:OF]->(a), (r)-[:IN_SESSION]->(s)
"""


@pytest.fixture(scope="module")
def registry_graph(graph, settings):
    # Synthetic registries of different seeds share certificate numbers: this module's registry stands alone.
    wipe_registry(graph)
    ctx = Context(graph=graph, settings=settings, today=TODAY)
    registry = generate(400, seed=77, today=TODAY)
    load_synthetic(ctx, registry, batch_size=200)
    numbers = [
        c["number"]
        for batch in registry.batches(200)
        for c in batch.certificates
        if c["status"] == "valid" and (c["expires_on"] is None or c["expires_on"] > TODAY)
    ]
    for number in numbers[:6]:
        certificates.change_status(ctx, number, "suspend", "测试暂停")
    for number in numbers[6:10]:
        certificates.change_status(ctx, number, "revoke", "测试撤销")
    certificates.change_status(ctx, numbers[0], "reinstate", "测试恢复")
    certificates.expire_due(ctx)
    graph.driver.execute_query(EXAM_RESULTS, day=TODAY)
    yield graph
    wipe_registry(graph)
    graph.driver.execute_query(
        "MATCH (n) WHERE n:ExamResult OR n:Application OR n:ExamSession DETACH DELETE n"
    )


@pytest.fixture(scope="module")
def cache():
    return StatisticsCache(StatisticsSettings(refresh="sync"))


def ask(graph, cache, statistic: str, role: str = "admin", **params) -> dict:
    request = StatisticsRequest(statistic=statistic, as_of=params.pop("as_of", TODAY), **params)
    return answer(Context(graph=graph, settings=None, today=TODAY), request, role, cache=cache)


@pytest.mark.parametrize("filters", FILTERS)
@pytest.mark.parametrize("day", [TODAY, LAST_YEAR])
def test_supply_holders_equal_the_cypher_count(registry_graph, cache, filters, day):
    result = ask(registry_graph, cache, "supply", as_of=day, **filters)
    cells, total = slow.supply(registry_graph, day, **filters)
    assert {(r["province"], r["work_type"], r["level"]): r["holders"] for r in result["rows"]} == cells
    assert result["totals"]["holders"] == total
    assert cells or filters  # the unfiltered registry has holders


@pytest.mark.parametrize("filters", FILTERS)
def test_pool_members_equal_the_cypher_count(registry_graph, cache, filters):
    result = ask(registry_graph, cache, "supply", table="pools", **filters)
    expected = slow.pool_members(registry_graph, TODAY, **filters)
    got = {}
    for row in result["rows"]:
        for pool in ("talent", "expert"):
            if row[f"{pool}_members"]:
                got[(row["province"], pool)] = row[f"{pool}_members"]
    assert got == expected


def test_pool_members_today_equal_the_derived_memberships(registry_graph, cache):
    result = ask(registry_graph, cache, "supply", table="pools")
    records, _, _ = registry_graph.driver.execute_query(
        """
        MATCH (p:Practitioner {status: 'active'})-[m:MEMBER_OF]->(pool:Pool)
        WHERE m.valid_until IS NULL OR m.valid_until >= $today
        RETURN pool.code AS pool, count(p) AS n
        """,
        today=TODAY,
    )
    assert {f"{r['pool']}_members": r["n"] for r in records} == result["totals"]


@pytest.mark.parametrize("filters", [{}, {"region": "420000"}, {"work_type": "verification"}, {"level": 3}])
def test_trends_equal_the_cypher_counts_per_month(registry_graph, cache, filters):
    start = date(2021, 7, 1)
    result = ask(registry_graph, cache, "trends", interval="month", start=start, **filters)
    got = {}
    for row in result["rows"]:
        measures = {k: v for k, v in row.items() if k not in ("period", "work_type") and v}
        if measures:
            got[(row["period"], row["work_type"])] = measures
    assert got == slow.trends_by_month(registry_graph, start, TODAY, TODAY, **filters)
    if not filters:
        assert result["totals"]["exams_sat"] == 12
        assert result["totals"]["suspended"] >= 6 and result["totals"]["revoked"] >= 4


def test_trends_by_quarter_and_year_add_up_the_months(registry_graph, cache):
    months = ask(registry_graph, cache, "trends", interval="month", start=date(2021, 1, 1))
    for interval in ("quarter", "year"):
        coarse = ask(registry_graph, cache, "trends", interval=interval, start=date(2021, 1, 1))
        assert coarse["totals"] == months["totals"]


@pytest.mark.parametrize("filters", [{}, {"region": "420000"}, {"region": "420100"}])
def test_key_emitters_equal_the_cypher_count(registry_graph, cache, filters):
    result = ask(registry_graph, cache, "demand", table="key_emitters", **filters)
    expected = slow.key_emitters(registry_graph, TODAY.year, **filters)
    assert {(r["province"], r["industry"]): r["key_emitters"] for r in result["rows"]} == expected
    if not filters:
        ours = [
            u for u in generate_key_emitters(77, latest_year=TODAY.year) if TODAY.year in u["listed_years"]
        ]
        assert 2100 <= len(ours) <= result["totals"]["key_emitters"]  # other suites may load more


@pytest.mark.parametrize("filters", [{}, {"region": "130000"}, {"region": "130200"}])
def test_coverage_equals_the_cypher_counts_and_ranks_by_shortfall(registry_graph, cache, filters):
    settings = cache.settings
    result = ask(registry_graph, cache, "demand", **filters)
    expected = slow.coverage(registry_graph, TODAY, settings.verifier_max_level, **filters)
    got = {
        r["province"]: {
            k: r[k] for k in ("key_emitters", "verifiers", "previous_key_emitters", "previous_verifiers")
        }
        for r in result["rows"]
    }
    assert got == expected
    shortfalls = [r["shortfall"] for r in result["rows"]]
    assert shortfalls == sorted(shortfalls, reverse=True)
    for r in result["rows"]:
        if r["key_emitters"]:
            assert r["coverage"] == pytest.approx(100 * r["verifiers"] / r["key_emitters"], abs=0.006)
            needed = math.ceil(settings.coverage_target * r["key_emitters"] / 100)
            assert r["shortfall"] == max(0, needed - r["verifiers"])


@pytest.mark.parametrize("filters", [{}, {"region": "420000"}, {"work_type": "verification"}])
def test_engagements_per_province_per_year_equal_the_cypher_count(registry_graph, cache, filters):
    result = ask(registry_graph, cache, "demand", table="engagements", **filters)
    expected = slow.engagements_by_year(registry_graph, TODAY, **filters)
    assert {(r["province"], r["year"]): r["engagements"] for r in result["rows"]} == expected


@pytest.mark.parametrize("within", [0, 30, 90, 365])
@pytest.mark.parametrize("filters", [{}, {"region": "420000"}, {"level": 2}])
def test_expiring_equals_the_cypher_count(registry_graph, cache, within, filters):
    result = ask(registry_graph, cache, "expiring", within=within, **filters)
    expected = slow.expiring(registry_graph, TODAY, within, **filters)
    got = {
        (r["province"], r["work_type"]): {
            k: r[k] for k in ("certificates", "holders", "talent_leavers", "expert_leavers")
        }
        for r in result["rows"]
    }
    assert got == expected


@pytest.mark.parametrize("filters", [{}, {"region": "420000"}, {"work_type": "verification"}])
def test_engagement_statistics_equal_the_cypher_ones(registry_graph, cache, filters):
    provinces = ask(registry_graph, cache, "engagements", **filters)
    expected = slow.engagements_by_province(registry_graph, TODAY, **filters)
    assert {r["province"] for r in provinces["rows"]} == set(expected)
    for row in provinces["rows"]:
        slow_row = expected[row["province"]]
        for key in (
            "engagements",
            "verification_engagements",
            "verification_assignments",
            "same_province_assignments",
        ):
            assert row[key] == slow_row[key], key
        assert row["average_team_size"] == pytest.approx(
            slow_row["places"] / slow_row["engagements"], abs=0.006
        )
    per_expert = slow.engagements_per_expert(registry_graph, TODAY, **filters)
    distribution = ask(registry_graph, cache, "engagements", table="distribution", **filters)
    buckets = Counter(
        label
        for n in per_expert
        for low, high, label in ENGAGEMENT_BUCKETS
        if n >= low and (high is None or n <= high)
    )
    assert {r["engagements_per_expert"]: r["experts"] for r in distribution["rows"]} == dict(buckets)
    busiest = ask(registry_graph, cache, "engagements", table="busiest", **filters)
    assert [r["engagements"] for r in busiest["rows"]] == per_expert[:10]


def test_answers_carry_the_contract_shape_and_no_personal_data(registry_graph, cache):
    result = ask(registry_graph, cache, "supply", role="government")
    assert {"as_of", "filters", "rows", "totals"} <= set(result)
    assert result["as_of"] == TODAY.isoformat()
    assert result["filters"] == {"region": None, "work_type": None, "level": None}
    assert result["suppression"]["minimum"] == 5
    text = repr(result)
    records, _, _ = registry_graph.driver.execute_query(
        "MATCH (p:Practitioner) RETURN p.id AS id, p.name AS name LIMIT 50"
    )
    for record in records:
        assert record["id"] not in text and record["name"] not in text


def _single_valid_certificate(graph) -> str:
    """The number of a valid certificate whose active holder has no other valid one."""
    records, _, _ = graph.driver.execute_query(
        """
        MATCH (p:Practitioner {status: 'active'})-[:HOLDS]->(c:Certificate {status: 'valid'})
        WHERE c.expires_on IS NULL OR c.expires_on >= $today
        WITH p, collect(c.number) AS valid WHERE size(valid) = 1
        RETURN valid[0] AS number ORDER BY number LIMIT 1
        """,
        today=TODAY,
    )
    return records[0]["number"]


def test_a_change_in_the_graph_is_seen_by_the_next_answer(registry_graph, cache, settings):
    ctx = Context(graph=registry_graph, settings=settings, today=TODAY)
    before = ask(registry_graph, cache, "supply")["totals"]["holders"]
    number = _single_valid_certificate(registry_graph)
    certificates.change_status(ctx, number, "suspend", "测试")
    assert ask(registry_graph, cache, "supply")["totals"]["holders"] == before - 1
    certificates.change_status(ctx, number, "reinstate", "测试")
    assert ask(registry_graph, cache, "supply")["totals"]["holders"] == before


def test_open_data_holds_the_supply_and_pool_sizes_of_the_day(registry_graph, cache, settings):
    text = open_data(Context(graph=registry_graph, settings=settings, today=TODAY), TODAY, cache).decode()
    lines = text.splitlines()
    assert lines[0].startswith("# ") and "CC BY 4.0" in lines[0]
    assert lines[1].startswith("# audit-checkpoint ")
    assert lines[2] == "date,measure,province,work_type,level,pool,value"
    _, total = slow.supply(registry_graph, TODAY)
    assert f"{TODAY.isoformat()},holders_total,,,,,{total}" in lines


def test_after_a_write_the_previous_snapshot_answers_until_the_new_one_is_read(registry_graph, settings):
    ctx = Context(graph=registry_graph, settings=settings, today=TODAY)
    cache = StatisticsCache(StatisticsSettings(refresh="background", check_seconds=0))
    first = ask(registry_graph, cache, "supply")
    assert first["snapshot"]["fresh"] is True
    number = _single_valid_certificate(registry_graph)
    certificates.change_status(ctx, number, "suspend", "测试")
    try:
        deadline = time.monotonic() + 120
        while (now := ask(registry_graph, cache, "supply"))["snapshot"]["read_at"] == first["snapshot"][
            "read_at"
        ]:
            assert now["totals"] == first["totals"]  # the previous snapshot answers meanwhile, at once
            assert time.monotonic() < deadline, "the background refresh did not finish"
            time.sleep(0.05)
        assert now["totals"]["holders"] == first["totals"]["holders"] - 1
    finally:
        certificates.change_status(ctx, number, "reinstate", "测试")


def test_with_background_refresh_the_revision_is_read_at_most_once_per_check_interval(
    registry_graph, settings
):
    ctx = Context(graph=registry_graph, settings=settings, today=TODAY)
    cache = StatisticsCache(StatisticsSettings(refresh="background", check_seconds=3600))
    first = ask(registry_graph, cache, "supply")
    number = _single_valid_certificate(registry_graph)
    certificates.change_status(ctx, number, "suspend", "测试")
    try:
        unchecked = ask(registry_graph, cache, "supply")  # within the interval: no look at the graph
        assert unchecked["snapshot"] == first["snapshot"]
        assert unchecked["totals"] == first["totals"]
    finally:
        certificates.change_status(ctx, number, "reinstate", "测试")


def test_a_refresh_that_reads_only_the_changes_answers_like_a_full_read(registry_graph, settings):
    ctx = Context(graph=registry_graph, settings=settings, today=TODAY)
    incremental = StatisticsCache(StatisticsSettings(refresh="sync"))
    ask(registry_graph, incremental, "supply")  # the full read
    records, _, _ = registry_graph.driver.execute_query(
        """
        MATCH (p:Practitioner {status: 'active'})-[:HOLDS]->(c:Certificate {status: 'valid'})
        WHERE c.expires_on IS NULL OR c.expires_on > $today
        WITH p, c ORDER BY c.number LIMIT 3
        RETURN p.id AS id, c.number AS number
        """,
        today=TODAY,
    )
    engagement, _, _ = registry_graph.driver.execute_query(
        "MATCH (e:Engagement {status: 'completed'})<-[:WORKED_ON]-() RETURN e.id AS id ORDER BY e.id LIMIT 1"
    )
    certificates.change_status(ctx, records[0]["number"], "suspend", "测试")
    certificates.change_status(ctx, records[1]["number"], "revoke", "测试")
    practitioners.update(ctx, records[2]["id"], {"region": "650200"})  # moves, with their engagements' teams
    engagements.update(ctx, engagement[0]["id"], {"status": "cancelled"})
    newcomer = practitioners.register(
        ctx, {"name": "新来者", "id_card": unique_id_card(), "region": "420100"}
    )
    certificates.issue(
        ctx,
        {"number": "T-INCREMENTAL-1", "practitioner_id": newcomer["id"], "work_type": "verification",
         "level": 2, "issued_on": TODAY},
    )  # fmt: skip
    full = StatisticsCache(StatisticsSettings(refresh="sync"))
    for statistic, tables in STATISTICS.items():
        for table in tables:
            refreshed = ask(registry_graph, incremental, statistic, table=table)
            read_whole = ask(registry_graph, full, statistic, table=table)
            assert (refreshed["rows"], refreshed["totals"]) == (read_whole["rows"], read_whole["totals"]), (
                table
            )
    assert (
        incremental.snapshot(registry_graph, TODAY)[0].store.people.keys()
        == full.snapshot(registry_graph, TODAY)[0].store.people.keys()
    )


# --- The snapshot a server keeps between starts (services/statistics_cache.py) ---------------------------------


def _every_table(graph, cache) -> dict:
    return {
        (statistic, table): (found["rows"], found["totals"])
        for statistic, tables in STATISTICS.items()
        for table in tables
        for found in [ask(graph, cache, statistic, table=table)]
    }


def _epoch(graph):
    return graph.read(revision.current)[1]


def test_a_restarted_process_loads_the_saved_snapshot_then_reads_what_changed(
    registry_graph, settings, tmp_path
):
    ctx = Context(graph=registry_graph, settings=settings, today=TODAY)
    file = SnapshotFile.of(str(tmp_path), "bolt://bench", "neo4j", b"test secret")
    first = StatisticsCache(StatisticsSettings(refresh="sync"))
    first.start(registry_graph, TODAY, file)  # nothing saved yet: a full read, then saved
    assert first.current is not None and file.path.exists()
    saved = file.load(_epoch(registry_graph), TODAY, 512)
    assert saved is not None and saved.store.read_at == first.current.store.read_at
    assert saved.answers()  # with the usual answers of the day
    number = _single_valid_certificate(registry_graph)
    certificates.change_status(ctx, number, "suspend", "测试")  # after the save: the restart must see it
    try:
        restarted = StatisticsCache(StatisticsSettings(refresh="sync"))
        restarted.start(registry_graph, TODAY, file)
        assert restarted.current is not None and restarted.current.store.keys == first.current.store.keys
        read_whole = StatisticsCache(StatisticsSettings(refresh="sync"))
        assert _every_table(registry_graph, restarted) == _every_table(registry_graph, read_whole)
        assert ask(registry_graph, restarted, "supply")["snapshot"]["fresh"] is True
    finally:
        certificates.change_status(ctx, number, "reinstate", "测试")


def test_a_snapshot_saved_on_an_earlier_day_answers_today_like_a_full_read(registry_graph, tmp_path):
    file = SnapshotFile.of(str(tmp_path), "bolt://bench", "neo4j", b"test secret")
    StatisticsCache(StatisticsSettings(refresh="sync")).start(registry_graph, TODAY - timedelta(days=1), file)
    restarted = StatisticsCache(StatisticsSettings(refresh="sync"))
    restarted.start(registry_graph, TODAY, file)
    assert restarted.current is not None and restarted.current.key[-1] == TODAY
    read_whole = StatisticsCache(StatisticsSettings(refresh="sync"))
    assert _every_table(registry_graph, restarted) == _every_table(registry_graph, read_whole)


def test_a_restarted_process_holds_every_default_answer_for_administrators_and_government_before_any_request(
    registry_graph, tmp_path
):
    file = SnapshotFile.of(str(tmp_path), "bolt://bench", "neo4j", b"test secret")
    StatisticsCache(StatisticsSettings(refresh="sync")).start(registry_graph, TODAY, file)
    restarted = StatisticsCache(StatisticsSettings(refresh="sync"))
    restarted.start(registry_graph, TODAY, file)
    assert restarted.current is not None
    kept = restarted.current.answers()
    requests = [
        StatisticsRequest(statistic=s, as_of=TODAY, table=t)
        for s, tables in STATISTICS.items()
        for t in tables
    ]
    for request in requests:
        for suppressed in (True, False):
            assert ("answer", request, suppressed) in kept, (request, suppressed)
    read_whole = StatisticsCache(StatisticsSettings(refresh="sync"))
    for request in requests:
        for role, suppressed in (("admin", False), ("government", True)):
            direct = ask(registry_graph, read_whole, request.statistic, role, table=request.table)
            answered = kept[("answer", request, suppressed)]
            assert (answered["rows"], answered["totals"]) == (direct["rows"], direct["totals"]), (
                request,
                role,
            )


def test_a_saved_snapshot_is_loaded_only_when_signed_with_our_key_and_of_this_graph(registry_graph, tmp_path):
    file = SnapshotFile.of(str(tmp_path), "bolt://bench", "neo4j", b"test secret")
    StatisticsCache(StatisticsSettings(refresh="sync")).start(registry_graph, TODAY, file)
    epoch = _epoch(registry_graph)
    assert file.load(epoch, TODAY, 512) is not None
    assert SnapshotFile(file.path, b"another key").load(epoch, TODAY, 512) is None
    assert file.load("another graph's epoch", TODAY, 512) is None
    data = bytearray(file.path.read_bytes())
    data[-10] ^= 0xFF  # one byte changed on disk
    file.path.write_bytes(bytes(data))
    assert file.load(epoch, TODAY, 512) is None


def test_until_a_loaded_snapshot_is_checked_against_the_graph_its_answers_say_not_fresh(
    registry_graph, tmp_path
):
    file = SnapshotFile.of(str(tmp_path), "bolt://bench", "neo4j", b"test secret")
    StatisticsCache(StatisticsSettings(refresh="sync")).start(registry_graph, TODAY, file)
    loaded = file.load(_epoch(registry_graph), TODAY, 512)
    cache = StatisticsCache(StatisticsSettings(refresh="background", check_seconds=3600))
    cache._snapshot = loaded  # as start() installs it, before its first check
    assert ask(registry_graph, cache, "supply")["snapshot"]["fresh"] is False
    deadline = time.monotonic() + 60
    while not ask(registry_graph, cache, "supply")["snapshot"][
        "fresh"
    ]:  # the check the first request started
        assert time.monotonic() < deadline
        time.sleep(0.05)
