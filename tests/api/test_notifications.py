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
