"""Statistics rules: periods, validity on a day, each statistic on small hand-made facts, privacy suppression."""

from datetime import date

import pytest

from registry.statistics import (
    HEADERS_ZH,
    CertificateRecord,
    EmitterRecord,
    EngagementRecord,
    ExamRecord,
    MembershipRecord,
    PersonRecord,
    Query,
    StatusEventRecord,
    Table,
    TeamMember,
    busiest_experts,
    change,
    coverage,
    coverage_ratio,
    default_trend_start,
    engagement_distribution,
    engagements_by_province,
    engagements_by_year,
    expiring,
    headers,
    key_emitters,
    label_value,
    period_key,
    period_start,
    periods_between,
    pool_members,
    same_day_a_year_before,
    shortfall,
    supply,
    suppress,
    trends,
)

TODAY = date(2026, 11, 25)


def cert(
    work_type: str = "verification",
    level: int = 3,
    status: str = "valid",
    issued_on: date = date(2024, 1, 10),
    expires_on: date | None = date(2028, 1, 10),
    changed: date | None = None,
) -> CertificateRecord:
    return CertificateRecord(work_type, level, status, issued_on, expires_on, changed)


def person(
    key: int, region: str | None, *certificates: CertificateRecord, status: str = "active"
) -> PersonRecord:
    return PersonRecord(key, region, status, tuple(certificates))


# --- periods ---------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("interval", "key", "start"),
    [
        ("month", "2026-11", date(2026, 11, 1)),
        ("quarter", "2026-Q4", date(2026, 10, 1)),
        ("year", "2026", date(2026, 1, 1)),
    ],
)
def test_period_keys_and_starts(interval, key, start):
    assert period_key(TODAY, interval) == key
    assert period_start(TODAY, interval) == start


def test_periods_between_cover_both_ends_and_cross_years():
    assert periods_between(date(2025, 11, 30), date(2026, 2, 1), "month") == [
        "2025-11",
        "2025-12",
        "2026-01",
        "2026-02",
    ]
    assert periods_between(date(2025, 12, 31), date(2026, 1, 1), "quarter") == ["2025-Q4", "2026-Q1"]
    assert periods_between(date(2021, 7, 1), TODAY, "year") == [
        "2021",
        "2022",
        "2023",
        "2024",
        "2025",
        "2026",
    ]


def test_an_unknown_interval_is_refused():
    with pytest.raises(ValueError, match="unknown interval"):
        period_key(TODAY, "week")


def test_default_trend_windows():
    assert default_trend_start(TODAY, "month") == date(2025, 12, 1)
    assert len(periods_between(default_trend_start(TODAY, "month"), TODAY, "month")) == 12
    assert len(periods_between(default_trend_start(TODAY, "quarter"), TODAY, "quarter")) == 8
    assert len(periods_between(default_trend_start(TODAY, "year"), TODAY, "year")) == 5


def test_a_year_before_29_february_is_28_february():
    assert same_day_a_year_before(date(2028, 2, 29)) == date(2027, 2, 28)
    assert same_day_a_year_before(TODAY) == date(2025, 11, 25)


def test_change_is_absolute_and_unknown_without_both_sides():
    assert change(12.5, 10.0) == 2.5
    assert change(None, 3.0) is None


# --- validity on a day -----------------------------------------------------------------------------------


def test_a_certificate_is_valid_on_its_expiry_day_and_not_after():
    c = cert(expires_on=TODAY)
    assert c.valid_on(TODAY)
    assert not c.valid_on(date(2026, 11, 26))


def test_a_certificate_is_not_valid_before_it_was_issued():
    assert not cert(issued_on=date(2026, 1, 1)).valid_on(date(2025, 12, 31))


def test_a_suspension_counts_from_the_day_it_was_recorded():
    c = cert(status="suspended", changed=date(2026, 6, 1))
    assert c.valid_on(date(2026, 5, 31))
    assert not c.valid_on(date(2026, 6, 1))


def test_a_stored_expired_certificate_is_valid_only_within_its_dates():
    c = cert(status="expired", expires_on=date(2026, 1, 1), changed=date(2026, 1, 2))
    assert c.valid_on(date(2025, 12, 31))
    assert not c.valid_on(TODAY)


# --- filters ---------------------------------------------------------------------------------------------


