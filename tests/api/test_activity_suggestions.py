"""GET /activities/{id}/suggestions on a small fixed registry: who fits, in what order, with which reasons, for
whom — and the search index's answer equal to the Cypher reference (services.activity_suggestions)."""

from __future__ import annotations

import dataclasses
import uuid
from datetime import date, timedelta

import pytest

from registry.audit import Actor
from services import activity_suggestions, search_index
from services import keys as api_keys
from services.activities import Caller
from tests import fixed_graph
from tests.support import unique_id_card

API = "/api/v1"
STARTS = date.today() + timedelta(days=30)
ENDS = STARTS + timedelta(days=2)
NEEDS = {"work_type": "verification", "min_level": 3, "specialty": "carbon_verification", "industry": "steel"}


def _created(response) -> dict:
    assert response.status_code == 201, response.get_json()
    return response.get_json()


@pytest.fixture(scope="module")
def world(graph, context, app):
    """Eleven people around one department's activities; each is in or out of the suggestions for one reason."""
    fixed_graph.wipe_registry(graph)
    client = app.test_client()
    admin_key, _ = api_keys.create(context, "admin", "活动推荐测试")
    admin = {"X-API-Key": admin_key}

    def org(name: str, kind: str = "government") -> str:
        return _created(
            client.post(f"{API}/organizations", json={"name": name, "kind": kind}, headers=admin)
        )["id"]

    department, other_department = org("推荐测试生态环境厅"), org("推荐测试发展改革委")
    plant = org("推荐测试钢厂", "enterprise")

    numbers: dict[str, str] = {}

    def person(key: str, region: str, certificate: tuple[str, int] | None, **fields) -> str:
        body = {"name": f"推荐{key}", "id_card": unique_id_card(), "education": "bachelor", "work_start_year": 2012,
                "region": region} | fields  # fmt: skip
        pid = _created(client.post(f"{API}/practitioners", json=body, headers=admin))["id"]
        if certificate:
            work_type, level = certificate
            numbers[key] = f"AS-{uuid.uuid4().hex[:10].upper()}"
            cert = {"number": numbers[key], "practitioner_id": pid,
                    "work_type": work_type, "level": level, "issued_on": "2024-03-01"}  # fmt: skip
            _created(client.post(f"{API}/certificates", json=cert, headers=admin))
        return pid

    fits = {"specialties": ["carbon_verification"], "industries": ["steel"]}
    p = {
        "wuhan_l2": person("wuhan_l2", "420100", ("verification", 2), **fits),
        "hubei_l3_engaged": person("hubei_l3_engaged", "420000", ("verification", 3),
                                   specialties=["carbon_verification"]),  # steel only through an engagement
        "beijing_l1": person("beijing_l1", "110000", ("verification", 1), **fits),
        "accountant": person("accountant", "420100", ("accounting", 1), **fits),
        "level_4": person("level_4", "420100", ("verification", 4), **fits),
        "away": person("away", "420100", ("verification", 2), **fits),
        "opted_out": person("opted_out", "420100", ("verification", 2), **fits),
        "signed_up": person("signed_up", "420100", ("verification", 2), **fits),
        "invited": person("invited", "420100", ("verification", 2), **fits),
        "hides_industry": person("hides_industry", "420100", ("verification", 1), **fits),
        "no_specialty": person("no_specialty", "420100", ("verification", 1), industries=["steel"]),
        "uncertified": person("uncertified", "420100", None, **fits),
    }  # fmt: skip
    engagement = {"title": "钢厂碳核查", "kind": "verification", "client_id": plant, "industry": "steel",
                  "region": "420100", "start_on": "2025-03-01", "end_on": "2025-04-01", "status": "completed",
                  "team": [{"practitioner_id": p["hubei_l3_engaged"], "roles": ["lead"]}]}  # fmt: skip
    _created(client.post(f"{API}/engagements", json=engagement, headers=admin))

    own = {name: {"X-API-Key": api_keys.create(context, "practitioner", name, practitioner_id=pid)[0]}
           for name, pid in p.items()}  # fmt: skip
    away = {"from": (STARTS + timedelta(days=2)).isoformat(), "to": (STARTS + timedelta(days=9)).isoformat()}
    _created(client.post(f"{API}/me/availability", json=away, headers=own["away"]))
    response = client.patch(f"{API}/me", json={"contact_for_activities": False}, headers=own["opted_out"])
    assert response.status_code == 200, response.get_json()
    response = client.patch(
        f"{API}/me", json={"visibility": {"industries": "private"}}, headers=own["hides_industry"]
    )
    assert response.status_code == 200, response.get_json()

    def activity(region: str | None, needs: dict, status: str = "open") -> str:
        body = {"title": "推荐测试活动", "kind": "sme_assistance", "organizer_id": department, "region": region,
                "online": False, "place": "武汉", "starts_on": STARTS.isoformat(), "ends_on": ENDS.isoformat(),
                "hours": 6, "capacity": 30, "needs": needs}  # fmt: skip
        activity_id = _created(client.post(f"{API}/activities", json=body, headers=admin))["id"]
        if status == "open":
            response = client.post(f"{API}/activities/{activity_id}/status", json={"status": "open", "reason": "报名开始"},
                                   headers=admin)  # fmt: skip
            assert response.status_code == 200, response.get_json()
        return activity_id

    a = {
        "hubei": activity("420000", NEEDS),
        "national": activity(None, {}),
        "draft": activity(None, {}, "draft"),
    }
    for activity_id in (a["hubei"], a["national"]):
        _created(
            client.post(f"{API}/me/activities", json={"activity_id": activity_id}, headers=own["signed_up"])
        )
        response = client.post(f"{API}/activities/{activity_id}/invitations",
                               json={"practitioner_ids": [p["invited"]]}, headers=admin)  # fmt: skip
        assert response.status_code in (200, 201), response.get_json()
    keys = {
        "admin": admin,
        "organizer": {
            "X-API-Key": api_keys.create(context, "government", "组织方", organization_id=department)[0]
        },
        "other_department": {
            "X-API-Key": api_keys.create(context, "government", "他方", organization_id=other_department)[0]
        },
        "unbound_government": {"X-API-Key": api_keys.create(context, "government", "未绑定")[0]},
        "client": {"X-API-Key": api_keys.create(context, "client", "客户")[0]},
        "practitioner": own["wuhan_l2"],
    }
    return {"p": p, "a": a, "keys": keys, "department": department, "numbers": numbers}


