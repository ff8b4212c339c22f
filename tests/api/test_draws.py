"""/draws over a fixed panel registry in 香港 (810000), a region no other suite uses.

| key | certificates | notes |
|---|---|---|
| K1, K2 | verification L2 | both employed by the verification body (one expert per employer) |
| K3 … K8 | verification L2 (K7: L1) | clean |
| EMP | verification L2 | employed by the client (`employment`) |
| ENG | verification L2 | on an ongoing engagement for the client (`engagement`) |
| DECL | verification L2 | declared director of the client (`declaration`) |
| SUSP | verification L2, suspended | (`certificate_status`) |
| BAR | verification L2 | barred (`sanction`) |
| AWAY | verification L2 | unavailable around the panel dates (`unavailable`) |
| MAN | verification L2 | excluded by hand (`manual`) |
| L3 | verification L3 | not in the expert pool: never a candidate |
"""

from __future__ import annotations

import json
import uuid
from datetime import date, timedelta

import pytest
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey
from neo4j.time import Duration

from adapters.signing import Signer
from graph import draws as draws_repo
from registry import draw_seal
from registry.audit import Actor
from registry.draw_pool import decode_paths, encode_paths
from services import availability, declarations, misconduct
from services.context import Context
from tests.support import assert_problem, graph_size, unique_id_card

URL = "/api/v1/draws"
REGION = "810000"
TODAY = date.today()
CLEAN = ("K1", "K2", "K3", "K4", "K5", "K6", "K7", "K8")
EXPECTED_RULES = {
    "EMP": {"employment"},
    "ENG": {"engagement"},
    "DECL": {"declaration"},
    "SUSP": {"certificate_status"},
    "BAR": {"sanction"},
    "AWAY": {"unavailable"},
    "MAN": {"manual"},
}


def days_ago(days: int) -> str:
    return (TODAY - timedelta(days=days)).isoformat()


def panel_day(year_offset: int) -> str:
    """A panel date in its own future year, so the yearly cap (6 seats) never links one test to another."""
    return date(TODAY.year + year_offset, 6, 15).isoformat()


# Declarations and availability through issue 13's services, the bar through issue 12's misconduct records
# (three records within twelve months step up to a `bar`).
def declare_director(context, practitioner_id: str, organization_id: str) -> None:
    declarations.declare(
        context,
        practitioner_id,
        {
            "organization_id": organization_id,
            "relationship": "director",
            "from_": TODAY - timedelta(days=400),
        },
        entered_by="admin",
    )


def bar(context, practitioner_id: str) -> None:
    for days in (30, 20, 10):
        misconduct.record_misconduct(
            context,
            practitioner_id,
            {
                "category": "data_falsification",
                "occurred_on": TODAY - timedelta(days=days),
                "note": "fixture",
            },
        )


def away(context, practitioner_id: str, until: str) -> None:
    availability.declare(
        context, practitioner_id, {"from_": TODAY, "to": date.fromisoformat(until), "reason": "abroad"}
    )


@pytest.fixture(scope="module")
def ids(app, graph, settings, keys):
    context = Context(graph=graph, settings=settings, actor=Actor.cli(), today=TODAY)
    client, admin = app.test_client(), {"X-API-Key": keys["admin"]}
    ids: dict[str, str] = {}
    for key, body in {
        "client_org": {"name": "香港示范水泥有限公司", "kind": "enterprise", "region": REGION},
        "verifier_org": {"name": "香港示范核查中心", "kind": "verification_body", "region": REGION},
    }.items():
        response = client.post("/api/v1/organizations", json=body, headers=admin)
        assert response.status_code == 201, response.get_json()
        ids[key] = response.get_json()["id"]
    employers = {"K1": "verifier_org", "K2": "verifier_org", "EMP": "client_org"}
    people = [*CLEAN, *EXPECTED_RULES, "L3"]
    for index, key in enumerate(people):
        body = {
            "name": f"抽取测试{index:02d}",
            "id_card": unique_id_card(),
            "education": "master",
            "work_start_year": 2010,
            "region": REGION,
        }
        if key in employers:
            body["employer_id"] = ids[employers[key]]
        response = client.post("/api/v1/practitioners", json=body, headers=admin)
        assert response.status_code == 201, response.get_json()
        ids[key] = response.get_json()["id"]
        level = 1 if key == "K7" else 3 if key == "L3" else 2
        number = f"DR-{uuid.uuid4().hex[:10].upper()}"
        certificate = {"number": number, "practitioner_id": ids[key], "work_type": "verification",
                       "level": level, "issued_on": "2023-03-01"}  # fmt: skip
        assert client.post("/api/v1/certificates", json=certificate, headers=admin).status_code == 201
        if key == "SUSP":
            response = client.post(
                f"/api/v1/certificates/{number}/suspend", json={"reason": "fixture"}, headers=admin
            )
            assert response.status_code == 200
    engagement = {
        "title": "水泥公司碳达峰路线图", "kind": "consulting", "client_id": ids["client_org"], "region": REGION,
        "start_on": days_ago(100), "status": "active", "team": [{"practitioner_id": ids["ENG"], "role": "lead"}],
    }  # fmt: skip
    assert client.post("/api/v1/engagements", json=engagement, headers=admin).status_code == 201
    declare_director(context, ids["DECL"], ids["client_org"])
    bar(context, ids["BAR"])
    away(context, ids["AWAY"], panel_day(60))
    return ids


