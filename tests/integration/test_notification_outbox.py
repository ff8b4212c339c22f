"""The notification outbox on the real graph: written with the event, or not at all."""

from __future__ import annotations

import pytest

from services import notifications, practitioners
from tests.support import unique_id_card


class Boom(Exception):
    pass


@pytest.fixture()
def person(context) -> str:
    registered = practitioners.register(
        context,
        {
            "name": "通知测试",
            "id_card": unique_id_card(),
            "email": "notify@example.cn",
            "phone": "13800138000",
        },
    )
    return registered["id"]


def _count(graph, person_id: str) -> int:
    records, _, _ = graph.driver.execute_query(
        "MATCH (n:Notification {recipient_id: $id}) RETURN count(n) AS n", id=person_id
    )
    return records[0]["n"]


def _expiry(number: str) -> dict:
    return {"number": number, "work_type_name": "碳排放核查员", "level_name": "二级", "expires_on": "2027-01-01",
            "days": 30}  # fmt: skip


def test_a_rolled_back_transaction_leaves_no_notification(graph, person):
    def work(tx):
        notifications.enqueue(tx, person, "certificate_expiring", _expiry("N-1"))
        raise Boom

    with pytest.raises(Boom):
        graph.write(work)
    assert _count(graph, person) == 0


def test_a_committed_notification_has_a_delivery_per_chosen_channel(graph, context, person):
    written = graph.write(
        lambda tx: notifications.enqueue(tx, person, "draw_invitation", {
            "purpose_name": "专家评审组", "role_name": "评审专家", "panel_date": None, "deadline": "2027-01-01",
            "project_line": "", "accept_url": "http://x/a", "decline_url": "http://x/d"})
    )  # fmt: skip
    page = notifications.of_practitioner(context, person, 1, 20)
    assert page.total == 1 and page.items[0]["id"] == written
    item = page.items[0]
    assert item["kind"] == "draw_invitation" and "专家评审组" in item["title"]
    statuses = {d["channel"]: d["status"] for d in item["delivery"]}
    assert statuses == {"in_app": "sent", "email": "pending", "sms": "pending"}
    assert notifications.unread_count(context, person) == 1
    notifications.mark_read(context, person, written)
    assert notifications.unread_count(context, person) == 0


def test_a_notification_with_a_ref_is_written_once(graph, person):
    for _ in range(2):
        graph.write(
            lambda tx: notifications.enqueue(tx, person, "certificate_expiring", _expiry("N-2"), ref="r:N-2")
        )
    assert _count(graph, person) == 1


def test_a_kind_switched_off_is_not_written_and_an_invitation_cannot_be(graph, context, person):
    notifications.set_preferences(context, person, {"certificate_expiring": []})
    graph.write(lambda tx: notifications.enqueue(tx, person, "certificate_expiring", _expiry("N-3")))
    assert _count(graph, person) == 0
    with pytest.raises(notifications.ValidationFailed):
        notifications.set_preferences(context, person, {"draw_invitation": []})
