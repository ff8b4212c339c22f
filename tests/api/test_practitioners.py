"""Registering, editing and soft-deleting practitioners through the API."""

import pytest

from registry.identifiers import id_card_check_character
from tests.support import assert_problem, graph_size, unique_id_card

URL = "/api/v1/practitioners"


@pytest.fixture()
def employer(client, admin):
    response = client.post(
        "/api/v1/organizations", json={"name": "某某碳资产管理有限公司", "kind": "consultancy"}, headers=admin
    )
    assert response.status_code == 201
    return response.get_json()


def test_registering_returns_the_practitioner_with_id_and_no_pools(client, admin, employer):
    id_card = unique_id_card()
    body = {
        "name": "王小明", "id_card": id_card, "gender": "male", "education": "master", "enrolled": False,
        "work_start_year": 2012, "region": "420100", "employer_id": employer["id"], "phone": "138-0000-0001",
        "email": "Wang@Example.CN", "public_profile": True, "specialties": ["carbon_verification"],
        "qualifications": ["ccaa_ghg_verifier"], "industries": ["building_materials"], "bio": "从事水泥行业碳核查。",
    }  # fmt: skip
    response = client.post(URL, json=body, headers=admin)
    assert response.status_code == 201
    person = response.get_json()
    assert response.headers["Location"].endswith(person["id"])
    assert person["pools"] == []
    assert person["status"] == "active"
    assert person["region"] == {"code": "420100", "name_zh": "武汉市"}
    assert person["employer"]["id"] == employer["id"]
    assert [s["code"] for s in person["specialties"]] == ["carbon_verification"]
    assert [q["code"] for q in person["qualifications"]] == ["ccaa_ghg_verifier"]
    assert [i["code"] for i in person["industries"]] == ["building_materials"]
    assert person["phone"] == "13800000001"
    assert person["email"] == "Wang@example.cn"
    assert person["id_card_tail"] == id_card[-4:]
    assert "id_card" not in person and "id_card_hash" not in person


def test_the_id_card_is_stored_only_as_a_hash_and_its_tail(client, admin, graph, new_practitioner):
    id_card = unique_id_card()
    person = new_practitioner(id_card=id_card)
    records, _, _ = graph.driver.execute_query("MATCH (p:Practitioner {id: $id}) RETURN p", id=person["id"])
    stored = dict(records[0]["p"])
    assert id_card not in str(stored.values())
    assert stored["id_card_tail"] == id_card[-4:]
    assert len(stored["id_card_hash"]) == 64


def test_registering_the_same_id_card_twice_is_a_409_naming_the_existing_practitioner(
    client, admin, new_practitioner
):
    id_card = unique_id_card()
    first = new_practitioner(id_card=id_card)
    response = client.post(URL, json={"name": "另一人", "id_card": id_card.lower()}, headers=admin)
    body = assert_problem(response, 409)
    assert body["existing_id"] == first["id"]
    assert first["id"] in body["detail"]


def _wrong_check_digit(id_card: str) -> str:
    right = id_card_check_character(id_card[:17])
    return id_card[:17] + ("1" if right != "1" else "2")


BAD_BODIES = [
    ({"id_card": "auto"}, "name"),
    ({"name": "张三"}, "id_card"),
    ({"name": "张三", "id_card": "wrong-check"}, "id_card"),
    ({"name": "张三", "id_card": "42010619900101123"}, "id_card"),
    ({"name": "张" * 51, "id_card": "auto"}, "name"),
    ({"name": "   ", "id_card": "auto"}, "name"),
    ({"name": 42, "id_card": "auto"}, "name"),
    ({"name": "张三", "id_card": "auto", "work_start_year": "2010"}, "work_start_year"),
    ({"name": "张三", "id_card": "auto", "work_start_year": 1800}, "work_start_year"),
    ({"name": "张三", "id_card": "auto", "gender": "other"}, "gender"),
    ({"name": "张三", "id_card": "auto", "education": "phd"}, "education"),
    ({"name": "张三", "id_card": "auto", "enrolled": "yes"}, "enrolled"),
    ({"name": "张三", "id_card": "auto", "region": "999999"}, "region"),
    ({"name": "张三", "id_card": "auto", "region": "hubei"}, "region"),
    ({"name": "张三", "id_card": "auto", "specialties": ["no_such_specialty"]}, "specialties"),
    ({"name": "张三", "id_card": "auto", "qualifications": "pmp"}, "qualifications"),
    ({"name": "张三", "id_card": "auto", "phone": "12345"}, "phone"),
    ({"name": "张三", "id_card": "auto", "email": "not-an-email"}, "email"),
    ({"name": "张三", "id_card": "auto", "employer_id": "not-a-uuid"}, "employer_id"),
    (
        {"name": "张三", "id_card": "auto", "employer_id": "00000000-0000-4000-8000-000000000000"},
        "employer_id",
    ),
    ({"name": "张三", "id_card": "auto", "bio": "碳" * 2001}, "bio"),
    ({"name": "张三", "id_card": "auto", "status": "deleted"}, "status"),
    ({"name": "张三", "id_card": "auto", "favourite_colour": "green"}, "favourite_colour"),
]


