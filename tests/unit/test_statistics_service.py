"""The statistics service without a graph: request checks, answers from facts, exports, open data rows."""

import csv
import io
from datetime import date

import openpyxl
import pytest

from registry.errors import NotFound, ValidationFailed
from registry.statistics import CertificateRecord, Facts, FactStore, PersonRecord
from registry.statistics.open_data import open_data_rows
from services.statistics import (
    Snapshot,
    StatisticsRequest,
    StatisticsSettings,
    allowed,
    build_answer,
    check_request,
    export,
    warm,
)

TODAY = date(2026, 11, 25)


def facts() -> Facts:
    people = [
        PersonRecord(
            i, "420100", "active", (CertificateRecord("verification", 3, "valid", date(2024, 1, 1), None),)
        )
        for i in range(7)
    ] + [
        PersonRecord(
            99, "110000", "active", (CertificateRecord("monitoring", 4, "valid", date(2024, 1, 1), None),)
        )
    ]
    return Facts(people, region_names={"420000": "湖北省", "110000": "北京市"})


def test_the_first_table_is_the_default_and_unknown_ones_are_named():
    assert check_request(StatisticsRequest("supply", TODAY), "government", TODAY).table == "holders"
    with pytest.raises(ValidationFailed) as caught:
        check_request(StatisticsRequest("supply", TODAY, table="nope"), "government", TODAY)
    assert "table" in caught.value.errors
    with pytest.raises(NotFound):
        check_request(StatisticsRequest("nothing", TODAY), "admin", TODAY)


def test_clients_read_supply_only():
    assert allowed("supply", "client") and not allowed("trends", "client")
    assert allowed("trends", "government") and allowed("engagements", "admin")
    assert not allowed("supply", "public") and not allowed("supply", "practitioner")


def test_an_answer_names_provinces_and_hides_small_counts_from_non_admins():
    request = check_request(StatisticsRequest("supply", TODAY), "government", TODAY)
    hidden = build_answer(facts(), request, True, StatisticsSettings())
    shown = build_answer(facts(), request, False, StatisticsSettings())
    assert hidden["columns"] == ["province", "province_name", "work_type", "level", "holders"]
    assert [row["holders"] for row in shown["rows"]] == [1, 7]
    assert [row["holders"] for row in hidden["rows"]] == [None, None]  # 1 is small; 7 pairs with it
    assert hidden["rows"][1]["province_name"] == "湖北省"
    assert hidden["totals"] == {"holders": 8}


def test_exports_in_both_languages():
    request = check_request(StatisticsRequest("supply", TODAY), "admin", TODAY)
    result = build_answer(facts(), request, False, StatisticsSettings())
    english = export(result, "csv", None)
    assert english.filename == "supply-holders-2026-11-25.csv"
    rows = list(csv.reader(io.StringIO(english.content.decode())))
    assert rows[0] == ["province", "province_name", "work_type", "level", "holders"]
    assert rows[2] == ["420000", "湖北省", "verification", "3", "7"]
    chinese = export(result, "xlsx", "zh")
    sheet = openpyxl.load_workbook(io.BytesIO(chinese.content)).active
    values = list(sheet.iter_rows(values_only=True))
    assert values[0] == ("省份代码", "省份", "工种", "等级", "有效持证人数")
    assert values[2] == ("420000", "湖北省", "碳排放核查员", "三级", 7)


def test_open_data_rows_are_long_and_suppressed():
    rows = open_data_rows(facts(), TODAY, 5)
    holders = [r for r in rows if r["measure"] == "holders"]
    assert {r["value"] for r in holders} == {None}
    totals = {(r["measure"], r["pool"]): r["value"] for r in rows if r["measure"].endswith("_total")}
    assert totals == {
        ("holders_total", None): 8,
        ("pool_members_total", "talent"): 8,
        ("pool_members_total", "expert"): 0,  # zero is not sensitive
    }


def test_warming_fills_every_default_answer():
    source = facts()
    store = FactStore({}, {str(p.key): p for p in source.people}, {}, {}, {}, {}, [], source.region_names)
    snapshot = Snapshot(("k",), store, 512)
    assert len(snapshot.facts.people) == len(source.people)
    warm(snapshot, StatisticsSettings(), TODAY)
    request = StatisticsRequest("demand", TODAY, table="coverage")
    assert (
        snapshot.remember(("answer", request, True), lambda: pytest.fail("not warmed"))["table"] == "coverage"
    )
    tile = StatisticsRequest(
        "supply", TODAY, table="holders", region="420000"
    )  # the dashboard's grid asks it
    assert (
        snapshot.remember(("answer", tile, True), lambda: pytest.fail("not warmed"))["totals"]["holders"] == 7
    )
