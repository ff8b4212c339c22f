"""Issuing certificates and their lifecycle; the pools follow in the same transaction."""

from dataclasses import replace
from datetime import date, timedelta

import pytest

from services import certificates, practitioners, search
from tests.support import assert_problem, graph_size

URL = "/api/v1/certificates"


def _pools(client, admin, person_id: str) -> list[str]:
    return client.get(f"/api/v1/practitioners/{person_id}", headers=admin).get_json()["pools"]


def test_a_level_2_certificate_puts_its_holder_in_the_expert_pool(client, admin, new_practitioner, issue):
    person = new_practitioner()
    certificate = issue(person["id"], "verification", 2)
    assert certificate["status"] == "valid"
    assert certificate["holder"]["id"] == person["id"]
    assert certificate["issuer"]["name"] == "中国石油和化学工业联合会"
    assert certificate["work_type_name_zh"] == "碳排放核查员"
    assert _pools(client, admin, person["id"]) == ["expert"]


def test_a_level_4_and_a_level_2_certificate_give_both_pools(client, admin, new_practitioner, issue):
    person = new_practitioner()
    issue(person["id"], "monitoring", 4)
    issue(person["id"], "verification", 2)
    assert _pools(client, admin, person["id"]) == ["talent", "expert"]


def test_membership_records_since_and_the_granting_certificate(client, admin, graph, new_practitioner, issue):
    person = new_practitioner()
    certificate = issue(person["id"], "accounting", 3)
    records, _, _ = graph.driver.execute_query(
        "MATCH (:Practitioner {id: $id})-[m:MEMBER_OF]->(p:Pool) RETURN p.code AS pool, m.via AS via, m.since AS since",
        id=person["id"],
    )
    assert [(r["pool"], r["via"]) for r in records] == [("talent", certificate["number"])]
    assert records[0]["since"] is not None


def test_suspending_removes_the_pool_and_reinstating_restores_it(client, admin, new_practitioner, issue):
    person = new_practitioner()
    number = issue(person["id"], "verification", 2)["number"]
    suspended = client.post(f"{URL}/{number}/suspend", json={"reason": "调查中"}, headers=admin)
    assert suspended.status_code == 200
    assert suspended.get_json()["status"] == "suspended"
    assert suspended.get_json()["status_reason"] == "调查中"
    assert _pools(client, admin, person["id"]) == []
    reinstated = client.post(f"{URL}/{number}/reinstate", json={"reason": "调查结束"}, headers=admin)
    assert reinstated.get_json()["status"] == "valid"
    assert _pools(client, admin, person["id"]) == ["expert"]


def test_revoking_the_only_level_2_certificate_leaves_the_expert_pool(
    client, admin, graph, new_practitioner, issue
):
    person = new_practitioner()
    issue(person["id"], "monitoring", 4)
    number = issue(person["id"], "verification", 2)["number"]
    response = client.post(f"{URL}/{number}/revoke", json={"reason": "伪造材料"}, headers=admin)
    assert response.get_json()["status"] == "revoked"
    assert _pools(client, admin, person["id"]) == ["talent"]
    records, _, _ = graph.driver.execute_query(
        "MATCH (:Practitioner {id: $id})-[w:WAS_MEMBER_OF]->(:Pool {code: 'expert'}) RETURN w.via AS via, w.until AS until",
        id=person["id"],
    )
    assert [r["via"] for r in records] == [number]  # the ended membership is kept as history
    assert records[0]["until"] is not None


def test_revocation_is_final(client, admin, new_practitioner, issue):
    number = issue(new_practitioner()["id"], "trading", 3)["number"]
    client.post(f"{URL}/{number}/revoke", json={"reason": "r"}, headers=admin)
    for action in ("reinstate", "suspend", "revoke"):
        body = assert_problem(
            client.post(f"{URL}/{number}/{action}", json={"reason": "again"}, headers=admin), 409
        )
        assert "final" in body["detail"]


def test_suspending_a_suspended_certificate_is_a_409(client, admin, new_practitioner, issue):
    number = issue(new_practitioner()["id"], "trading", 3)["number"]
    client.post(f"{URL}/{number}/suspend", json={"reason": "r"}, headers=admin)
    assert_problem(client.post(f"{URL}/{number}/suspend", json={"reason": "r"}, headers=admin), 409)


def test_every_change_is_kept_with_its_reason_and_time(client, admin, new_practitioner, issue):
    number = issue(new_practitioner()["id"], "consulting", 2)["number"]
    client.post(f"{URL}/{number}/suspend", json={"reason": "投诉待查"}, headers=admin)
    client.post(f"{URL}/{number}/reinstate", json={"reason": "投诉不成立"}, headers=admin)
    client.post(f"{URL}/{number}/revoke", json={"reason": "违规执业"}, headers=admin)
    history = client.get(f"{URL}/{number}", headers=admin).get_json()["history"]
    assert [(e["action"], e["to_status"], e.get("reason")) for e in history] == [
        ("issue", "valid", None),
        ("suspend", "suspended", "投诉待查"),
        ("reinstate", "valid", "投诉不成立"),
        ("revoke", "revoked", "违规执业"),
    ]
    assert all(e["at"] for e in history)


def test_a_lifecycle_change_needs_a_reason(client, admin, graph, new_practitioner, issue):
    number = issue(new_practitioner()["id"], "consulting", 2)["number"]
    before = graph_size(graph)
    body = assert_problem(client.post(f"{URL}/{number}/suspend", json={}, headers=admin), 400)
    assert "reason" in body["errors"]
    assert graph_size(graph) == before


