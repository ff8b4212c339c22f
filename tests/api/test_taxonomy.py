"""The taxonomy endpoints serve the reference data with their codes."""

import pytest


def _items(client, kind: str) -> list[dict]:
    response = client.get(f"/api/v1/taxonomy/{kind}")
    assert response.status_code == 200
    body = response.get_json()
    assert body["total"] == len(body["items"])
    return body["items"]


def test_the_six_work_types(client):
    items = _items(client, "work-types")
    assert {i["code"] for i in items} == {
        "monitoring", "accounting", "verification", "consulting", "trading", "aviation"
    }  # fmt: skip
    assert {i["code"]: i["name_zh"] for i in items}["verification"] == "碳排放核查员"


def test_the_four_levels_from_entry_to_highest(client):
    items = _items(client, "levels")
    assert [i["rank"] for i in items] == [4, 3, 2, 1]
    assert items[0]["name_zh"] == "四级"


def test_the_two_pools_and_the_levels_they_hold(client):
    pools = {i["code"]: i for i in _items(client, "pools")}
    assert set(pools) == {"talent", "expert"}
    assert pools["talent"]["levels"] == [3, 4]
    assert pools["expert"]["levels"] == [1, 2]


def test_the_34_province_level_regions_with_gb_t_2260_codes(client):
    provinces = [i for i in _items(client, "regions") if i["level"] == "province"]
    assert len(provinces) == 34
    by_code = {p["code"]: p["name_zh"] for p in provinces}
    assert by_code["110000"] == "北京市"
    assert by_code["420000"] == "湖北省"
    assert by_code["820000"] == "澳门特别行政区"
    assert all(len(code) == 6 and code.endswith("0000") for code in by_code)


def test_cities_name_their_province(client):
    cities = {i["code"]: i for i in _items(client, "regions") if i["level"] == "city"}
    assert cities["420100"]["parent"] == "420000"


@pytest.mark.parametrize("kind", ["industries", "specialties", "qualifications"])
def test_other_taxonomies_are_not_empty_and_have_unique_codes(client, kind):
    codes = [i["code"] for i in _items(client, kind)]
    assert codes and len(codes) == len(set(codes))


def test_industries_include_every_national_ets_sector(client):
    codes = {i["code"] for i in _items(client, "industries")}
    assert {
        "power",
        "petrochemical",
        "chemical",
        "building_materials",
        "steel",
        "nonferrous",
        "paper",
    } <= codes