def test_a_province_filter_includes_its_cities_and_a_city_filter_only_itself():
    province = Query(TODAY, region="130000")
    city = Query(TODAY, region="130200")
    assert province.in_region("130000") and province.in_region("130200")
    assert not province.in_region("140000")
    assert city.in_region("130200")
    assert not city.in_region("130000") and not city.in_region("130400")
    assert not city.in_region(None)


# --- supply ----------------------------------------------------------------------------------------------

PEOPLE = (
    person(1, "130200", cert("verification", 3), cert("monitoring", 4)),
    person(2, "130000", cert("verification", 3)),
    person(
        3,
        "130400",
        cert("verification", 2),
        cert("verification", 3, status="revoked", changed=date(2026, 1, 1)),
    ),
    person(4, "110000", cert("accounting", 4, expires_on=TODAY)),  # expires today: still valid
    person(5, "110000", cert("accounting", 4, expires_on=date(2026, 11, 24))),  # expired yesterday
    person(6, "110000", cert("accounting", 4), status="suspended"),  # a suspended person counts nowhere
    person(7, None, cert("trading", 4)),
)


def test_supply_counts_valid_certificate_holders_per_cell_and_people_once_in_the_total():
    table = supply(PEOPLE, Query(TODAY))
    cells = {(r["province"], r["work_type"], r["level"]): r["holders"] for r in table.rows}
    assert cells == {
        ("130000", "verification", 3): 2,
        ("130000", "monitoring", 4): 1,
        ("130000", "verification", 2): 1,
        ("110000", "accounting", 4): 1,
        (None, "trading", 4): 1,
    }
    assert table.totals == {"holders": 5}


def test_supply_with_a_city_counts_that_city_only():
    table = supply(PEOPLE, Query(TODAY, region="130200"))
    assert table.totals == {"holders": 1}
    assert {(r["work_type"], r["level"]) for r in table.rows} == {("verification", 3), ("monitoring", 4)}


def test_supply_in_the_past_counts_the_revoked_certificate_before_its_revocation():
    table = supply(PEOPLE, Query(date(2025, 6, 1), region="130400", work_type="verification", level=3))
    assert table.totals == {"holders": 1}


def test_pool_members_follow_validity_and_a_person_can_be_in_both_pools():
    people = (*PEOPLE, person(8, "130200", cert("monitoring", 4), cert("verification", 2)))
    table = pool_members(people, Query(TODAY))
    by_province = {r["province"]: (r["talent_members"], r["expert_members"]) for r in table.rows}
    assert by_province["130000"] == (3, 2)
    assert by_province["110000"] == (1, 0)
    assert table.totals == {"talent_members": 5, "expert_members": 2}


def test_pool_members_with_a_work_type_count_only_certificates_of_that_work_type():
    table = pool_members(PEOPLE, Query(TODAY, work_type="monitoring"))
    assert table.totals == {"talent_members": 1, "expert_members": 0}


# --- trends ----------------------------------------------------------------------------------------------


def test_trends_count_each_measure_in_its_period():
    people = (
        person(1, "130200", cert("verification", 3, issued_on=date(2026, 10, 3))),
        person(
            2, "130000", cert("verification", 3, issued_on=date(2022, 1, 3), expires_on=date(2026, 10, 20))
        ),
        # revoked before its expiry: never "expired"
        person(
            3,
            "130000",
            cert("verification", 3, "revoked", date(2022, 1, 3), date(2026, 10, 21), date(2026, 9, 1)),
        ),
        # expires after as_of: not yet expired
        person(
            4, "130000", cert("verification", 3, issued_on=date(2022, 1, 3), expires_on=date(2026, 11, 30))
        ),
    )
    events = (
        StatusEventRecord("verification", 3, "130000", "revoked", date(2026, 9, 1)),
        StatusEventRecord("verification", 3, "130000", "suspended", date(2026, 11, 2)),
        StatusEventRecord("verification", 3, "130000", "suspended", date(2026, 11, 26)),  # after as_of
    )
    spells = (
        MembershipRecord("talent", "130200", date(2026, 10, 3), None, "verification", 3),
        MembershipRecord("talent", "130000", date(2022, 1, 3), date(2026, 10, 21), "verification", 3),
        MembershipRecord("expert", "130000", date(2026, 11, 1), None, None, None),  # unknown work type
    )
    exams = (
        ExamRecord("verification", 3, "130000", date(2026, 10, 31), True),
        ExamRecord("verification", 3, "130000", date(2026, 10, 31), False),
    )
    table = trends(people, events, spells, exams, Query(TODAY), "month", date(2026, 9, 15), TODAY)
    rows = {(r["period"], r["work_type"]): r for r in table.rows}
    assert len(table.rows) == 3 * 6  # every period × every work type, zeros included
    october, november, september = (
        rows[("2026-10", "verification")],
        rows[("2026-11", "verification")],
        rows[("2026-09", "verification")],
    )
    assert (october["issued"], october["expired"], october["talent_joins"], october["talent_leaves"]) == (
        1,
        1,
        1,
        1,
    )
    assert (october["exams_sat"], october["exams_passed"]) == (2, 1)
    assert september["revoked"] == 1
    assert november["suspended"] == 1
    assert november["expired"] == 0
    assert table.totals["expert_joins"] == 0
    assert table.totals["issued"] == 1