def draw_body(ids, **fields) -> dict:
    body = {
        "purpose": "review_panel",
        "title": "香港水泥公司核查报告评审",
        "organization_id": ids["client_org"],
        "work_type": "verification",
        "min_level": 2,
        "region": REGION,
        "size": 5,
        "reserves": 2,
        "panel_date": panel_day(1),
        "exclusions": [{"practitioner_id": ids["MAN"], "reason": "co-author of the report"}],
    }
    return body | fields


def make_draw(client, admin, ids, **fields) -> dict:
    response = client.post(URL, json=draw_body(ids, **fields), headers=admin)
    assert response.status_code == 201, response.get_json()
    return response.get_json()


def key_of(ids, practitioner_id: str) -> str:
    return next(key for key, value in ids.items() if value == practitioner_id)


def seated_keys(ids, draw: dict) -> list[str]:
    return [key_of(ids, s["practitioner"]["id"]) for s in draw["panel"]]


# --- Making a draw -------------------------------------------------------------------------------------------


def test_a_draw_records_every_exclusion_with_its_rule_and_seals_the_rest(client, admin, ids):
    response = client.post(URL, json=draw_body(ids, panel_date=panel_day(2)), headers=admin)
    assert response.status_code == 201, response.get_json()
    draw = response.get_json()
    assert response.headers["Location"].endswith(f"/draws/{draw['id']}")
    assert draw["status"] == "inviting"
    assert draw["shortfall"] == 0
    assert len(draw["candidate_hash"]) == 64 and len(draw["seed_commitment"]) == 64

    rules: dict[str, set[str]] = {}
    for exclusion in draw["excluded"]:
        rules.setdefault(key_of(ids, exclusion["practitioner_id"]), set()).add(exclusion["rule"])
    avoidance = {key: found for key, found in rules.items() if key not in CLEAN}
    # The organization's own employee and engagement are also issue 23's indirect conflicts (its group at depth 0
    # and up; consulting for it before a verification job).
    indirect = {"EMP": {"group_employment"}, "ENG": {"group_engagement", "consult_then_verify"}}
    assert avoidance == {key: found | indirect.get(key, set()) for key, found in EXPECTED_RULES.items()}
    assert draw["candidate_count"] == len(
        CLEAN
    )  # L3 never meets the criteria; the excluded are not candidates

    panel, reserves = draw["panel"], draw["reserves"]
    assert len(panel) == 5 and len(reserves) == 2
    assert all(seat["status"] == "invited" and seat["deadline"] for seat in panel)
    assert all(seat["status"] == "standby" for seat in reserves)
    drawn = [key_of(ids, s["practitioner"]["id"]) for s in panel + reserves]
    assert set(drawn) <= set(CLEAN)
    assert not {"K1", "K2"} <= set(drawn)  # one expert per employer
    orders = [s["order"] for s in panel + reserves]
    assert orders == sorted(orders)
    skipped = {key_of(ids, x["practitioner_id"]) for x in draw["excluded"] if x["rule"] == "same_employer"}
    assert skipped <= {"K1", "K2"}
    assert draw["exclusions_by_rule"]["manual"] == 1


def test_a_draw_verifies_and_still_verifies_after_the_graph_changed(client, admin, ids):
    # Its own small pool in 澳门 (820000), so the changes below leave the fixed registry as the table says.
    people = []
    for index in range(3):
        body = {
            "name": f"澳门专家{index}",
            "id_card": unique_id_card(),
            "region": "820000",
            "education": "master",
        }
        people.append(client.post("/api/v1/practitioners", json=body, headers=admin).get_json()["id"])
        number = f"DR-{uuid.uuid4().hex[:10].upper()}"
        assert client.post("/api/v1/certificates", headers=admin, json={
            "number": number, "practitioner_id": people[-1], "work_type": "verification", "level": 2,
            "issued_on": "2024-01-01"}).status_code == 201  # fmt: skip
    draw = make_draw(
        client, admin, ids, purpose="policy_advice", region="820000", size=1, reserves=1, exclusions=[],
        panel_date=panel_day(50),
    )  # fmt: skip
    first = client.get(f"{URL}/{draw['id']}/verify")  # public: no key needed
    assert first.status_code == 200
    assert first.get_json()["verified"] is True
    assert {c["check"] for c in first.get_json()["checks"]} >= {
        "seed_commitment",
        "candidate_hash",
        "seed",
        "seats",
    }

    # The graph moves on: the drawn expert joins the client, a new expert appears, another is deleted.
    member = draw["panel"][0]["practitioner"]["id"]
    moved = client.patch(
        f"/api/v1/practitioners/{member}", json={"employer_id": ids["client_org"]}, headers=admin
    )
    assert moved.status_code == 200, moved.get_json()
    newcomer = client.post(
        "/api/v1/practitioners",
        json={"name": "后来者", "id_card": unique_id_card(), "region": "820000", "education": "master"},
        headers=admin,
    ).get_json()["id"]
    assert client.post("/api/v1/certificates", headers=admin, json={
        "number": f"DR-{uuid.uuid4().hex[:10].upper()}", "practitioner_id": newcomer, "work_type": "verification",
        "level": 2, "issued_on": "2024-01-01"}).status_code == 201  # fmt: skip
    other = next(pid for pid in people if pid != member)
    assert client.delete(f"/api/v1/practitioners/{other}", headers=admin).status_code in (200, 204)

    again = client.get(f"{URL}/{draw['id']}/verify").get_json()
    assert again["verified"] is True
    assert again["candidate_hash"] == draw["candidate_hash"]
    assert client.get(f"{URL}/{draw['id']}", headers=admin).get_json()["panel"] == draw["panel"]


