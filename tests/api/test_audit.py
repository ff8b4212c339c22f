"""The audit trail: every change recorded with who and what (never personal values), and a provable chain."""

import pytest

from tests.support import assert_problem


def _entries(client, admin, **params) -> list[dict]:
    response = client.get("/api/v1/audit", query_string={"per_page": 100, **params}, headers=admin)
    assert response.status_code == 200, response.get_json()
    return response.get_json()["items"]


def test_registering_records_who_did_it_and_keeps_personal_values_out(client, admin, keys, new_practitioner):
    person = new_practitioner(name="审计员", phone="13900001111", region="420100")
    entries = _entries(client, admin, entity="practitioner", entity_id=person["id"])
    assert [e["action"] for e in entries] == ["register"]
    entry = entries[0]
    assert entry["actor_prefix"] == keys["admin"][:12]
    assert entry["actor_role"] == "admin"
    assert entry["request_id"]
    assert entry["changes"]["name"] == "changed"
    assert entry["changes"]["phone"] == "changed"
    assert entry["changes"]["region"] == {"before": None, "after": "420100"}
    assert "13900001111" not in str(entries) and "审计员" not in str(entries)


def test_a_person_s_history_lists_every_change_that_concerns_them(client, admin, new_practitioner, issue):
    person = new_practitioner()
    number = issue(person["id"], "verification", 2)["number"]
    client.post(f"/api/v1/certificates/{number}/suspend", json={"reason": "调查中"}, headers=admin)
    client.patch(f"/api/v1/practitioners/{person['id']}", json={"work_start_year": 2012}, headers=admin)
    response = client.get(f"/api/v1/practitioners/{person['id']}/history", headers=admin)
    assert response.status_code == 200
    actions = [(e["entity"], e["action"]) for e in response.get_json()["items"]]
    assert actions == [
        ("practitioner", "update"),
        ("certificate", "suspend"),
        ("certificate", "issue"),
        ("practitioner", "register"),
    ]
    suspend = response.get_json()["items"][1]
    assert suspend["changes"]["status"] == {"before": "valid", "after": "suspended"}
    assert suspend["changes"]["reason"] == "调查中"


def test_the_chain_verifies_and_an_edited_entry_is_found(client, admin, graph, new_practitioner):
    new_practitioner()
    check = client.get("/api/v1/audit/verify", headers=admin).get_json()
    assert check["verified"] is True and check["entries"] > 0
    records, _, _ = graph.driver.execute_query(
        "MATCH (a:AuditEntry) WITH a ORDER BY a.seq LIMIT 1 WITH a, a.action AS action SET a.action = 'forged' "
        "RETURN a.seq AS seq, action"
    )
    try:
        broken = client.get("/api/v1/audit/verify", headers=admin).get_json()
        assert broken["verified"] is False
        assert broken["first_bad_seq"] == records[0]["seq"]
    finally:
        graph.driver.execute_query(
            "MATCH (a:AuditEntry {seq: $seq}) SET a.action = $action",
            seq=records[0]["seq"],
            action=records[0]["action"],
        )
    assert client.get("/api/v1/audit/verify", headers=admin).get_json()["verified"] is True


def test_removing_the_newest_entry_is_found(client, admin, graph, new_practitioner):
    new_practitioner()
    records, _, _ = graph.driver.execute_query(
        "MATCH (a:AuditEntry) WITH a ORDER BY a.seq DESC LIMIT 1 "
        "WITH a, properties(a) AS kept, [(a)-[:ABOUT]->(p) | p.id] AS about DETACH DELETE a RETURN kept, about"
    )
    try:
        assert client.get("/api/v1/audit/verify", headers=admin).get_json()["verified"] is False
    finally:
        graph.driver.execute_query(
            "CREATE (a:AuditEntry) SET a = $kept WITH a UNWIND $about AS id MATCH (p:Practitioner {id: id}) "
            "CREATE (a)-[:ABOUT]->(p)",
            kept=records[0]["kept"],
            about=records[0]["about"],
        )
    assert client.get("/api/v1/audit/verify", headers=admin).get_json()["verified"] is True


@pytest.mark.parametrize("role", ["public", "client", "government"])
def test_only_admins_read_the_trail(client, as_role, role):
    assert_problem(client.get("/api/v1/audit", headers=as_role(role)), 401 if role == "public" else 403)
    assert_problem(
        client.get("/api/v1/audit/verify", headers=as_role(role)), 401 if role == "public" else 403
    )


def test_bad_audit_filters_are_400(client, admin):
    assert (
        "entity" in assert_problem(client.get("/api/v1/audit?entity=spaceship", headers=admin), 400)["errors"]
    )
    assert (
        "since" in assert_problem(client.get("/api/v1/audit?since=yesterday", headers=admin), 400)["errors"]
    )
