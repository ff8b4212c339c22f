"""Conflicts as evidence paths (issue 23): every kind planted in a small group of companies and found with its
path; near-misses (outside the window, deeper than the limit, a cancelled engagement, a job that is not
verification) are not."""

from __future__ import annotations

from datetime import date, timedelta

import pytest

from registry.conflicts import ConflictRules
from services import conflicts

TODAY = date.today()
ORGS = "/api/v1/organizations"


def ago(years: float) -> str:
    return (TODAY - timedelta(days=round(365.25 * years))).isoformat()


@pytest.fixture(scope="module")
def world(app, keys):
    """holding ← group ← plant (the organization checked); plant2 ← group; deep ← plant2; deeper ← deep;
    a consultancy, a verification body and an unrelated client; people planted for each kind."""
    client = app.test_client()
    admin = {"X-API-Key": keys["admin"]}

    def org(name: str, kind: str = "enterprise") -> str:
        response = client.post(ORGS, json={"name": name, "kind": kind}, headers=admin)
        assert response.status_code == 201, response.get_json()
        return response.get_json()["id"]

    def person(name: str) -> str:
        from tests.support import unique_id_card

        body = {"name": name, "id_card": unique_id_card(), "education": "bachelor", "work_start_year": 2010}
        response = client.post("/api/v1/practitioners", json=body, headers=admin)
        assert response.status_code == 201, response.get_json()
        return response.get_json()["id"]

    def relate(child: str, parent: str) -> None:
        body = {"parent_id": parent, "kind": "subsidiary", "share": 100, "since": ago(10)}
        assert client.post(f"{ORGS}/{child}/relations", json=body, headers=admin).status_code == 201

    def employ(who: str, where: str, since: str, until: str | None = None) -> None:
        body = {"organization_id": where, "since": since, "until": until}
        response = client.post(f"/api/v1/practitioners/{who}/employments", json=body, headers=admin)
        assert response.status_code == 201, response.get_json()

    def engage(client_id: str, kind: str, team: list[str], start: str, end: str | None, **extra) -> str:
        body = {"title": f"{kind} 项目", "kind": kind, "client_id": client_id, "start_on": start,
                "end_on": end, "status": "completed" if end else "active",
                "team": [{"practitioner_id": p, "roles": ["member"]} for p in team]} | extra  # fmt: skip
        response = client.post("/api/v1/engagements", json=body, headers=admin)
        assert response.status_code == 201, response.get_json()
        return response.get_json()["id"]

    o = {
        name: org(f"冲突测试{name}")
        for name in ("holding", "group", "plant", "plant2", "deep", "deeper", "other")
    }
    o["consultancy"] = org("冲突测试咨询公司", "consultancy")
    o["verifier"] = org("冲突测试核查机构", "verification_body")
    o["verifier2"] = org("冲突测试另一核查机构", "verification_body")  # never worked for the group
    for child, parent in (("group", "holding"), ("plant", "group"), ("plant2", "group"), ("deep", "plant2"),
                          ("deeper", "deep")):  # fmt: skip
        relate(o[child], o[parent])
    p = {key: person(f"冲突{key}") for key in (
        "direct", "sister", "old", "deep", "deeper", "team", "staff", "colleague", "clean", "cancelled", "staff_late"
    )}  # fmt: skip
    employ(p["direct"], o["plant"], ago(5))
    employ(p["sister"], o["plant2"], ago(6), ago(1))
    employ(p["old"], o["group"], ago(9), ago(4))  # ended before the 3-year window
    employ(p["deep"], o["deep"], ago(2))  # 3 steps from the plant
    employ(p["deeper"], o["deeper"], ago(2))  # 4 steps: beyond the default depth
    employ(p["staff"], o["consultancy"], ago(6))
    employ(p["staff_late"], o["consultancy"], ago(6), ago(2.5))  # left before the consulting job started
    employ(p["clean"], o["verifier2"], ago(6))
    engage(o["group"], "verification", [p["team"]], ago(2), ago(1.5), provider_id=o["verifier"])
    engage(o["plant2"], "consulting", [], ago(1), None, provider_id=o["consultancy"])
    engage(o["other"], "accounting", [p["colleague"], p["direct"]], ago(2), ago(1.8))
    engage(o["other"], "verification", [p["clean"]], ago(1), ago(0.5), provider_id=o["verifier2"])
    cancelled = engage(o["plant"], "verification", [p["cancelled"]], ago(1), None)
    response = client.patch(f"/api/v1/engagements/{cancelled}", json={"status": "cancelled"}, headers=admin)
    assert response.status_code == 200, response.get_json()
    for key in ("colleague", "sister", "staff", "clean"):
        body = {"number": f"CP-{p[key][:12]}", "practitioner_id": p[key], "work_type": "verification", "level": 2,
                "issued_on": ago(3)}  # fmt: skip
        assert client.post("/api/v1/certificates", json=body, headers=admin).status_code == 201
    return {"orgs": o, "people": p}


