"""Public-welfare activities (issue 25), per role: publish, list, status, invitations, sign-up, confirmation,
attendance — bad input a 4xx that changes nothing."""

from __future__ import annotations

import io
import uuid
from datetime import date, timedelta

import pytest

from tests.support import assert_problem, graph_size

TODAY = date.today()
PAST = TODAY - timedelta(days=3)


def _key(app, *args: str) -> dict[str, str]:
    result = app.test_cli_runner().invoke(args=["registry", "create-key", *args, "--label", "activities"])
    assert result.exit_code == 0, result.output
    return {"X-API-Key": result.stdout.strip().splitlines()[-1]}


@pytest.fixture()
def department(app, client, admin):
    """A government department with a government key bound to it, and another department's key."""
    org = client.post(
        "/api/v1/organizations", json={"name": "生态环境局", "kind": "government"}, headers=admin
    )
    other = client.post(
        "/api/v1/organizations", json={"name": "发展改革委", "kind": "government"}, headers=admin
    )
    org_id, other_id = org.get_json()["id"], other.get_json()["id"]
    return {
        "id": org_id,
        "key": _key(app, "--role", "government", "--organization", org_id),
        "other_id": other_id,
        "other_key": _key(app, "--role", "government", "--organization", other_id),
    }


@pytest.fixture()
def person(app, new_practitioner):
    """A practitioner and their own key."""

    def create(**fields) -> tuple[str, dict[str, str]]:
        body = new_practitioner(**fields)
        return body["id"], _key(app, "--role", "practitioner", "--practitioner", body["id"])

    return create


def _body(organizer_id: str, **fields) -> dict:
    body = {
        "title": "全国低碳日社区宣传", "kind": "publicity", "organizer_id": organizer_id, "description": "进社区",
        "region": "420100", "online": False, "place": "武汉市江汉区社区中心", "starts_on": PAST.isoformat(),
        "ends_on": (PAST + timedelta(days=1)).isoformat(), "hours": 4, "capacity": 2,
        "needs": {"work_type": "accounting", "min_level": 4},
    }  # fmt: skip
    return body | fields


def _publish(client, headers, organizer_id, status="open", **fields) -> str:
    response = client.post("/api/v1/activities", json=_body(organizer_id, **fields), headers=headers)
    assert response.status_code == 201, response.get_data(as_text=True)
    assert response.get_json()["status"] == "draft"
    activity_id = response.get_json()["id"]
    if status != "draft":
        changed = client.post(
            f"/api/v1/activities/{activity_id}/status",
            json={"status": "open", "reason": "开始报名"},
            headers=headers,
        )
        assert changed.status_code == 200, changed.get_data(as_text=True)
    return activity_id


def _status(client, headers, activity_id, status, reason="理由"):
    return client.post(
        f"/api/v1/activities/{activity_id}/status", json={"status": status, "reason": reason}, headers=headers
    )


# --- Publishing --------------------------------------------------------------------------------------------------


def test_a_bound_government_key_publishes_a_draft_for_its_department(client, department):
    response = client.post("/api/v1/activities", json=_body(department["id"]), headers=department["key"])
    assert response.status_code == 201
    body = response.get_json()
    assert body["status"] == "draft"
    assert response.headers["Location"].endswith(f"/activities/{body['id']}")
    view = client.get(f"/api/v1/activities/{body['id']}", headers=department["key"]).get_json()
    assert view["organizer"]["id"] == department["id"]
    assert view["needs"] == {"work_type": "accounting", "min_level": 4, "specialty": None, "industry": None}
    assert [(h["from"], h["to"]) for h in view["history"]] == [(None, "draft")]


def test_a_government_key_of_another_department_or_unbound_may_not_publish(client, department, as_role):
    other = client.post("/api/v1/activities", json=_body(department["id"]), headers=department["other_key"])
    assert_problem(other, 403)
    unbound = client.post("/api/v1/activities", json=_body(department["id"]), headers=as_role("government"))
    assert "not bound" in assert_problem(unbound, 403)["detail"]


