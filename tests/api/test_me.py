"""Practitioners keep their own record: keys bound to them, /me, declarations, availability, invitations, PIPL."""

import io
import uuid
from datetime import date, timedelta

import openpyxl
import pytest

from tests.support import PROBLEM, assert_problem, graph_size

TODAY = date.today()


def days(n: int) -> str:
    return (TODAY + timedelta(days=n)).isoformat()


@pytest.fixture()
def organization(client, admin):
    def create(name: str = "声明测试公司") -> str:
        response = client.post(
            "/api/v1/organizations", json={"name": name, "kind": "enterprise"}, headers=admin
        )
        assert response.status_code == 201, response.get_json()
        return response.get_json()["id"]

    return create


@pytest.fixture()
def person_key(client, admin):
    """Issue a practitioner key through the admin endpoint; returns its headers."""

    def issue(practitioner_id: str) -> dict[str, str]:
        response = client.post(
            f"/api/v1/practitioners/{practitioner_id}/keys", json={"label": "本人"}, headers=admin
        )
        assert response.status_code == 201, response.get_json()
        return {"X-API-Key": response.get_json()["key"]}

    return issue


@pytest.fixture()
def me(new_practitioner, person_key):
    """A practitioner with contact details and a qualification, and their key."""
    person = new_practitioner(
        phone="13900001111",
        email="me@example.cn",
        qualifications=["pmp"],
        specialties=["carbon_verification"],
    )
    return person, person_key(person["id"])


# --- Keys ------------------------------------------------------------------------------------------------


def test_an_admin_issues_a_key_bound_to_the_person_shown_once(client, admin, new_practitioner):
    person = new_practitioner()
    response = client.post(f"/api/v1/practitioners/{person['id']}/keys", json={}, headers=admin)
    assert response.status_code == 201
    body = response.get_json()
    assert body["key"].startswith("cmr_") and body["key"].startswith(body["prefix"])
    assert body["role"] == "practitioner" and body["practitioner_id"] == person["id"]
    mine = client.get("/api/v1/me", headers={"X-API-Key": body["key"]})
    assert mine.status_code == 200 and mine.get_json()["id"] == person["id"]


@pytest.mark.parametrize("role", ["public", "client", "government"])
def test_only_an_admin_issues_practitioner_keys(client, as_role, new_practitioner, role):
    person = new_practitioner()
    response = client.post(f"/api/v1/practitioners/{person['id']}/keys", json={}, headers=as_role(role))
    assert_problem(response, 401 if role == "public" else 403)


def test_a_key_for_an_unknown_person_is_404(client, admin):
    assert_problem(client.post(f"/api/v1/practitioners/{uuid.uuid4()}/keys", json={}, headers=admin), 404)


def test_a_practitioner_key_cannot_issue_keys_or_read_another_person(client, me, new_practitioner):
    _, key = me
    other = new_practitioner()
    assert_problem(client.post(f"/api/v1/practitioners/{other['id']}/keys", json={}, headers=key), 403)
    # another person's profile: only a showcase the other person consented to (this one did not)
    assert_problem(client.get(f"/api/v1/practitioners/{other['id']}", headers=key), 404)
    assert_problem(client.get(f"/api/v1/practitioners/{other['id']}/certificates", headers=key), 403)


@pytest.mark.parametrize("role", ["public", "client", "government", "admin"])
def test_me_needs_a_practitioner_key(client, as_role, role):
    assert_problem(client.get("/api/v1/me", headers=as_role(role)), 401 if role == "public" else 403)


# --- GET and PATCH /me ---------------------------------------------------------------------------------


def test_me_shows_the_whole_record_with_the_visibility_defaults(client, me):
    _, key = me
    body = client.get("/api/v1/me", headers=key).get_json()
    assert body["phone"] == "13900001111" and body["email"] == "me@example.cn"
    assert "id_card_tail" in body
    assert body["visibility"]["phone"] == "private" and body["visibility"]["bio"] == "public"
    assert body["qualifications"][0] == body["qualifications"][0] | {"code": "pmp", "status": "confirmed"}


