"""Employment history with real dates (issue 23 part 1): recorded by administrators, read as the employer
field's visibility allows."""

from datetime import date, timedelta

import pytest

from tests.support import assert_problem, graph_size

NOBODY = "00000000-0000-4000-8000-000000000000"
CORRECTED = "MATCH (:Practitioner {id: $id})-[c:CORRECTED_EMPLOYMENT]->() RETURN c.since AS since, c.corrected_by AS by"


def url(person_id: str) -> str:
    return f"/api/v1/practitioners/{person_id}/employments"


@pytest.fixture()
def organization(client, admin):
    def create(name: str, kind: str = "consultancy") -> str:
        response = client.post("/api/v1/organizations", json={"name": name, "kind": kind}, headers=admin)
        assert response.status_code == 201, response.get_json()
        return response.get_json()["id"]

    return create


@pytest.fixture()
def person_key(client, admin):
    def issue(practitioner_id: str) -> dict[str, str]:
        response = client.post(
            f"/api/v1/practitioners/{practitioner_id}/keys", json={"label": "本人"}, headers=admin
        )
        assert response.status_code == 201, response.get_json()
        return {"X-API-Key": response.get_json()["key"]}

    return issue


def test_a_past_employment_is_recorded_beside_the_current_one(client, admin, organization, new_practitioner):
    now, before = organization("现任核查机构", "verification_body"), organization("原咨询公司")
    person = new_practitioner(employer_id=now)
    body = {"organization_id": before, "since": "2016-07-01", "until": "2020-12-31"}
    response = client.post(url(person["id"]), json=body, headers=admin)
    assert response.status_code == 201, response.get_json()
    recorded = response.get_json()
    assert recorded["organization"]["id"] == before and recorded["current"] is False
    assert (recorded["since"], recorded["until"]) == ("2016-07-01", "2020-12-31")
    history = client.get(url(person["id"]), headers=admin).get_json()
    assert [(e["organization"]["id"], e["current"]) for e in history["items"]] == [
        (now, True),
        (before, False),
    ]
    assert history["total"] == 2
    entries = client.get(f"/api/v1/practitioners/{person['id']}/history", headers=admin).get_json()["items"]
    assert entries[0]["action"] == "employment"


def test_changing_the_employer_closes_the_old_employment_and_the_history_shows_both(
    client, admin, organization, new_practitioner
):
    first, second = organization("第一家公司"), organization("第二家公司")
    person = new_practitioner(employer_id=first)
    client.patch(f"/api/v1/practitioners/{person['id']}", json={"employer_id": second}, headers=admin)
    items = client.get(url(person["id"]), headers=admin).get_json()["items"]
    assert [(e["organization"]["id"], e["current"]) for e in items] == [(second, True), (first, False)]
    assert items[1]["until"] == date.today().isoformat()


def test_a_current_employment_becomes_the_employer(client, admin, organization, new_practitioner):
    employer = organization("新雇主")
    person = new_practitioner()
    body = {"organization_id": employer, "since": "2022-01-01", "until": None}
    assert client.post(url(person["id"]), json=body, headers=admin).status_code == 201
    profile = client.get(f"/api/v1/practitioners/{person['id']}", headers=admin).get_json()
    assert profile["employer"]["id"] == employer


def test_an_employment_that_touches_but_does_not_overlap_is_recorded(
    client, admin, organization, new_practitioner
):
    firm = organization("同一家公司")
    person = new_practitioner()
    first = {"organization_id": firm, "since": "2015-01-01", "until": "2017-12-31"}
    again = {"organization_id": firm, "since": "2018-01-01", "until": "2019-12-31"}
    assert client.post(url(person["id"]), json=first, headers=admin).status_code == 201
    assert client.post(url(person["id"]), json=again, headers=admin).status_code == 201


def test_overlapping_the_same_organization_is_409_and_writes_nothing(
    client, admin, graph, organization, new_practitioner
):
    firm, other = organization("重叠公司"), organization("另一家公司")
    person = new_practitioner()
    client.post(url(person["id"]), json={"organization_id": firm, "since": "2015-01-01", "until": "2018-06-30"},
                headers=admin)  # fmt: skip
    before = graph_size(graph)
    clash = {"organization_id": firm, "since": "2018-06-30", "until": "2019-12-31"}
    assert_problem(client.post(url(person["id"]), json=clash, headers=admin), 409)
    assert graph_size(graph) == before
    # Another organization at the same time is a fact of its own (a part-time post, say).
    elsewhere = {"organization_id": other, "since": "2016-01-01", "until": "2017-01-01"}
    assert client.post(url(person["id"]), json=elsewhere, headers=admin).status_code == 201


def test_a_second_current_employer_is_409(client, admin, organization, new_practitioner):
    person = new_practitioner(employer_id=organization("现雇主"))
    body = {"organization_id": organization("又一雇主"), "since": "2020-01-01"}
    assert_problem(client.post(url(person["id"]), json=body, headers=admin), 409)