def test_trends_by_year_and_for_one_work_type():
    people = (person(1, "130000", cert("monitoring", 4, issued_on=date(2024, 3, 1))),)
    table = trends(people, (), (), (), Query(TODAY, work_type="monitoring"), "year", date(2023, 5, 1), TODAY)
    assert [(r["period"], r["work_type"], r["issued"]) for r in table.rows] == [
        ("2023", "monitoring", 0),
        ("2024", "monitoring", 1),
        ("2025", "monitoring", 0),
        ("2026", "monitoring", 0),
    ]


# --- demand ----------------------------------------------------------------------------------------------

EMITTERS = (
    EmitterRecord("130200", "steel", frozenset({2025, 2026})),
    EmitterRecord("130000", "power", frozenset({2021, 2022, 2023, 2024, 2025, 2026})),
    EmitterRecord("130400", "power", frozenset({2026})),
    EmitterRecord("110000", "power", frozenset({2021, 2022})),  # delisted
)


def test_key_emitters_are_those_listed_for_the_year_of_as_of():
    table = key_emitters(EMITTERS, Query(TODAY))
    assert [(r["province"], r["industry"], r["key_emitters"]) for r in table.rows] == [
        ("130000", "power", 2),
        ("130000", "steel", 1),
    ]
    assert key_emitters(EMITTERS, Query(date(2022, 5, 1))).totals == {"key_emitters": 2}


def test_coverage_ratio_and_shortfall():
    assert coverage_ratio(3, 12) == 25.0
    assert coverage_ratio(3, 0) is None
    assert shortfall(3, 12, 25.0) == 0
    assert shortfall(3, 13, 25.0) == 1  # 3.25 needed → 4
    assert shortfall(0, 0, 25.0) == 0


def test_coverage_counts_verifiers_at_level_3_or_higher_and_compares_with_last_year():
    people = (
        person(1, "130200", cert("verification", 3, issued_on=date(2025, 1, 1))),
        person(2, "130000", cert("verification", 2, issued_on=date(2026, 1, 1))),  # new this year
        person(3, "130000", cert("verification", 4)),  # level 4: not a verifier here
        person(4, "130000", cert("accounting", 1)),  # not verification
        person(5, "110000", cert("verification", 1), status="suspended"),
    )
    table = coverage(people, EMITTERS, Query(TODAY), target=25.0)
    rows = {r["province"]: r for r in table.rows}
    hebei = rows["130000"]
    assert (hebei["key_emitters"], hebei["verifiers"], hebei["coverage"]) == (3, 2, 66.67)
    assert (hebei["previous_key_emitters"], hebei["previous_verifiers"], hebei["previous_coverage"]) == (
        2,
        1,
        50.0,
    )
    assert hebei["coverage_change"] == 16.67
    assert hebei["shortfall"] == 0
    assert "110000" not in rows  # its unit left the list before 2025 and its verifier is suspended
    assert table.totals["verifiers"] == 2