def test_a_practitioner_edits_their_profile_contact_consent_and_visibility(client, me, admin):
    person, key = me
    response = client.patch(
        "/api/v1/me",
        json={
            "bio": "十年水泥行业核查经验",
            "specialties": ["carbon_verification", "ccer_validation"],
            "industries": ["building_materials"],
            "phone": "13900002222",
            "email": "new@example.cn",
            "public_profile": True,
            "visibility": {"phone": "clients", "bio": "private"},
        },
        headers=key,
    )
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    assert body["bio"] == "十年水泥行业核查经验" and body["phone"] == "13900002222"
    assert [s["code"] for s in body["specialties"]] == ["carbon_verification", "ccer_validation"]
    assert body["visibility"] | {"phone": "clients", "bio": "private"} == body["visibility"]
    # A second edit of visibility changes only the fields it names.
    body = client.patch("/api/v1/me", json={"visibility": {"email": "public"}}, headers=key).get_json()
    assert body["visibility"]["phone"] == "clients" and body["visibility"]["email"] == "public"
    history = client.get(f"/api/v1/practitioners/{person['id']}/history", headers=admin).get_json()
    actions = [entry["action"] for entry in history["items"]]
    assert actions.count("self_update") == 2
    latest = history["items"][0]
    assert latest["actor_role"] == "practitioner"
    assert latest["changes"]["visibility"]["after"]["email"] == "public"
    # Other suites read the whole registry as the public: leave no published contact details behind.
    client.patch("/api/v1/me", json={"visibility": {"email": "private", "phone": "private"}}, headers=key)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"name": "改名"}, "name"),
        ({"id_card": "11010519491231002X"}, "id_card"),
        ({"certificates": []}, "certificates"),
        ({"status": "active"}, "status"),
        ({"region": "420100"}, "region"),
        ({"nickname": "小明"}, "nickname"),
        ({"visibility": {"phone": "friends"}}, "visibility"),
        ({"visibility": {"name": "private"}}, "visibility"),
        ({"visibility": "private"}, "visibility"),
        ({"bio": "ok", "pools": ["expert"]}, "pools"),
        ({"specialties": ["no_such_specialty"]}, "specialties"),
        ({"phone": "12345"}, "phone"),
    ],
)
def test_what_is_not_theirs_to_change_is_refused_and_nothing_written(client, graph, me, body, field):
    _, key = me
    before = graph_size(graph)
    problem = assert_problem(client.patch("/api/v1/me", json=body, headers=key), 400)
    assert field in problem["errors"]
    assert graph_size(graph) == before


def test_the_authoritys_fields_are_refused_with_whose_they_are(client, me):
    _, key = me
    problem = assert_problem(client.patch("/api/v1/me", json={"name": "改名"}, headers=key), 400)
    assert "administrators" in problem["errors"]["name"][0]


def test_claimed_qualifications_are_declared_until_an_admin_confirms_them(client, admin, me):
    person, key = me
    body = client.patch("/api/v1/me", json={"qualifications": ["pmp", "vcs_auditor"]}, headers=key).get_json()
    statuses = {q["code"]: q["status"] for q in body["qualifications"]}
    assert statuses == {"pmp": "confirmed", "vcs_auditor": "declared"}
    seen_by_admin = client.get(f"/api/v1/practitioners/{person['id']}", headers=admin).get_json()
    assert {q["code"]: q["status"] for q in seen_by_admin["qualifications"]}["vcs_auditor"] == "declared"
    confirmed = client.post(
        f"/api/v1/practitioners/{person['id']}/qualifications/vcs_auditor/confirm", headers=admin
    )
    assert confirmed.status_code == 200
    assert {q["code"]: q["status"] for q in confirmed.get_json()["qualifications"]}[
        "vcs_auditor"
    ] == "confirmed"
    assert_problem(
        client.post(
            f"/api/v1/practitioners/{person['id']}/qualifications/enms_auditor/confirm", headers=admin
        ),
        404,
    )


def test_a_confirmed_qualification_is_not_the_practitioners_to_remove(client, me):
    _, key = me
    problem = assert_problem(client.patch("/api/v1/me", json={"qualifications": []}, headers=key), 400)
    assert "only an administrator" in problem["errors"]["qualifications"][0]
    client.patch("/api/v1/me", json={"qualifications": ["pmp", "vcs_auditor"]}, headers=key)
    body = client.patch("/api/v1/me", json={"qualifications": ["pmp"]}, headers=key).get_json()
    assert [q["code"] for q in body["qualifications"]] == ["pmp"]  # a declared claim may be withdrawn