def test_a_tampered_seat_fails_verification(client, admin, ids, graph):
    draw = make_draw(client, admin, ids, panel_date=panel_day(4))
    graph.driver.execute_query(
        "MATCH (:Draw {id: $id})-[r:DREW {role: 'reserve'}]->() WITH r LIMIT 1 SET r.role = 'panel'",
        id=draw["id"],
    )
    result = client.get(f"{URL}/{draw['id']}/verify").get_json()
    assert result["verified"] is False
    assert [c["check"] for c in result["checks"] if not c["ok"]] == ["seats"]


# --- Bad input -----------------------------------------------------------------------------------------------


def test_an_even_panel_of_five_or_more_is_refused_and_nothing_is_written(client, admin, ids, graph):
    before = graph_size(graph)
    problem = assert_problem(client.post(URL, json=draw_body(ids, size=6), headers=admin), 400)
    assert "odd" in problem["errors"]["size"][0]
    assert graph_size(graph) == before


def test_criteria_nobody_meets_are_a_422_and_nothing_is_written(client, admin, ids, graph):
    before = graph_size(graph)
    problem = assert_problem(client.post(URL, json=draw_body(ids, work_type="aviation"), headers=admin), 422)
    assert "criteria" in problem["detail"]
    assert graph_size(graph) == before


def test_an_unknown_organization_is_a_404_and_nothing_is_written(client, admin, ids, graph):
    before = graph_size(graph)
    assert_problem(
        client.post(URL, json=draw_body(ids, organization_id=str(uuid.uuid4())), headers=admin), 404
    )
    assert graph_size(graph) == before


def test_a_count_larger_than_the_pool_is_refused_when_asked_not_to_record_a_shortfall(
    client, admin, ids, graph
):
    before = graph_size(graph)
    body = draw_body(ids, size=9, allow_shortfall=False, panel_date=panel_day(5))
    problem = assert_problem(client.post(URL, json=body, headers=admin), 422)
    assert problem["candidate_count"] == len(CLEAN)
    assert graph_size(graph) == before


@pytest.mark.parametrize(
    ("fields", "field"),
    [
        ({"purpose": "lunch"}, "purpose"),
        ({"size": "5"}, "size"),
        ({"reserves": -1}, "reserves"),
        ({"region": "999999"}, "region"),
        ({"exclusions": [{"practitioner_id": str(uuid.uuid4()), "reason": "x"}]}, "exclusions"),
        ({"exclusions": [{"practitioner_id": str(uuid.uuid4())}]}, "exclusions"),
        ({"panel_date": "2001-01-01"}, "panel_date"),
        ({"size": 3}, "size"),  # a review panel needs 5 or more
    ],
)
def test_bad_draw_requests_are_400_naming_the_field(client, admin, ids, fields, field):
    problem = assert_problem(client.post(URL, json=draw_body(ids, **fields), headers=admin), 400)
    assert any(key.split(".")[0] == field for key in problem["errors"]), problem["errors"]


def test_only_admins_make_draws(client, as_role, ids):
    assert_problem(client.post(URL, json=draw_body(ids), headers=as_role("government")), 403)
    assert_problem(client.post(URL, json=draw_body(ids)), 401)


# --- Invitations, replacements, shortfall ---------------------------------------------------------------------


def respond(client, admin, draw_id: str, practitioner_id: str, response: str, **extra):
    body = {"practitioner_id": practitioner_id, "response": response, **extra}
    return client.post(f"{URL}/{draw_id}/responses", json=body, headers=admin)


def test_declines_call_the_reserve_then_a_replacement_from_the_same_sealed_order(client, admin, ids):
    draw = make_draw(client, admin, ids, purpose="policy_advice", size=3, reserves=1, panel_date=panel_day(6))
    first, second = (s["practitioner"]["id"] for s in draw["panel"][:2])
    reserve = draw["reserves"][0]["practitioner"]["id"]

    after_first = respond(client, admin, draw["id"], first, "declined", reason="travelling").get_json()
    called = next(s for s in after_first["panel"] if s["practitioner"]["id"] == reserve)
    assert (called["status"], called["via"], called["replaces"]) == ("invited", "reserve", first)

    after_second = respond(client, admin, draw["id"], second, "no_response").get_json()
    replacement = [s for s in after_second["panel"] if s["via"] == "replacement"]
    assert len(replacement) == 1 and replacement[0]["replaces"] == second
    # The first candidate along the order not yet in the draw (a colleague skipped for the same employer
    # comes back once the one who blocked them declined); verify recomputes exactly that.
    assert replacement[0]["practitioner"]["id"] not in {
        s["practitioner"]["id"] for s in draw["panel"] + draw["reserves"]
    }
    assert "replacement_drawn" in [e["kind"] for e in after_second["events"]]
    assert client.get(f"{URL}/{draw['id']}/verify").get_json()["verified"] is True


