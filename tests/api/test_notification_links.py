"""The answer links of invitation messages in the portal, without logging in: accept in one click, decline with a
reason, and a link used twice, edited or expired opens a clear page and changes nothing.

The pool: two level-2 aviation experts in 新疆 (650000), a region and work type no other suite draws from.
"""

from __future__ import annotations

import re
import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from services import certificates, draws, notification_links, notifications, practitioners
from tests.support import unique_id_card

REGION = "650000"


@pytest.fixture(scope="module")
def pool(context) -> list[str]:
    ids = []
    for index in range(2):
        person = practitioners.register(context, {
            "name": f"链接专家{index}", "id_card": unique_id_card(), "region": REGION, "education": "master",
            "email": f"link{index}@example.cn"})["id"]  # fmt: skip
        certificates.issue(context, {
            "number": f"NL-{uuid.uuid4().hex[:10].upper()}", "practitioner_id": person, "work_type": "aviation",
            "level": 2, "issued_on": date(2023, 1, 1)})  # fmt: skip
        ids.append(person)
    return ids


def _invitation(context, year_offset: int) -> tuple[dict, str, str]:
    """A new draw, its invited expert and the body of the invitation they were sent; `year_offset` gives the panel a
    year no other suite draws in (test_draw_screen uses +40 to +42, test_draw_pool +45, test_draws_at_once +47)."""
    view = draws.create(context, {
        "purpose": "standard_drafting", "title": "民航碳排放标准编写", "work_type": "aviation", "min_level": 2,
        "region": REGION, "size": 1, "reserves": 1, "exclusions": [],
        "panel_date": date(date.today().year + year_offset, 5, 1)})  # fmt: skip
    expert = next(s["practitioner"]["id"] for s in view["seats"] if s["status"] == "invited")
    sent = notifications.of_practitioner(context, expert, 1, 100).items
    body = next(
        n["body"]
        for n in sent
        if n["kind"] == "draw_invitation" and _draw_of(n["body"], context) == view["id"]
    )
    return view, expert, body


def _draw_of(body: str, context) -> str:
    return notification_links.read(context, _path(body, "accept").rsplit("/", 1)[1]).draw_id


def _path(body: str, action: str) -> str:
    return re.search(rf"https?://[^/\s]+(/n/{action}/\S+)", body).group(1)


def _status(context, draw_id: str, expert: str) -> str:
    return next(
        s["status"] for s in draws.get(context, draw_id)["seats"] if s["practitioner"]["id"] == expert
    )


def test_accept_is_one_click_and_the_same_link_again_changes_nothing(client, context, pool):
    view, expert, body = _invitation(context, 63)
    first = client.get(_path(body, "accept"))
    assert first.status_code == 200 and "已接受邀请" in first.get_data(as_text=True)
    assert first.headers["Cache-Control"] == "no-store" and first.headers["Referrer-Policy"] == "no-referrer"
    assert _status(context, view["id"], expert) == "accepted"
    events = len(draws.get(context, view["id"])["events"])
    again = client.get(_path(body, "accept"))
    assert again.status_code == 409 and "已经答复过" in again.get_data(as_text=True)
    declined = client.get(_path(body, "decline"))
    assert declined.status_code == 409
    assert len(draws.get(context, view["id"])["events"]) == events


def test_decline_asks_a_reason_then_records_it(client, context, pool):
    view, expert, body = _invitation(context, 64)
    page = client.get(_path(body, "decline"))
    html = page.get_data(as_text=True)
    assert page.status_code == 200 and "评审时间冲突" in html and "民航碳排放标准编写" in html
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', html).group(1)
    no_reason = client.post(_path(body, "decline"), data={"csrf_token": csrf})
    assert no_reason.status_code == 400 and _status(context, view["id"], expert) == "invited"
    assert (
        client.post(_path(body, "decline"), data={"reason": "身体原因"}).status_code == 400
    )  # no CSRF token
    done = client.post(_path(body, "decline"), data={"csrf_token": csrf, "reason": "身体原因"})
    assert done.status_code == 200 and "已谢绝邀请" in done.get_data(as_text=True)
    seat = next(s for s in draws.get(context, view["id"])["seats"] if s["practitioner"]["id"] == expert)
    assert seat["status"] == "declined" and seat["reason"] == "身体原因"


def test_an_edited_or_expired_link_opens_a_clear_page_and_changes_nothing(client, context, pool):
    view, expert, body = _invitation(context, 65)
    path = _path(body, "accept")
    edited = path[:-3] + ("abc" if not path.endswith("abc") else "xyz")
    response = client.get(edited)
    assert response.status_code == 400 and "链接无效" in response.get_data(as_text=True)
    late = notification_links.token(context, view["id"], expert, datetime.now(UTC) - timedelta(minutes=1))
    for action in ("accept", "decline"):
        expired = client.get(f"/n/{action}/{late}")
        assert expired.status_code == 410 and "链接已过期" in expired.get_data(as_text=True)
    assert client.get("/n/accept/" + "x" * 500).status_code == 400
    assert _status(context, view["id"], expert) == "invited"


def _visitor(app, key: str):
    browser = app.test_client()
    form = browser.get("/login").get_data(as_text=True)
    csrf = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    assert browser.post("/login", data={"key": key, "csrf_token": csrf}).status_code == 302
    return browser


def test_administrators_see_failed_deliveries_in_the_portal_and_others_do_not(app, keys, graph):
    graph.driver.execute_query(
        "CREATE (n:Notification {id: randomUUID(), ref: randomUUID(), kind: 'exam_result', recipient_id: null, "
        "title: 't', body: 'b', created_at: datetime()})"
        "<-[:OF]-(:NotificationDelivery {id: randomUUID(), channel: 'email', status: 'failed', attempts: 5, "
        "attempted_at: [datetime()], attempt_errors: ['SMTP 451']})"
    )
    admin = _visitor(app, keys["admin"])
    home = admin.get("/admin").get_data(as_text=True)
    assert re.search(r"\d+ 条发送失败", home)
    failed = admin.get("/admin/notifications")
    assert failed.status_code == 200 and "SMTP 451" in failed.get_data(as_text=True)
    assert _visitor(app, keys["client"]).get("/admin/notifications").status_code == 403
