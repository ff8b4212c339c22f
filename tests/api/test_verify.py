"""Public certificate verification (证书查询): number + name, a masked holder, no way to probe."""

from tests.support import PII_KEYS, assert_problem, keys_in

URL = "/api/v1/verify"


def test_verifying_with_number_and_name_shows_the_certificate_with_a_masked_holder(
    client, new_practitioner, issue
):
    person = new_practitioner(name="张三明", phone="13900000002", email="zsm@example.cn")
    certificate = issue(person["id"], "verification", 2, expires_on="2030-12-31")
    response = client.get(URL, query_string={"number": certificate["number"], "name": "张三明"})
    assert response.status_code == 200
    body = response.get_json()
    assert body == {
        "valid": True,
        "reason": None,
        "number": certificate["number"],
        "holder": "张*明",
        "work_type": "verification",
        "work_type_name_zh": "碳排放核查员",
        "level": 2,
        "level_name_zh": "二级",
        "status": "valid",
        "issued_on": "2024-03-01",
        "expires_on": "2030-12-31",
    }
    assert not keys_in(body) & PII_KEYS
    assert "13900000002" not in response.get_data(as_text=True)


def test_a_wrong_name_gets_the_same_answer_as_an_unknown_number(client, new_practitioner, issue):
    certificate = issue(new_practitioner(name="李四光")["id"])
    wrong_name = assert_problem(
        client.get(URL, query_string={"number": certificate["number"], "name": "李四"}), 404
    )
    unknown = assert_problem(client.get(URL, query_string={"number": "NO-SUCH-CERT", "name": "李四光"}), 404)
    assert wrong_name["detail"] == unknown["detail"]
    assert "李四光" not in str(wrong_name)


def test_a_revoked_certificate_verifies_as_not_valid(client, admin, new_practitioner, issue):
    certificate = issue(new_practitioner(name="赵六")["id"])
    client.post(f"/api/v1/certificates/{certificate['number']}/revoke", json={"reason": "r"}, headers=admin)
    body = client.get(URL, query_string={"number": certificate["number"], "name": "赵六"}).get_json()
    assert body["valid"] is False
    assert body["status"] == "revoked"
    assert body["holder"] == "赵*"


def test_an_expired_certificate_verifies_as_expired(client, new_practitioner, issue):
    certificate = issue(new_practitioner(name="钱七")["id"], issued_on="2019-01-01", expires_on="2023-01-01")
    body = client.get(URL, query_string={"number": certificate["number"], "name": "钱七"}).get_json()
    assert (body["valid"], body["status"]) == (False, "expired")


def test_both_number_and_name_are_required(client):
    assert "name" in assert_problem(client.get(URL, query_string={"number": "X-1"}), 400)["errors"]
    assert "number" in assert_problem(client.get(URL, query_string={"name": "张三"}), 400)["errors"]
    assert_problem(client.get(URL, query_string={"number": "", "name": ""}), 400)


def test_a_suspended_holders_certificate_verifies_as_not_valid_with_the_reason(
    client, admin, new_practitioner, issue
):
    person = new_practitioner(name="孙八")
    certificate = issue(person["id"], expires_on="2030-12-31")
    suspended = client.patch(
        f"/api/v1/practitioners/{person['id']}", json={"status": "suspended"}, headers=admin
    )
    assert suspended.status_code == 200, suspended.get_json()
    body = client.get(URL, query_string={"number": certificate["number"], "name": "孙八"}).get_json()
    # The certificate itself stays valid; the registry no longer vouches for its holder.
    assert (body["valid"], body["status"], body["reason"]) == (False, "valid", "holder_suspended")
    client.patch(f"/api/v1/practitioners/{person['id']}", json={"status": "active"}, headers=admin)
    body = client.get(URL, query_string={"number": certificate["number"], "name": "孙八"}).get_json()
    assert (body["valid"], body["reason"]) == (True, None)


def test_a_deleted_holders_certificate_is_found_and_verifies_as_not_valid(
    client, admin, new_practitioner, issue
):
    person = new_practitioner(name="周九")
    certificate = issue(person["id"])
    assert client.delete(f"/api/v1/practitioners/{person['id']}", headers=admin).status_code in (200, 204)
    response = client.get(URL, query_string={"number": certificate["number"], "name": "周九"})
    assert response.status_code == 200
    body = response.get_json()
    assert (body["valid"], body["status"], body["reason"], body["holder"]) == (
        False, "valid", "holder_deleted", "周*"
    )  # fmt: skip
    assert "holder_status" not in body


def test_a_not_valid_certificate_says_which_status_made_it_so(client, admin, new_practitioner, issue):
    certificate = issue(new_practitioner(name="吴十")["id"])
    client.post(f"/api/v1/certificates/{certificate['number']}/suspend", json={"reason": "r"}, headers=admin)
    body = client.get(URL, query_string={"number": certificate["number"], "name": "吴十"}).get_json()
    assert (body["valid"], body["status"], body["reason"]) == (False, "suspended", "certificate_suspended")