def found(graph, world, rules=None, job="verification", ids=None):
    plant = world["orgs"]["plant"]
    rules = rules or ConflictRules()
    return graph.read(lambda tx: conflicts.find(tx, plant, TODAY, rules, job, ids))


def rules_of(result, person):
    return sorted({c.rule for c in result.get(person, [])})


def test_every_kind_is_found_with_its_path(graph, world):
    p, o = world["people"], world["orgs"]
    result = found(graph, world)
    assert rules_of(result, p["direct"]) == ["group_employment"]
    assert rules_of(result, p["sister"]) == ["group_employment"]
    assert rules_of(result, p["deep"]) == ["group_employment"]
    assert rules_of(result, p["team"]) == ["group_engagement"]
    assert rules_of(result, p["staff"]) == ["consult_then_verify", "group_engagement"]
    assert rules_of(result, p["colleague"]) == ["colleague"]
    sister = result[p["sister"]][0]
    steps = [(s.source.id, s.rel, s.target.id) for s in sister.path]
    assert steps == [
        (p["sister"], "EMPLOYED_BY", o["plant2"]),
        (o["plant2"], "CONTROLLED_BY", o["group"]),
        (o["plant"], "CONTROLLED_BY", o["group"]),
    ]
    assert sister.path[0].until == date.fromisoformat(ago(1))
    staff = next(c for c in result[p["staff"]] if c.rule == "consult_then_verify")
    assert [s.rel for s in staff.path] == [
        "EMPLOYED_BY",
        "PERFORMED_BY",
        "FOR_CLIENT",
        "CONTROLLED_BY",
        "CONTROLLED_BY",
    ]
    colleague = result[p["colleague"]][0]
    assert [(s.source.id, s.rel) for s in colleague.path][:3] == [
        (p["colleague"], "WORKED_ON"), (p["direct"], "WORKED_ON"), (p["direct"], "EMPLOYED_BY")
    ]  # fmt: skip


def test_near_misses_are_not_conflicts(graph, world):
    p = world["people"]
    result = found(graph, world)
    for key in ("old", "deeper", "clean", "cancelled", "staff_late"):
        assert p[key] not in result, (key, result.get(p[key]))


def test_the_depth_and_the_window_are_the_callers_within_bounds(graph, world):
    p = world["people"]
    shallow = found(graph, world, ConflictRules(group_depth=2))
    assert p["deep"] not in shallow and p["sister"] in shallow
    alone = found(graph, world, ConflictRules(group_depth=0))
    assert set(alone) >= {p["direct"]} and p["sister"] not in alone and p["team"] not in alone
    wide = found(graph, world, ConflictRules(window_years=5, group_depth=4))
    assert {p["old"], p["deeper"]} <= set(wide)


def test_consult_then_verify_applies_only_to_verification(graph, world):
    p = world["people"]
    result = found(graph, world, job="consulting")
    assert rules_of(result, p["staff"]) == ["group_engagement"]
    only = found(graph, world, ConflictRules(kinds=("consult_then_verify",)), job="verification")
    assert set(only) == {p["staff"]}


