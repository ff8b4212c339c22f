"""The 公益活动 pages through the Flask client: what anyone sees, what a filter keeps, what only the organizer
reaches, and a sign-up refused in Chinese."""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta

import pytest

from services import keys as api_keys
from tests.support import unique_id_card

API = "/api/v1"


def visitor(app, key: str | None = None):
    """A browser on the portal: anonymous, or logged in with `key`."""
    browser = app.test_client()
    if key is not None:
        form = browser.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
        assert browser.post("/login", data={"key": key, "csrf_token": token}).status_code == 302
    return browser


def csrf(page: str) -> str:
    return re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)


@pytest.fixture(scope="module")
def listed(app, context):
    """One department's activities: open (a lecture), completed (publicity), draft, and a full one."""
    client = app.test_client()
    admin = {"X-API-Key": api_keys.create(context, "admin", "公益活动页面测试")[0]}
    body = {"name": f"页面测试生态环境局{uuid.uuid4().hex[:4]}", "kind": "government"}
    department = client.post(f"{API}/organizations", json=body, headers=admin).get_json()["id"]
    tag = uuid.uuid4().hex[:6]
    today = date.today()

    def activity(name: str, kind: str, statuses: list[str], capacity: int = 10, starts: date = today) -> str:
        body = {"title": f"{name}{tag}", "kind": kind, "organizer_id": department, "region": "650000",
                "online": True, "starts_on": starts.isoformat(), "ends_on": starts.isoformat(), "hours": 2,
                "capacity": capacity}  # fmt: skip
        response = client.post(f"{API}/activities", json=body, headers=admin)
        assert response.status_code == 201, response.get_json()
        activity_id = response.get_json()["id"]
        for status in statuses:
            answer = client.post(f"{API}/activities/{activity_id}/status", json={"status": status, "reason": "测试"},
                                 headers=admin)  # fmt: skip
            assert answer.status_code == 200, answer.get_json()
        return activity_id

    ids = {
        "open": activity("社区讲座", "lecture", ["open"], starts=today + timedelta(days=5)),
        "completed": activity("低碳日宣传", "publicity", ["open", "closed", "completed"], starts=today),
        "draft": activity("草稿活动", "other", []),
        "full": activity("满员活动", "lecture", ["open"], capacity=1, starts=today + timedelta(days=5)),
    }
    people = []
    for name in ("页面报名甲", "页面报名乙"):
        person = {"name": name, "id_card": unique_id_card(), "education": "bachelor"}
        people.append(client.post(f"{API}/practitioners", json=person, headers=admin).get_json()["id"])
    keys = [api_keys.create(context, "practitioner", "页面报名", practitioner_id=p)[0] for p in people]
    taken = client.post(
        f"{API}/me/activities", json={"activity_id": ids["full"]}, headers={"X-API-Key": keys[0]}
    )
    assert taken.status_code == 201, taken.get_json()
    return {"tag": tag, "ids": ids, "latecomer": keys[1], "department": department}


def test_anyone_sees_open_and_completed_activities_and_never_a_draft(app, listed):
    page = visitor(app).get("/activities?kind=&region=650000").get_data(as_text=True)
    assert f"社区讲座{listed['tag']}" in page and f"低碳日宣传{listed['tag']}" in page
    assert f"草稿活动{listed['tag']}" not in page
    assert "公益讲座" in page and "宣传活动" in page and "已完成" in page
    assert visitor(app).get(f"/activities/{listed['ids']['draft']}").status_code == 404


def test_filters_keep_the_kind_and_what_is_open_for_sign_up(app, listed):
    lectures = visitor(app).get("/activities?kind=lecture&region=650000").get_data(as_text=True)
    assert f"社区讲座{listed['tag']}" in lectures and f"低碳日宣传{listed['tag']}" not in lectures
    open_now = visitor(app).get("/activities?open_for_sign_up=true&region=650000").get_data(as_text=True)
    assert f"社区讲座{listed['tag']}" in open_now
    assert f"满员活动{listed['tag']}" not in open_now  # no place left
    assert f"低碳日宣传{listed['tag']}" not in open_now


