"""Text that cannot be stored (a lone UTF-16 surrogate such as "\\ud800") is a 400 naming the field, never a 500.

JSON allows `"\\ud800"`; Python decodes it to a str the Neo4j driver cannot encode as UTF-8, so before issue 9
every free-text field of the seven admin endpoints answered 500.
"""

from __future__ import annotations

import json
import uuid

import pytest

from tests.support import assert_problem, unique_id_card

LONE = "\ud800"
LOW = "x\udfffy"


def _send(client, method: str, path: str, body: dict, headers: dict) -> object:
    # json.dumps escapes the surrogate as \\ud800, exactly what a hostile client sends.
    raw = json.dumps(body)
    return client.open(path, method=method, data=raw, headers=headers | {"Content-Type": "application/json"})


@pytest.fixture()
def targets(new_practitioner, issue, client, admin):
    person = new_practitioner()
    certificate = issue(person["id"])
    organization = client.post(
        "/api/v1/organizations", json={"name": "测试单位", "kind": "enterprise"}, headers=admin
    ).get_json()
    engagement = client.post(
        "/api/v1/engagements",
        json={
            "title": "核查",
            "kind": "verification",
            "client_id": organization["id"],
            "start_on": "2024-01-01",
        },
        headers=admin,
    ).get_json()
    return {"person": person["id"], "number": certificate["number"], "org": organization["id"],
            "engagement": engagement["id"]}  # fmt: skip


def _cases(t: dict[str, str]) -> list[tuple[str, str, dict, str]]:
    """(method, path, body, the field holding the bad text) for every free-text field an admin writes."""
    person = {"name": "王小明", "id_card": unique_id_card()}
    org = {"name": "某公司", "kind": "enterprise"}
    cert = {"number": f"T-{uuid.uuid4().hex[:10]}", "practitioner_id": t["person"], "work_type": "verification",
            "level": 2, "issued_on": "2024-03-01"}  # fmt: skip
    engagement = {"title": "核查", "kind": "verification", "client_id": t["org"], "start_on": "2024-01-01"}
    return [
        ("POST", "/api/v1/practitioners", person | {"name": LONE}, "name"),
        ("POST", "/api/v1/practitioners", person | {"bio": f"简介{LOW}"}, "bio"),
        ("PATCH", f"/api/v1/practitioners/{t['person']}", {"name": f"王{LONE}"}, "name"),
        ("PATCH", f"/api/v1/practitioners/{t['person']}", {"bio": LONE}, "bio"),
        ("POST", "/api/v1/organizations", org | {"name": LONE}, "name"),
        ("PATCH", f"/api/v1/organizations/{t['org']}", {"name": LONE}, "name"),
        ("POST", "/api/v1/certificates", cert | {"reason": LONE}, "reason"),
        ("POST", f"/api/v1/certificates/{t['number']}/suspend", {"reason": LONE}, "reason"),
        ("POST", "/api/v1/engagements", engagement | {"title": LONE}, "title"),
        ("POST", "/api/v1/engagements", engagement | {"outcome": LOW}, "outcome"),
        ("PATCH", f"/api/v1/engagements/{t['engagement']}", {"title": LONE}, "title"),
    ]


def test_a_lone_surrogate_in_any_admin_text_field_is_a_400_naming_the_field(client, admin, targets):
    wrong = []
    for method, path, body, field in _cases(targets):
        response = _send(client, method, path, body, admin)
        problem = response.get_json(silent=True) or {}
        if response.status_code != 400 or field not in problem.get("errors", {}):
            wrong.append(f"{method} {path} {field}: {response.status_code}")
    assert not wrong, f"{len(wrong)} of {len(_cases(targets))} refused wrongly: {wrong}"


@pytest.mark.parametrize(
    ("path", "role", "body"),
    [
        ("/api/v1/eligibility", "public", {"level": 4, "education": LONE}),
        ("/api/v1/match", "client", {"work_type": LONE}),
        ("/api/v1/eligibility", "public", {"level": 4, LONE: 1}),  # in a key: echoed back as an unknown field
    ],
)
def test_surrogates_elsewhere_in_a_body_are_400_too(client, as_role, path, role, body):
    response = _send(client, "POST", path, body, as_role(role))
    assert_problem(response, 400)
    response.get_data().decode("utf-8")  # the answer itself is valid UTF-8


def test_a_surrogate_pair_written_as_escapes_is_ordinary_text(client, admin):
    # "\\ud83d\\ude00" is a valid pair (😀): JSON decoding joins it, and it is stored like any character.
    body = {"name": "王小明", "id_card": unique_id_card(), "bio": "\U0001f600"}
    response = _send(client, "POST", "/api/v1/practitioners", body, admin)
    assert response.status_code == 201, response.get_json()
    assert response.get_json()["bio"] == "\U0001f600"