@pytest.mark.parametrize("role", ["client", "public"])
def test_clients_and_the_public_may_not_publish(client, department, as_role, role):
    response = client.post("/api/v1/activities", json=_body(department["id"]), headers=as_role(role))
    assert response.status_code in (401, 403)


def test_an_administrator_publishes_for_any_organization(client, admin, department):
    assert (
        client.post("/api/v1/activities", json=_body(department["other_id"]), headers=admin).status_code
        == 201
    )


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"ends_on": (PAST - timedelta(days=1)).isoformat()}, "ends_on"),
        ({"hours": 49}, "hours"),  # two days: at most 48
        ({"hours": 0}, "hours"),
        ({"hours": -2}, "hours"),
        ({"kind": "party"}, "kind"),
        ({"online": False, "place": None}, "place"),
        ({"capacity": 0}, "capacity"),
        ({"region": "999999"}, "region"),
        ({"needs": {"specialty": "no_such_specialty"}}, "specialty"),
    ],
)
def test_bad_activities_are_refused_and_nothing_is_written(client, graph, admin, department, fields, field):
    before = graph_size(graph)
    response = client.post("/api/v1/activities", json=_body(department["id"], **fields), headers=admin)
    problem = assert_problem(response, 400)
    assert any(field in key for key in problem["errors"]), problem
    assert graph_size(graph) == before


def test_an_unknown_organizer_is_a_404(client, admin):
    assert_problem(client.post("/api/v1/activities", json=_body(str(uuid.uuid4())), headers=admin), 404)


# --- Status and listing -----------------------------------------------------------------------------------------


def test_status_moves_along_its_path_with_reasons_and_refuses_the_rest(client, department):
    key = department["key"]
    activity_id = _publish(client, key, department["id"], status="draft")
    assert_problem(_status(client, key, activity_id, "completed"), 409)
    assert_problem(_status(client, key, activity_id, "open", reason=" "), 400)
    for status in ("open", "closed", "completed"):
        assert _status(client, key, activity_id, status).status_code == 200
    assert_problem(_status(client, key, activity_id, "cancelled"), 409)
    view = client.get(f"/api/v1/activities/{activity_id}", headers=key).get_json()
    assert [h["to"] for h in view["history"]] == ["draft", "open", "closed", "completed"]
    assert_problem(_status(client, department["other_key"], activity_id, "open"), 403)


def test_the_public_lists_open_and_completed_activities_only(client, department):
    key = department["key"]
    draft = _publish(client, key, department["id"], status="draft", title="草稿活动")
    opened = _publish(client, key, department["id"], title="开放活动")
    cancelled = _publish(client, key, department["id"], title="取消活动")
    assert _status(client, key, cancelled, "cancelled", "天气原因").status_code == 200
    public = client.get(
        "/api/v1/activities", query_string={"per_page": 100, "organizer_id": department["id"]}
    ).get_json()
    ids = {item["id"] for item in public["items"]}
    assert opened in ids and draft not in ids and cancelled not in ids
    assert {item["status"] for item in public["items"]} <= {"open", "completed"}
    assert client.get(f"/api/v1/activities/{draft}").status_code == 404
    own = client.get(
        "/api/v1/activities", query_string={"per_page": 100, "organizer_id": department["id"]}, headers=key
    ).get_json()
    assert {draft, opened, cancelled} <= {item["id"] for item in own["items"]}
    # another department sees this one's drafts no more than the public does
    theirs = client.get(
        "/api/v1/activities", query_string={"status": "draft", "organizer_id": department["id"]},
        headers=department["other_key"],
    ).get_json()  # fmt: skip
    assert theirs["total"] == 0