def test_answering_twice_is_a_409_and_an_unknown_person_a_404(client, admin, ids):
    draw = make_draw(client, admin, ids, purpose="policy_advice", size=3, reserves=0, panel_date=panel_day(7))
    member = draw["panel"][0]["practitioner"]["id"]
    assert respond(client, admin, draw["id"], member, "accepted").status_code == 200
    assert_problem(respond(client, admin, draw["id"], member, "no_response"), 409)
    assert_problem(respond(client, admin, draw["id"], str(uuid.uuid4()), "accepted"), 404)
    assert_problem(respond(client, admin, str(uuid.uuid4()), member, "accepted"), 404)


def test_a_pool_that_runs_out_records_a_shortfall_which_an_appointment_fills(client, admin, ids):
    draw = make_draw(
        client, admin, ids, purpose="standard_drafting", size=9, reserves=0, panel_date=panel_day(8)
    )
    assert draw["shortfall"] == 2  # eight clean candidates, two of them of one employer
    assert draw["status"] == "short"
    assert_problem(
        client.post(f"{URL}/{draw['id']}/appointments", json={"practitioner_id": ids["L3"]}, headers=admin),
        400,
    )
    appointed = client.post(
        f"{URL}/{draw['id']}/appointments",
        json={"practitioner_id": ids["L3"], "reason": "appointed from the provincial pool (补抽)"},
        headers=admin,
    ).get_json()
    assert appointed["shortfall"] == 1
    assert any(s["via"] == "appointed" and s["practitioner"]["id"] == ids["L3"] for s in appointed["panel"])
    assert client.get(f"{URL}/{draw['id']}/verify").get_json()["verified"] is True


def test_an_appointment_without_a_shortfall_is_a_409(client, admin, ids):
    draw = make_draw(client, admin, ids, purpose="policy_advice", size=1, reserves=0, panel_date=panel_day(9))
    body = {"practitioner_id": ids["L3"], "reason": "friend"}
    assert_problem(client.post(f"{URL}/{draw['id']}/appointments", json=body, headers=admin), 409)


# --- Who sees what --------------------------------------------------------------------------------------------


def test_names_are_hidden_from_non_admins_until_the_draw_is_disclosed(client, admin, as_role, ids):
    draw = make_draw(client, admin, ids, panel_date=panel_day(10))
    hidden = client.get(f"{URL}/{draw['id']}", headers=as_role("client")).get_json()
    assert hidden["names_hidden"] is True
    assert all(seat["practitioner"] is None for seat in hidden["panel"] + hidden["reserves"])
    assert hidden["excluded"] == [] and hidden["events"] == []
    assert hidden["exclusions_by_rule"]["employment"] == 1
    assert hidden["candidate_count"] == draw["candidate_count"]

    disclosed = client.post(f"{URL}/{draw['id']}/disclose", headers=admin)
    assert disclosed.status_code == 200
    shown = client.get(f"{URL}/{draw['id']}", headers=as_role("government")).get_json()
    assert shown["names_hidden"] is False
    assert [s["practitioner"]["id"] for s in shown["panel"]] == [
        s["practitioner"]["id"] for s in draw["panel"]
    ]
    assert_problem(client.post(f"{URL}/{draw['id']}/disclose", headers=admin), 409)
    assert_problem(client.get(f"{URL}/{draw['id']}"), 401)


def test_responses_need_an_admin(client, as_role, admin, ids):
    draw = make_draw(
        client, admin, ids, purpose="policy_advice", size=1, reserves=0, panel_date=panel_day(11)
    )
    body = {"practitioner_id": draw["panel"][0]["practitioner"]["id"], "response": "accepted"}
    assert_problem(client.post(f"{URL}/{draw['id']}/responses", json=body, headers=as_role("client")), 403)


def test_a_note_is_a_new_event_and_changes_nothing_else(client, admin, ids):
    draw = make_draw(
        client, admin, ids, purpose="policy_advice", size=1, reserves=0, panel_date=panel_day(12)
    )
    noted = client.post(
        f"{URL}/{draw['id']}/notes", json={"note": "评审地点改为线上"}, headers=admin
    ).get_json()
    assert noted["events"][-1]["kind"] == "note"
    assert noted["panel"] == draw["panel"]
    assert client.get(f"{URL}/{draw['id']}/verify").get_json()["verified"] is True


# --- Statistics and the practitioner's record ------------------------------------------------------------------


def test_statistics_count_draws_answers_spread_and_exclusions_by_rule(client, admin, as_role, ids):
    draw = make_draw(client, admin, ids, purpose="consulting", size=1, reserves=0, panel_date=panel_day(13))
    respond(client, admin, draw["id"], draw["panel"][0]["practitioner"]["id"], "accepted")
    stats = client.get(f"{URL}/stats", headers=as_role("government"))
    assert stats.status_code == 200, stats.get_json()
    body = stats.get_json()
    assert body["draws"] >= 1 and body["by_purpose"]["consulting"] >= 1
    assert {row["month"] for row in body["by_month"]} >= {TODAY.isoformat()[:7]}
    assert set(body["exclusions_by_rule"]) == {
        "employment", "engagement", "declaration", "certificate_status", "sanction", "same_employer",
        "unavailable", "draw_cap", "manual",
        # issue 23's indirect conflicts exclude from draws too
        "group_employment", "group_engagement", "colleague", "consult_then_verify",
    }  # fmt: skip
    assert body["invitations"]["accepted"] >= 1
    assert 0 < body["invitations"]["acceptance_rate"] <= 1
    assert 0 < body["spread"]["top_10_percent_share"] <= 1
    assert_problem(client.get(f"{URL}/stats", headers=as_role("client")), 403)


