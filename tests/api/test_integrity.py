"""GET /integrity/findings, GET /integrity/findings/{id}, POST /integrity/findings/{id}/decision (issue 23 §4):
admin and government only, the queue's filters, the decision flow with reasons in the audit chain, a decided finding
staying decided (409), and a misconduct record opened from a confirmed finding."""

from __future__ import annotations

import pytest

from services import integrity
from tests import integrity_graph
from tests.support import assert_problem, graph_size

URL = "/api/v1/integrity/findings"
NOBODY = "00000000-0000-4000-8000-000000000000"


@pytest.fixture(scope="module")
def ids(app, as_role, context):
    planted = integrity_graph.build(app.test_client(), as_role("admin"))
    integrity.scan(context)
    return planted


def _one(client, headers, **query) -> dict:
    body = client.get(URL, query_string=query, headers=headers).get_json()
    assert body["total"] == 1, body
    return body["items"][0]


@pytest.mark.parametrize("role", ["admin", "government"])
def test_supervisors_read_the_queue_and_a_finding(client, as_role, ids, role):
    listed = client.get(URL, query_string={"person": ids["S1"]}, headers=as_role(role))
    assert listed.status_code == 200
    [finding] = listed.get_json()["items"]
    assert set(finding) >= {"id", "kind", "score", "status", "evidence", "created_at"}
    assert finding["kind"] == "signed_not_on_site" and finding["status"] == "open"
    one = client.get(f"{URL}/{finding['id']}", headers=as_role(role)).get_json()
    assert one["evidence"]["engagement_id"] == ids["E_unsigned"]
    assert [e["id"] for e in one["engagements"]] == [ids["E_unsigned"]]


@pytest.mark.parametrize(("role", "status"), [("client", 403), ("public", 401)])
def test_others_may_not_see_or_decide(client, as_role, ids, role, status):
    finding = _one(client, as_role("admin"), person=ids["S1"])
    assert_problem(client.get(URL, headers=as_role(role)), status)
    assert_problem(client.get(f"{URL}/{finding['id']}", headers=as_role(role)), status)
    decision = {"status": "dismissed", "reason": "not mine to decide"}
    assert_problem(
        client.post(f"{URL}/{finding['id']}/decision", json=decision, headers=as_role(role)), status
    )
    assert client.get(f"{URL}/{finding['id']}", headers=as_role("admin")).get_json()["status"] == "open"


def test_the_queue_filters_by_kind_status_region_person_and_organization(client, admin, ids):
    assert _one(client, admin, kind="two_places", person=ids["T1"])["evidence"]["date"] == "2025-05-10"
    assert (
        client.get(URL, query_string={"kind": "overload", "person": ids["T1"]}, headers=admin).get_json()[
            "total"
        ]
        == 0
    )
    assert _one(client, admin, kind="closed_circle", organization=ids["CC2"])["kind"] == "closed_circle"
    assert _one(client, admin, region="310000", person=ids["T1"])["kind"] == "two_places"
    assert (
        client.get(URL, query_string={"region": "440000", "person": ids["T1"]}, headers=admin).get_json()[
            "total"
        ]
        == 0
    )
    assert _one(client, admin, status="open", person=ids["O1"])["kind"] == "overload"
    assert (
        client.get(URL, query_string={"status": "confirmed", "person": ids["O1"]}, headers=admin).get_json()[
            "total"
        ]
        == 0
    )


@pytest.mark.parametrize(
    "query", [{"kind": "bribery"}, {"status": "closed"}, {"region": "999999"}, {"person": "not-a-uuid"}]
)
def test_a_bad_filter_is_400(client, admin, ids, query):
    assert_problem(client.get(URL, query_string=query, headers=admin), 400)


def test_a_finding_moves_open_reviewing_dismissed_each_step_with_its_reason_in_the_audit_chain(
    client, admin, ids
):
    finding = _one(client, admin, kind="two_places", person=ids["T1"])
    url = f"{URL}/{finding['id']}/decision"
    reviewing = client.post(
        url, json={"status": "reviewing", "reason": "asking the body for its travel records"}, headers=admin
    )
    assert reviewing.status_code == 200, reviewing.get_json()
    assert reviewing.get_json()["status"] == "reviewing"
    dismissed = client.post(
        url,
        json={"status": "dismissed", "reason": "the Shanghai visit was entered a day early"},
        headers=admin,
    )
    body = dismissed.get_json()
    assert body["status"] == "dismissed"
    assert [(d["from"], d["status"], d["reason"]) for d in body["decisions"]] == [
        ("open", "reviewing", "asking the body for its travel records"),
        ("reviewing", "dismissed", "the Shanghai visit was entered a day early"),
    ]
    entries = client.get(
        "/api/v1/audit", query_string={"entity": "finding", "entity_id": finding["id"]}, headers=admin
    ).get_json()["items"]
    reasons = {e["changes"]["reason"] for e in entries}
    assert reasons == {"asking the body for its travel records", "the Shanghai visit was entered a day early"}