def _ids(response) -> list[str]:
    assert response.status_code == 200, response.get_json()
    return [item["practitioner"]["id"] for item in response.get_json()["items"]]


def test_only_people_who_meet_every_need_are_suggested_best_first(client, world):
    p = world["p"]
    response = client.get(
        f"{API}/activities/{world['a']['hubei']}/suggestions", headers=world["keys"]["organizer"]
    )
    # Level 2 earns 30; level 3 earns 20 + 6 for the steel engagement + 3 for the engagement in Hubei = 29.
    assert _ids(response) == [p["wuhan_l2"], p["hubei_l3_engaged"]]
    assert response.get_json()["total"] == 2
    scores = [(item["score"], item["score_breakdown"]) for item in response.get_json()["items"]]
    assert scores == [
        (30, {"level": 30}),
        (29, {"level": 20, "industry_engagements": 6, "region_engagements": 3}),
    ]


def test_each_suggestion_names_the_facts_it_rests_on(client, world):
    response = client.get(
        f"{API}/activities/{world['a']['hubei']}/suggestions", headers=world["keys"]["organizer"]
    )
    first, second = response.get_json()["items"]
    assert (
        first["reasons"][0]
        == f"持有二级碳排放核查员证书 {world['numbers']['wuhan_l2']} (valid until no expiry)"
    )
    assert {"based in 湖北省", "specialty: 重点排放单位碳核查", "declares experience in 钢铁"} <= set(
        first["reasons"]
    )
    assert first["reasons"][-1] == f"no declared unavailability on {STARTS.isoformat()} to {ENDS.isoformat()}"
    assert "1 completed engagements in 钢铁" in second["reasons"]
    assert "declares experience in 钢铁" not in second["reasons"]


def test_an_admin_sees_a_declared_industry_a_government_key_may_not(client, world):
    p = world["p"]
    response = client.get(
        f"{API}/activities/{world['a']['hubei']}/suggestions", headers=world["keys"]["admin"]
    )
    assert _ids(response) == [p["hides_industry"], p["wuhan_l2"], p["hubei_l3_engaged"]]


