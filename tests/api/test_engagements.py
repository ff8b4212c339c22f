"""Engagements, a practitioner's engagements and neighbourhood, and who worked for an organization."""

import pytest

from tests.support import PII_KEYS, assert_problem, graph_size, keys_in

URL = "/api/v1/engagements"


def _engagement(ids, **fields) -> dict:
    body = {"title": "园区碳盘查", "kind": "accounting", "client_id": ids["steel"], "industry": "steel",
            "region": "130200", "start_on": "2025-01-01", "end_on": "2025-03-01", "status": "completed",
            "team": [{"practitioner_id": ids["G"], "role": "lead"}]}  # fmt: skip
    return body | fields


def test_an_engagement_is_recorded_with_its_team(client, admin, ids):
    response = client.post(URL, json=_engagement(ids), headers=admin)
    assert response.status_code == 201
    engagement = response.get_json()
    assert engagement["client"]["id"] == ids["steel"]
    assert engagement["industry"]["code"] == "steel"
    assert engagement["team"] == [
        {"practitioner": {"id": ids["G"], "name": "赵磊"}, "role": "lead", "roles": ["lead"]}
    ]
    fetched = client.get(f"{URL}/{engagement['id']}", headers=admin).get_json()
    assert fetched["title"] == "园区碳盘查"


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"end_on": "2024-12-31"}, "end_on"),
        ({"status": "completed", "end_on": None}, "end_on"),
        ({"status": "finished"}, "status"),
        ({"kind": "astrology"}, "kind"),
        ({"client_id": "00000000-0000-4000-8000-000000000000"}, "client_id"),
        ({"team": [{"practitioner_id": "00000000-0000-4000-8000-000000000000"}]}, "team"),
        (
            {"team": [{"practitioner_id": "00000000-0000-4000-8000-000000000001", "role": "boss"}]},
            "team.0.role",
        ),
        ({"industry": "banking"}, "industry"),
        ({"start_on": "not a date"}, "start_on"),
        ({"title": ""}, "title"),
    ],
    ids=str,
)
def test_bad_engagements_are_400_and_write_nothing(client, admin, graph, ids, fields, field):
    before = graph_size(graph)
    body = assert_problem(client.post(URL, json=_engagement(ids, **fields), headers=admin), 400)
    assert field in body["errors"]
    assert graph_size(graph) == before


def test_a_practitioner_listed_twice_is_400(client, admin, ids):
    team = [{"practitioner_id": ids["G"]}, {"practitioner_id": ids["G"], "role": "lead"}]
    assert (
        "team"
        in assert_problem(client.post(URL, json=_engagement(ids, team=team), headers=admin), 400)["errors"]
    )


def test_patch_checks_dates_against_the_stored_engagement(client, admin, ids):
    engagement = client.post(URL, json=_engagement(ids), headers=admin).get_json()
    assert_problem(
        client.patch(f"{URL}/{engagement['id']}", json={"end_on": "2024-06-01"}, headers=admin), 400
    )
    response = client.patch(
        f"{URL}/{engagement['id']}", json={"outcome": "完成盘查报告", "team": []}, headers=admin
    )
    assert response.status_code == 200
    assert response.get_json()["outcome"] == "完成盘查报告"
    assert response.get_json()["team"] == []


def test_a_practitioner_s_engagements_are_listed_newest_first(client, as_role, ids):
    response = client.get(f"/api/v1/practitioners/{ids['A']}/engagements", headers=as_role("client"))
    items = response.get_json()["items"]
    assert [e["title"] for e in items] == [
        "武汉水泥2025年度碳核查", "钢铁集团2025年度碳核查", "钢铁集团2024年度碳核查", "钢铁集团2023年度碳核查"
    ]  # fmt: skip


def test_the_neighbourhood_has_certificates_pools_employer_clients_and_colleagues(client, as_role, ids):
    response = client.get(f"/api/v1/practitioners/{ids['A']}/graph", headers=as_role("client"))
    assert response.status_code == 200
    drawing = response.get_json()
    nodes = {n["id"]: n for n in drawing["nodes"]}
    edges = {(e["source"], e["type"], e["target"]) for e in drawing["edges"]}
    me = f"Practitioner:{ids['A']}"
    assert (me, "HOLDS", f"Certificate:{ids['A:verification']}") in edges
    assert (me, "MEMBER_OF", "Pool:expert") in edges
    assert (me, "EMPLOYED_BY", f"Organization:{ids['verifier']}") in edges
    assert (me, "WORKED_WITH", f"Practitioner:{ids['G']}") in edges
    assert f"Organization:{ids['steel']}" in nodes and f"Organization:{ids['cement2']}" in nodes
    assert "Industry:building_materials" in nodes
    assert all(e["source"] in nodes and e["target"] in nodes for e in drawing["edges"])
    assert not keys_in(drawing) & PII_KEYS


def test_an_organization_shows_who_worked_for_it(client, as_role, ids):
    organization = client.get(f"/api/v1/organizations/{ids['cement']}", headers=as_role("client")).get_json()
    workers = {w["id"]: w for w in organization["worked_for_by"]}
    assert set(workers) == {ids["C"], ids["H"], ids["F"]}
    assert workers[ids["H"]]["roles"] == ["lead"]
    assert workers[ids["H"]]["engagements"] == 1
    assert organization["employees"] == 1  # B


def test_patching_a_team_validates_every_member_in_full(client, admin, graph, ids):
    engagement = client.post(URL, json=_engagement(ids), headers=admin).get_json()
    before = graph_size(graph)
    body = assert_problem(
        client.patch(f"{URL}/{engagement['id']}", json={"team": [{"role": "lead"}]}, headers=admin), 400
    )
    assert "team.0.practitioner_id" in body["errors"]
    assert graph_size(graph) == before
    response = client.patch(
        f"{URL}/{engagement['id']}", json={"team": [{"practitioner_id": ids["J"]}]}, headers=admin
    )
    assert response.get_json()["team"][0]["role"] == "member"  # the default applies within a PATCH too


def test_a_deleted_colleague_is_hidden_from_clients_but_kept_for_admins(client, admin, as_role, ids):
    team = [{"practitioner_id": ids["I"], "role": "lead"}, {"practitioner_id": ids["E"], "role": "member"}]
    client.post(URL, json=_engagement(ids, title="含已删除成员的项目", team=team), headers=admin)
    client.delete(f"/api/v1/practitioners/{ids['E']}", headers=admin)

    def team_of(role: str) -> list[str]:
        response = client.get(f"/api/v1/practitioners/{ids['I']}/engagements", headers=as_role(role))
        engagement = next(e for e in response.get_json()["items"] if e["title"] == "含已删除成员的项目")
        return [m["practitioner"]["id"] for m in engagement["team"]]

    assert ids["E"] not in team_of("client")
    assert ids["E"] in team_of("admin")
    drawing = client.get(f"/api/v1/practitioners/{ids['I']}/graph", headers=as_role("client")).get_json()
    assert f"Practitioner:{ids['E']}" not in {n["id"] for n in drawing["nodes"]}
