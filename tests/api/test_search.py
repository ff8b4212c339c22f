"""Faceted search over the fixed registry: every filter alone and combined, facets, sorts, paging, roles."""

import pytest

from tests.api import fixed_graph
from tests.support import PII_KEYS, assert_problem, keys_in

URL = "/api/v1/practitioners"


@pytest.fixture(scope="module")
def ids(app, graph, keys):
    fixed_graph.wipe_registry(graph)
    return fixed_graph.build(app.test_client(), {"X-API-Key": keys["admin"]})


def search(client, headers, **params) -> dict:
    response = client.get(URL, query_string={"per_page": 100, **params}, headers=headers)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def found(client, headers, ids, **params) -> set[str]:
    """The fixed-graph keys (A, B, …) a search returns."""
    by_id = {value: key for key, value in ids.items() if len(key) == 1}
    body = search(client, headers, **params)
    assert body["total"] == len(body["items"])
    return {by_id[item["id"]] for item in body["items"]}


FILTERS = [
    ({}, set("ABCDEFGHIJ")),
    ({"work_type": "verification"}, set("ABCHJ")),
    ({"level": 2}, set("AFH")),
    ({"work_type": "verification", "level": 2}, set("AH")),
    ({"min_level": 2}, set("ABFH")),
    ({"work_type": "verification", "min_level": 2}, set("ABH")),
    ({"min_level": 3, "work_type": "monitoring"}, set()),
    ({"pool": "expert"}, set("ABFH")),
    ({"pool": "talent"}, set("CGJ")),
    ({"region": "420000"}, set("ABDEH")),
    ({"region": "420100"}, set("ADE")),
    ({"industry": "building_materials"}, set("ABCFH")),
    ({"industry": "steel"}, set("AG")),
    ({"specialty": "carbon_verification"}, set("A")),
    ({"specialty": "energy_audit"}, set("F")),
    ({"qualification": "ccaa_ghg_verifier"}, set("A")),
    ({"q": "张"}, set("A")),
    ({"q": "核查"}, set("AG")),
    ({"q": "碳核查 项目"}, set("G")),
    ({"q": "王芳"}, set("C")),
    ({"work_type": "verification", "region": "420000", "min_level": 2}, set("ABH")),
    ({"pool": "expert", "industry": "building_materials", "region": "420000"}, set("ABH")),
    ({"work_type": "verification", "q": "核查"}, set("A")),
]


@pytest.mark.parametrize(("params", "expected"), FILTERS, ids=[str(p) for p, _ in FILTERS])
def test_each_filter_alone_and_combined_returns_exactly_the_expected_people(
    client, as_role, ids, params, expected
):
    assert found(client, as_role("client"), ids, **params) == expected


def test_suspended_revoked_and_expired_certificates_never_qualify(client, as_role, ids):
    for params in ({"work_type": "verification"}, {"pool": "expert"}, {"level": 2}, {"work_type": "trading"}):
        assert not found(client, as_role("client"), ids, **params) & {"D", "E", "I"}


@pytest.mark.parametrize(
    "params",
    [{}, {"work_type": "verification"}, {"level": 2}, {"region": "420000", "min_level": 3}, {"q": "核查"}],
    ids=str,
)
def test_each_facet_count_equals_the_total_of_the_search_narrowed_to_it(client, as_role, ids, params):
    headers = as_role("government")
    body = search(client, headers, **params)
    facets = body["facets"]
    assert set(facets) == {"work_type", "level", "pool", "region", "industry"}
    checked = 0
    for dimension, counts in facets.items():
        if dimension in params:  # already narrowed: the chosen value covers every result
            assert counts[str(params[dimension])] == body["total"]
            continue
        for value, count in counts.items():
            narrowed = search(client, headers, **{**params, dimension: value})
            assert narrowed["total"] == count, (dimension, value)
            checked += 1
    assert checked > 0


def test_facets_count_only_valid_certificates(client, as_role, ids):
    facets = search(client, as_role("client"))["facets"]
    assert facets["work_type"] == {"verification": 5, "consulting": 1, "accounting": 1, "monitoring": 1}
    assert facets["level"] == {"1": 1, "2": 3, "3": 1, "4": 3}
    assert facets["pool"] == {"expert": 4, "talent": 3}
    assert facets["region"]["420000"] == 5  # Hubei: its cities roll up


def test_sort_by_level_puts_the_highest_level_first_then_experience(client, as_role, ids):
    items = search(client, as_role("client"), work_type="verification", sort="level")["items"]
    by_id = {value: key for key, value in ids.items() if len(key) == 1}
    assert [by_id[i["id"]] for i in items] == ["B", "A", "H", "C", "J"]


def test_sort_by_experience_puts_the_earliest_start_first(client, as_role, ids):
    items = search(client, as_role("client"), work_type="verification", sort="experience")["items"]
    assert [i["work_start_year"] for i in items] == sorted(i["work_start_year"] for i in items)


def test_sort_by_name_is_stable_across_pages(client, as_role, ids):
    headers = as_role("client")
    everyone = [i["id"] for i in search(client, headers, sort="name")["items"]]
    paged = []
    for page in (1, 2, 3, 4):
        paged += [i["id"] for i in search(client, headers, sort="name", per_page=3, page=page)["items"]]
    assert paged == everyone
    assert len(everyone) == 10


def test_relevance_sort_ranks_a_name_match_before_a_bio_match(client, as_role, ids):
    body = search(client, as_role("client"), q="张伟 核查", sort="relevance")
    assert [i["id"] for i in body["items"]] == [ids["A"]]
    assert body["items"][0]["score"] > 0


def test_the_public_sees_only_consenting_practitioners_and_no_personal_data(client, ids):
    body = search(client, {}, work_type="verification")
    assert {i["id"] for i in body["items"]} == {ids["A"], ids["C"]}
    assert not keys_in(body) & PII_KEYS
    assert "13800000011" not in str(body)


def test_clients_see_no_personal_data_but_admins_do(client, as_role, ids):
    assert not keys_in(search(client, as_role("client"), q="张伟")) & PII_KEYS
    admin_view = search(client, as_role("admin"), q="张伟")["items"][0]
    assert admin_view["phone"] == "13800000011"


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"work_type": "astrology"}, "work_type"),
        ({"level": 7}, "level"),
        ({"min_level": 7}, "min_level"),
        ({"min_level": "high"}, "min_level"),
        ({"pool": "heroes"}, "pool"),
        ({"region": "999999"}, "region"),
        ({"industry": "banking"}, "industry"),
        ({"specialty": "juggling"}, "specialty"),
        ({"qualification": "wizard"}, "qualification"),
        ({"per_page": 10000}, "per_page"),
        ({"page": 0}, "page"),
        ({"sort": "random"}, "sort"),
        ({"q": "!!!"}, "q"),
        ({"q": "x" * 101}, "q"),
        ({"colour": "red"}, "colour"),
    ],
    ids=str,
)
def test_bad_filters_are_400_problems(client, as_role, ids, params, field):
    body = assert_problem(client.get(URL, query_string=params, headers=as_role("client")), 400)
    assert field in body["errors"]


def test_pool_members_use_the_same_filters(client, as_role, ids):
    response = client.get(
        "/api/v1/pools/expert/members",
        query_string={"region": "420000", "per_page": 100},
        headers=as_role("client"),
    )
    assert {i["id"] for i in response.get_json()["items"]} == {ids["A"], ids["B"], ids["H"]}
