"""Participation certificates of public-welfare activities (issue 25): who may have the PDF, its code and QR code,
the public page and its API twin, and the 404 for someone who did not take part."""

from __future__ import annotations

import io
import uuid

import pytest
from pypdf import PdfReader

from registry.documents import is_participation_code
from tests.support import assert_problem, unique_id_card

API = "/api/v1"

ACTIVITY = """
MATCH (o:Organization {id: $organizer_id})
CREATE (a:Activity {id: $id, title: $title, kind: 'lecture', description: '测试', region: '420100', online: false,
                    place: '社区服务中心', starts_on: date('2026-06-05'), ends_on: date('2026-06-05'), hours: 4.0,
                    capacity: 100, status: $status, created_at: datetime(), updated_at: datetime()})
CREATE (a)-[:ORGANIZED_BY]->(o)
"""
JOIN = """
MATCH (p:Practitioner {id: $practitioner_id}), (a:Activity {id: $activity_id})
CREATE (p)-[:JOINED {id: randomUUID(), status: $status, via: 'sign_up', signed_up_at: datetime(), hours: $hours,
                     attended: $status = 'attended', certificate_code: null}]->(a)
"""


def certificate_url(activity_id: str, practitioner_id: str) -> str:
    return f"{API}/activities/{activity_id}/participants/{practitioner_id}/certificate"


def text_of(pdf: bytes) -> str:
    return "".join(page.extract_text() for page in PdfReader(io.BytesIO(pdf)).pages)


@pytest.fixture(scope="module")
def world(app, keys, graph):
    """An organizer with its bound government key, a completed activity, a cancelled one, and three people:
    one who attended, one who was absent, one who attended the cancelled activity."""
    client = app.test_client()
    admin = {"X-API-Key": keys["admin"]}
    token = uuid.uuid4().hex[:6]

    def organization(name: str) -> str:
        body = {"name": f"{name}{token}", "kind": "government"}
        return client.post(f"{API}/organizations", json=body, headers=admin).get_json()["id"]

    def person(name: str) -> dict:
        body = {"name": name, "id_card": unique_id_card(), "phone": "13900002222", "public_profile": False}
        response = client.post(f"{API}/practitioners", json=body, headers=admin)
        assert response.status_code == 201, response.get_json()
        made = response.get_json()
        key = client.post(f"{API}/practitioners/{made['id']}/keys", json={}, headers=admin).get_json()["key"]
        return made | {"headers": {"X-API-Key": key}}

    def government_key(organization_id: str) -> dict[str, str]:
        result = app.test_cli_runner().invoke(
            args=["registry", "create-key", "--role", "government", "--organization", organization_id]
        )
        assert result.exit_code == 0, result.output
        return {"X-API-Key": result.stdout.strip().splitlines()[-1]}

    organizer, elsewhere = organization("生态环境厅"), organization("民政厅")
    activity, cancelled = str(uuid.uuid4()), str(uuid.uuid4())
    for activity_id, status in ((activity, "completed"), (cancelled, "cancelled")):
        graph.driver.execute_query(
            ACTIVITY, id=activity_id, organizer_id=organizer, title=f"全国低碳日宣讲{token}", status=status
        )
    attended, absent, other = person("王公益"), person("赵缺席"), person("钱旁人")
    graph.driver.execute_query(
        JOIN, practitioner_id=attended["id"], activity_id=activity, status="attended", hours=3.5
    )
    graph.driver.execute_query(
        JOIN, practitioner_id=absent["id"], activity_id=activity, status="absent", hours=None
    )
    graph.driver.execute_query(
        JOIN, practitioner_id=other["id"], activity_id=cancelled, status="attended", hours=4.0
    )
    return {
        "client": client, "activity": activity, "cancelled": cancelled, "attended": attended, "absent": absent,
        "other": other, "token": token,
        "headers": {
            "admin": admin, "organizer": government_key(organizer), "other_department": government_key(elsewhere),
            "government": {"X-API-Key": keys["government"]}, "client": {"X-API-Key": keys["client"]}, "public": {},
        },
    }  # fmt: skip


@pytest.mark.parametrize("who", ["self", "organizer", "admin"])
def test_the_participant_the_organizer_and_an_admin_get_the_pdf_in_chinese_with_its_code(world, who):
    client, person = world["client"], world["attended"]
    headers = person["headers"] if who == "self" else world["headers"][who]
    response = client.get(certificate_url(world["activity"], person["id"]), headers=headers)
    assert response.status_code == 200, response.get_data(as_text=True)
    assert response.mimetype == "application/pdf"
    text = text_of(response.data)
    assert "公益活动参与证明" in text and "王公益" in text and f"全国低碳日宣讲{world['token']}" in text
    assert "3.5 小时" in text and "2026-06-05" in text
    code = next(word for word in text.replace("/", " ").split() if is_participation_code(word))
    assert f"/activity-certificates/{code}" in text  # the QR code's target is printed beside it
    assert "13900002222" not in text