def test_the_list_filters_by_kind_region_dates_and_open_for_sign_up(client, admin, department):
    lecture = _publish(client, admin, department["id"], kind="lecture", region="420100")
    far = _publish(
        client, admin, department["id"], kind="lecture", region="110000",
        starts_on=(TODAY + timedelta(days=200)).isoformat(), ends_on=(TODAY + timedelta(days=200)).isoformat(),
    )  # fmt: skip
    by_region = client.get(
        "/api/v1/activities", query_string={"kind": "lecture", "region": "420000", "per_page": 100}
    )
    ids = {item["id"] for item in by_region.get_json()["items"]}
    assert lecture in ids and far not in ids  # a province finds its cities' activities
    by_date = client.get(
        "/api/v1/activities",
        query_string={"kind": "lecture", "from": (TODAY + timedelta(days=100)).isoformat(), "per_page": 100},
    ).get_json()
    assert far in {item["id"] for item in by_date["items"]} and lecture not in {
        i["id"] for i in by_date["items"]
    }
    # lecture ended before today: not open for sign-up any more; far is
    open_ids = {
        item["id"]
        for item in client.get(
            "/api/v1/activities",
            query_string={"open_for_sign_up": "true", "kind": "lecture", "per_page": 100},
        ).get_json()["items"]
    }
    assert far in open_ids and lecture not in open_ids
    page = client.get("/api/v1/activities", query_string={"per_page": 1}).get_json()
    assert page["per_page"] == 1 and len(page["items"]) == 1 and page["total"] >= 2


# --- Sign-up, confirmation, attendance ----------------------------------------------------------------------------


def test_sign_up_twice_closed_or_full_is_a_409_and_changes_nothing(client, graph, department, person):
    key = department["key"]
    activity_id = _publish(client, key, department["id"], capacity=2)
    (_first, first_key), (_second, second_key), (_third, third_key) = person(), person(), person()
    signed = client.post("/api/v1/me/activities", json={"activity_id": activity_id}, headers=first_key)
    assert signed.status_code == 201
    assert signed.get_json()["status"] == "signed_up"
    before = graph_size(graph)
    assert_problem(
        client.post("/api/v1/me/activities", json={"activity_id": activity_id}, headers=first_key), 409
    )
    assert graph_size(graph) == before
    assert (
        client.post(
            "/api/v1/me/activities", json={"activity_id": activity_id}, headers=second_key
        ).status_code
        == 201
    )
    full = client.post("/api/v1/me/activities", json={"activity_id": activity_id}, headers=third_key)
    assert "full" in assert_problem(full, 409)["detail"]
    closed = _publish(client, key, department["id"])
    assert _status(client, key, closed, "closed").status_code == 200
    assert_problem(client.post("/api/v1/me/activities", json={"activity_id": closed}, headers=third_key), 409)
    draft = _publish(client, key, department["id"], status="draft")
    assert_problem(client.post("/api/v1/me/activities", json={"activity_id": draft}, headers=third_key), 404)


def test_the_organizer_confirms_and_records_attendance_which_then_counts(client, department, person):
    key = department["key"]
    activity_id = _publish(client, key, department["id"], capacity=5)
    (came, came_key), (away, away_key), (never, _) = person(), person(), person()
    for headers in (came_key, away_key):
        assert (
            client.post(
                "/api/v1/me/activities", json={"activity_id": activity_id}, headers=headers
            ).status_code
            == 201
        )
    confirmed = client.post(f"/api/v1/activities/{activity_id}/participants/{came}/confirm", headers=key)
    assert confirmed.status_code == 200 and confirmed.get_json()["status"] == "confirmed"
    assert_problem(
        client.post(f"/api/v1/activities/{activity_id}/participants/{came}/confirm", headers=key), 409
    )
    assert_problem(
        client.post(f"/api/v1/activities/{activity_id}/participants/{never}/confirm", headers=key), 404
    )
    rows = [
        {"practitioner_id": came, "attended": True, "hours": 6},
        {"practitioner_id": away, "attended": False},
    ]
    report = client.post(f"/api/v1/activities/{activity_id}/attendance", json={"rows": rows}, headers=key)
    assert report.status_code == 200, report.get_data(as_text=True)
    body = report.get_json()
    assert body["applied"] and body["attended"] == 1 and body["absent"] == 1 and body["hours"] == 6
    participants = client.get(f"/api/v1/activities/{activity_id}/participants", headers=key).get_json()[
        "items"
    ]
    by_id = {p["practitioner"]["id"]: p for p in participants}
    assert by_id[came]["status"] == "attended" and by_id[came]["hours"] == 6 and by_id[came]["counted"]
    assert by_id[away]["status"] == "absent" and not by_id[away]["counted"]
    mine = client.get("/api/v1/me/activities", headers=came_key).get_json()["items"]
    assert [(m["activity"]["id"], m["status"], m["hours"], m["counted"]) for m in mine] == [
        (activity_id, "attended", 6, True)
    ]