def test_a_duplicate_number_is_a_409_and_writes_nothing(client, admin, graph, new_practitioner, issue):
    person = new_practitioner()
    number = issue(person["id"])["number"]
    before = graph_size(graph)
    body = {"number": number, "practitioner_id": person["id"], "work_type": "monitoring", "level": 4,
            "issued_on": "2024-01-01"}  # fmt: skip
    assert_problem(client.post(URL, json=body, headers=admin), 409)
    assert graph_size(graph) == before


@pytest.mark.parametrize(
    ("change", "field"),
    [
        ({"work_type": "astrology"}, "work_type"),
        ({"level": 7}, "level"),
        ({"level": "2"}, "level"),
        ({"issued_on": "2024-02-30"}, "issued_on"),
        ({"issued_on": "yesterday"}, "issued_on"),
        ({"issued_on": (date.today() + timedelta(days=3)).isoformat()}, "issued_on"),
        ({"expires_on": "2024-01-01"}, "expires_on"),
        ({"number": "no spaces allowed"}, "number"),
        ({"number": "x" * 41}, "number"),
        ({"practitioner_id": "00000000-0000-4000-8000-000000000000"}, "practitioner_id"),
        ({"issuer_id": "00000000-0000-4000-8000-000000000000"}, "issuer_id"),
    ],
    ids=lambda v: str(v)[:30],
)
def test_bad_certificates_are_400_and_write_nothing(client, admin, graph, new_practitioner, change, field):
    person = new_practitioner()
    body = {"number": "T-BAD-0001", "practitioner_id": person["id"], "work_type": "verification", "level": 2,
            "issued_on": "2024-03-01"} | change  # fmt: skip
    before = graph_size(graph)
    problem = assert_problem(client.post(URL, json=body, headers=admin), 400)
    assert field in problem["errors"]
    assert graph_size(graph) == before


def test_unknown_certificate_is_404(client, admin):
    assert_problem(client.get(f"{URL}/NO-SUCH-1", headers=admin), 404)
    assert_problem(client.post(f"{URL}/NO-SUCH-1/revoke", json={"reason": "x"}, headers=admin), 404)


def test_an_expired_certificate_gives_no_pool_and_reads_as_expired(client, admin, new_practitioner, issue):
    person = new_practitioner()
    certificate = issue(person["id"], "verification", 2, issued_on="2019-01-01", expires_on="2023-01-01")
    assert certificate["status"] == "expired"
    assert _pools(client, admin, person["id"]) == []


def test_a_membership_lapses_on_reads_before_the_expiry_job_runs(
    context, client, admin, new_practitioner, issue
):
    person = new_practitioner()
    expires = date.today() + timedelta(days=400)  # beyond what the expiry-job test expires
    number = issue(person["id"], "verification", 1, expires_on=expires.isoformat())["number"]
    later = expires + timedelta(days=1)
    assert certificates.get(replace(context, today=later), number)["status"] == "expired"
    assert practitioners.get(replace(context, today=later), person["id"])["pools"] == []
    assert practitioners.get(replace(context, today=expires), person["id"])["pools"] == ["expert"]


def test_the_expiry_job_marks_expired_certificates_and_updates_pools(
    app, graph, context, new_practitioner, issue
):
    person = new_practitioner()
    expires = date.today() + timedelta(days=30)
    number = issue(person["id"], "accounting", 4, expires_on=expires.isoformat())["number"]
    later = expires + timedelta(days=1)
    talent_before = {p["code"]: p["members"] for p in search.pool_sizes(context)}["talent"]
    result = app.test_cli_runner().invoke(
        args=["registry", "expire-certificates", "--as-of", later.isoformat()]
    )
    assert result.exit_code == 0, result.output
    assert "expired" in result.output
    view = certificates.get(replace(context, today=later), number)
    assert view["status"] == "expired"
    assert view["history"][-1]["action"] == "expire"
    records, _, _ = graph.driver.execute_query(
        "MATCH (:Practitioner {id: $id})-[m:MEMBER_OF]->() RETURN count(m) AS n", id=person["id"]
    )
    assert records[0]["n"] == 0
    assert {p["code"]: p["members"] for p in search.pool_sizes(context)}["talent"] == talent_before - 1


def test_a_number_with_a_trailing_newline_is_refused(client, admin, new_practitioner):
    body = {"number": "ABCD-1\n", "practitioner_id": new_practitioner()["id"], "work_type": "verification",
            "level": 2, "issued_on": "2024-01-01"}  # fmt: skip
    assert "number" in assert_problem(client.post(URL, json=body, headers=admin), 400)["errors"]


def test_a_lapsed_membership_ends_in_history_on_its_last_valid_day(app, graph, new_practitioner, issue):
    person = new_practitioner()
    expires = date.today() + timedelta(days=40)
    issue(person["id"], "monitoring", 3, expires_on=expires.isoformat())
    later = expires + timedelta(days=5)
    app.test_cli_runner().invoke(args=["registry", "expire-certificates", "--as-of", later.isoformat()])
    records, _, _ = graph.driver.execute_query(
        "MATCH (:Practitioner {id: $id})-[w:WAS_MEMBER_OF]->(:Pool {code: 'talent'}) RETURN w.until AS until",
        id=person["id"],
    )
    assert [r["until"].to_native() for r in records] == [expires]