@pytest.mark.parametrize(("fields", "bad_field"), BAD_BODIES, ids=[b for _, b in BAD_BODIES])
def test_bad_input_is_a_400_naming_the_field_and_writes_nothing(client, admin, graph, fields, bad_field):
    body = dict(fields)
    if body.get("id_card") == "auto":
        body["id_card"] = unique_id_card()
    elif body.get("id_card") == "wrong-check":
        body["id_card"] = _wrong_check_digit(unique_id_card())
    before = graph_size(graph)
    problem = assert_problem(client.post(URL, json=body, headers=admin), 400)
    assert bad_field in problem["errors"], problem
    assert graph_size(graph) == before


@pytest.mark.parametrize(
    "payload", [b"not json", b"[1, 2]", b'"a string"', b"", b'{"name": "unterminated'], ids=str
)
def test_a_body_that_is_not_a_json_object_is_a_400(client, admin, graph, payload):
    before = graph_size(graph)
    response = client.post(URL, data=payload, headers=admin | {"Content-Type": "application/json"})
    assert_problem(response, 400)
    assert graph_size(graph) == before


def test_patch_changes_only_the_given_fields(client, admin, new_practitioner):
    person = new_practitioner(name="李四", education="college", region="110000")
    response = client.patch(f"{URL}/{person['id']}", json={"education": "bachelor"}, headers=admin)
    assert response.status_code == 200
    updated = response.get_json()
    assert updated["education"] == "bachelor"
    assert updated["name"] == "李四"
    assert updated["region"]["code"] == "110000"


def test_changing_employer_keeps_the_previous_employment_as_history(client, admin, graph, new_practitioner):
    first = client.post("/api/v1/organizations", json={"name": "甲公司", "kind": "enterprise"}, headers=admin)
    second = client.post(
        "/api/v1/organizations", json={"name": "乙公司", "kind": "enterprise"}, headers=admin
    )
    person = new_practitioner(employer_id=first.get_json()["id"])
    response = client.patch(
        f"{URL}/{person['id']}", json={"employer_id": second.get_json()["id"]}, headers=admin
    )
    assert response.get_json()["employer"]["name"] == "乙公司"
    records, _, _ = graph.driver.execute_query(
        "MATCH (:Practitioner {id: $id})-[e:EMPLOYED_BY]->(o) RETURN o.name AS name, e.until IS NULL AS current "
        "ORDER BY name",
        id=person["id"],
    )
    assert [(r["name"], r["current"]) for r in records] == [("乙公司", True), ("甲公司", False)]


def test_patch_of_an_unknown_practitioner_is_404(client, admin):
    response = client.patch(f"{URL}/00000000-0000-4000-8000-000000000000", json={"bio": "x"}, headers=admin)
    assert_problem(response, 404)


def test_bad_patch_writes_nothing(client, admin, graph, new_practitioner):
    person = new_practitioner()
    before = graph_size(graph)
    response = client.patch(
        f"{URL}/{person['id']}", json={"education": "bachelor", "region": "000000"}, headers=admin
    )
    assert_problem(response, 400)
    assert graph_size(graph) == before
    assert client.get(f"{URL}/{person['id']}", headers=admin).get_json()["education"] == "bachelor"


def test_soft_delete_keeps_the_record_and_certificates_but_ends_pools(client, admin, new_practitioner, issue):
    person = new_practitioner()
    certificate = issue(person["id"], "verification", 2)
    response = client.delete(f"{URL}/{person['id']}", headers=admin)
    assert response.status_code == 200
    deleted = response.get_json()
    assert deleted["status"] == "deleted"
    assert deleted["deleted_at"]
    assert deleted["pools"] == []
    assert [c["number"] for c in deleted["certificates"]] == [certificate["number"]]
    again = client.get(f"{URL}/{person['id']}", headers=admin).get_json()
    assert again["status"] == "deleted"


def test_restoring_a_deleted_practitioner_brings_their_pools_back(client, admin, new_practitioner, issue):
    person = new_practitioner()
    issue(person["id"], "monitoring", 4)
    client.delete(f"{URL}/{person['id']}", headers=admin)
    restored = client.patch(f"{URL}/{person['id']}", json={"status": "active"}, headers=admin).get_json()
    assert restored["status"] == "active"
    assert restored["deleted_at"] is None
    assert restored["pools"] == ["talent"]


def test_deleting_twice_keeps_the_first_deletion_time(client, admin, new_practitioner):
    person = new_practitioner()
    first = client.delete(f"{URL}/{person['id']}", headers=admin).get_json()["deleted_at"]
    second = client.delete(f"{URL}/{person['id']}", headers=admin).get_json()["deleted_at"]
    assert first == second


@pytest.mark.parametrize(
    "payload", [b"[" * 100_000 + b"]" * 100_000, b'{"name": "\\u0000"}'], ids=["deeply-nested", "nul-char"]
)
def test_hostile_bodies_are_400_not_500(client, admin, payload):
    response = client.post(URL, data=payload, headers=admin | {"Content-Type": "application/json"})
    assert_problem(response, 400)


def test_a_name_with_a_line_break_is_refused(client, admin):
    body = assert_problem(
        client.post(URL, json={"name": "张\n三", "id_card": unique_id_card()}, headers=admin), 400
    )
    assert "name" in body["errors"]