def test_attendance_for_someone_who_never_signed_up_is_a_400_row_and_nothing_is_recorded(
    client, graph, department, person
):
    key = department["key"]
    activity_id = _publish(client, key, department["id"])
    (came, came_key), (never, _) = person(), person()
    client.post("/api/v1/me/activities", json={"activity_id": activity_id}, headers=came_key)
    before = graph_size(graph)
    rows = [
        {"practitioner_id": came, "attended": True},
        {"practitioner_id": never, "attended": True, "hours": 2},
    ]
    problem = assert_problem(
        client.post(f"/api/v1/activities/{activity_id}/attendance", json={"rows": rows}, headers=key), 400
    )
    assert [(r["row"], r["status"]) for r in problem["rows"]] == [(1, 200), (2, 400)]
    assert "never signed up" in problem["rows"][1]["detail"]
    assert problem["applied"] is False
    assert graph_size(graph) == before
    participants = client.get(f"/api/v1/activities/{activity_id}/participants", headers=key).get_json()[
        "items"
    ]
    assert [p["status"] for p in participants] == ["signed_up"]


@pytest.mark.parametrize("hours", [48.5, -1, 0])
def test_attendance_hours_beyond_24_a_day_or_not_positive_are_refused(client, department, person, hours):
    key = department["key"]
    activity_id = _publish(client, key, department["id"])  # two days: at most 48 hours
    came, came_key = person()
    client.post("/api/v1/me/activities", json={"activity_id": activity_id}, headers=came_key)
    rows = [{"practitioner_id": came, "attended": True, "hours": hours}]
    response = client.post(f"/api/v1/activities/{activity_id}/attendance", json={"rows": rows}, headers=key)
    assert_problem(response, 400)


def test_attendance_is_for_the_organizer_and_admins_only(client, admin, department, person, as_role):
    activity_id = _publish(client, department["key"], department["id"])
    came, came_key = person()
    client.post("/api/v1/me/activities", json={"activity_id": activity_id}, headers=came_key)
    rows = {"rows": [{"practitioner_id": came, "attended": True}]}
    assert_problem(
        client.post(
            f"/api/v1/activities/{activity_id}/attendance", json=rows, headers=department["other_key"]
        ),
        403,
    )
    assert (
        client.post(
            f"/api/v1/activities/{activity_id}/attendance", json=rows, headers=as_role("client")
        ).status_code
        == 403
    )
    assert (
        client.post(f"/api/v1/activities/{activity_id}/attendance", json=rows, headers=came_key).status_code
        == 403
    )
    assert (
        client.post(f"/api/v1/activities/{activity_id}/attendance", json=rows, headers=admin).status_code
        == 200
    )
    assert client.get(f"/api/v1/activities/{activity_id}/participants").status_code == 401


def test_attendance_from_a_spreadsheet_with_a_dry_run_first(client, department, person):
    key = department["key"]
    activity_id = _publish(client, key, department["id"])
    (came, came_key), (away, away_key) = person(), person()
    for headers in (came_key, away_key):
        client.post("/api/v1/me/activities", json={"activity_id": activity_id}, headers=headers)
    csv = f"人员编号,姓名,是否出席,服务时长\n{came},甲,是,3.5\n{away},乙,否,\n".encode()

    def upload(dry_run: str):
        return client.post(
            f"/api/v1/activities/{activity_id}/attendance/file",
            data={"file": (io.BytesIO(csv), "attendance.csv"), "dry_run": dry_run},
            headers=key, content_type="multipart/form-data",
        )  # fmt: skip

    checked = upload("true").get_json()
    assert checked["dry_run"] and not checked["applied"] and [r["row"] for r in checked["rows"]] == [2, 3]
    statuses = [
        p["status"]
        for p in client.get(f"/api/v1/activities/{activity_id}/participants", headers=key).get_json()["items"]
    ]
    assert statuses == ["signed_up", "signed_up"]
    written = upload("false").get_json()
    assert written["applied"] and written["hours"] == 3.5
    participants = client.get(f"/api/v1/activities/{activity_id}/participants", headers=key).get_json()[
        "items"
    ]
    assert {p["practitioner"]["id"]: p["status"] for p in participants} == {came: "attended", away: "absent"}
    bad = client.post(
        f"/api/v1/activities/{activity_id}/attendance/file",
        data={"file": (io.BytesIO(b"a,b\n1,2\n"), "attendance.xls")}, headers=key, content_type="multipart/form-data",
    )  # fmt: skip
    assert "file" in assert_problem(bad, 400)["errors"]