def test_a_list_of_people_narrows_the_answer(graph, world):
    p = world["people"]
    result = found(graph, world, ids=[p["sister"], p["clean"]])
    assert set(result) == {p["sister"]}


def _excluded(client, headers, world) -> dict[str, list[dict]]:
    body = {
        "work_type": "verification",
        "conflict_org_id": world["orgs"]["plant"],
        "limit": 100,
        "explain": True,
    }
    response = client.post("/api/v1/match", json=body, headers=headers)
    assert response.status_code == 200, response.get_json()
    return {entry["id"]: entry["conflicts"] for entry in response.get_json()["excluded"]}


def test_match_leaves_out_the_indirectly_conflicted_with_rule_and_path(client, admin, world):
    p, o = world["people"], world["orgs"]
    excluded = _excluded(client, admin, world)
    assert {p["colleague"], p["sister"], p["staff"]} <= set(excluded) and p["clean"] not in excluded
    (sister,) = excluded[p["sister"]]
    assert (sister["kind"], sister["rule"], sister["organization"]) == (
        "employment",
        "group_employment",
        "冲突测试plant2",
    )
    assert [step["to"]["id"] for step in sister["path"]] == [o["plant2"], o["group"], o["group"]]
    assert {c["rule"] for c in excluded[p["staff"]]} == {"group_engagement", "consult_then_verify"}


@pytest.mark.parametrize("role", ["client", "government"])
def test_another_persons_identity_is_a_hidden_step_for_clients(client, as_role, world, role):
    p = world["people"]
    (colleague,) = _excluded(client, as_role(role), world)[p["colleague"]]
    assert colleague["kind"] == colleague["rule"] == "colleague"
    assert colleague["path"][0]["from"]["id"] == p["colleague"]
    assert colleague["path"][1]["from"] == {"type": "Practitioner", "hidden": True}
    assert colleague["path"][2]["to"] == {"type": "Organization", "hidden": True}
    assert "detail" not in colleague  # the one-line detail would name what the steps hide


def test_an_unknown_organization_is_404(client, admin):
    body = {"work_type": "verification", "conflict_org_id": "00000000-0000-4000-8000-000000000000"}
    assert client.post("/api/v1/match", json=body, headers=admin).status_code == 404


# --- Engagements: a conflicted team member is refused unless an administrator acknowledges it (run last: the
# acknowledged engagement stays in the graph) ---------------------------------------------------------------------


def _engagement(world, kind: str, member: str, **extra) -> dict:
    return {"title": f"{kind} 回避测试", "kind": kind, "client_id": world["orgs"]["plant"], "start_on": ago(0.1),
            "team": [{"practitioner_id": member, "roles": ["signer"]}]} | extra  # fmt: skip


def test_a_conflicted_team_member_is_refused_with_the_paths(client, admin, world):
    p = world["people"]
    for kind, key, rule in (("verification", "sister", "group_employment"), ("verification", "colleague", "colleague"),
                            ("verification", "staff", "consult_then_verify")):  # fmt: skip
        response = client.post("/api/v1/engagements", json=_engagement(world, kind, p[key]), headers=admin)
        assert response.status_code == 409, (key, response.get_json())
        (refused,) = response.get_json()["conflicts"]
        assert refused["practitioner_id"] == p[key]
        assert rule in {c["rule"] for c in refused["conflicts"]} and refused["conflicts"][0]["path"]


def test_earlier_work_for_the_client_does_not_block_a_consulting_team(client, admin, world):
    p = world["people"]
    response = client.post(
        "/api/v1/engagements", json=_engagement(world, "consulting", p["staff"]), headers=admin
    )
    assert response.status_code == 201, response.get_json()