def test_a_national_activity_without_needs_suggests_every_certified_person_not_yet_reached(client, world):
    p = world["p"]
    response = client.get(
        f"{API}/activities/{world['a']['national']}/suggestions?per_page=100", headers=world["keys"]["admin"]
    )
    left_out = {p[name] for name in ("away", "opted_out", "signed_up", "invited", "uncertified")}
    assert set(_ids(response)) == set(p.values()) - left_out
    levels = [item["score_breakdown"]["level"] for item in response.get_json()["items"]]
    assert levels == sorted(levels, reverse=True)


def test_pages_cut_the_same_ranking(client, world):
    url = f"{API}/activities/{world['a']['national']}/suggestions"
    everyone = _ids(client.get(f"{url}?per_page=100", headers=world["keys"]["admin"]))
    second = client.get(f"{url}?per_page=3&page=2", headers=world["keys"]["admin"])
    assert _ids(second) == everyone[3:6]
    assert second.get_json()["total"] == len(everyone) and second.get_json()["page"] == 2


@pytest.mark.parametrize("activity", ["hubei", "national"])
@pytest.mark.parametrize("role", ["admin", "government"])
def test_the_search_index_answers_as_the_cypher_reference(app, client, context, world, activity, role):
    assert search_index.of(app.extensions["graph"]) is not None  # the API answers from the index
    caller = Caller(role, world["department"])
    reference = activity_suggestions.suggestions_in_graph(context, caller, world["a"][activity], 1, 100)
    url = f"{API}/activities/{world['a'][activity]}/suggestions?per_page=100"
    answer = client.get(url, headers=world["keys"]["admin" if role == "admin" else "organizer"]).get_json()
    assert answer["total"] == reference.total
    expected = [(s.fit.id, s.score, list(s.reasons), s.breakdown) for s, _ in reference.items]
    got = [(i["practitioner"]["id"], i["score"], i["reasons"], i["score_breakdown"]) for i in answer["items"]]
    assert got == expected


def test_turning_contact_off_leaves_a_person_out_at_once(client, context, world):
    p = world["p"]
    url = f"{API}/activities/{world['a']['hubei']}/suggestions"
    assert p["wuhan_l2"] in _ids(client.get(url, headers=world["keys"]["organizer"]))
    own = world["keys"]["practitioner"]
    assert client.patch(f"{API}/me", json={"contact_for_activities": False}, headers=own).status_code == 200
    try:
        assert _ids(client.get(url, headers=world["keys"]["organizer"])) == [p["hubei_l3_engaged"]]
    finally:
        assert (
            client.patch(f"{API}/me", json={"contact_for_activities": True}, headers=own).status_code == 200
        )
    assert p["wuhan_l2"] in _ids(client.get(url, headers=world["keys"]["organizer"]))


@pytest.mark.parametrize(
    ("who", "status"),
    [("public", 401), ("client", 403), ("practitioner", 403), ("unbound_government", 403),
     ("other_department", 403), ("organizer", 200), ("admin", 200)],
)  # fmt: skip
def test_only_the_organizer_and_admins_see_suggestions(client, world, who, status):
    headers = {} if who == "public" else world["keys"][who]
    response = client.get(f"{API}/activities/{world['a']['hubei']}/suggestions", headers=headers)
    assert response.status_code == status, response.get_json()


def test_an_unknown_activity_is_404_and_a_draft_is_409(client, world):
    admin = world["keys"]["admin"]
    assert client.get(f"{API}/activities/{uuid.uuid4()}/suggestions", headers=admin).status_code == 404
    response = client.get(f"{API}/activities/{world['a']['draft']}/suggestions", headers=admin)
    assert response.status_code == 409
    assert response.get_json()["activity_status"] == "draft"


def test_without_a_search_index_the_service_answers_from_the_graph(context, world):
    """SEARCH_INDEX=off: the same service call answers by Cypher (the test context has no index)."""
    plain = dataclasses.replace(context, actor=Actor.cli())
    assert search_index.of(plain.graph) is None
    found = activity_suggestions.suggestions(plain, Caller("admin"), world["a"]["hubei"])
    assert found.total == 3
