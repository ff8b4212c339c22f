"""Issue 23 part 1 on engagements: the provider who did the work, several roles per member, site visits."""

import pytest

from tests.support import assert_problem, graph_size

URL = "/api/v1/engagements"
NOBODY = "00000000-0000-4000-8000-000000000000"


@pytest.fixture()
def organization(client, admin):
    def create(name: str = "示范核查机构", kind: str = "verification_body") -> str:
        response = client.post("/api/v1/organizations", json={"name": name, "kind": kind}, headers=admin)
        assert response.status_code == 201, response.get_json()
        return response.get_json()["id"]

    return create


@pytest.fixture()
def setting(organization, new_practitioner):
    """A client, a provider and two practitioners."""
    return {
        "client": organization("示范水泥厂", "enterprise"),
        "provider": organization(),
        "lead": new_practitioner(name="李核查")["id"],
        "other": new_practitioner(name="王复核")["id"],
    }


def _body(s, **fields) -> dict:
    body = {"title": "水泥厂2025年度碳核查", "kind": "verification", "client_id": s["client"],
            "start_on": "2025-03-01", "end_on": "2025-04-30", "status": "completed",
            "team": [{"practitioner_id": s["lead"], "role": "lead"}]}  # fmt: skip
    return body | fields


def test_an_engagement_names_the_provider_that_did_the_work(client, admin, setting):
    response = client.post(URL, json=_body(setting, provider_id=setting["provider"]), headers=admin)
    assert response.status_code == 201, response.get_json()
    engagement = response.get_json()
    assert engagement["provider"] == {
        "id": setting["provider"],
        "name": "示范核查机构",
        "kind": "verification_body",
    }
    assert engagement["provider_known"] is True
    listed = client.get(URL, query_string={"provider_id": setting["provider"]}, headers=admin).get_json()
    assert [e["id"] for e in listed["items"]] == [engagement["id"]]


def test_an_engagement_without_a_provider_says_it_is_unknown(client, admin, setting):
    engagement = client.post(URL, json=_body(setting), headers=admin).get_json()
    assert engagement["provider"] is None
    assert engagement["provider_known"] is False
    patched = client.patch(
        f"{URL}/{engagement['id']}", json={"provider_id": setting["provider"]}, headers=admin
    ).get_json()
    assert patched["provider"]["id"] == setting["provider"] and patched["provider_known"] is True


def test_an_unknown_provider_is_404_and_writes_nothing(client, admin, graph, setting):
    before = graph_size(graph)
    assert_problem(client.post(URL, json=_body(setting, provider_id=NOBODY), headers=admin), 404)
    assert graph_size(graph) == before


def test_a_member_holds_several_roles_and_the_first_is_still_the_role(client, admin, setting):
    team = [
        {"practitioner_id": setting["lead"], "role": "lead", "roles": ["signer", "lead"]},
        {"practitioner_id": setting["other"], "roles": ["reviewer"]},
    ]
    engagement = client.post(URL, json=_body(setting, team=team), headers=admin).get_json()
    by_person = {m["practitioner"]["id"]: m for m in engagement["team"]}
    assert by_person[setting["lead"]]["role"] == "lead"
    assert by_person[setting["lead"]]["roles"] == ["lead", "signer"]
    assert by_person[setting["other"]]["role"] == "reviewer"
    assert by_person[setting["other"]]["roles"] == ["reviewer"]


def test_a_member_without_a_role_is_a_member(client, admin, setting):
    engagement = client.post(
        URL, json=_body(setting, team=[{"practitioner_id": setting["lead"]}]), headers=admin
    ).get_json()
    assert engagement["team"][0]["role"] == "member" and engagement["team"][0]["roles"] == ["member"]


def test_site_visits_are_recorded_with_who_when_and_where(client, admin, setting):
    visits = [{"practitioner_id": setting["lead"], "date": "2025-03-10", "region": "420700"}]
    engagement = client.post(URL, json=_body(setting, site_visits=visits), headers=admin).get_json()
    assert engagement["site_visits"] == [
        {"practitioner": {"id": setting["lead"], "name": "李核查"}, "date": "2025-03-10",
         "region": {"code": "420700", "name_zh": "鄂州市"}},
    ]  # fmt: skip


@pytest.mark.parametrize(
    ("visit", "field"),
    [
        (
            {"practitioner": "other", "date": "2025-03-10", "region": "420700"},
            "site_visits",
        ),  # not on the team
        (
            {"practitioner": "lead", "date": "2025-02-28", "region": "420700"},
            "site_visits",
        ),  # before the start
        ({"practitioner": "lead", "date": "2025-05-01", "region": "420700"}, "site_visits"),  # after the end
        ({"practitioner": "lead", "date": "2025-03-10", "region": "999999"}, "site_visits"),  # unknown region
        ({"practitioner": "lead", "date": "someday", "region": "420700"}, "site_visits.0.date"),
    ],
    ids=str,
)
def test_bad_site_visits_are_400_and_write_nothing(client, admin, graph, setting, visit, field):
    before = graph_size(graph)
    body = _body(setting, site_visits=[{"practitioner_id": setting[visit["practitioner"]],
                                         "date": visit["date"], "region": visit["region"]}])  # fmt: skip
    assert field in assert_problem(client.post(URL, json=body, headers=admin), 400)["errors"]
    assert graph_size(graph) == before


def test_a_patch_that_takes_a_visitor_off_the_team_is_400(client, admin, setting):
    visits = [{"practitioner_id": setting["lead"], "date": "2025-03-10", "region": "420700"}]
    engagement = client.post(URL, json=_body(setting, site_visits=visits), headers=admin).get_json()
    team = [{"practitioner_id": setting["other"], "role": "lead"}]
    response = client.patch(f"{URL}/{engagement['id']}", json={"team": team}, headers=admin)
    assert "site_visits" in assert_problem(response, 400)["errors"]
    response = client.patch(f"{URL}/{engagement['id']}", json={"end_on": "2025-03-05"}, headers=admin)
    assert "site_visits" in assert_problem(response, 400)["errors"]


def test_a_bad_role_is_400(client, admin, setting):
    team = [{"practitioner_id": setting["lead"], "roles": ["boss"]}]
    response = client.post(URL, json=_body(setting, team=team), headers=admin)
    assert "team.0.roles.0" in assert_problem(response, 400)["errors"]


@pytest.mark.parametrize(("role", "status"), [("public", 401), ("client", 403), ("government", 403)])
def test_only_admins_record_engagements(client, as_role, setting, role, status):
    response = client.post(URL, json=_body(setting, provider_id=setting["provider"]), headers=as_role(role))
    assert_problem(response, status)


def test_an_organization_shows_every_role_its_workers_held(client, admin, setting):
    team = [{"practitioner_id": setting["lead"], "roles": ["lead", "signer"]}]
    client.post(URL, json=_body(setting, team=team), headers=admin)
    client.post(
        URL,
        json=_body(setting, team=[{"practitioner_id": setting["lead"], "role": "reviewer"}]),
        headers=admin,
    )
    organization = client.get(f"/api/v1/organizations/{setting['client']}", headers=admin).get_json()
    [worker] = organization["worked_for_by"]
    assert sorted(worker["roles"]) == ["lead", "reviewer", "signer"] and worker["engagements"] == 2
