"""The portal's pure helpers: Chinese messages for the services' English ones, and the statistics charts' options."""

from __future__ import annotations

from web import labels
from web.dashboards import STAT_CHARTS


def test_messages_are_translated_exactly_or_by_their_fixed_part_and_others_pass_through():
    assert labels.message("Missing data for required field.") == "此项必填。"
    assert labels.message(
        "Overlaps a period already declared (2026-01-01–2026-01-03); change it."
    ).startswith("与已登记")
    assert labels.message(
        "A director relationship with this organization is already declared for that time."
    ) == ("与该单位的同一关系在这段时间已登记过。")
    assert labels.message("Something new.") == "Something new."


def _answer(rows):
    return {"rows": rows}


def test_supply_by_province_adds_up_visible_cells_and_sorts_descending():
    rows = [
        {"province_name": "湖北省", "work_type": "verification", "level": 2, "holders": 7},
        {"province_name": "湖北省", "work_type": "verification", "level": 3, "holders": None},  # suppressed
        {"province_name": "北京市", "work_type": "monitoring", "level": 4, "holders": 9},
    ]
    option = STAT_CHARTS["supply-provinces"].draw(_answer(rows))
    assert option["yAxis"]["data"] == ["北京市", "湖北省"]
    assert option["series"][0]["data"] == [9, 7]


def test_work_type_by_level_stacks_one_series_per_level():
    rows = [
        {"province_name": "湖北省", "work_type": "verification", "level": 2, "holders": 7},
        {"province_name": "北京市", "work_type": "verification", "level": 4, "holders": 5},
        {"province_name": "北京市", "work_type": "monitoring", "level": 4, "holders": 6},
    ]
    option = STAT_CHARTS["work-type-level"].draw(_answer(rows))
    assert len(option["series"]) == 2 and {s["stack"] for s in option["series"]} == {"level"}
    assert sum(sum(s["data"]) for s in option["series"]) == 18


def test_trends_sum_work_types_per_period_in_order():
    rows = [
        {"period": "2026-02", "work_type": "a", "issued": 1, "expired": 0, "suspended": 0, "revoked": None},
        {"period": "2026-01", "work_type": "a", "issued": 2, "expired": 1, "suspended": 0, "revoked": 0},
        {"period": "2026-01", "work_type": "b", "issued": 3, "expired": 0, "suspended": 1, "revoked": 0},
    ]
    option = STAT_CHARTS["trends"].draw(_answer(rows))
    assert option["xAxis"]["data"] == ["2026-01", "2026-02"]
    assert option["series"][0]["data"] == [5, 1]