def test_an_open_employment_overlaps_every_later_one_with_the_same_organization(
    client, admin, organization, new_practitioner
):
    firm = organization("现雇主二")
    person = new_practitioner(employer_id=firm)  # since today, still running
    body = {"organization_id": firm, "since": "2010-01-01", "until": date.today().isoformat()}
    assert_problem(client.post(url(person["id"]), json=body, headers=admin), 409)


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"since": "2020-01-01", "until": "2019-12-31"}, "until"),
        ({"since": (date.today() + timedelta(days=1)).isoformat()}, "since"),
        ({"since": "2020-01-01", "until": (date.today() + timedelta(days=1)).isoformat()}, "until"),
        ({"since": "yesterday"}, "since"),
        ({"until": "2020-01-01"}, "since"),
        ({"since": "2020-01-01", "organization_id": "acme"}, "organization_id"),
        ({"since": "2020-01-01", "salary": 1}, "salary"),
    ],
    ids=str,
)
def test_a_bad_employment_is_400_and_writes_nothing(
    client, admin, graph, organization, new_practitioner, body, field
):
    person = new_practitioner()
    body = {"organization_id": organization("某公司")} | body
    before = graph_size(graph)
    assert field in assert_problem(client.post(url(person["id"]), json=body, headers=admin), 400)["errors"]
    assert graph_size(graph) == before


def test_an_unknown_person_or_organization_is_404(client, admin, organization, new_practitioner):
    firm, person = organization("存在的公司"), new_practitioner()
    body = {"organization_id": firm, "since": "2020-01-01", "until": "2020-12-31"}
    assert_problem(client.post(url(NOBODY), json=body, headers=admin), 404)
    assert_problem(
        client.post(url(person["id"]), json=body | {"organization_id": NOBODY}, headers=admin), 404
    )
    assert_problem(client.get(url(NOBODY), headers=admin), 404)


@pytest.mark.parametrize(("role", "status"), [("public", 401), ("client", 403), ("government", 403)])
def test_only_admins_record_employments(client, as_role, organization, new_practitioner, role, status):
    person = new_practitioner()
    body = {"organization_id": organization("某某公司"), "since": "2020-01-01", "until": "2020-12-31"}
    assert_problem(client.post(url(person["id"]), json=body, headers=as_role(role)), status)


@pytest.mark.parametrize(
    ("level", "public", "client_", "government"),
    [("public", 200, 200, 200), ("clients", 403, 200, 200), ("private", 403, 403, 403)],
)
def test_the_history_is_shown_as_the_employer_field_says(
    client, as_role, organization, new_practitioner, person_key, level, public, client_, government
):
    person = new_practitioner(employer_id=organization("可见性公司"), public_profile=True)
    own = person_key(person["id"])
    response = client.patch("/api/v1/me", json={"visibility": {"employer": level}}, headers=own)
    assert response.status_code == 200, response.get_json()
    seen = {role: client.get(url(person["id"]), headers=as_role(role)).status_code
            for role in ("public", "client", "government", "admin")}  # fmt: skip
    assert seen == {"public": public, "client": client_, "government": government, "admin": 200}
    assert client.get(url(person["id"]), headers=own).status_code == 200  # the person always


def test_the_public_does_not_see_the_history_of_someone_off_the_showcase(
    client, organization, new_practitioner
):
    person = new_practitioner(employer_id=organization("不公开的公司"))
    assert_problem(client.get(url(person["id"])), 404)


def test_a_correction_replaces_the_employment_it_names_and_keeps_it_as_a_corrected_fact(
    client, admin, graph, organization, new_practitioner
):
    firm = organization("更正公司")
    person = new_practitioner(employer_id=firm)  # since the day of the call: the real start was years ago
    today = date.today().isoformat()
    body = {"organization_id": firm, "since": "2019-03-01", "corrects_since": today}
    response = client.post(url(person["id"]), json=body, headers=admin)
    assert response.status_code == 201, response.get_json()
    items = client.get(url(person["id"]), headers=admin).get_json()["items"]
    assert [(e["organization"]["id"], e["since"], e["current"]) for e in items] == [
        (firm, "2019-03-01", True)
    ]
    profile = client.get(f"/api/v1/practitioners/{person['id']}", headers=admin).get_json()
    assert profile["employer"]["id"] == firm
    kept = graph.read(lambda tx: tx.run(CORRECTED, id=person["id"]).single().data())
    assert kept["since"].iso_format() == today and kept["by"] == response.get_json()["id"]
    entries = client.get(f"/api/v1/practitioners/{person['id']}/history", headers=admin).get_json()["items"]
    assert entries[0]["action"] == "employment"


def test_correcting_an_employment_that_is_not_there_is_404(client, admin, organization, new_practitioner):
    firm = organization("无此更正公司")
    person = new_practitioner(employer_id=firm)
    body = {"organization_id": firm, "since": "2019-03-01", "corrects_since": "2001-01-01"}
    assert_problem(client.post(url(person["id"]), json=body, headers=admin), 404)