def test_my_certificates_and_evaluations(client, graph, me, issue):
    person, key = me
    certificate = issue(person["id"])
    items = client.get("/api/v1/me/certificates", headers=key).get_json()["items"]
    assert [c["number"] for c in items] == [certificate["number"]]
    assert client.get("/api/v1/me/evaluations", headers=key).get_json()["items"] == []
    graph.driver.execute_query(
        "MATCH (p:Practitioner {id: $id}) CREATE (:Evaluation {id: $ev, score: 88, work_type: 'verification', "
        "created_at: datetime()})-[:OF]->(p)",
        id=person["id"], ev=str(uuid.uuid4()),
    )  # fmt: skip
    evaluations = client.get("/api/v1/me/evaluations", headers=key).get_json()["items"]
    assert [e["score"] for e in evaluations] == [88]


# --- Declarations ----------------------------------------------------------------------------------------


def test_a_practitioner_declares_a_relationship_and_an_admin_may_too(client, admin, me, organization):
    person, key = me
    org = organization()
    response = client.post(
        "/api/v1/me/declarations",
        json={"organization_id": org, "relationship": "director", "from": "2022-01-01", "to": None},
        headers=key,
    )
    assert response.status_code == 201, response.get_json()
    declared = response.get_json()
    assert declared | {"relationship": "director", "from": "2022-01-01", "to": None} == declared
    assert declared["entered_by"] == "practitioner" and declared["organization"]["id"] == org
    by_admin = client.post(
        f"/api/v1/practitioners/{person['id']}/declarations",
        json={"organization_id": org, "relationship": "employment", "from": "2015-03-01", "to": "2019-12-31"},
        headers=admin,
    )
    assert by_admin.status_code == 201 and by_admin.get_json()["entered_by"] == "admin"
    mine = client.get("/api/v1/me/declarations", headers=key).get_json()["items"]
    assert [d["relationship"] for d in mine] == ["director", "employment"]
    listed = client.get(f"/api/v1/practitioners/{person['id']}/declarations", headers=admin).get_json()
    assert listed["total"] == 2


@pytest.mark.parametrize(
    ("body", "status", "field"),
    [
        ({"relationship": "friend", "from": "2022-01-01"}, 400, "relationship"),
        ({"relationship": "director"}, 400, "from"),
        ({"relationship": "director", "from": "2022-01-02", "to": "2022-01-01"}, 400, "to"),
        ({"relationship": "director", "from": days(30)}, 400, "from"),
        ({"relationship": "director", "from": "2022-01-01", "practitioner_id": str(uuid.uuid4())}, 400,
         "practitioner_id"),
    ],
)  # fmt: skip
def test_a_bad_declaration_is_refused_and_nothing_written(
    client, graph, me, organization, body, status, field
):
    _, key = me
    org = organization()
    before = graph_size(graph)
    problem = assert_problem(
        client.post("/api/v1/me/declarations", json={"organization_id": org, **body}, headers=key), status
    )
    assert field in problem["errors"]
    assert graph_size(graph) == before


def test_a_declaration_about_an_unknown_organization_or_twice_is_refused(client, graph, me, organization):
    _, key = me
    unknown = {"organization_id": str(uuid.uuid4()), "relationship": "adviser", "from": "2022-01-01"}
    assert (
        "organization_id"
        in assert_problem(client.post("/api/v1/me/declarations", json=unknown, headers=key), 400)["errors"]
    )
    body = {"organization_id": organization(), "relationship": "adviser", "from": "2022-01-01"}
    assert client.post("/api/v1/me/declarations", json=body, headers=key).status_code == 201
    before = graph_size(graph)
    assert_problem(
        client.post("/api/v1/me/declarations", json=body | {"from": "2023-01-01"}, headers=key), 409
    )
    assert graph_size(graph) == before


def test_a_practitioner_cannot_declare_for_someone_else(client, me, new_practitioner, organization):
    _, key = me
    other = new_practitioner()
    body = {"organization_id": organization(), "relationship": "adviser", "from": "2022-01-01"}
    assert_problem(
        client.post(f"/api/v1/practitioners/{other['id']}/declarations", json=body, headers=key), 403
    )


