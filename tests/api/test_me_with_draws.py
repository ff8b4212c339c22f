"""Self-service against issue 11's expert draws:
declarations and availability keep people out of a draw, and an answer from /me refills the seat."""

import uuid
from datetime import date, timedelta

import pytest

from tests.support import unique_id_card

PANEL_DATE = date.today() + timedelta(days=60)


@pytest.fixture()
def experts(client, admin):
    """Three level-2 aviation experts in one city with one specialty, each with their own key — and nobody else
    there who could be drawn (experts an earlier test left in the city are soft-deleted first)."""
    region = "650200"
    earlier = client.get(
        "/api/v1/practitioners",
        query_string={"work_type": "aviation", "region": region, "per_page": 100},
        headers=admin,
    ).get_json()["items"]
    for person in earlier:
        assert client.delete(f"/api/v1/practitioners/{person['id']}", headers=admin).status_code == 200
    people = []
    for n in range(3):
        person = client.post(
            "/api/v1/practitioners",
            json={"name": f"抽取专家{n}", "id_card": unique_id_card(), "region": region,
                  "specialties": ["aviation_emissions"]},
            headers=admin,
        ).get_json()  # fmt: skip
        certificate = {"number": f"DR-{uuid.uuid4().hex[:10]}", "practitioner_id": person["id"],
                       "work_type": "aviation", "level": 2, "issued_on": "2024-01-01"}  # fmt: skip
        assert client.post("/api/v1/certificates", json=certificate, headers=admin).status_code == 201
        key = client.post(f"/api/v1/practitioners/{person['id']}/keys", json={}, headers=admin).get_json()[
            "key"
        ]
        people.append((person["id"], {"X-API-Key": key}))
    return region, people


def _draw(client, admin, region: str, organization_id: str, size: int, reserves: int) -> dict:
    body = {"purpose": "policy_advice", "title": "自助抽取测试", "organization_id": organization_id,
            "work_type": "aviation", "min_level": 2, "region": region, "specialty": "aviation_emissions",
            "size": size, "reserves": reserves, "panel_date": PANEL_DATE.isoformat()}  # fmt: skip
    response = client.post("/api/v1/draws", json=body, headers=admin)
    assert response.status_code == 201, response.get_data(as_text=True)
    return response.get_json()


def test_declarations_and_availability_keep_people_out_and_an_answer_from_me_refills_the_seat(
    client, admin, experts
):
    region, people = experts
    org = client.post(
        "/api/v1/organizations", json={"name": "抽取对象公司", "kind": "enterprise"}, headers=admin
    )
    org_id = org.get_json()["id"]
    (declared_id, declared_key), (away_id, away_key), (_, free_key) = people
    client.post(
        "/api/v1/me/declarations",
        json={"organization_id": org_id, "relationship": "supervisor", "from": "2021-01-01"},
        headers=declared_key,
    )
    client.post(
        "/api/v1/me/availability",
        json={"from": (PANEL_DATE - timedelta(days=1)).isoformat(), "to": PANEL_DATE.isoformat()},
        headers=away_key,
    )
    draw = _draw(client, admin, region, org_id, size=1, reserves=0)
    excluded = {entry["practitioner_id"]: entry["rule"] for entry in draw["excluded"]}
    assert excluded[declared_id] == "declaration"
    assert excluded[away_id] == "unavailable"
    invitations = client.get("/api/v1/me/invitations", headers=free_key).get_json()["items"]
    assert [(i["draw_id"], i["status"]) for i in invitations] == [(draw["id"], "invited")]
    answered = client.post(
        f"/api/v1/me/invitations/{draw['id']}", json={"response": "accepted"}, headers=free_key
    )
    assert answered.status_code == 200, answered.get_json()
    assert answered.get_json()["status"] == "accepted"
    again = client.post(
        f"/api/v1/me/invitations/{draw['id']}",
        json={"response": "declined", "reason": "改主意"},
        headers=free_key,
    )
    assert again.status_code == 409


def test_a_decline_from_me_calls_the_reserve(client, admin, experts):
    region, people = experts
    draw = _draw(client, admin, region, None, size=1, reserves=2)
    seated = draw["panel"][0]["practitioner"]["id"]
    key = dict(people)[seated]
    response = client.post(
        f"/api/v1/me/invitations/{draw['id']}",
        json={"response": "declined", "reason": "当日出差"},
        headers=key,
    )
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["status"] == "declined"
    after = client.get(f"/api/v1/draws/{draw['id']}", headers=admin).get_json()
    invited = [seat["practitioner"]["id"] for seat in after["panel"] if seat["status"] == "invited"]
    assert invited and seated not in invited
