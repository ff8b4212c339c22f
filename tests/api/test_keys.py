"""API keys bound to a practitioner or an organization, created on the command line."""

from tests.support import PII_KEYS, keys_in


def _create(app, *args: str):
    return app.test_cli_runner().invoke(args=["registry", "create-key", *args])


def test_a_practitioner_key_names_its_person_and_is_listed_with_it(app, new_practitioner):
    person = new_practitioner()
    result = _create(app, "--role", "practitioner", "--practitioner", person["id"], "--label", "本人")
    assert result.exit_code == 0, result.output
    key = result.stdout.strip().splitlines()[-1]
    listing = app.test_cli_runner().invoke(args=["registry", "list-keys"]).output
    assert any(
        key[:12] in line and person["id"] in line and "practitioner" in line for line in listing.splitlines()
    )


def test_a_practitioner_key_without_its_person_or_for_an_unknown_one_is_refused(app):
    assert _create(app, "--role", "practitioner").exit_code != 0
    unknown = _create(app, "--role", "practitioner", "--practitioner", "00000000-0000-4000-8000-000000000000")
    assert unknown.exit_code != 0
    assert "No practitioner" in unknown.output


def test_only_client_and_government_keys_are_bound_to_an_organization(app, client, admin):
    org = client.post(
        "/api/v1/organizations", json={"name": "绑定测试公司", "kind": "enterprise"}, headers=admin
    )
    org_id = org.get_json()["id"]
    assert _create(app, "--role", "client", "--organization", org_id).exit_code == 0
    # a government key bound to a department publishes that department's public-welfare activities (issue 25)
    government = _create(app, "--role", "government", "--organization", org_id)
    assert government.exit_code == 0, government.output
    listing = app.test_cli_runner().invoke(args=["registry", "list-keys"]).output
    prefix = government.stdout.strip().splitlines()[-1][:12]
    assert any(prefix in line and org_id in line and "government" in line for line in listing.splitlines())
    refused = _create(app, "--role", "admin", "--organization", org_id)
    assert refused.exit_code != 0
    assert "client and government" in refused.output


def test_a_practitioner_key_reads_the_registry_as_the_public_does(app, client, new_practitioner):
    person = new_practitioner(public_profile=False, phone="13700001234")
    result = _create(app, "--role", "practitioner", "--practitioner", person["id"])
    headers = {"X-API-Key": result.stdout.strip().splitlines()[-1]}
    body = client.get("/api/v1/practitioners", query_string={"per_page": 100}, headers=headers).get_json()
    assert person["id"] not in {item["id"] for item in body["items"]}  # only the consenting showcase
    assert not keys_in(body) & PII_KEYS
    # the person did not consent to the showcase: as for the public, there is no profile to see
    assert client.get(f"/api/v1/practitioners/{person['id']}", headers=headers).status_code == 404


def test_an_administrator_issues_a_department_key_that_publishes_for_its_organization_only(
    client, admin, as_role
):
    org_id = client.post(
        "/api/v1/organizations", json={"name": "节能监察中心", "kind": "government"}, headers=admin
    ).get_json()["id"]
    issued = client.post(
        f"/api/v1/organizations/{org_id}/keys", json={"role": "government", "label": "宣传处"}, headers=admin
    )
    assert issued.status_code == 201, issued.get_data(as_text=True)
    body = issued.get_json()
    assert (
        body["organization_id"] == org_id and body["role"] == "government" and body["key"].startswith("cmr_")
    )
    department = {"X-API-Key": body["key"]}
    activity = {"title": "碳普惠进社区", "kind": "carbon_inclusion", "organizer_id": org_id, "online": True,
                "starts_on": "2026-06-15", "ends_on": "2026-06-15", "hours": 2, "capacity": 10}  # fmt: skip
    assert client.post("/api/v1/activities", json=activity, headers=department).status_code == 201
    other = client.post(
        "/api/v1/organizations", json={"name": "其他部门", "kind": "government"}, headers=admin
    )
    elsewhere = activity | {"organizer_id": other.get_json()["id"]}
    assert client.post("/api/v1/activities", json=elsewhere, headers=department).status_code == 403
    refused = client.post(f"/api/v1/organizations/{org_id}/keys", json={"role": "admin"}, headers=admin)
    assert refused.status_code == 400
    assert (
        client.post(
            f"/api/v1/organizations/{org_id}/keys", json={"role": "client"}, headers=as_role("government")
        ).status_code
        == 403
    )
    unknown = client.post(
        "/api/v1/organizations/00000000-0000-4000-8000-000000000000/keys",
        json={"role": "client"},
        headers=admin,
    )
    assert unknown.status_code == 404