def test_the_practitioner_record_shows_draws_served(client, admin, ids):
    draw = make_draw(
        client, admin, ids, purpose="question_bank", size=1, reserves=0, panel_date=panel_day(14)
    )
    member = draw["panel"][0]["practitioner"]["id"]
    before = client.get(f"/api/v1/practitioners/{member}", headers=admin).get_json()
    respond(client, admin, draw["id"], member, "accepted")
    after = client.get(f"/api/v1/practitioners/{member}", headers=admin).get_json()
    assert after["draws_served"] == before["draws_served"] + 1
    assert after["last_draw_on"] >= panel_day(14)


def test_the_credit_summary_counts_a_panel_for_non_admins_once_it_is_disclosed(client, admin, as_role, ids):
    draw = make_draw(
        client, admin, ids, purpose="question_bank", size=1, reserves=0, panel_date=panel_day(15)
    )
    member = draw["panel"][0]["practitioner"]["id"]

    def served(role: str) -> int:
        headers = admin if role == "admin" else as_role(role)
        return client.get(f"/api/v1/practitioners/{member}", headers=headers).get_json()["credit"][
            "draws_served"
        ]

    before = {role: served(role) for role in ("admin", "government", "client")}
    respond(client, admin, draw["id"], member, "accepted")
    # Until the panel is disclosed, a count that moved would tell a client who sits on it.
    assert {role: served(role) for role in before} == before | {"admin": before["admin"] + 1}
    assert client.post(f"{URL}/{draw['id']}/disclose", headers=admin).status_code == 200
    assert {role: served(role) for role in before} == {role: count + 1 for role, count in before.items()}


def test_the_rules_are_public_with_their_sources(client):
    rules = client.get(f"{URL}/rules").get_json()
    assert {r["code"] for r in rules["avoidance"]} >= {"employment", "draw_cap", "manual"}
    assert all(r["source"] for r in rules["avoidance"])
    assert rules["odd_from"] == 5


def test_the_rules_list_the_indirect_conflicts_with_their_sources(client):
    conflicts = client.get(f"{URL}/rules").get_json()["conflicts"]
    assert {k["code"] for k in conflicts["kind_rules"]} == {
        "group_employment", "group_engagement", "colleague", "consult_then_verify"
    }  # fmt: skip
    assert all(k["source"] for k in conflicts["kind_rules"])
    assert conflicts["window_years"] == 3 and conflicts["group_depth"] == 3


@pytest.mark.parametrize(
    "rules",
    [{"window_years": 0}, {"window_years": 11}, {"group_depth": 6}, {"kinds": ["nepotism"]}, {"depth": 2}],
)
def test_conflict_rules_out_of_bounds_are_refused_and_nothing_is_drawn(client, admin, graph, ids, rules):
    before = graph_size(graph)
    response = client.post(URL, json=draw_body(ids, panel_date=panel_day(20), rules=rules), headers=admin)
    assert_problem(response, 400)
    assert graph_size(graph) == before


def test_an_indirect_conflict_excludes_with_its_path_sealed_and_verified(client, admin, graph, ids):
    draw = make_draw(
        client, admin, ids, panel_date=panel_day(21), rules={"group_depth": 0, "window_years": 3}
    )
    view = client.get(f"{URL}/{draw['id']}", headers=admin).get_json()
    conflicted = [x for x in view["excluded"] if x["rule"] == "group_employment"]
    assert [key_of(ids, x["practitioner_id"]) for x in conflicted] == ["EMP"]
    # The path is stored once, in the draw's compressed path set by its event's seq; neither the event nor the
    # EXCLUDED row keeps a copy.
    row = _one(
        graph,
        "MATCH (d:Draw {id: $id})-[x:EXCLUDED {rule: 'group_employment'}]->() "
        "MATCH (d)-[:HAS_EVENT]->(e:DrawEvent {seq: x.seq}) "
        "RETURN x.path AS on_row, e.path AS on_event, e.seq AS seq, d.exclusion_paths AS paths",
        id=draw["id"],
    )
    assert row["on_row"] is None and row["on_event"] is None
    stored = decode_paths(row["paths"])
    path = json.loads(stored[row["seq"]])
    assert path[0]["rel"] == "EMPLOYED_BY" and path[0]["to"]["id"] == ids["client_org"]
    assert conflicted[0]["path"] == path  # the API shows the path as sealed
    url = f"{URL}/{draw['id']}/verify"
    assert client.get(url).get_json()["verified"] is True

    def tampered(query: str, value: object, restore: object) -> set[str]:
        graph.driver.execute_query(query, {"id": draw["id"], "value": value})
        try:
            found = client.get(url).get_json()
            assert found["verified"] is False
            return set(found["mismatched"])
        finally:
            graph.driver.execute_query(query, {"id": draw["id"], "value": restore})

    # The path is sealed: an edit of it in Neo4j — in the set, or as a copy on the event or the row — fails.
    edited = encode_paths(stored | {row["seq"]: "[]"})
    on_set = "MATCH (d:Draw {id: $id}) SET d.exclusion_paths = $value"
    assert {"events", "exclusions"} <= tampered(on_set, edited, row["paths"])
    assert {"events", "exclusions"} <= tampered(on_set, b"not zlib", row["paths"])
    on_row = "MATCH (:Draw {id: $id})-[x:EXCLUDED {rule: 'group_employment'}]->() SET x.path = $value"
    assert "exclusions" in tampered(on_row, "[]", None)
    on_event = (
        "MATCH (:Draw {id: $id})-[:HAS_EVENT]->(e:DrawEvent {kind: 'excluded', rule: 'group_employment'}) "
        "SET e.path = $value"
    )
    assert {"events", "exclusions"} <= tampered(on_event, "[]", None)
    assert client.get(url).get_json()["verified"] is True