def test_coverage_ranks_the_largest_shortfall_first():
    emitters = tuple(EmitterRecord("140000", "power", frozenset({2026})) for _ in range(40)) + EMITTERS
    table = coverage((person(1, "130000", cert("verification", 3)),), emitters, Query(TODAY), target=25.0)
    assert [(r["rank"], r["province"], r["shortfall"]) for r in table.rows][:2] == [
        (1, "140000", 10),
        (2, "130000", 0),
    ]


def test_engagements_per_province_per_year_leave_out_cancelled_and_future_ones():
    engagements = (
        EngagementRecord("verification", "130200", date(2025, 4, 1), "completed"),
        EngagementRecord("verification", "130000", date(2026, 4, 1), "active"),
        EngagementRecord("consulting", "130000", date(2026, 5, 1), "completed"),
        EngagementRecord("verification", "130000", date(2026, 5, 1), "cancelled"),
        EngagementRecord("verification", "130000", date(2026, 12, 1), "planned"),
        EngagementRecord("verification", "130000", None, "planned"),
    )
    table = engagements_by_year(engagements, Query(TODAY, work_type="verification"))
    assert [(r["province"], r["year"], r["engagements"]) for r in table.rows] == [
        ("130000", 2025, 1),
        ("130000", 2026, 1),
    ]


# --- expiring --------------------------------------------------------------------------------------------


def test_expiring_counts_certificates_lapsing_within_the_window_and_who_leaves_a_pool():
    people = (
        person(
            1, "130200", cert("verification", 3, expires_on=TODAY)
        ),  # expiring today: inside, leaves talent
        person(
            2, "130000", cert("verification", 3, expires_on=date(2027, 1, 10)), cert("monitoring", 4)
        ),  # stays
        person(
            3, "130000", cert("verification", 2, expires_on=date(2027, 2, 23))
        ),  # day 90: inside, leaves expert
        person(4, "130000", cert("verification", 2, expires_on=date(2027, 2, 24))),  # day 91: outside
        person(5, "130000", cert("verification", 3, expires_on=date(2026, 11, 24))),  # already lapsed
        person(6, "130000", cert("verification", 3, expires_on=TODAY), status="suspended"),
    )
    table = expiring(people, Query(TODAY), within=90)
    assert table.rows == [
        {
            "province": "130000",
            "work_type": "verification",
            "certificates": 3,
            "holders": 3,
            "talent_leavers": 1,
            "expert_leavers": 1,
        }
    ]
    assert table.totals == {"certificates": 3, "holders": 3, "talent_leavers": 1, "expert_leavers": 1}


# --- engagements -----------------------------------------------------------------------------------------


def _team(*members: tuple[int, str | None]) -> tuple[TeamMember, ...]:
    return tuple(TeamMember(key, province) for key, province in members)


ENGAGEMENTS = (
    EngagementRecord(
        "verification", "130200", date(2026, 3, 1), "completed", _team((1, "130000"), (2, "110000"))
    ),
    EngagementRecord("verification", "130000", date(2026, 4, 1), "completed", _team((1, "130000"))),
    EngagementRecord(
        "consulting", "110000", date(2026, 4, 1), "active", _team((1, "130000"), (3, "110000"), (4, None))
    ),
    EngagementRecord("verification", "110000", date(2026, 4, 1), "cancelled", _team((2, "110000"))),
)


def test_engagements_by_province_give_team_size_and_same_province_share():
    table = engagements_by_province(ENGAGEMENTS, Query(TODAY))
    rows = {r["province"]: r for r in table.rows}
    assert rows["130000"]["engagements"] == 2
    assert rows["130000"]["average_team_size"] == 1.5
    assert rows["130000"]["verification_assignments"] == 3
    assert rows["130000"]["same_province_share"] == round(2 / 3, 4)
    assert rows["110000"]["same_province_share"] is None
    assert table.totals["engagements"] == 3
    assert table.totals["average_team_size"] == 2.0


def test_engagement_distribution_and_busiest_have_no_person_in_them():
    distribution = engagement_distribution(ENGAGEMENTS, Query(TODAY))
    assert distribution.rows == [
        {"engagements_per_expert": "1", "experts": 3},
        {"engagements_per_expert": "3", "experts": 1},
    ]
    busiest = busiest_experts(ENGAGEMENTS, Query(TODAY), limit=2)
    assert busiest.rows == [{"rank": 1, "engagements": 3}, {"rank": 2, "engagements": 1}]
    assert busiest.totals == {"experts": 4}


