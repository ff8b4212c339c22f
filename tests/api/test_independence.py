"""GET /organizations/{id}/independence (issue 23 part 3): who verified a client, by year, for how many
consecutive years, with the rotation warning; and the warning beside candidates (services/independence.py).

The graph, built through the API: a client verified by one body four years running, team members of 4, 3, 2 (a gap
year broke a longer history) and 1 consecutive years, a cancelled verification and a consulting engagement that do
not fill a year, and a member whose record was deleted.
"""

from __future__ import annotations

from datetime import date

import pytest

from graph import rotation
from registry.rotation import ROTATION_RULE
from services import independence
from tests.support import assert_problem, unique_id_card

NOBODY = "00000000-0000-4000-8000-000000000000"
Y = date.today().year


def url(organization_id: str) -> str:
    return f"/api/v1/organizations/{organization_id}/independence"


@pytest.fixture(scope="module")
def world(app, keys) -> dict[str, str]:
    """Organizations, people and engagements of the scenario above; ids by name, plus a key bound to the client."""
    http = app.test_client()
    admin = {"X-API-Key": keys["admin"]}
    ids: dict[str, str] = {}

    def post(path: str, body: dict) -> dict:
        response = http.post(f"/api/v1/{path}", json=body, headers=admin)
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    for name, kind in (("client", "enterprise"), ("other_client", "enterprise"), ("V1", "verification_body"),
                       ("V2", "verification_body"), ("C1", "consultancy")):  # fmt: skip
        ids[name] = post("organizations", {"name": f"轮换测试{name}", "kind": kind})["id"]
    for name in ("P4", "P3", "PG", "PX", "PN", "P1", "PD", "P0"):
        body = {
            "name": f"轮换{name}",
            "id_card": unique_id_card(),
            "education": "bachelor",
            "work_start_year": 2010,
        }
        if name == "P1":
            body["employer_id"] = ids["V1"]
        if name == "P0":
            body["employer_id"] = ids["C1"]
        ids[name] = post("practitioners", body)["id"]

    def engagement(
        year: int,
        provider: str | None,
        team: list[str],
        kind="verification",
        status="completed",
        client="client",
    ):
        post("engagements", {
            "title": f"{year}年度{kind}", "kind": kind, "client_id": ids[client],
            "provider_id": ids[provider] if provider else None,
            "start_on": f"{year}-04-01", "end_on": f"{year}-06-30", "status": status,
            "team": [{"practitioner_id": ids[name], "roles": ["member"]} for name in team],
            # PN consulted for the client before verifying it (consult_then_verify): history recorded as it was
            "acknowledged_conflicts": [{"practitioner_id": ids[name], "reason": "历史记录"} for name in team],
        })  # fmt: skip

    engagement(Y - 5, "V2", ["PG"])
    engagement(Y - 4, "V1", ["P4", "PG"])
    engagement(Y - 3, "V1", ["P4", "P3", "PX", "PN"])
    engagement(Y - 2, "V1", ["P4", "P3", "PG"])
    engagement(Y - 2, "V2", ["PX"], status="cancelled")
    engagement(Y - 2, "C1", ["PN"], kind="consulting")
    engagement(Y - 1, "V1", ["P4", "P3", "PG", "PX", "PN", "P1", "PD"])
    engagement(Y - 1, "V1", ["P1"], client="other_client")
    engagement(Y - 1, None, ["P1"])  # its body unknown: counts for the person only
    assert http.delete(f"/api/v1/practitioners/{ids['PD']}", headers=admin).status_code == 200

    result = app.test_cli_runner().invoke(
        args=[
            "registry",
            "create-key",
            "--role",
            "client",
            "--label",
            "rotation",
            "--organization",
            ids["client"],
        ]
    )
    assert result.exit_code == 0, result.output
    ids["client_key"] = result.stdout.strip().splitlines()[-1]
    return ids


def _rows(body: dict) -> dict[str, dict]:
    """Rows by the verifier's id (hidden ones under 'hidden')."""
    return {row["verifier"].get("id", "hidden"): row for row in body["rows"]}


def test_the_table_counts_runs_of_consecutive_verification_years(client, admin, world):
    response = client.get(url(world["client"]), headers=admin)
    assert response.status_code == 200, response.get_json()
    rows = _rows(response.get_json())
    expected = {
        "V1": ([Y - 4, Y - 3, Y - 2, Y - 1], 4, True),
        "V2": ([Y - 5], 1, False),  # its cancelled verification fills no year
        "P4": ([Y - 4, Y - 3, Y - 2, Y - 1], 4, True),
        "P3": ([Y - 3, Y - 2, Y - 1], 3, True),
        "PG": ([Y - 5, Y - 4, Y - 2, Y - 1], 2, False),  # the gap year broke the run
        "PX": ([Y - 3, Y - 1], 1, False),  # a cancelled verification does not fill the gap
        "PN": ([Y - 3, Y - 1], 1, False),  # nor does a consulting engagement
        "P1": ([Y - 1], 1, False),  # its verification of the other client is not this client's
        "PD": ([Y - 1], 1, False),
    }
    assert {key: (row["years"], row["consecutive_years"], row["warning"]) for key, row in rows.items()} == {
        world[name]: value for name, value in expected.items()
    }
    assert world["C1"] not in rows  # the consultancy did no verification


def test_the_longest_tenure_comes_first_and_the_rule_carries_its_source(client, admin, world):
    body = client.get(url(world["client"]), headers=admin).get_json()
    assert body["organization"]["id"] == world["client"]
    assert [row["consecutive_years"] for row in body["rows"]][:3] == [4, 4, 3]
    assert body["rows"][0]["verifier"] == {"type": "organization", "id": world["V1"], "name": "轮换测试V1"}
    assert body["rule"] == {"warn_at": 3, "block_at": None, "source": ROTATION_RULE.source}