def test_a_decided_finding_stays_decided_409_and_nothing_changes(client, admin, graph, ids):
    finding = _one(client, admin, kind="familiar_pair", person=ids["F1"])
    url = f"{URL}/{finding['id']}/decision"
    assert (
        client.post(
            url, json={"status": "confirmed", "reason": "three years running"}, headers=admin
        ).status_code
        == 200
    )
    before = graph_size(graph)
    for status in ("reviewing", "confirmed", "dismissed"):
        assert_problem(client.post(url, json={"status": status, "reason": "again"}, headers=admin), 409)
    assert graph_size(graph) == before
    assert client.get(f"{URL}/{finding['id']}", headers=admin).get_json()["status"] == "confirmed"


def test_reviewing_twice_is_409(client, admin, ids):
    finding = _one(client, admin, kind="overload", person=ids["O1"])
    url = f"{URL}/{finding['id']}/decision"
    assert (
        client.post(url, json={"status": "reviewing", "reason": "looking"}, headers=admin).status_code == 200
    )
    assert_problem(
        client.post(url, json={"status": "reviewing", "reason": "still looking"}, headers=admin), 409
    )


def test_an_unknown_finding_is_404(client, admin, ids):
    assert_problem(client.get(f"{URL}/{NOBODY}", headers=admin), 404)
    decision = {"status": "dismissed", "reason": "no such thing"}
    assert_problem(client.post(f"{URL}/{NOBODY}/decision", json=decision, headers=admin), 404)


@pytest.mark.parametrize(
    "body",
    [
        {"status": "dismissed"},
        {"status": "dismissed", "reason": "   "},
        {"status": "open", "reason": "back to the start"},
        {"status": "reviewing", "reason": "a look", "open_misconduct": True},
    ],
)
def test_a_decision_without_a_reason_or_with_a_bad_status_is_400_and_changes_nothing(
    client, admin, graph, ids, body
):
    finding = _one(client, admin, kind="signed_not_on_site", person=ids["S1"])
    before = graph_size(graph)
    assert_problem(client.post(f"{URL}/{finding['id']}/decision", json=body, headers=admin), 400)
    assert graph_size(graph) == before
    assert client.get(f"{URL}/{finding['id']}", headers=admin).get_json()["status"] == "open"


def test_a_confirmed_finding_opens_a_misconduct_record_linked_to_it(client, admin, ids):
    finding = _one(client, admin, kind="signed_not_on_site", person=ids["S1"])
    decision = {
        "status": "confirmed",
        "reason": "signed the 2025 report, never on site",
        "open_misconduct": True,
    }
    answer = client.post(f"{URL}/{finding['id']}/decision", json=decision, headers=admin)
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    [record_id] = body["misconduct_record_ids"]
    assert body["decisions"][-1]["misconduct_record_id"] == record_id
    record = client.get(f"/api/v1/records/{record_id}", headers=admin).get_json()
    assert record["practitioner_id"] == ids["S1"]
    assert record["category"] == "data_falsification"
    assert record["origin"] == "integrity_finding"
    assert finding["id"] in record["evidence"]


def test_a_circle_needs_the_person_named_for_a_misconduct_record(client, admin, ids):
    finding = _one(client, admin, kind="closed_circle", organization=ids["CP"])
    url = f"{URL}/{finding['id']}/decision"
    decision = {"status": "confirmed", "reason": "a closed circle", "open_misconduct": True}
    assert_problem(client.post(url, json=decision, headers=admin), 400)
    named = client.post(url, json=decision | {"practitioner_id": ids["CV1"]}, headers=admin)
    assert named.status_code == 200, named.get_json()
    record = client.get(
        f"/api/v1/records/{named.get_json()['misconduct_record_ids'][0]}", headers=admin
    ).get_json()
    assert record["practitioner_id"] == ids["CV1"] and record["category"] == "undisclosed_conflict"


def test_a_government_key_confirms_but_leaves_the_misconduct_record_to_an_administrator(
    client, as_role, graph, ids
):
    finding = _one(client, as_role("admin"), kind="familiar_pair", organization=ids["FP"])
    url = f"{URL}/{finding['id']}/decision"
    decision = {"status": "confirmed", "reason": "three years running", "open_misconduct": True}
    before = graph_size(graph)
    assert_problem(client.post(url, json=decision, headers=as_role("government")), 403)
    assert graph_size(graph) == before
    confirmed = client.post(url, json=decision | {"open_misconduct": False}, headers=as_role("government"))
    assert confirmed.status_code == 200 and confirmed.get_json()["misconduct_record_ids"] == []