# --- suppression -----------------------------------------------------------------------------------------


def _table(values: list[tuple[str, str, int]], total: int | None = None) -> Table:
    rows = [{"province": p, "work_type": w, "holders": v} for p, w, v in values]
    return Table(
        ("province", "work_type", "holders"),
        rows,
        {"holders": total or sum(v for _, _, v in values)},
        ("holders",),
    )


def test_small_cells_are_suppressed_and_one_more_so_the_total_does_not_give_them_back():
    table = suppress(
        _table([("110000", "a", 3), ("110000", "b", 20), ("120000", "a", 40), ("120000", "b", 9)])
    )
    values = [r["holders"] for r in table.rows]
    # 3 is primary; in province 110000 it is alone, so 20 goes too; in the whole table 3 and 20 are now two.
    assert values == [None, None, 40, 9]
    assert table.totals == {"holders": 72}
    assert table.suppressed == 2


def test_a_lone_small_cell_with_nothing_to_pair_blanks_the_total():
    table = suppress(_table([("110000", "a", 3)]))
    assert table.rows[0]["holders"] is None
    assert table.totals["holders"] is None


def test_zero_and_large_cells_stay_and_minimum_one_turns_suppression_off():
    source = _table([("110000", "a", 0), ("110000", "b", 5)])
    assert [r["holders"] for r in suppress(source).rows] == [0, 5]
    small = _table([("110000", "a", 1), ("120000", "a", 2)])
    assert suppress(small, minimum=1) is small


def test_after_suppression_every_group_has_zero_or_at_least_two_blank_cells():
    values = [
        ("110000", "a", 2),
        ("110000", "b", 7),
        ("110000", "c", 30),
        ("120000", "a", 6),
        ("120000", "b", 1),
        ("130000", "a", 50),
    ]
    table = suppress(_table(values), group_by=("province", "work_type"))
    for dimension in ("province", "work_type"):
        for value in {r[dimension] for r in table.rows}:
            blanks = [r for r in table.rows if r[dimension] == value and r["holders"] is None]
            assert len(blanks) != 1, (dimension, value)
    assert len([r for r in table.rows if r["holders"] is None]) != 1


def test_derived_measures_follow_the_count_they_come_from():
    people = tuple(person(i, "140000", cert("verification", 3)) for i in range(3)) + tuple(
        person(10 + i, "130000", cert("verification", 3)) for i in range(30)
    )
    emitters = (
        EmitterRecord("140000", "power", frozenset({2026})),
        EmitterRecord("130000", "power", frozenset({2026})),
    )
    table = suppress(coverage(people, emitters, Query(TODAY)))
    shanxi = next(r for r in table.rows if r["province"] == "140000")
    assert shanxi["verifiers"] is None and shanxi["coverage"] is None and shanxi["shortfall"] is None
    assert shanxi["key_emitters"] == 1  # organizations are not people: never suppressed


# --- labels ----------------------------------------------------------------------------------------------


def test_chinese_headers_and_values():
    assert headers(["province", "holders"], "zh") == ["省份代码", "有效持证人数"]
    assert headers(["province"], None) == ["province"]
    assert label_value("work_type", "verification") == "碳排放核查员"
    assert label_value("level", 3) == "三级"
    assert label_value("province", "110000") == "110000"


def test_every_column_of_every_table_has_a_chinese_header():
    tables = [
        supply(PEOPLE, Query(TODAY)),
        pool_members(PEOPLE, Query(TODAY)),
        trends(PEOPLE, (), (), (), Query(TODAY), "month", date(2026, 1, 1), TODAY),
        key_emitters(EMITTERS, Query(TODAY)),
        engagements_by_year(ENGAGEMENTS, Query(TODAY)),
        coverage(PEOPLE, EMITTERS, Query(TODAY)),
        expiring(PEOPLE, Query(TODAY), 90),
        engagements_by_province(ENGAGEMENTS, Query(TODAY)),
        engagement_distribution(ENGAGEMENTS, Query(TODAY)),
        busiest_experts(ENGAGEMENTS, Query(TODAY)),
    ]
    for table in tables:
        assert set(table.columns) <= set(HEADERS_ZH), table.columns
        for row in table.rows:
            assert list(row) == list(table.columns)