def test_a_cancelled_activity_keeps_its_sign_ups_and_says_so_to_them(client, department, person):
    key = department["key"]
    activity_id = _publish(client, key, department["id"])
    _, signed_key = person()
    client.post("/api/v1/me/activities", json={"activity_id": activity_id}, headers=signed_key)
    assert _status(client, key, activity_id, "cancelled", "场地不可用").status_code == 200
    mine = client.get("/api/v1/me/activities", headers=signed_key).get_json()["items"]
    assert [
        (m["activity"]["status"], m["activity"]["status_reason"], m["activity_cancelled"], m["status"])
        for m in mine
    ] == [("cancelled", "场地不可用", True, "signed_up")]
    participants = client.get(f"/api/v1/activities/{activity_id}/participants", headers=key).get_json()
    assert participants["total"] == 1
    notices = client.get("/api/v1/me/notifications", headers=signed_key).get_json()["items"]
    assert [n["kind"] for n in notices] == ["activity_cancelled"]


# --- Invitations ---------------------------------------------------------------------------------------------------


def test_invitations_skip_people_who_turned_them_off_and_are_answered_at_me_invitations(
    client, department, person
):
    key = department["key"]
    activity_id = _publish(client, key, department["id"])
    (willing, willing_key), (declining, declining_key), (off, off_key) = person(), person(), person()
    me = client.get("/api/v1/me", headers=off_key).get_json()
    assert me["contact_for_activities"] is True  # on by default
    patched = client.patch("/api/v1/me", json={"contact_for_activities": False}, headers=off_key)
    assert patched.status_code == 200 and patched.get_json()["contact_for_activities"] is False
    unknown = str(uuid.uuid4())
    invited = client.post(
        f"/api/v1/activities/{activity_id}/invitations",
        json={"practitioner_ids": [willing, declining, off, unknown]}, headers=key,
    )  # fmt: skip
    assert invited.status_code == 200, invited.get_data(as_text=True)
    rows = {row["practitioner_id"]: row["status"] for row in invited.get_json()["rows"]}
    assert rows == {willing: 201, declining: 201, off: 409, unknown: 404}
    again = client.post(
        f"/api/v1/activities/{activity_id}/invitations", json={"practitioner_ids": [willing]}, headers=key
    )
    assert again.get_json()["rows"][0]["status"] == 409
    assert client.get("/api/v1/me/invitations", headers=off_key).get_json()["items"] == []
    notices = client.get("/api/v1/me/notifications", headers=willing_key).get_json()["items"]
    assert [n["kind"] for n in notices] == ["activity_invitation"]
    assert client.get("/api/v1/me/notifications", headers=off_key).get_json()["items"] == []
    items = client.get("/api/v1/me/invitations", headers=willing_key).get_json()["items"]
    assert [(i["kind"], i["activity"]["id"], i["status"]) for i in items] == [
        ("activity", activity_id, "pending")
    ]
    accepted = client.post(
        f"/api/v1/me/invitations/{items[0]['id']}", json={"response": "accepted"}, headers=willing_key
    )
    assert accepted.status_code == 200 and accepted.get_json()["status"] == "accepted"
    mine = client.get("/api/v1/me/activities", headers=willing_key).get_json()["items"]
    assert [(m["activity"]["id"], m["via"], m["status"]) for m in mine] == [
        (activity_id, "invitation", "signed_up")
    ]
    assert_problem(
        client.post(
            f"/api/v1/me/invitations/{items[0]['id']}",
            json={"response": "declined", "reason": "忙"},
            headers=willing_key,
        ),
        409,
    )
    other_id = client.get("/api/v1/me/invitations", headers=declining_key).get_json()["items"][0]["id"]
    assert_problem(
        client.post(
            f"/api/v1/me/invitations/{other_id}", json={"response": "declined"}, headers=declining_key
        ),
        400,
    )
    declined = client.post(
        f"/api/v1/me/invitations/{other_id}",
        json={"response": "declined", "reason": "出差"},
        headers=declining_key,
    )
    assert declined.get_json()["status"] == "declined" and declined.get_json()["reason"] == "出差"
    assert client.get("/api/v1/me/activities", headers=declining_key).get_json()["items"] == []
    # another person's invitation is not yours
    assert_problem(
        client.post(f"/api/v1/me/invitations/{other_id}", json={"response": "accepted"}, headers=off_key), 404
    )
    listed = client.get(f"/api/v1/activities/{activity_id}/invitations", headers=key).get_json()["items"]
    assert {(i["practitioner"]["id"], i["status"]) for i in listed} == {
        (willing, "accepted"),
        (declining, "declined"),
    }