def test_the_code_is_given_once_and_kept(world, graph):
    client, person = world["client"], world["attended"]
    first = text_of(
        client.get(certificate_url(world["activity"], person["id"]), headers=person["headers"]).data
    )
    again = text_of(
        client.get(certificate_url(world["activity"], person["id"]), headers=world["headers"]["admin"]).data
    )
    [stored] = graph.driver.execute_query(
        "MATCH (:Practitioner {id: $p})-[j:JOINED]->(:Activity {id: $a}) RETURN j.certificate_code AS code",
        p=person["id"], a=world["activity"],
    ).records  # fmt: skip
    assert is_participation_code(stored["code"])
    assert stored["code"] in first and stored["code"] in again


@pytest.mark.parametrize("who", ["other_department", "government", "client", "other_practitioner"])
def test_nobody_else_gets_the_pdf(world, who):
    headers = world["other"]["headers"] if who == "other_practitioner" else world["headers"][who]
    response = world["client"].get(
        certificate_url(world["activity"], world["attended"]["id"]), headers=headers
    )
    assert_problem(response, 403)


def test_without_a_key_the_pdf_is_a_401(world):
    response = world["client"].get(certificate_url(world["activity"], world["attended"]["id"]))
    assert_problem(response, 401)


@pytest.mark.parametrize("case", ["absent", "cancelled_activity", "never_joined", "no_such_activity"])
def test_someone_who_did_not_take_part_gets_a_404(world, case):
    activity, person = {
        "absent": (world["activity"], world["absent"]),
        "cancelled_activity": (world["cancelled"], world["other"]),
        "never_joined": (world["activity"], world["other"]),
        "no_such_activity": (str(uuid.uuid4()), world["attended"]),
    }[case]
    response = world["client"].get(certificate_url(activity, person["id"]), headers=world["headers"]["admin"])
    assert_problem(response, 404)


def test_the_public_page_and_its_api_twin_show_whose_which_activity_and_hours_only(world):
    client, person = world["client"], world["attended"]
    client.get(certificate_url(world["activity"], person["id"]), headers=person["headers"])
    [code] = [
        word
        for word in text_of(
            client.get(certificate_url(world["activity"], person["id"]), headers=person["headers"]).data
        )
        .replace("/", " ")
        .split()
        if is_participation_code(word)
    ][:1]
    body = client.get(f"{API}/activity-certificates/{code}").get_json()
    assert body == {
        "code": code,
        "valid": True,
        "holder": "王公益",
        "activity": {
            "id": world["activity"], "title": f"全国低碳日宣讲{world['token']}", "kind": "lecture",
            "starts_on": "2026-06-05", "ends_on": "2026-06-05", "organizer": f"生态环境厅{world['token']}",
        },
        "hours": 3.5,
    }  # fmt: skip
    page = client.get(f"/activity-certificates/{code}")
    assert page.status_code == 200
    html = page.get_data(as_text=True)
    assert "王公益" in html and "3.5 小时" in html and "13900002222" not in html and person["id"] not in html


@pytest.mark.parametrize("code", ["GY-23456789ABCD", "not-a-code", "GY-" + "Z" * 40])
def test_an_unknown_code_is_a_404_on_both(world, code):
    assert_problem(world["client"].get(f"{API}/activity-certificates/{code}"), 404)
    assert world["client"].get(f"/activity-certificates/{code}").status_code == 404


def test_a_certificate_is_recorded_in_the_audit_chain_once(world, graph):
    client, person = world["client"], world["attended"]
    for _ in range(2):
        client.get(certificate_url(world["activity"], person["id"]), headers=person["headers"])
    [record] = graph.driver.execute_query(
        "MATCH (e:AuditEntry {entity: 'activity_certificate'})-[:ABOUT]->(:Practitioner {id: $p}) "
        "RETURN count(e) AS n",
        p=person["id"],
    ).records
    assert record["n"] == 1


def test_a_pdf_of_a_participation_verifies_as_a_document(world):
    client, person = world["client"], world["attended"]
    pdf = client.get(certificate_url(world["activity"], person["id"]), headers=person["headers"]).data
    body = client.post(
        f"{API}/verify/document",
        data={"file": (io.BytesIO(pdf), "p.pdf")},
        content_type="multipart/form-data",
    ).get_json()
    assert (body["signature_intact"], body["issued_by_registry"], body["kind"], body["valid"]) == (
        True, True, "activity-certificate", True,
    )  # fmt: skip
    assert is_participation_code(body["number"])
