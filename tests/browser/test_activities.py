"""公益活动 in the browser: a practitioner finds an activity and signs up; its organizer sees the suggestions,
invites, confirms the sign-up and records attendance — and a wrong row is reported in Chinese, recording nothing."""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta

import pytest
from playwright.sync_api import Page, expect

from services import keys as api_keys
from tests.browser.conftest import log_in, screenshot
from tests.support import unique_id_card

API = "/api/v1"


def _created(response) -> dict:
    assert response.status_code in (200, 201), response.get_json()
    return response.get_json()


@pytest.fixture(scope="module")
def event(app, context):
    """An open two-day activity of one department, starting today, and two practitioners who fit it."""
    client = app.test_client()
    admin = {"X-API-Key": api_keys.create(context, "admin", "公益活动网页测试")[0]}
    department = _created(
        client.post(
            f"{API}/organizations", json={"name": "网页测试生态环境局", "kind": "government"}, headers=admin
        )
    )["id"]
    people = {}
    for name in ("网页报名人", "网页推荐人"):
        body = {"name": name, "id_card": unique_id_card(), "education": "bachelor", "region": "420100"}
        pid = _created(client.post(f"{API}/practitioners", json=body, headers=admin))["id"]
        cert = {"number": f"WEB-{uuid.uuid4().hex[:10].upper()}", "practitioner_id": pid,
                "work_type": "consulting", "level": 3, "issued_on": "2024-03-01"}  # fmt: skip
        _created(client.post(f"{API}/certificates", json=cert, headers=admin))
        people[name] = pid
    title = f"低碳日社区宣讲 {uuid.uuid4().hex[:4]}"
    body = {"title": title, "kind": "publicity", "organizer_id": department, "region": "420000", "online": False,
            "place": "武汉市社区服务中心", "starts_on": date.today().isoformat(),
            "ends_on": (date.today() + timedelta(days=1)).isoformat(), "hours": 4, "capacity": 10,
            "needs": {"work_type": "consulting"}, "description": "全国低碳日进社区宣传。"}  # fmt: skip
    activity_id = _created(client.post(f"{API}/activities", json=body, headers=admin))["id"]
    _created(client.post(f"{API}/activities/{activity_id}/status", json={"status": "open", "reason": "报名开始"},
                         headers=admin))  # fmt: skip
    return {
        "id": activity_id,
        "title": title,
        "people": people,
        "practitioner_key": api_keys.create(
            context, "practitioner", "网页报名人", practitioner_id=people["网页报名人"]
        )[0],
        "invitee_key": api_keys.create(
            context, "practitioner", "网页推荐人", practitioner_id=people["网页推荐人"]
        )[0],
        "organizer_key": api_keys.create(context, "government", "网页组织方", organization_id=department)[0],
    }


def test_a_practitioner_signs_up_and_the_organizer_confirms_invites_and_records_attendance(page: Page, browser,
                                                                                           live_server, event):  # fmt: skip
    log_in(page, event["practitioner_key"])
    page.get_by_role("navigation", name="主导航").get_by_role("link", name="公益活动").click()
    expect(page).to_have_url(re.compile(r"/activities$"))
    page.get_by_label("仅看可报名").check()
    page.get_by_role("button", name="筛选").click()
    page.get_by_role("link", name=event["title"]).click()
    expect(page.get_by_test_id("activity-status")).to_have_text("报名中")
    page.get_by_role("button", name="报名参加").click()
    expect(page.get_by_test_id("activity-done")).to_contain_text("报名成功")
    expect(page.get_by_test_id("my-participation")).to_contain_text("已报名")
    expect(page.get_by_test_id("activity-places")).to_contain_text("已报名 1 / 10")
    screenshot(page, "activity")

    organizer = browser.new_context(base_url=live_server, locale="zh-CN").new_page()
    log_in(organizer, event["organizer_key"])
    organizer.goto(f"/activities/{event['id']}")
    organizer.get_by_test_id("organizer-link").click()
    suggestions = organizer.get_by_test_id("suggestions")
    expect(suggestions).to_contain_text("网页推荐人")
    expect(suggestions).to_contain_text("持有三级碳排放咨询员证书")
    expect(suggestions).to_contain_text("based in 湖北省")
    expect(suggestions).not_to_contain_text("网页报名人")  # signed up already
    organizer.get_by_label("网页推荐人").check()
    organizer.get_by_role("button", name="邀请所选人员").click()
    expect(organizer.get_by_test_id("organizer-done")).to_contain_text("已发出邀请")
    expect(organizer.get_by_test_id("invitations")).to_contain_text("网页推荐人")
    expect(organizer.get_by_test_id("invitations")).to_contain_text("待答复")
    expect(organizer.get_by_test_id("suggestions")).not_to_contain_text("网页推荐人")

    invitee = browser.new_context(base_url=live_server, locale="zh-CN").new_page()
    log_in(invitee, event["invitee_key"])
    invitee.goto("/activities/mine")
    expect(invitee.get_by_test_id("my-invitations")).to_contain_text(event["title"])
    expect(invitee.get_by_test_id("my-invitations")).to_contain_text("待答复")
    invitee.get_by_role("link", name=event["title"]).click()
    invitee.get_by_role("button", name="谢绝邀请").click()  # without a reason
    expect(invitee.get_by_test_id("activity-error")).to_contain_text("谢绝时请说明原因")
    invitee.get_by_role("button", name="接受邀请").click()
    expect(invitee.get_by_test_id("activity-done")).to_contain_text("已接受邀请")
    expect(invitee.get_by_test_id("my-participation")).to_contain_text("已报名")
    invitee.context.close()

    signed_up = organizer.get_by_test_id("participant").filter(has_text="网页报名人")
    organizer.get_by_role("button", name="确认 网页报名人 的报名").click()
    expect(organizer.get_by_test_id("organizer-done")).to_contain_text("已确认报名")
    expect(signed_up.get_by_test_id("participant-status")).to_have_text("已确认")
    expect(organizer.get_by_test_id("participant").filter(has_text="网页推荐人")).to_contain_text("受邀")

    organizer.get_by_label("网页报名人 时长").fill("60")  # more than 24 for each of the 2 days
    organizer.get_by_role("button", name="记录出勤").click()
    expect(organizer.get_by_test_id("row-report")).to_contain_text("服务时长不能超过")
    expect(signed_up.get_by_test_id("participant-status")).to_have_text("已确认")  # nothing was recorded
    organizer.get_by_label("网页报名人 时长").fill("3.5")
    organizer.get_by_role("button", name="记录出勤").click()
    expect(organizer.get_by_test_id("organizer-done")).to_contain_text("已记录出勤")
    expect(signed_up.get_by_test_id("participant-status")).to_have_text("已参加")
    expect(signed_up).to_contain_text("3.5")
    invited = organizer.get_by_test_id("participant").filter(has_text="网页推荐人")
    expect(invited).to_contain_text("4.0")  # empty hours: the activity's hours per person
    screenshot(organizer, "activity-organizer")
    organizer.context.close()

    page.reload()
    expect(page.get_by_test_id("my-participation")).to_contain_text("已参加，服务 3.5 小时")


def test_the_organizer_page_is_closed_to_others(page: Page, event):
    log_in(page, event["practitioner_key"])
    response = page.goto(f"/activities/{event['id']}/organizer")
    assert response is not None and response.status == 403
    page.goto(f"/activities/{event['id']}")
    expect(page.get_by_test_id("organizer-link")).to_have_count(0)
