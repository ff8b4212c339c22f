"""/match with `explain`: an exclusion never names what the excluded person hides from the caller.

A person who keeps their employer private is still left out of a match for their employer (the conflict check
holds), but a client or government key is told only that an employment conflict exists — the organization as a
hidden path step `{type, hidden: true}`, without its name or the dates of the employment. Admins see the
organization; an employer the person shows to clients is named as before.
"""

from __future__ import annotations

from dataclasses import replace

import pytest

from application import create_app

URL = "/api/v1/match"
EMPLOYER = "隐私雇主核查测试有限公司"


@pytest.fixture()
def employee(client, admin, new_practitioner, issue):
    """A level-2 verifier employed by EMPLOYER, with their own key; returns (organization id, person, key headers)."""
    org = client.post("/api/v1/organizations", json={"name": EMPLOYER, "kind": "enterprise"}, headers=admin)
    assert org.status_code == 201, org.get_json()
    org_id = org.get_json()["id"]
    person = new_practitioner(name="隐雇员", employer_id=org_id)
    issue(person["id"], "verification", 2)
    key = client.post(f"/api/v1/practitioners/{person['id']}/keys", json={"label": "本人"}, headers=admin)
    assert key.status_code == 201, key.get_json()
    return org_id, person, {"X-API-Key": key.get_json()["key"]}


def _show_employer(client, headers, level: str) -> None:
    response = client.patch("/api/v1/me", json={"visibility": {"employer": level}}, headers=headers)
    assert response.status_code == 200, response.get_json()


def _match(client, headers, org_id: str):
    body = {"work_type": "verification", "conflict_org_id": org_id, "limit": 100, "explain": True}
    response = client.post(URL, json=body, headers=headers)
    assert response.status_code == 200, response.get_json()
    return response


def _conflicts(response, person_id: str) -> list[dict]:
    return next(e for e in response.get_json()["excluded"] if e["id"] == person_id)["conflicts"]


@pytest.fixture(scope="module")
def without_index(settings):
    """An app without the search index: /match answered by its Cypher (the test app, as served, by the index)."""
    app = create_app(replace(settings, search_index="off", search_index_snapshots=""))
    app.config["TESTING"] = True
    yield app
    app.extensions["graph"].close()


@pytest.mark.parametrize("answered_by", ["search index", "cypher"])
@pytest.mark.parametrize("role", ["client", "government"])
def test_a_private_employer_is_only_a_hidden_step_in_an_exclusion_for_clients_and_government(
    client, as_role, employee, without_index, role, answered_by
):
    org_id, person, own = employee
    _show_employer(client, own, "private")
    asking = without_index.test_client() if answered_by == "cypher" else client
    response = _match(asking, as_role(role), org_id)
    assert _conflicts(response, person["id"]) == [
        {
            "kind": "employment",
            "rule": "group_employment",
            "path": [
                {
                    "from": {"type": "Practitioner", "id": person["id"], "name": person["name"]},
                    "rel": "EMPLOYED_BY",
                    "to": {"type": "Organization", "hidden": True},
                    "since": None,
                    "until": None,
                }
            ],
        }
    ]
    assert EMPLOYER not in response.get_data(as_text=True)


def test_an_admin_sees_the_private_employer_of_an_exclusion(client, admin, employee):
    org_id, person, own = employee
    _show_employer(client, own, "private")
    (conflict,) = _conflicts(_match(client, admin, org_id), person["id"])
    assert (conflict["kind"], conflict["organization"]) == ("employment", EMPLOYER)
    assert conflict["path"][0]["to"] == {"type": "Organization", "id": org_id, "name": EMPLOYER}


@pytest.mark.parametrize("level", ["public", "clients"])
@pytest.mark.parametrize("role", ["client", "government"])
def test_an_employer_shown_to_clients_is_named_in_an_exclusion(client, as_role, employee, level, role):
    org_id, person, own = employee
    _show_employer(client, own, level)
    (conflict,) = _conflicts(_match(client, as_role(role), org_id), person["id"])
    assert (conflict["kind"], conflict["organization"]) == ("employment", EMPLOYER)
    assert conflict["since"] is not None and conflict["path"][0]["to"]["name"] == EMPLOYER