def test_a_declared_relationship_excludes_the_person_from_match(client, as_role, me, issue, organization):
    person, key = me
    issue(person["id"], work_type="trading", level=1)
    org = organization("被核查的公司")
    request = {"work_type": "trading", "min_level": 1, "conflict_org_id": org, "limit": 100, "explain": True}
    before = client.post("/api/v1/match", json=request, headers=as_role("client")).get_json()
    assert person["id"] in {item["practitioner"]["id"] for item in before["items"]}
    client.post(
        "/api/v1/me/declarations",
        json={
            "organization_id": org,
            "relationship": "shareholder",
            "from": "2020-01-01",
            "to": "2024-06-30",
        },
        headers=key,
    )
    after = client.post("/api/v1/match", json=request, headers=as_role("client")).get_json()
    assert person["id"] not in {item["practitioner"]["id"] for item in after["items"]}
    # The client learns that a declaration exists; which relationship, and since when, is for admins.
    excluded = {entry["id"]: entry for entry in after["excluded"]}[person["id"]]
    assert excluded["conflicts"] == [
        {"kind": "declaration", "rule": "declaration", "organization": "被核查的公司"}
    ]
    as_admin = client.post("/api/v1/match", json=request, headers=as_role("admin")).get_json()
    conflict = {entry["id"]: entry for entry in as_admin["excluded"]}[person["id"]]["conflicts"][0]
    assert (
        conflict | {"kind": "declaration", "relationship": "shareholder", "until": "2024-06-30"} == conflict
    )


# --- Availability ----------------------------------------------------------------------------------------


def test_a_practitioner_declares_and_withdraws_availability_periods(client, admin, me):
    person, key = me
    response = client.post(
        "/api/v1/me/availability", json={"from": days(10), "to": days(20), "reason": "出国进修"}, headers=key
    )
    assert response.status_code == 201, response.get_json()
    period = response.get_json()
    assert period | {"from": days(10), "to": days(20), "reason": "出国进修"} == period
    adjacent = client.post("/api/v1/me/availability", json={"from": days(21), "to": days(21)}, headers=key)
    assert adjacent.status_code == 201
    assert [p["from"] for p in client.get("/api/v1/me/availability", headers=key).get_json()["items"]] == [
        days(10), days(21),
    ]  # fmt: skip
    # The reason is private: the audit trail records only that it was given.
    history = client.get(f"/api/v1/practitioners/{person['id']}/history", headers=admin).get_json()["items"]
    declared = next(entry for entry in history if entry["entity_id"] == period["id"])
    assert declared["changes"]["reason_private"] == "changed"
    assert "出国进修" not in str(history)
    seen_by_admin = client.get(f"/api/v1/practitioners/{person['id']}/availability", headers=admin).get_json()
    assert [p["reason"] for p in seen_by_admin["items"]] == ["出国进修", None]
    assert_problem(client.get(f"/api/v1/practitioners/{person['id']}/availability", headers=key), 403)
    assert client.delete(f"/api/v1/me/availability/{period['id']}", headers=key).status_code == 200
    assert client.get("/api/v1/me/availability", headers=key).get_json()["total"] == 1
    assert_problem(client.delete(f"/api/v1/me/availability/{period['id']}", headers=key), 404)


@pytest.mark.parametrize(
    ("body", "status"),
    [
        ({"from": days(20), "to": days(10)}, 400),  # inverted
        ({"from": days(-10), "to": days(-1)}, 400),  # already over
        ({"from": days(15), "to": days(25)}, 409),  # overlaps
        ({"from": days(5), "to": days(10)}, 409),  # shares a day
        ({"from": days(1)}, 400),  # no end
        ({"from": days(30), "to": days(31), "reason": "x" * 501}, 400),
    ],
)
def test_a_bad_availability_period_is_refused_and_nothing_written(client, graph, me, body, status):
    _, key = me
    client.post("/api/v1/me/availability", json={"from": days(10), "to": days(20)}, headers=key)
    before = graph_size(graph)
    assert_problem(client.post("/api/v1/me/availability", json=body, headers=key), status)
    assert graph_size(graph) == before


# --- Their data: export and deletion ----------------------------------------------------------------------


