"""A deletion request removes the person's profile and contacts but keeps the evidence other people's conflicts
and findings rest on — employments, engagement teams, site visits, with their dates — for five years under
State Council order 775 (issue 23 part 1; docs/self-service.md)."""

from datetime import date

from registry.self_service import evidence_kept_until


def test_a_deletion_request_keeps_employments_teams_and_site_visits(client, admin, new_practitioner):
    def organization(name: str, kind: str) -> str:
        response = client.post("/api/v1/organizations", json={"name": name, "kind": kind}, headers=admin)
        return response.get_json()["id"]

    employer, former = (
        organization("证据核查机构", "verification_body"),
        organization("证据咨询公司", "consultancy"),
    )
    client_org = organization("证据客户", "enterprise")
    person = new_practitioner(name="证据人", employer_id=employer, phone="13900002222")
    employed = {"organization_id": former, "since": "2015-01-01", "until": "2019-12-31"}
    assert (
        client.post(
            f"/api/v1/practitioners/{person['id']}/employments", json=employed, headers=admin
        ).status_code
        == 201
    )
    engagement = client.post("/api/v1/engagements", headers=admin, json={
        "title": "证据核查", "kind": "verification", "client_id": client_org, "provider_id": employer,
        "start_on": "2025-01-01", "end_on": "2025-02-01", "status": "completed",
        "team": [{"practitioner_id": person["id"], "roles": ["lead", "signer"]}],
        "site_visits": [{"practitioner_id": person["id"], "date": "2025-01-10", "region": "420700"}],
    }).get_json()  # fmt: skip
    key = client.post(f"/api/v1/practitioners/{person['id']}/keys", json={"label": "本人"}, headers=admin)
    own = {"X-API-Key": key.get_json()["key"]}

    summary = client.post("/api/v1/me/deletion-request", headers=own).get_json()

    assert "EMPLOYED_BY" not in summary["removed"]
    assert summary["evidence_kept_until"] == evidence_kept_until(date.today()).isoformat()
    assert any("site visits" in kept["what"] for kept in summary["kept"])
    # The identity and contacts the registry does not need are gone …
    stored = client.get(f"/api/v1/practitioners/{person['id']}", headers=admin).get_json()
    assert stored["status"] == "deleted" and stored.get("phone") is None
    # … the facts stay, with their dates, on the anonymised record.
    history = client.get(f"/api/v1/practitioners/{person['id']}/employments", headers=admin).get_json()[
        "items"
    ]
    assert [(e["organization"]["id"], e["until"]) for e in history] == [
        (employer, None),
        (former, "2019-12-31"),
    ]
    kept = client.get(f"/api/v1/engagements/{engagement['id']}", headers=admin).get_json()
    assert [(m["practitioner"]["id"], m["roles"]) for m in kept["team"]] == [
        (person["id"], ["lead", "signer"])
    ]
    assert [(v["practitioner"]["id"], v["date"]) for v in kept["site_visits"]] == [
        (person["id"], "2025-01-10")
    ]


def test_a_deleted_colleague_s_site_visits_are_shown_to_admins_only(client, admin, as_role, new_practitioner):
    client_org = client.post(
        "/api/v1/organizations", json={"name": "访问客户", "kind": "enterprise"}, headers=admin
    )
    stays, leaves = new_practitioner(name="留下者"), new_practitioner(name="离开者")
    client.post("/api/v1/engagements", headers=admin, json={
        "title": "现场核查", "kind": "verification", "client_id": client_org.get_json()["id"],
        "start_on": "2025-01-01", "end_on": "2025-02-01", "status": "completed",
        "team": [{"practitioner_id": stays["id"], "role": "lead"}, {"practitioner_id": leaves["id"]}],
        "site_visits": [{"practitioner_id": p["id"], "date": "2025-01-10", "region": "420700"} for p in (stays, leaves)],
    })  # fmt: skip
    client.delete(f"/api/v1/practitioners/{leaves['id']}", headers=admin)
    url = f"/api/v1/practitioners/{stays['id']}/engagements"
    seen = client.get(url, headers=as_role("client")).get_json()["items"][0]
    assert [v["practitioner"]["id"] for v in seen["site_visits"]] == [stays["id"]]
    everything = client.get(url, headers=admin).get_json()["items"][0]
    assert len(everything["site_visits"]) == 2
