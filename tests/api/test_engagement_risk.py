"""GET /engagements/{id}/risk (issue 23): the team's conflicts with the client as paths, the rotation warning beside
a verifier, and the anomaly queue's findings about the engagement, in one answer; admin and government only."""

from __future__ import annotations

import pytest

from services import integrity
from tests import integrity_graph
from tests.support import assert_problem

NOBODY = "00000000-0000-4000-8000-000000000000"


@pytest.fixture(scope="module")
def ids(app, as_role, context):
    admin = as_role("admin")
    client = app.test_client()
    planted = integrity_graph.build(client, admin)
    # a verifier employed by the client itself, put on its team with an administrator's acknowledgement
    insider = client.post(
        "/api/v1/practitioners",
        json={"name": "厂内核查员", "id_card": integrity_graph.unique_id_card()},
        headers=admin,
    ).get_json()["id"]
    employed = client.post(
        f"/api/v1/practitioners/{insider}/employments",
        json={"organization_id": planted["FC"], "since": "2020-01-01"},
        headers=admin,
    )
    assert employed.status_code == 201, employed.get_json()
    body = {
        "title": "内部人核查", "kind": "verification", "client_id": planted["FC"], "provider_id": planted["FP"],
        "start_on": "2025-04-01", "end_on": "2025-05-31", "status": "completed",
        "team": [{"practitioner_id": insider, "roles": ["member"]}, {"practitioner_id": planted["F1"], "roles": ["lead"]}],
        "acknowledged_conflicts": [{"practitioner_id": insider, "reason": "the only verifier who reads the plant's meters"}],
    }  # fmt: skip
    response = client.post("/api/v1/engagements", json=body, headers=admin)
    assert response.status_code == 201, response.get_json()
    integrity.scan(context)
    return planted | {"insider": insider, "E_insider": response.get_json()["id"]}


def _risk(client, headers, engagement_id):
    return client.get(f"/api/v1/engagements/{engagement_id}/risk", headers=headers)


def test_a_conflicted_member_shows_with_the_path_and_a_long_serving_verifier_with_the_warning(
    client, admin, ids
):
    answer = _risk(client, admin, ids["E_insider"])
    assert answer.status_code == 200, answer.get_json()
    body = answer.get_json()
    assert body["engagement"]["client"]["id"] == ids["FC"]
    conflicts = {member["practitioner_id"]: member["conflicts"] for member in body["conflicts"]}
    [employed] = [c for c in conflicts[ids["insider"]] if c["rule"] == "group_employment"]
    assert employed["path"][0]["rel"] == "EMPLOYED_BY" and employed["path"][0]["to"]["id"] == ids["FC"]
    # the long-serving verifier's earlier work for the client is evidence too
    assert {c["rule"] for c in conflicts[ids["F1"]]} == {"group_engagement"}
    rotation = {row["practitioner_id"]: row for row in body["rotation"]}
    assert rotation[ids["F1"]]["consecutive_years"] == 4  # 2022–2024 and this one in 2025
    assert rotation[ids["F1"]]["warning"] is True
    assert rotation[ids["insider"]]["consecutive_years"] == 1 and rotation[ids["insider"]]["warning"] is False


def test_the_engagement_carries_the_findings_about_it(client, as_role, ids):
    body = _risk(client, as_role("government"), ids["E_unsigned"]).get_json()
    assert [f["kind"] for f in body["findings"]] == ["signed_not_on_site"]
    assert body["conflicts"] == []
    assert {row["practitioner_id"]: row["warning"] for row in body["rotation"]} == {
        ids["S1"]: False,
        ids["M1"]: False,
    }
    assert (
        _risk(client, as_role("government"), ids["E_F1_2022"]).get_json()["findings"][0]["kind"]
        == "familiar_pair"
    )


@pytest.mark.parametrize(("role", "status"), [("client", 403), ("public", 401)])
def test_only_supervisors_see_an_engagements_risk(client, as_role, ids, role, status):
    assert_problem(_risk(client, as_role(role), ids["E_unsigned"]), status)


def test_an_unknown_engagement_is_404(client, admin, ids):
    assert_problem(_risk(client, admin, NOBODY), 404)
