"""Groups of companies (issue 23 part 1): control relations entered and ended by administrators, and the group."""

import pytest

from tests.support import assert_problem, graph_size

NOBODY = "00000000-0000-4000-8000-000000000000"
ORGS = "/api/v1/organizations"


@pytest.fixture()
def org(client, admin):
    def create(name: str) -> str:
        response = client.post(ORGS, json={"name": name, "kind": "enterprise"}, headers=admin)
        assert response.status_code == 201, response.get_json()
        return response.get_json()["id"]

    return create


@pytest.fixture()
def relate(client, admin):
    def post(child: str, parent: str, **fields):
        body = {"parent_id": parent, "kind": "subsidiary", "share": 100, "since": "2018-01-01"} | fields
        return client.post(f"{ORGS}/{child}/relations", json=body, headers=admin)

    return post


@pytest.fixture()
def chain(org, relate):
    """holding ← group ← plant, and plant2 under group too."""
    ids = {name: org(f"{name}集团测试") for name in ("holding", "group", "plant", "plant2")}
    for child, parent in (("group", "holding"), ("plant", "group"), ("plant2", "group")):
        assert relate(ids[child], ids[parent]).status_code == 201
    return ids


def test_a_relation_is_recorded_and_answered_201(client, admin, org, relate):
    parent, child = org("母公司"), org("子公司")
    response = relate(child, parent, kind="controlling_shareholder", share=51.5)
    assert response.status_code == 201, response.get_json()
    relation = response.get_json()
    assert (relation["child"]["id"], relation["parent"]["id"]) == (child, parent)
    assert (relation["kind"], relation["share"], relation["since"], relation["until"]) == (
        "controlling_shareholder", 51.5, "2018-01-01", None
    )  # fmt: skip
    entries = client.get("/api/v1/audit", query_string={"entity_id": child}, headers=admin).get_json()
    assert "control_relation" in [e["action"] for e in entries["items"]]


def test_the_group_reaches_both_ways_within_the_depth(client, admin, chain):
    group = client.get(f"{ORGS}/{chain['plant']}/group", headers=admin).get_json()
    assert group["depth"] == 3
    distances = {m["id"]: m["distance"] for m in group["members"]}
    assert distances == {chain["group"]: 1, chain["holding"]: 2, chain["plant2"]: 2}
    assert len(group["relations"]) == 3
    near = client.get(f"{ORGS}/{chain['plant']}/group", query_string={"depth": 1}, headers=admin).get_json()
    assert [m["id"] for m in near["members"]] == [chain["group"]]
    assert [(r["child"]["id"], r["parent"]["id"]) for r in near["relations"]] == [
        (chain["plant"], chain["group"])
    ]


def test_an_organization_without_relations_is_a_group_of_one(client, as_role, org):
    alone = org("独立公司")
    group = client.get(f"{ORGS}/{alone}/group", headers=as_role("client")).get_json()
    assert group["members"] == [] and group["relations"] == [] and group["organization"]["id"] == alone


@pytest.mark.parametrize("depth", ["0", "6", "deep"])
def test_a_depth_out_of_bounds_is_400(client, admin, org, depth):
    alone = org("深度公司")
    response = client.get(f"{ORGS}/{alone}/group", query_string={"depth": depth}, headers=admin)
    assert "depth" in assert_problem(response, 400)["errors"]


@pytest.mark.parametrize(
    ("child", "parent"), [("holding", "plant"), ("group", "plant"), ("holding", "holding")], ids=str
)
def test_a_cycle_of_control_is_400_and_writes_nothing(graph, chain, relate, child, parent):
    before = graph_size(graph)
    response = relate(chain[child], chain[parent])
    assert "parent_id" in assert_problem(response, 400)["errors"]
    assert graph_size(graph) == before


def test_an_ended_relation_no_longer_makes_a_cycle(client, admin, chain, relate):
    end = client.post(f"{ORGS}/{chain['group']}/relations/{chain['holding']}/end",
                      json={"until": "2024-06-30", "reason": "股权转让"}, headers=admin)  # fmt: skip
    assert end.status_code == 200, end.get_json()
    assert end.get_json()["until"] == "2024-06-30" and end.get_json()["end_reason"] == "股权转让"
    assert relate(chain["holding"], chain["plant"], since="2024-07-01").status_code == 201


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"share": 101}, "share"),
        ({"share": -1}, "share"),
        ({"share": "51"}, "share"),
        ({"kind": "friend"}, "kind"),
        ({"since": "2020-01-01", "until": "2019-12-31"}, "until"),
        ({"since": None}, "since"),
        ({"parent_id": "acme"}, "parent_id"),
        ({"extra": 1}, "extra"),
    ],
    ids=str,
)
def test_a_bad_relation_is_400_and_writes_nothing(graph, org, relate, fields, field):
    parent, child = org("坏母公司"), org("坏子公司")
    before = graph_size(graph)
    assert field in assert_problem(relate(child, parent, **fields), 400)["errors"]
    assert graph_size(graph) == before


def test_an_unknown_organization_is_404(client, admin, org, relate):
    known = org("已知公司")
    assert_problem(relate(known, NOBODY), 404)
    assert_problem(relate(NOBODY, known), 404)
    assert_problem(client.get(f"{ORGS}/{NOBODY}/group", headers=admin), 404)
    end = client.post(f"{ORGS}/{known}/relations/{NOBODY}/end", json={"until": "2020-01-01"}, headers=admin)
    assert_problem(end, 404)


def test_the_same_relation_twice_while_in_force_is_409(org, relate):
    parent, child = org("重复母公司"), org("重复子公司")
    assert relate(child, parent).status_code == 201
    assert_problem(relate(child, parent, since="2019-01-01"), 409)


def test_ending_before_the_start_is_400_and_ending_twice_404(client, admin, org, relate):
    parent, child = org("终止母公司"), org("终止子公司")
    relate(child, parent, since="2020-01-01")
    url = f"{ORGS}/{child}/relations/{parent}/end"
    assert (
        "until"
        in assert_problem(client.post(url, json={"until": "2019-12-31"}, headers=admin), 400)["errors"]
    )
    assert client.post(url, json={"until": "2020-01-01"}, headers=admin).status_code == 200
    assert_problem(client.post(url, json={"until": "2021-01-01"}, headers=admin), 404)
    # Nothing is deleted: the ended relation is still in the group, with its dates.
    group = client.get(f"{ORGS}/{child}/group", headers=admin).get_json()
    assert [(r["since"], r["until"]) for r in group["relations"]] == [("2020-01-01", "2020-01-01")]


@pytest.mark.parametrize(("role", "status"), [("public", 401), ("client", 403), ("government", 403)])
def test_only_admins_enter_or_end_relations(client, as_role, org, role, status):
    parent, child = org("权限母公司"), org("权限子公司")
    body = {"parent_id": parent, "kind": "group_member", "since": "2020-01-01"}
    assert_problem(client.post(f"{ORGS}/{child}/relations", json=body, headers=as_role(role)), status)
    end = client.post(
        f"{ORGS}/{child}/relations/{parent}/end", json={"until": "2021-01-01"}, headers=as_role(role)
    )
    assert_problem(end, status)


@pytest.mark.parametrize(("role", "status"), [("public", 401), ("client", 200), ("government", 200)])
def test_client_keys_and_up_read_a_group(client, as_role, org, role, status):
    assert client.get(f"{ORGS}/{org('读取公司')}/group", headers=as_role(role)).status_code == status