def test_the_cli_makes_shows_and_verifies_a_draw(app, ids):
    runner = app.test_cli_runner()
    made = runner.invoke(args=[
        "registry", "draw", "create", "--purpose", "policy_advice", "--title", "命令行抽取", "--size", "3",
        "--reserves", "1", "--work-type", "verification", "--region", REGION, "--panel-date", panel_day(16),
        "--organization", ids["client_org"], "--exclude", f"{ids['MAN']}=co-author",
    ])  # fmt: skip
    assert made.exit_code == 0, made.output
    draw_id = made.output.strip().splitlines()[-1]
    shown = runner.invoke(args=["registry", "draw", "show", draw_id])
    assert shown.exit_code == 0 and "invited" in shown.output
    verified = runner.invoke(args=["registry", "draw", "verify", draw_id])
    assert verified.exit_code == 0 and "verified: true" in verified.output


def test_a_practitioner_answers_only_their_own_invitation(app, client, admin, ids):
    draw = make_draw(
        client, admin, ids, purpose="policy_advice", size=2, reserves=0, panel_date=panel_day(17)
    )
    member, other = (s["practitioner"]["id"] for s in draw["panel"])
    made = app.test_cli_runner().invoke(
        args=[
            "registry",
            "create-key",
            "--role",
            "practitioner",
            "--practitioner",
            member,
            "--label",
            "tests",
        ]
    )
    assert made.exit_code == 0, made.output
    own_key = {"X-API-Key": made.stdout.strip().splitlines()[-1]}
    assert_problem(respond(client, own_key, draw["id"], other, "accepted"), 403)
    answered = respond(client, own_key, draw["id"], member, "accepted")
    assert answered.status_code == 200, answered.get_json()
    assert answered.get_json()["names_hidden"] is True  # the expert sees the draw as non-admins do


def test_draws_are_listed_newest_first_for_government(client, admin, as_role, ids):
    draw = make_draw(
        client, admin, ids, purpose="question_bank", size=1, reserves=0, panel_date=panel_day(18)
    )
    listed = client.get(f"{URL}?purpose=question_bank&per_page=100", headers=as_role("government")).get_json()
    assert listed["items"][0]["id"] == draw["id"]
    assert listed["total"] >= 1
    assert_problem(client.get(URL, headers=as_role("client")), 403)


def test_the_sealed_lines_and_secret_go_to_admin_and_government_only(client, admin, as_role, ids):
    draw = make_draw(client, admin, ids, purpose="consulting", size=1, reserves=0, panel_date=panel_day(19))
    public = client.get(f"{URL}/{draw['id']}/verify").get_json()
    assert public["verified"] is True and public["secret"] is None and public["candidates"] is None
    assert public["candidate_reach"] is None
    full = client.get(f"{URL}/{draw['id']}/verify", headers=as_role("government")).get_json()
    assert len(full["secret"]) == 64 and full["candidate_format"] == "merkle-v2"
    # merkle-v2 keeps the sealed order's reach with its proofs, not every candidate (docs/draws.md)
    reach = json.loads(full["candidate_reach"])
    assert [line.split("|")[0] for line in full["candidates"]] == [pid for _, pid, _ in reach["order"]]
    assert (
        reach["count"] == full["candidate_count"] and 1 <= len(full["candidates"]) <= full["candidate_count"]
    )


# --- The signed seal: every direct edit in Neo4j is named (issue 22, item 3) -----------------------------------

_EVENT = "MATCH (:Draw {id: $id})-[:HAS_EVENT]->(e:DrawEvent)"


def _one(graph, query: str, **params):
    records, _, _ = graph.driver.execute_query(query, params)
    return records[0] if records else None


def _set_draw(field: str, value_of):
    """Tamper: set one property of the Draw node to `value_of(old)`; restore: put the old value back."""

    def tamper(graph, draw_id: str):
        old = _one(graph, "MATCH (d:Draw {id: $id}) RETURN d[$field] AS v", id=draw_id, field=field)["v"]
        graph.driver.execute_query(
            "MATCH (d:Draw {id: $id}) SET d[$field] = $v", id=draw_id, field=field, v=value_of(old)
        )
        return lambda: graph.driver.execute_query(
            "MATCH (d:Draw {id: $id}) SET d[$field] = $v", id=draw_id, field=field, v=old
        )

    return tamper