def test_the_table_says_how_many_verifications_name_no_provider(client, admin, world):
    body = client.get(url(world["client"]), headers=admin).get_json()
    assert (body["verifications"], body["provider_unknown"]) == (6, 1)


@pytest.mark.parametrize("role", ["admin", "government", "bound client"])
def test_admin_government_and_the_clients_own_key_read_the_table(client, as_role, world, role):
    headers = {"X-API-Key": world["client_key"]} if role == "bound client" else as_role(role)
    response = client.get(url(world["client"]), headers=headers)
    assert response.status_code == 200, response.get_json()
    assert len(response.get_json()["rows"]) == 9


@pytest.mark.parametrize("role", ["government", "bound client"])
def test_a_deleted_persons_identity_is_hidden_from_all_but_admins(client, as_role, admin, world, role):
    headers = {"X-API-Key": world["client_key"]} if role == "bound client" else as_role(role)
    rows = _rows(client.get(url(world["client"]), headers=headers).get_json())
    assert world["PD"] not in rows
    assert rows["hidden"]["verifier"] == {"type": "practitioner", "hidden": True}
    assert rows["hidden"]["years"] == [Y - 1]
    assert world["PD"] in _rows(client.get(url(world["client"]), headers=admin).get_json())


def test_a_client_key_of_another_organization_or_unbound_is_refused(client, as_role, world):
    bound = {"X-API-Key": world["client_key"]}
    assert_problem(client.get(url(world["other_client"]), headers=bound), 403)
    assert_problem(client.get(url(NOBODY), headers=bound), 403)
    assert_problem(client.get(url(world["client"]), headers=as_role("client")), 403)


def test_without_a_key_the_table_is_401_and_a_practitioners_own_key_403(client, admin, world):
    assert_problem(client.get(url(world["client"])), 401)
    response = client.post(f"/api/v1/practitioners/{world['P3']}/keys", json={"label": "本人"}, headers=admin)
    assert_problem(client.get(url(world["client"]), headers={"X-API-Key": response.get_json()["key"]}), 403)


@pytest.mark.parametrize("role", ["admin", "government"])
def test_an_unknown_organization_is_404(client, as_role, role):
    assert_problem(client.get(url(NOBODY), headers=as_role(role)), 404)


# --- The warning beside candidates ------------------------------------------------------------------------------


def _warnings(graph, world, names, role="admin"):
    people = [world[name] for name in names]
    return graph.read(independence.warnings, world["client"], people, date.today(), role)


def test_a_candidate_is_warned_by_their_own_run_or_their_employers_whichever_is_longer(graph, world):
    found = _warnings(graph, world, ["P4", "P1", "PG", "P0"])
    assert found[world["P4"]] == {
        "consecutive_years": 4, "years": [Y - 4, Y - 3, Y - 2, Y - 1], "warning": True,
        "via": {"type": "practitioner", "id": world["P4"], "name": "轮换P4"},
    }  # fmt: skip
    assert found[world["P1"]]["via"] == {"type": "organization", "id": world["V1"], "name": "轮换测试V1"}
    assert (found[world["P1"]]["consecutive_years"], found[world["P1"]]["warning"]) == (4, True)
    assert (found[world["PG"]]["consecutive_years"], found[world["PG"]]["warning"]) == (2, False)
    assert world["P0"] not in found  # neither they nor their consultancy verified the client


def test_an_employer_the_person_keeps_private_is_a_hidden_step(client, admin, graph, world):
    response = client.post(f"/api/v1/practitioners/{world['P1']}/keys", json={"label": "本人"}, headers=admin)
    own = {"X-API-Key": response.get_json()["key"]}
    assert (
        client.patch("/api/v1/me", json={"visibility": {"employer": "private"}}, headers=own).status_code
        == 200
    )
    seen_by_client = _warnings(graph, world, ["P1"], role="client")[world["P1"]]
    assert seen_by_client["via"] == {"type": "organization", "hidden": True}
    assert seen_by_client["warning"] is True
    assert _warnings(graph, world, ["P1"], role="admin")[world["P1"]]["via"]["id"] == world["V1"]


# --- Familiar pairs over the whole graph (the anomaly queue's familiar_pair) -------------------------------------


def test_familiar_pairs_are_the_rows_whose_run_reaches_the_threshold(client, admin, graph, world):
    pairs = [p for p in graph.read(rotation.familiar_pairs, 3) if p["client"]["id"] == world["client"]]
    table = client.get(url(world["client"]), headers=admin).get_json()["rows"]
    assert {(p["verifier"]["id"], p["consecutive_years"]) for p in pairs} == {
        (row["verifier"]["id"], row["consecutive_years"]) for row in table if row["consecutive_years"] >= 3
    }
    assert {p["verifier"]["id"] for p in pairs} == {world["V1"], world["P4"], world["P3"]}


def test_a_familiar_pair_holds_the_engagements_of_its_run_oldest_first(graph, world):
    pairs = {p["verifier"]["id"]: p for p in graph.read(rotation.familiar_pairs, 4)
             if p["client"]["id"] == world["client"]}  # fmt: skip
    assert set(pairs) == {world["V1"], world["P4"]}
    years = [Y - 4, Y - 3, Y - 2, Y - 1]
    records, _, _ = graph.driver.execute_query(
        "MATCH (e:Engagement) WHERE e.id IN $ids RETURN e.start_on.year AS year ORDER BY e.start_on",
        ids=pairs[world["P4"]]["engagement_ids"],
    )
    assert [r["year"] for r in records] == years
    assert len(pairs[world["P4"]]["engagement_ids"]) == 4
    assert pairs[world["V1"]]["years"] == years