def test_an_acknowledged_conflict_is_accepted_and_recorded_in_the_audit_chain(client, admin, world):
    p = world["people"]
    acknowledged = [{"practitioner_id": p["sister"], "reason": "已离职一年，经评审同意"}]
    body = _engagement(world, "verification", p["sister"], acknowledged_conflicts=acknowledged)
    response = client.post("/api/v1/engagements", json=body, headers=admin)
    assert response.status_code == 201, response.get_json()
    engagement = response.get_json()["id"]
    entries = client.get("/api/v1/audit", query_string={"entity_id": engagement}, headers=admin).get_json()
    (acknowledged,) = [e for e in entries["items"] if e["action"] == "acknowledge_conflicts"]
    assert "已离职一年" in str(acknowledged)
    # The engagement itself is no evidence against its own team: changing its team again needs no new acknowledgement
    # for a member whose only tie is this engagement.
    patch = {"team": [{"practitioner_id": p["clean"], "roles": ["signer"]}]}
    assert client.patch(f"/api/v1/engagements/{engagement}", json=patch, headers=admin).status_code == 200


def test_a_verification_match_for_a_client_carries_each_candidates_rotation(client, admin, world):
    body = {"work_type": "verification", "conflict_org_id": world["orgs"]["other"], "limit": 100}
    items = client.post("/api/v1/match", json=body, headers=admin).get_json()["items"]
    # The verifier of "other" last year is conflicted (group_engagement), so left out; the others have no run.
    assert world["people"]["clean"] not in {i["practitioner"]["id"] for i in items}
    sister = next(i for i in items if i["practitioner"]["id"] == world["people"]["sister"])
    assert sister["rotation"] is None
    consulting = {**body, "work_type": "consulting"}
    assert all(
        "rotation" not in i
        for i in client.post("/api/v1/match", json=consulting, headers=admin).get_json()["items"]
    )


def test_a_verification_review_draw_shows_each_seated_persons_rotation(client, admin, world):
    """A verifier whose firm verified the client in each of the last three years, alone in 宁夏 (640000, no other
    suite's region), drawn with only group_employment on (the firm's staff rule off): seated, with the firm's run
    beside the seat. (With every kind on, the firm's staff are excluded as group_engagement.)"""
    o = world["orgs"]
    from tests.support import unique_id_card

    body = {"name": "轮换测试员", "id_card": unique_id_card(), "education": "bachelor", "work_start_year": 2010,
            "region": "640000"}  # fmt: skip
    person = client.post("/api/v1/practitioners", json=body, headers=admin).get_json()["id"]
    cert = {"number": f"ROT-{person[:12]}", "practitioner_id": person, "work_type": "verification", "level": 2,
            "issued_on": ago(4)}  # fmt: skip
    assert client.post("/api/v1/certificates", json=cert, headers=admin).status_code == 201
    employment = {"organization_id": o["verifier2"], "since": ago(5)}
    assert (
        client.post(f"/api/v1/practitioners/{person}/employments", json=employment, headers=admin).status_code
        == 201
    )
    year = TODAY.year
    for back in (3, 2, 1):
        engagement = {"title": f"{year - back}年度核查", "kind": "verification", "client_id": o["other"],
                      "provider_id": o["verifier2"], "start_on": f"{year - back}-04-01",
                      "end_on": f"{year - back}-05-01", "status": "completed",
                      "team": [{"practitioner_id": world["people"]["clean"], "roles": ["signer"]}]}  # fmt: skip
        assert client.post("/api/v1/engagements", json=engagement, headers=admin).status_code == 201
    draw = {"purpose": "verification_review", "title": "核查复核", "organization_id": o["other"],
            "work_type": "verification", "min_level": 2, "region": "640000", "size": 1, "reserves": 0,
            "rules": {"kinds": ["group_employment"]}}  # fmt: skip
    response = client.post("/api/v1/draws", json=draw, headers=admin)
    assert response.status_code == 201, response.get_json()
    shown = client.get(f"/api/v1/draws/{response.get_json()['id']}", headers=admin).get_json()
    assert shown["shortfall"] == 0, shown["excluded"]
    (seat,) = shown["panel"]
    assert seat["practitioner"]["id"] == person
    assert (seat["rotation"]["consecutive_years"], seat["rotation"]["warning"]) == (3, True)
    assert seat["rotation"]["via"]["id"] == o["verifier2"]