def test_the_export_holds_everything_stored_about_the_person(client, me, issue, organization):
    person, key = me
    certificate = issue(person["id"])
    client.post(
        "/api/v1/me/declarations",
        json={"organization_id": organization(), "relationship": "relative", "from": "2010-01-01"},
        headers=key,
    )
    client.post(
        "/api/v1/me/availability", json={"from": days(3), "to": days(4), "reason": "私事"}, headers=key
    )
    response = client.get("/api/v1/me/export", headers=key)
    assert response.status_code == 200
    body = response.get_json()
    assert body["practitioner"]["phone"] == "13900001111"
    assert body["practitioner"]["visibility"]["phone"] == "private"
    links = body["links"]
    assert {"HOLDS", "DECLARED", "UNAVAILABLE", "HAS_QUALIFICATION", "HAS_SPECIALTY", "MEMBER_OF"} <= set(
        links
    )
    assert links["HOLDS"][0]["node"]["number"] == certificate["number"]
    assert links["HOLDS"][0]["related"][0]["action"] == "issue"  # the certificate's history
    assert links["UNAVAILABLE"][0]["node"]["reason"] == "私事"
    assert links["DECLARED"][0]["related"][0]["name"] == "声明测试公司"
    assert body["keys"][0]["role"] == "practitioner"
    assert {entry["action"] for entry in body["history"]} >= {"register", "issue"}
    text = response.get_data(as_text=True)
    assert "id_card_hash" not in text and '"hash"' not in text


def test_the_export_as_a_workbook(client, me):
    _, key = me
    response = client.get("/api/v1/me/export?format=xlsx", headers=key)
    assert response.status_code == 200
    assert response.mimetype == "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
    workbook = openpyxl.load_workbook(io.BytesIO(response.data))
    assert {"practitioner", "stored", "HAS_QUALIFICATION", "keys", "history"} <= set(workbook.sheetnames)
    rows = {row[0]: row[1] for row in workbook["practitioner"].iter_rows(min_row=2, values_only=True)}
    assert rows["phone"] == "13900001111"
    assert_problem(client.get("/api/v1/me/export?format=pdf", headers=key), 400)


def test_a_deletion_request_withdraws_consent_and_keeps_the_certification_record(
    client, admin, as_role, me, issue, organization
):
    person, key = me
    certificate = issue(person["id"])
    client.patch("/api/v1/me", json={"bio": "简介", "public_profile": True}, headers=key)
    client.post(
        "/api/v1/me/declarations",
        json={"organization_id": organization(), "relationship": "adviser", "from": "2021-01-01"},
        headers=key,
    )
    response = client.post("/api/v1/me/deletion-request", headers=key)
    assert response.status_code == 200, response.get_json()
    summary = response.get_json()
    assert summary["status"] == "deleted" and summary["keys_revoked"] == 1
    assert summary["removed"]["DECLARED"] == 1 and summary["removed"]["HAS_SPECIALTY"] == 1
    assert any("certificates" in kept["what"] for kept in summary["kept"])
    assert_problem(client.get("/api/v1/me", headers=key), 401)  # the key stops at once
    stored = client.get(f"/api/v1/practitioners/{person['id']}", headers=admin).get_json()
    assert stored["status"] == "deleted" and stored["public_profile"] is False
    assert stored.get("bio") is None and stored.get("phone") is None and stored.get("email") is None
    assert stored["specialties"] == [] and stored["qualifications"] == []
    assert set(stored["visibility"].values()) == {"private"}
    assert stored["deletion_requested_at"]
    assert [c["number"] for c in stored["certificates"]] == [certificate["number"]]
    verified = client.get("/api/v1/verify", query_string={"number": certificate["number"], "name": "测试员"})
    assert verified.status_code == 200 and verified.get_json()["reason"] == "holder_deleted"
    declarations = client.get(f"/api/v1/practitioners/{person['id']}/declarations", headers=admin)
    assert declarations.get_json()["total"] == 0
    history = client.get(f"/api/v1/practitioners/{person['id']}/history", headers=admin).get_json()["items"]
    assert history[0]["action"] == "deletion_request"
    assert_problem(client.get(f"/api/v1/practitioners/{person['id']}", headers=as_role("client")), 404)


def test_a_problem_is_json_problem(client, me):
    _, key = me
    response = client.post("/api/v1/me/declarations", data="not json", headers=key)
    assert response.mimetype == PROBLEM