def test_invitations_are_sent_only_for_an_open_activity_by_its_organizer(client, department, person):
    key = department["key"]
    draft = _publish(client, key, department["id"], status="draft")
    someone, _ = person()
    assert_problem(
        client.post(
            f"/api/v1/activities/{draft}/invitations", json={"practitioner_ids": [someone]}, headers=key
        ),
        409,
    )
    opened = _publish(client, key, department["id"])
    assert_problem(
        client.post(
            f"/api/v1/activities/{opened}/invitations",
            json={"practitioner_ids": [someone]},
            headers=department["other_key"],
        ),
        403,
    )


def test_attendance_from_an_xlsx_workbook_refuses_the_whole_file_for_one_bad_row(
    client, graph, department, person
):
    import openpyxl

    key = department["key"]
    activity_id = _publish(client, key, department["id"])
    came, came_key = person()
    client.post("/api/v1/me/activities", json={"activity_id": activity_id}, headers=came_key)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(["人员编号", "是否出席", "服务时长"])
    sheet.append([came, "出席", 2])
    sheet.append(["不是编号", "是", 1])
    buffer = io.BytesIO()
    workbook.save(buffer)
    before = graph_size(graph)
    response = client.post(
        f"/api/v1/activities/{activity_id}/attendance/file",
        data={"file": (io.BytesIO(buffer.getvalue()), "签到表.xlsx")},
        headers=key,
        content_type="multipart/form-data",
    )
    problem = assert_problem(response, 400)
    assert [(row["row"], row["status"]) for row in problem["rows"]] == [(2, 200), (3, 400)]
    assert graph_size(graph) == before


def test_an_activity_invitation_past_its_deadline_is_a_409_and_the_public_never_sees_the_history(
    client, department, person
):
    key = department["key"]
    activity_id = _publish(client, key, department["id"])
    invitee, invitee_key = person()
    past = "2020-01-01T00:00:00+00:00"
    response = client.post(
        f"/api/v1/activities/{activity_id}/invitations",
        json={"practitioner_ids": [invitee], "deadline": past},
        headers=key,
    )
    invitation_id = response.get_json()["rows"][0]["invitation_id"]
    late = client.post(
        f"/api/v1/me/invitations/{invitation_id}", json={"response": "accepted"}, headers=invitee_key
    )
    assert "deadline" in assert_problem(late, 409)["detail"]
    assert client.get("/api/v1/me/activities", headers=invitee_key).get_json()["items"] == []
    public = client.get(f"/api/v1/activities/{activity_id}").get_json()
    assert public["status"] == "open" and "history" not in public
    assert [
        h["to"] for h in client.get(f"/api/v1/activities/{activity_id}", headers=key).get_json()["history"]
    ] == [
        "draft",
        "open",
    ]
