"""POST /match over HTTP: the answer's shape and reasons, explain, roles, personal data and problems.

Who is ranked, excluded and how they score is tested on the service in tests/integration/test_matching.py.
"""

import pytest

from tests.support import PII_KEYS, assert_problem, keys_in

URL = "/api/v1/match"


def keys_of(ids, items) -> list[str]:
    by_id = {value: key for key, value in ids.items() if len(key) == 1}
    return [by_id[item["practitioner"]["id"]] for item in items]


def test_the_cement_verifier_request_excludes_the_employee_and_the_recent_verifier(client, as_role, ids):
    request = {"work_type": "verification", "industry": "building_materials", "region": "420000", "min_level": 2,
               "conflict_org_id": ids["cement"], "explain": True}  # fmt: skip
    response = client.post(URL, json=request, headers=as_role("client"))
    assert response.status_code == 200
    body = response.get_json()
    assert keys_of(ids, body["items"]) == ["A"]
    assert body["total"] == 1
    excluded = {entry["id"]: entry for entry in body["excluded"]}
    assert set(excluded) == {ids["B"], ids["H"]}
    assert [c["kind"] for c in excluded[ids["B"]]["conflicts"]] == ["employment"]
    assert [c["kind"] for c in excluded[ids["H"]]["conflicts"]] == ["engagement"]
    assert excluded[ids["H"]]["conflicts"][0]["title"] == "水泥公司2024年度碳核查"


def test_match_answers_carry_no_personal_data_for_clients(client, as_role, ids):
    body = client.post(
        URL, json={"work_type": "verification", "limit": 100}, headers=as_role("client")
    ).get_json()
    assert not keys_in(body) & PII_KEYS


@pytest.mark.parametrize(
    ("request_body", "field"),
    [
        ({}, "work_type"),
        ({"work_type": "alchemy"}, "work_type"),
        ({"work_type": "verification", "min_level": 7}, "min_level"),
        ({"work_type": "verification", "limit": 0}, "limit"),
        ({"work_type": "verification", "limit": 1000}, "limit"),
        ({"work_type": "verification", "industry": "banking"}, "industry"),
        ({"work_type": "verification", "region": "999999"}, "region"),
        ({"work_type": "verification", "conflict_org_id": "acme"}, "conflict_org_id"),
    ],
    ids=str,
)
def test_bad_match_requests_are_400(client, as_role, ids, request_body, field):
    assert (
        field in assert_problem(client.post(URL, json=request_body, headers=as_role("client")), 400)["errors"]
    )


def test_match_needs_a_key(client, ids):
    assert_problem(client.post(URL, json={"work_type": "verification"}), 401)