def test_a_bad_filter_is_a_400_page_in_chinese(app):
    response = visitor(app).get("/activities?from=2026-13-40")
    assert response.status_code == 400
    assert "请输入有效日期" in response.get_data(as_text=True)


def test_a_sign_up_for_a_full_activity_is_refused_in_chinese_and_changes_nothing(app, listed):
    browser = visitor(app, listed["latecomer"])
    page = browser.get(f"/activities/{listed['ids']['full']}").get_data(as_text=True)
    assert "报名参加" in page and "已报名 1 / 1" in page
    response = browser.post(f"/activities/{listed['ids']['full']}/sign-up", data={"csrf_token": csrf(page)})
    assert response.status_code == 409
    text = response.get_data(as_text=True)
    assert "活动名额已满" in text and "已报名 1 / 1" in text


def test_the_organizer_page_needs_the_organizer(app, context, listed):
    url = f"/activities/{listed['ids']['open']}/organizer"
    assert visitor(app).get(url).status_code == 302  # to the login page
    assert visitor(app, listed["latecomer"]).get(url).status_code == 403
    other = api_keys.create(context, "government", "另一部门")[0]
    assert visitor(app, other).get(url).status_code == 403
    own = api_keys.create(context, "government", "本部门", organization_id=listed["department"])[0]
    page = visitor(app, own).get(url)
    assert page.status_code == 200 and "推荐人员" in page.get_data(as_text=True)


def test_a_practitioner_turns_activity_invitations_off_and_on_from_my_activities(app, listed):
    browser = visitor(app, listed["latecomer"])
    me = {"X-API-Key": listed["latecomer"]}
    page = browser.get("/activities/mine").get_data(as_text=True)
    assert 'name="contact_for_activities" checked' in page
    response = browser.post("/activities/mine/contact", data={"csrf_token": csrf(page)})  # the box unticked
    assert response.status_code == 302
    assert app.test_client().get(f"{API}/me", headers=me).get_json()["contact_for_activities"] is False
    page = browser.get("/activities/mine?done=contact_off").get_data(as_text=True)
    assert "不会再向您推荐或邀请" in page and 'name="contact_for_activities" checked' not in page
    browser.post("/activities/mine/contact", data={"csrf_token": csrf(page), "contact_for_activities": "on"})
    assert app.test_client().get(f"{API}/me", headers=me).get_json()["contact_for_activities"] is True


def test_an_activity_invitation_is_listed_on_my_record_and_accepted_from_there(app, context, listed):
    client = app.test_client()
    admin = {"X-API-Key": api_keys.create(context, "admin", "邀请测试")[0]}
    person = {"name": "页面受邀丙", "id_card": unique_id_card(), "education": "bachelor"}
    pid = client.post(f"{API}/practitioners", json=person, headers=admin).get_json()["id"]
    key = api_keys.create(context, "practitioner", "页面受邀", practitioner_id=pid)[0]
    invited = client.post(f"{API}/activities/{listed['ids']['open']}/invitations", json={"practitioner_ids": [pid]},
                          headers=admin)  # fmt: skip
    assert invited.status_code == 200, invited.get_json()
    browser = visitor(app, key)
    page = browser.get("/me").get_data(as_text=True)
    assert f"社区讲座{listed['tag']}" in page and "待答复" in page
    answered = browser.post(f"/activities/{listed['ids']['open']}/invitation",
                            data={"csrf_token": csrf(page), "response": "accepted"})  # fmt: skip
    assert answered.status_code == 302
    mine = client.get(f"{API}/me/invitations", headers={"X-API-Key": key}).get_json()["items"]
    assert [(i["kind"], i["status"]) for i in mine] == [("activity", "accepted")]
    assert "已接受" in browser.get("/me").get_data(as_text=True)
