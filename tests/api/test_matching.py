"""POST /match over the fixed registry: hard filters, conflicts of interest, the documented score, determinism."""

from dataclasses import replace

import pytest

from registry.matching import MatchRequest
from services.matching import match
from tests.api import fixed_graph
from tests.support import PII_KEYS, assert_problem, keys_in

URL = "/api/v1/match"


@pytest.fixture(scope="module")
def ids(app, graph, keys):
    fixed_graph.wipe_registry(graph)
    return fixed_graph.build(app.test_client(), {"X-API-Key": keys["admin"]})


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


def test_an_engagement_outside_the_window_is_allowed_and_scores_follow_the_documented_table(
    client, as_role, ids
):
    request = {"work_type": "verification", "industry": "building_materials", "region": "420000", "min_level": 3,
               "conflict_org_id": ids["cement"]}  # fmt: skip
    body = client.post(URL, json=request, headers=as_role("client")).get_json()
    assert keys_of(ids, body["items"]) == ["A", "C"]
    a, c = body["items"]
    # A: level 2 (30) + 1 cement-industry verification (6) + 1 in Hubei (3) + based in Hubei (10)
    #    + last verification ended 150 days ago (10) + 1 verification specialty (3) + CCAA verifier (4)
    assert a["score_breakdown"] == {"level": 30, "industry_engagements": 6, "region_engagements": 3,
                                    "based_in_region": 10, "recency": 10, "specialties": 3, "qualifications": 4}  # fmt: skip
    assert a["score"] == 66
    # C: level 3 (20) + the 5-year-old cement verification (6) + in Hubei (3); too old for recency points
    assert c["score_breakdown"] == {"level": 20, "industry_engagements": 6, "region_engagements": 3}
    assert c["score"] == 29
    assert any("持有二级碳排放核查员证书" in reason for reason in a["reasons"])
    assert any("1 completed verification engagements in 建材" in reason for reason in a["reasons"])
    assert "excluded" not in body


def test_without_a_conflict_organization_everyone_qualified_is_ranked(client, as_role, ids):
    body = client.post(
        URL, json={"work_type": "verification", "limit": 100}, headers=as_role("government")
    ).get_json()
    assert set(keys_of(ids, body["items"])) == set("ABCHJ")
    scores = [item["score"] for item in body["items"]]
    assert scores == sorted(scores, reverse=True)


def test_suspended_and_expired_certificates_never_qualify(client, as_role, ids):
    body = client.post(URL, json={"work_type": "verification", "region": "420100", "limit": 100},
                       headers=as_role("client")).get_json()  # fmt: skip
    assert not set(keys_of(ids, body["items"])) & {"D", "E"}
    revoked = client.post(URL, json={"work_type": "trading"}, headers=as_role("client")).get_json()
    assert revoked["items"] == []


def test_the_same_request_gives_the_same_order(client, as_role, ids):
    request = {"work_type": "verification", "industry": "steel", "limit": 100}
    first = client.post(URL, json=request, headers=as_role("client")).get_json()
    second = client.post(URL, json=request, headers=as_role("client")).get_json()
    assert [i["practitioner"]["id"] for i in first["items"]] == [
        i["practitioner"]["id"] for i in second["items"]
    ]
    assert keys_of(ids, first["items"])[0] == "A"  # three steel verifications


def test_the_conflict_window_is_configurable(context, ids):
    request = MatchRequest(work_type="verification", min_level=2, conflict_org_id=ids["cement"], limit=100)
    three_years = match(
        replace(context, settings=replace(context.settings, conflict_window_years=3)), request
    )
    one_year = match(replace(context, settings=replace(context.settings, conflict_window_years=1)), request)
    assert ids["H"] in {e["id"] for e in three_years.excluded}
    assert ids["H"] in {
        s.candidate.id for s, _ in one_year.ranked
    }  # the 2-year-old engagement no longer counts
    assert ids["B"] in {e["id"] for e in one_year.excluded}  # current employment always does


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
