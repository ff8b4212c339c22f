"""Key emitter rules: the flag and the years agree; list headers, sectors and rows are read as published."""

import pytest

from registry.errors import ValidationFailed
from registry.identifiers import make_uscc
from registry.key_emitters import industry_code, list_column, listed_years_for, parse_list_row, province_names

USCC = make_uscc("91130200MA0000001")
NAMES = province_names({"130000": "河北省", "150000": "内蒙古自治区", "110000": "北京市", "130200": "唐山市"})
REGIONS = {"130000", "150000", "110000", "130200"}


def parse(raw, year=2026):
    return parse_list_row(
        7, raw, year=year, province_codes=NAMES, regions=REGIONS, industries=["power", "steel"]
    )


def test_the_flag_alone_lists_this_year_and_years_alone_are_kept_sorted():
    assert listed_years_for(True, None, 2026) == [2026]
    assert listed_years_for(None, [2026, 2025, 2026], 2026) == [2025, 2026]
    assert listed_years_for(False, [], 2026) == []
    assert listed_years_for(None, None, 2026) == []


@pytest.mark.parametrize(("flag", "years"), [(False, [2025]), (True, [2015]), (None, [2030])])
def test_contradictions_and_years_out_of_range_are_refused(flag, years):
    with pytest.raises(ValidationFailed) as caught:
        listed_years_for(flag, years, 2026)
    assert "listed_years" in caught.value.errors


def test_headers_as_lists_print_them():
    assert list_column("单位名称") == "name"
    assert list_column(" 统一社会信用代码 ") == "uscc"
    assert list_column("省（区、市）") == "province"
    assert list_column("省(区、市)") == "province"
    assert list_column("行业类别") == "industry"
    assert list_column("备注") is None


@pytest.mark.parametrize(
    ("text", "code"),
    [("发电", "power"), ("水泥熟料生产", "building_materials"), ("铝冶炼", "nonferrous"), ("钢铁行业重点排放单位", "steel"),
     ("steel", "steel"), ("纺织", None)],
)  # fmt: skip
def test_sector_names(text, code):
    assert industry_code(text, ["power", "steel", "building_materials", "nonferrous"]) == code


def test_province_names_in_full_and_short():
    assert NAMES["河北"] == NAMES["河北省"] == "130000"
    assert NAMES["内蒙古"] == "150000"
    assert "唐山市" not in NAMES


def test_a_good_row_with_a_province_name():
    unit, problems = parse(
        {"name": "唐山某某钢铁有限公司", "uscc": USCC.lower(), "province": "河北", "industry": "钢铁"}
    )
    assert problems == []
    assert (unit.row, unit.uscc, unit.industry, unit.region, unit.year) == (7, USCC, "steel", "130000", 2026)


def test_the_region_code_wins_and_without_a_place_the_uscc_tells_it():
    unit, _ = parse({"name": "甲", "uscc": USCC, "province": "河北", "region": "130200", "industry": "发电"})
    assert unit.region == "130200"
    unit, _ = parse({"name": "甲", "uscc": USCC, "industry": "发电"})
    assert unit.region == "130200"


def test_a_year_column_overrides_the_year_given():
    unit, _ = parse({"name": "甲", "uscc": USCC, "industry": "发电", "year": "2025年"}, year=None)
    assert unit.year == 2025


def test_a_bad_row_says_every_problem():
    unit, problems = parse(
        {"name": "", "uscc": "123", "province": "火星", "industry": "纺织", "year": "去年"}
    )
    assert unit is None
    assert len(problems) == 5


def test_a_problem_quotes_only_the_start_of_a_huge_cell():
    unit, problems = parse({"name": "甲", "uscc": USCC, "industry": "电" * 1_000_000, "province": "河北"})
    assert unit is None
    [problem] = problems
    assert len(problem) < 300 and "(1,000,000 characters)" in problem
