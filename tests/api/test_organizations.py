"""Organizations: USCC validated and unique, searchable by kind, region and industry."""

from registry.identifiers import make_uscc
from tests.support import assert_problem, graph_size

URL = "/api/v1/organizations"


def _uscc(seed: int) -> str:
    return make_uscc(f"91420700{seed:09d}")


def test_an_organization_with_a_valid_uscc_is_registered(client, admin, as_role):
    uscc = _uscc(1001)
    body = {"name": "湖北示例水泥有限公司", "kind": "enterprise", "uscc": uscc.lower(), "region": "420700",
            "industry": "building_materials"}  # fmt: skip
    response = client.post(URL, json=body, headers=admin)
    assert response.status_code == 201
    organization = response.get_json()
    assert organization["uscc"] == uscc
    assert organization["region"]["code"] == "420700"
    assert [i["code"] for i in organization["industries"]] == ["building_materials"]
    fetched = client.get(f"{URL}/{organization['id']}", headers=as_role("client"))
    assert fetched.get_json()["name"] == "湖北示例水泥有限公司"


def test_a_uscc_is_unique(client, admin, graph):
    uscc = _uscc(1002)
    first = client.post(
        URL, json={"name": "甲", "kind": "enterprise", "uscc": uscc}, headers=admin
    ).get_json()
    before = graph_size(graph)
    body = assert_problem(
        client.post(URL, json={"name": "乙", "kind": "enterprise", "uscc": uscc}, headers=admin), 409
    )
    assert body["existing_id"] == first["id"]
    assert graph_size(graph) == before


def test_a_uscc_with_a_wrong_check_character_is_400(client, admin):
    uscc = _uscc(1003)
    wrong = uscc[:17] + ("0" if uscc[17] != "0" else "1")
    body = assert_problem(
        client.post(URL, json={"name": "丙", "kind": "enterprise", "uscc": wrong}, headers=admin), 400
    )
    assert "uscc" in body["errors"]


def test_organizations_are_searchable_by_kind_and_region(client, admin, as_role):
    client.post(
        URL, json={"name": "鄂州核查中心", "kind": "verification_body", "region": "420700"}, headers=admin
    )
    client.post(URL, json={"name": "北京咨询公司", "kind": "consultancy", "region": "110000"}, headers=admin)
    response = client.get(
        URL, query_string={"kind": "verification_body", "region": "420000"}, headers=as_role("client")
    )
    names = [o["name"] for o in response.get_json()["items"]]
    assert "鄂州核查中心" in names
    assert "北京咨询公司" not in names
    assert_problem(client.get(URL, query_string={"kind": "castle"}, headers=as_role("client")), 400)


def test_patch_changes_the_name(client, admin):
    organization = client.post(URL, json={"name": "旧名", "kind": "other"}, headers=admin).get_json()
    response = client.patch(f"{URL}/{organization['id']}", json={"name": "新名"}, headers=admin)
    assert response.get_json()["name"] == "新名"
    assert response.get_json()["kind"] == "other"
