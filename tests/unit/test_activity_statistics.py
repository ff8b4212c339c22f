"""`/stats/activities`' aggregations (registry/statistics/activities.py) and their suppression."""

from datetime import date

from registry import statistics as stats
from registry.statistics.activities import (
    ActivityFact,
    ActivityQuery,
    PoolCount,
    by_month,
    by_province,
    pool_shares,
    provinces_only,
)

AS_OF = date(2026, 12, 7)
FACTS = [
    ActivityFact("lecture", "420100", date(2026, 3, 2), ((1, 2.0), (2, 2.0))),
    ActivityFact("lecture", "420000", date(2026, 3, 20), ((1, 2.0), (3, 2.5))),
    ActivityFact("publicity", "420500", date(2026, 6, 14), tuple((k, 3.0) for k in range(10, 22))),
    ActivityFact("publicity", None, date(2026, 6, 15), ((1, 1.0),)),
    ActivityFact("lecture", "370000", date(2025, 3, 2), ((4, 2.0),)),  # another year
]


def rows_by(table, *dimensions):
    return {tuple(row[d] for d in dimensions): row for row in table.rows}


def test_a_person_counts_once_per_cell_and_every_participation_counts():
    rows = rows_by(by_province(FACTS, ActivityQuery(AS_OF, 2026)), "province", "kind")
    lecture = rows[("420000", "lecture")]
    assert (lecture["activities"], lecture["participants"], lecture["participations"]) == (2, 3, 4)
    assert lecture["hours"] == 8.5


def test_national_activities_are_the_row_without_a_province():
    rows = rows_by(by_province(FACTS, ActivityQuery(AS_OF, 2026)), "province", "kind")
    assert rows[(None, "publicity")]["participants"] == 1


def test_only_the_year_asked_is_counted():
    table = by_province(FACTS, ActivityQuery(AS_OF, 2026))
    assert table.totals["activities"] == 4
    assert "370000" not in {row["province"] for row in table.rows}


def test_a_city_filter_keeps_the_citys_activities_and_a_province_filter_its_cities():
    city = by_province(FACTS, ActivityQuery(AS_OF, 2026, region="420100"))
    province = by_province(FACTS, ActivityQuery(AS_OF, 2026, region="420000"))
    assert city.totals["activities"] == 1 and province.totals["activities"] == 3


def test_months_are_keyed_by_the_first_day():
    rows = rows_by(by_month(FACTS, ActivityQuery(AS_OF, 2026, kind="publicity")), "month", "kind")
    assert set(rows) == {("2026-06", "publicity")}
    assert rows[("2026-06", "publicity")]["participants"] == 13


def test_the_totals_count_a_person_once_across_cells():
    assert by_month(FACTS, ActivityQuery(AS_OF, 2026)).totals["participants"] == 15


def test_a_small_cell_is_blanked_with_its_hours_and_participations():
    table = stats.suppress(provinces_only(FACTS, ActivityQuery(AS_OF, 2026)), 5, ("province",))
    rows = rows_by(table, "province")
    national = rows[(None,)]
    assert (
        national["participants"] is None and national["hours"] is None and national["participations"] is None
    )
    assert national["activities"] == 1  # activities are no people: never blanked
    assert (
        rows[("420000",)]["participants"] is None
    )  # the second-smallest cell goes too, so no total gives it back


def test_each_pool_shows_its_members_who_took_part_and_the_share():
    counts = [
        PoolCount("talent", "420100", True, 30), PoolCount("talent", "420100", False, 70),
        PoolCount("expert", "110000", True, 5), PoolCount("expert", "110000", False, 15),
    ]  # fmt: skip
    rows = rows_by(pool_shares(counts, ActivityQuery(AS_OF, 2026)), "pool")
    assert (rows[("talent",)]["members"], rows[("talent",)]["participants"], rows[("talent",)]["share"]) == (
        100,
        30,
        0.3,
    )
    assert rows[("expert",)]["share"] == 0.25
    hubei = rows_by(pool_shares(counts, ActivityQuery(AS_OF, 2026, region="420000")), "pool")
    assert hubei[("expert",)]["members"] == 0 and hubei[("expert",)]["share"] is None
