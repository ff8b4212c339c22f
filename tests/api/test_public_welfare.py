"""A person's public-welfare record (issue 25) on every read path, per role: GET /practitioners/{id}, /me, the
credit summary's 公益服务 and /me/export. Only attended participation in an activity not cancelled counts; the
person's `public_welfare` visibility decides who sees it.
"""

from __future__ import annotations

import io
import uuid
from datetime import date

import openpyxl
import pytest

from tests.activity_fixtures import add_activity, join
from tests.support import unique_id_card

API = "/api/v1"
THIS_YEAR = date.today().year
ROLES = ("public", "client", "government", "admin", "other_practitioner", "self")
# Who reads each level (issue 13), written out rather than taken from the code under test.
READS = {
    "public": {"public"},
    "client": {"public", "clients"},
    "government": {"public", "clients"},
    "admin": {"public", "clients", "private"},
    "other_practitioner": {"public"},
    "self": {"public", "clients", "private"},
}
EXPECTED = {
    "activities": 3,
    "hours": 11.5,
    "by_year": [
        {"year": THIS_YEAR - 1, "activities": 1, "hours": 4.0},
        {"year": THIS_YEAR, "activities": 2, "hours": 7.5},
    ],
}


@pytest.fixture(scope="module")
def world(app, keys, graph):
    client = app.test_client()
    admin = {"X-API-Key": keys["admin"]}
    token = uuid.uuid4().hex[:8]
    organizer = client.post(
        f"{API}/organizations", json={"name": f"生态环境厅{token}", "kind": "government"}, headers=admin
    ).get_json()

    def register(name: str) -> dict:
        body = {"name": name, "id_card": unique_id_card(), "public_profile": True, "region": "420100"}
        response = client.post(f"{API}/practitioners", json=body, headers=admin)
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    person, other = register(f"公益员{token}"), register(f"旁人{token}")
    org = organizer["id"]
    last_year = add_activity(graph, org, starts_on=date(THIS_YEAR - 1, 6, 5), hours=4.0)
    first = add_activity(graph, org, starts_on=date(THIS_YEAR, 1, 10), kind="publicity", hours=3.5)
    second = add_activity(graph, org, starts_on=date(THIS_YEAR, 1, 20), kind="sme_assistance", hours=8)
    cancelled = add_activity(graph, org, starts_on=date(THIS_YEAR, 1, 15), status="cancelled")
    missed = add_activity(graph, org, starts_on=date(THIS_YEAR, 1, 16))
    upcoming = add_activity(graph, org, starts_on=date(THIS_YEAR + 1, 1, 16), status="open")
    join(graph, person["id"], last_year, "attended", 4.0)
    join(graph, person["id"], first, "attended", 3.5)
    join(graph, person["id"], second, "attended", 4.0)  # the organizer recorded fewer hours than planned
    join(graph, person["id"], cancelled, "attended", 4.0)  # kept, but a cancelled activity gives no hours
    join(graph, person["id"], missed, "absent")
    join(graph, person["id"], upcoming, "signed_up")
    join(graph, other["id"], first, "attended", 3.5)

    def key_for(practitioner_id: str) -> dict[str, str]:
        response = client.post(f"{API}/practitioners/{practitioner_id}/keys", json={}, headers=admin)
        return {"X-API-Key": response.get_json()["key"]}

    headers = {role: {"X-API-Key": keys[role]} for role in ("client", "government", "admin")}
    headers |= {"public": {}, "self": key_for(person["id"]), "other_practitioner": key_for(other["id"])}
    yield {"client": client, "person": person, "headers": headers, "first": first, "cancelled": cancelled}
    client.patch(f"{API}/me", json={"visibility": {"public_welfare": "public"}}, headers=headers["self"])


def set_level(world, level: str) -> None:
    response = world["client"].patch(
        f"{API}/me", json={"visibility": {"public_welfare": level}}, headers=world["headers"]["self"]
    )
    assert response.status_code == 200, response.get_json()


def profile(world, role: str) -> dict:
    response = world["client"].get(
        f"{API}/practitioners/{world['person']['id']}", headers=world["headers"][role]
    )
    assert response.status_code == 200, (role, response.get_json())
    return response.get_json()


