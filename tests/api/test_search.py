"""GET /practitioners over HTTP: roles, the showcase, personal data, the envelope and problems.

What the search finds, counts and orders is tested on the service in tests/integration/test_search.py.
"""

import pytest

from tests.support import PII_KEYS, assert_problem, keys_in

URL = "/api/v1/practitioners"


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


def test_a_search_answers_the_envelope_with_facets_over_http(client, as_role, ids):
    body = search(client, as_role("client"), work_type="verification", region="420000", min_level=2)
    assert set(body) == {"items", "total", "page", "per_page", "facets"}
    assert {item["id"] for item in body["items"]} == {ids["A"], ids["B"], ids["H"]}
    assert body["facets"]["work_type"] == {"verification": 3}
