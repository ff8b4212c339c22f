"""GET /me/notifications and friends per role, the channel choice, and the administrators' failed list."""

from __future__ import annotations

import pytest

from services import notifications
from tests.support import assert_problem


@pytest.fixture()
def person_key(client, admin):
    def issue(practitioner_id: str) -> dict[str, str]:
        response = client.post(
            f"/api/v1/practitioners/{practitioner_id}/keys", json={"label": "本人"}, headers=admin
        )
        assert response.status_code == 201, response.get_json()
        return {"X-API-Key": response.get_json()["key"]}

    return issue


def _notify(graph, person_id: str, number: str) -> str:
    data = {"number": number, "work_type_name": "碳排放核查员", "level_name": "二级", "expires_on": "2027-01-01",
            "days": 30}  # fmt: skip
    return graph.write(lambda tx: notifications.enqueue(tx, person_id, "certificate_expiring", data))


def test_a_practitioner_reads_their_own_notifications_and_marks_one_read(
    client, graph, new_practitioner, person_key
):
    person = new_practitioner(email="reader@example.cn")
    other = new_practitioner()
    headers = person_key(person["id"])
    mine = _notify(graph, person["id"], "API-1")
    theirs = _notify(graph, other["id"], "API-2")
    body = client.get("/api/v1/me/notifications", headers=headers).get_json()
    assert body["total"] == 1 and body["page"] == 1
    [item] = body["items"]
    assert set(item) == {"id", "kind", "channel", "title", "body", "created_at", "read_at", "delivery"}
    assert item["id"] == mine and item["read_at"] is None and item["channel"] == "email"
    assert {(d["channel"], d["status"], d["attempts"]) for d in item["delivery"]} == {
        ("in_app", "sent", 0), ("email", "pending", 0)}  # fmt: skip
    assert_problem(client.post(f"/api/v1/me/notifications/{theirs}/read", headers=headers), 404)
    read = client.post(f"/api/v1/me/notifications/{mine}/read", headers=headers)
    assert read.status_code == 200 and read.get_json()["read_at"]
    unread = client.get("/api/v1/me/notifications?unread=true", headers=headers).get_json()
    assert unread["total"] == 0


@pytest.mark.parametrize("role", ["public", "client", "government", "admin"])
def test_only_a_practitioner_has_notifications(client, as_role, role):
    response = client.get("/api/v1/me/notifications", headers=as_role(role))
    assert_problem(response, 401 if role == "public" else 403)


def test_channels_are_chosen_per_kind_and_an_invitation_cannot_be_switched_off(
    client, new_practitioner, person_key
):
    person = new_practitioner(phone="13700001234")
    headers = person_key(person["id"])
    refused = client.put("/api/v1/me/notification-channels", json={"channels": {"draw_invitation": []}},
                         headers=headers)  # fmt: skip
    assert_problem(refused, 400)
    moved = client.put("/api/v1/me/notification-channels",
                       json={"channels": {"draw_invitation": ["sms"], "exam_result": []}}, headers=headers)  # fmt: skip
    assert moved.status_code == 200, moved.get_json()
    by_kind = {i["kind"]: i for i in moved.get_json()["items"]}
    assert by_kind["draw_invitation"]["channels"] == ["sms"] and by_kind["exam_result"]["channels"] == []
    assert moved.get_json()["reachable"] == ["in_app", "sms"]
    assert_problem(client.put("/api/v1/me/notification-channels", json={"channels": {"nope": ["sms"]}},
                              headers=headers), 400)  # fmt: skip


@pytest.mark.parametrize("role", ["public", "client", "government"])
def test_failed_deliveries_are_for_administrators(client, as_role, role):
    assert_problem(
        client.get("/api/v1/notifications/failed", headers=as_role(role)), 401 if role == "public" else 403
    )


def test_an_administrator_sees_the_failed_list(client, admin):
    body = client.get("/api/v1/notifications/failed", headers=admin).get_json()
    assert {"items", "total", "page", "per_page", "by_status"} <= set(body)


def test_a_complaint_decision_reaches_the_practitioner_and_the_complainant_without_each_others_data(
    client, admin, as_role, graph, new_practitioner
):
    person = new_practitioner(name="被投诉人", email="subject@example.cn")
    body = {
        "practitioner_id": person["id"],
        "text": "报告数据与现场不符",
        "contact_email": "complainant@example.cn",
    }
    filed = client.post("/api/v1/complaints", headers=as_role("client"), json=body)
    assert filed.status_code == 201, filed.get_json()
    assert "contact_email" not in filed.get_json()
    complaint = filed.get_json()["id"]
    for status in ("investigating", "upheld"):
        decided = client.post(f"/api/v1/complaints/{complaint}/decision", headers=admin,
                              json={"status": status, "reason": "经核实，举报人张三所述属实"})  # fmt: skip
        assert decided.status_code == 200, decided.get_json()
    records, _, _ = graph.driver.execute_query(
        "MATCH (n:Notification {subject_id: $id})-[:OF]-(d:NotificationDelivery) "
        "RETURN n.kind AS kind, n.recipient_id AS to, n.body AS body, d.channel AS channel, d.address AS address",
        id=complaint,
    )
    sent = {(r["kind"], r["channel"]): r for r in records}
    assert set(sent) == {
        ("complaint_decided", "in_app"),
        ("complaint_decided", "email"),
        ("complaint_outcome", "email"),
    }
    outcome = sent[("complaint_outcome", "email")]
    assert outcome["to"] is None and outcome["address"] == "complainant@example.cn"
    assert "被投诉人" not in outcome["body"] and "成立" in outcome["body"]
    assert (
        "张三" not in sent[("complaint_decided", "in_app")]["body"]
    )  # the reason (and who complained) stays out
    rejected = client.post("/api/v1/complaints", headers=as_role("client"), json={
        "practitioner_id": person["id"], "text": "再次投诉", "contact_email": "not-an-address"})  # fmt: skip
    assert_problem(rejected, 400)