def test_only_attended_participation_in_activities_not_cancelled_counts_per_year(world):
    me = world["client"].get(f"{API}/me", headers=world["headers"]["self"]).get_json()
    assert me["public_welfare"] == EXPECTED
    assert me["visibility"]["public_welfare"] == "public"  # public by default


@pytest.mark.parametrize("role", ROLES)
def test_everyone_sees_the_record_on_the_profile_by_default(world, role):
    set_level(world, "public")
    assert profile(world, role)["public_welfare"] == EXPECTED


@pytest.mark.parametrize("level", ("public", "clients", "private"))
@pytest.mark.parametrize("role", ROLES)
def test_the_record_is_shown_exactly_when_its_visibility_allows(world, role, level):
    set_level(world, level)
    shown = profile(world, role)
    visible = level in READS[role]
    assert ("public_welfare" in shown) == visible, (role, level)
    if "credit" in shown:  # client+ see the credit summary; its 公益服务 follows the same setting
        assert ("public_welfare" in shown["credit"]) == visible, (role, level)
    me = world["client"].get(f"{API}/me", headers=world["headers"]["self"]).get_json()
    assert me["public_welfare"] == EXPECTED  # the person always sees their own record


def test_the_credit_summary_carries_public_service_as_a_count_and_hours(world):
    set_level(world, "public")
    credit = profile(world, "government")["credit"]
    assert credit["public_welfare"] == {"label": "公益服务", "activities": 3, "hours": 11.5}
    assert "score" not in credit["public_welfare"]


def test_a_bad_visibility_level_is_refused_and_changes_nothing(world):
    set_level(world, "clients")
    response = world["client"].patch(
        f"{API}/me", json={"visibility": {"public_welfare": "friends"}}, headers=world["headers"]["self"]
    )
    assert response.status_code == 400
    assert "friends" in str(response.get_json()["errors"]["visibility"])
    me = world["client"].get(f"{API}/me", headers=world["headers"]["self"]).get_json()
    assert me["visibility"]["public_welfare"] == "clients"


def test_the_export_holds_every_participation_and_says_which_count(world):
    client, headers = world["client"], world["headers"]["self"]
    data = client.get(f"{API}/me/export", headers=headers).get_json()
    assert data["practitioner"]["public_welfare"] == EXPECTED
    rows = data["participations"]
    assert len(rows) == 6
    assert sum(row["counted"] for row in rows) == 3
    by_activity = {row["activity"]["id"]: row for row in rows}
    assert by_activity[world["cancelled"]]["status"] == "attended"
    assert by_activity[world["cancelled"]]["counted"] is False
    assert by_activity[world["first"]]["organizer"].startswith("生态环境厅")
    workbook = client.get(f"{API}/me/export?format=xlsx", headers=headers)
    assert workbook.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(workbook.data))["participations"]
    assert sheet.max_row == 1 + 6  # the header and one row per sign-up


def test_someone_who_never_took_part_has_an_empty_record(world, app, keys):
    client = world["client"]
    body = {"name": "新人", "id_card": unique_id_card(), "public_profile": True}
    person = client.post(f"{API}/practitioners", json=body, headers={"X-API-Key": keys["admin"]}).get_json()
    shown = client.get(
        f"{API}/practitioners/{person['id']}", headers={"X-API-Key": keys["client"]}
    ).get_json()
    assert shown["public_welfare"] == {"activities": 0, "hours": 0.0, "by_year": []}
    assert shown["credit"]["public_welfare"]["activities"] == 0


@pytest.mark.parametrize(("level", "shown"), (("public", True), ("clients", False)))
def test_the_portal_profile_shows_public_service_as_the_visibility_allows(world, level, shown):
    set_level(world, level)
    page = world["client"].get(f"/practitioners/{world['person']['id']}").get_data(as_text=True)
    assert ('data-testid="public-welfare"' in page) == shown
    if shown:
        assert 'data-testid="welfare-activities">3<' in page
        assert 'data-testid="welfare-hours">11.5<' in page
        assert f"<td>{THIS_YEAR}</td><td>2</td><td>7.5</td>" in page