def _delete_event(where: str, order: str):
    """Tamper: delete one event (chosen by `where` and `order`); restore: create it again as it was."""

    def tamper(graph, draw_id: str):
        row = _one(graph, f"{_EVENT} WHERE {where} RETURN e {{.*}} AS e ORDER BY {order} LIMIT 1", id=draw_id)
        graph.driver.execute_query(
            f"{_EVENT} WHERE e.key = $key DETACH DELETE e", id=draw_id, key=row["e"]["key"]
        )
        return lambda: graph.driver.execute_query(
            "MATCH (d:Draw {id: $id}) CREATE (d)-[:HAS_EVENT]->(e:DrawEvent) SET e = $props",
            id=draw_id, props=row["e"],
        )  # fmt: skip

    return tamper


def _set_event(where: str, field: str, value_of):
    """Tamper: set one property of the first event matching `where`; restore: put the old value back."""

    def tamper(graph, draw_id: str):
        row = _one(graph, f"{_EVENT} WHERE {where} RETURN e.key AS key, e[$f] AS v ORDER BY e.seq LIMIT 1",
                   id=draw_id, f=field)  # fmt: skip
        query = f"{_EVENT} WHERE e.key = $key SET e[$f] = $v"
        graph.driver.execute_query(query, id=draw_id, key=row["key"], f=field, v=value_of(row["v"]))
        return lambda: graph.driver.execute_query(query, id=draw_id, key=row["key"], f=field, v=row["v"])

    return tamper


def _set_seat(where: str, field: str, value_of):
    """Tamper: set one property of the first seat (DREW) matching `where`; restore: put the old value back."""

    def tamper(graph, draw_id: str):
        match = "MATCH (:Draw {id: $id})-[r:DREW]->(p:Practitioner)"
        row = _one(graph, f"{match} WHERE {where} RETURN p.id AS p, r[$f] AS v ORDER BY r.order LIMIT 1",
                   id=draw_id, f=field)  # fmt: skip
        query = f"{match} WHERE p.id = $p SET r[$f] = $v"
        graph.driver.execute_query(query, id=draw_id, p=row["p"], f=field, v=value_of(row["v"]))
        return lambda: graph.driver.execute_query(query, id=draw_id, p=row["p"], f=field, v=row["v"])

    return tamper


def _delete_exclusion(graph, draw_id: str):
    match = "MATCH (:Draw {id: $id})-[x:EXCLUDED {rule: 'employment'}]->(p:Practitioner)"
    row = _one(graph, f"{match} RETURN p.id AS p, x {{.*}} AS x", id=draw_id)
    graph.driver.execute_query(f"{match} DELETE x", id=draw_id)
    return lambda: graph.driver.execute_query(
        "MATCH (d:Draw {id: $id}), (p:Practitioner {id: $p}) CREATE (d)-[x:EXCLUDED]->(p) SET x = $x",
        id=draw_id, p=row["p"], x=row["x"],
    )  # fmt: skip


def _drop_candidate(graph, draw_id: str):
    """merkle-v2 keeps the reached positions of the sealed order (docs/draws.md): drop the first one."""

    def dropped(reach: str) -> str:
        body = json.loads(reach)
        body["order"] = body["order"][1:]
        return json.dumps(body)

    return _set_draw("candidate_reach", dropped)(graph, draw_id)


def _hex(old: str) -> str:
    return ("0" if old[0] != "0" else "1") + old[1:]


# The sixteen edits of the issue (plus the invited event's own deadline), and the part verification must name.
# The first eight were caught before the seal was signed; the rest were not.
DIRECT_EDITS = {
    "a reserve's seat made a panel seat": (
        _set_seat("r.role = 'reserve'", "role", lambda _: "panel"),
        "seats",
    ),
    "an invitation marked accepted": (
        _set_seat("r.status = 'invited'", "status", lambda _: "accepted"),
        "seats",
    ),
    "the secret": (_set_draw("secret", _hex), "seed_commitment"),
    "the seed commitment": (_set_draw("seed_commitment", _hex), "seed_commitment"),
    "a reached candidate dropped": (_drop_candidate, "candidate_hash"),
    "the candidate hash": (_set_draw("candidate_hash", _hex), "candidate_hash"),
    "the seed": (_set_draw("seed", _hex), "seed"),
    "a pick's order": (_set_event("e.kind = 'selected'", "order", lambda o: o + 100), "selection"),
    "the last event deleted": (_delete_event("true", "e.seq DESC"), "events"),
    "a middle excluded event deleted": (
        _delete_event("e.kind = 'excluded' AND e.seq > 4", "e.seq"),
        "events",
    ),
    "the first invited event deleted": (_delete_event("e.kind = 'invited'", "e.seq"), "events"),
    "an invitation's deadline moved": (
        _set_seat("r.status = 'invited'", "deadline", lambda d: d + Duration(days=3)),
        "seats",
    ),
    "the invited event's deadline moved": (
        _set_event("e.kind = 'invited'", "deadline", lambda d: d + Duration(days=3)),
        "events",
    ),
    "the draw's created_at": (_set_draw("created_at", lambda d: d - Duration(days=30)), "dates"),
    "the panel's date": (_set_draw("panel_date", lambda d: d + Duration(days=1)), "dates"),
    "an EXCLUDED relationship deleted": (_delete_exclusion, "exclusions"),
    "a criterion (the region)": (_set_draw("region", lambda _: "820000"), "criteria"),
}


@pytest.fixture(scope="module")
def sealed_draw(app, keys, ids):
    return make_draw(app.test_client(), {"X-API-Key": keys["admin"]}, ids, panel_date=panel_day(70))


@pytest.mark.parametrize("edit", DIRECT_EDITS, ids=list(DIRECT_EDITS))
def test_a_direct_edit_in_neo4j_fails_verification_naming_the_part(client, graph, sealed_draw, edit):
    tamper, part = DIRECT_EDITS[edit]
    url = f"{URL}/{sealed_draw['id']}/verify"
    assert client.get(url).get_json()["verified"] is True
    restore = tamper(graph, sealed_draw["id"])
    try:
        result = client.get(url).get_json()
    finally:
        restore()
    assert result["verified"] is False, f"{edit}: not caught"
    assert part in result["mismatched"], f"{edit}: {result['mismatched']}"
    assert client.get(url).get_json()["verified"] is True  # restored: the edit was the only change


def test_a_signed_draw_says_which_key_signed_it(client, settings, sealed_draw):
    result = client.get(f"{URL}/{sealed_draw['id']}/verify").get_json()
    assert result["signature"] == "valid" and result["key_id"] == settings.signer.key_id
    assert result["mismatched"] == [] and result["event_seq"] is None


def _forge(graph, draw_id: str, draw: dict, events: list[dict], forger: Signer) -> None:
    """Write `draw` and `events` with every digest, event hash and head recomputed, signed with `forger`."""
    digests = draw_seal.part_digests(draw_seal.record_parts(draw, draw["excluded"]))
    anchor = draw_seal.seal_digest(draw_id, digests)
    hashes = draw_seal.chain(anchor, events)
    forged = [{**event, "hash": hashed} for event, hashed in zip(events, hashes, strict=True)]
    graph.driver.execute_query(
        f"{_EVENT} WITH e, $events[e.seq - 1] AS forged SET e = forged", id=draw_id, events=forged
    )
    head = draw_seal.head_message(draw_id, anchor, len(events), hashes[-1])
    graph.driver.execute_query(
        "MATCH (d:Draw {id: $id}) SET d.panel_date = $date, d.seal_parts = $parts, d.seal_signature = $sig,"
        " d.event_hash = $hash, d.event_signature = $head",
        id=draw_id, date=draw["panel_date"], parts=draw_seal.canonical(digests),
        sig=forger.sign(draw_seal.seal_message(draw_id, digests)), hash=hashes[-1], head=forger.sign(head),
    )  # fmt: skip


def test_a_forger_who_recomputes_every_hash_but_cannot_sign_is_caught(client, admin, graph, ids):
    draw = make_draw(client, admin, ids, panel_date=panel_day(71))
    url = f"{URL}/{draw['id']}/verify"
    forger = Signer(Ed25519PrivateKey.generate())  # any key but the registry's
    view = graph.read(draws_repo.read_draw, draw["id"])

    # Move the panel's date: the dates part re-hashed into the seal, the events re-chained from it, all re-signed.
    view["panel_date"] += timedelta(days=1)
    _forge(graph, draw["id"], view, view["events"], forger)
    result = client.get(url).get_json()
    assert result["verified"] is False and result["signature"] == "invalid"
    assert result["mismatched"] == ["signature"]  # every digest and hash fits the forgery: only the key tells

    # Move an invitation's deadline too (on the event and the seat), every event hash after it and the head redone.
    invited = next(e for e in view["events"] if e["kind"] == "invited")
    invited["deadline"] += timedelta(days=3)
    graph.driver.execute_query(
        "MATCH (:Draw {id: $id})-[r:DREW]->(:Practitioner {id: $p}) SET r.deadline = $deadline",
        id=draw["id"], p=invited["practitioner_id"], deadline=invited["deadline"],
    )  # fmt: skip
    _forge(graph, draw["id"], view, view["events"], forger)
    result = client.get(url).get_json()
    assert result["verified"] is False and result["mismatched"] == ["signature"]

    # A later legitimate change does not sign over the rewritten record.
    assert (
        client.post(f"{URL}/{draw['id']}/notes", json={"note": "a remark"}, headers=admin).status_code == 200
    )
    assert client.get(url).get_json()["verified"] is False


def test_a_draw_whose_seal_was_removed_does_not_pass_for_one_sealed_before_signing(client, admin, graph, ids):
    draw = make_draw(client, admin, ids, size=1, reserves=0, purpose="consulting", panel_date=panel_day(72))
    graph.driver.execute_query(
        "MATCH (d:Draw {id: $id}) REMOVE d.seal_parts, d.seal_signature, d.seal_key_id, d.event_count,"
        " d.event_hash, d.event_signature",
        id=draw["id"],
    )
    result = client.get(f"{URL}/{draw['id']}/verify").get_json()
    # Its creation's audit entry (under signed checkpoints) recorded the seal: not an old draw.
    assert result["verified"] is False and result["signature"] == "invalid"
    assert result["mismatched"] == ["signature"]
