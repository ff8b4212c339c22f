"""The credit record through the API over the fixed registry: evaluations, records and sanctions, complaints,
appeals, the profile's credit summary, and the evaluation factor in /match and search.

People used (see tests/fixed_graph.py): A (4 completed verifications: 3 for the steel group, 1 for another
cement company), G (on A's first steel verification), F (an ongoing consulting engagement for the cement
company), H (level-2 verifier: expert pool) for records and sanctions, B for complaints.
"""

from __future__ import annotations

from dataclasses import replace
from datetime import timedelta

import pytest

from services import misconduct
from tests import fixed_graph
from tests.support import assert_problem, graph_size

API = "/api/v1"
TODAY = fixed_graph.TODAY


def days_ago(days: int) -> str:
    return (TODAY - timedelta(days=days)).isoformat()


GOOD = {"quality": 90, "timeliness": 80, "independence": 95, "communication": 85}  # weighted: 88.5


@pytest.fixture(scope="module")
def ids(ids, graph):
    """The fixed registry (tests/conftest.py) with its engagements' ids by title."""
    records, _, _ = graph.driver.execute_query("MATCH (e:Engagement) RETURN e.title AS title, e.id AS id")
    return ids | {r["title"]: r["id"] for r in records}


@pytest.fixture(scope="module")
def key_for(app, ids):
    """Headers for a key bound to an organization (client) or a person (practitioner), made by the CLI."""
    runner = app.test_cli_runner()
    made: dict[tuple[str, str | None], dict[str, str]] = {}

    def headers(role: str, bound_to: str | None = None) -> dict[str, str]:
        if (role, bound_to) not in made:
            args = ["registry", "create-key", "--role", role, "--label", f"credit {bound_to}"]
            if bound_to and role == "client":
                args += ["--organization", ids[bound_to]]
            elif bound_to:
                args += ["--practitioner", ids[bound_to]]
            result = runner.invoke(args=args)
            assert result.exit_code == 0, result.output
            made[(role, bound_to)] = {"X-API-Key": result.stdout.strip().splitlines()[-1]}
        return made[(role, bound_to)]

    return headers


def evaluate(client, headers, engagement_id, practitioner_id, scores=GOOD, comment="细致可靠"):
    body = {"practitioner_id": practitioner_id, "scores": scores, "comment": comment}
    return client.post(f"{API}/engagements/{engagement_id}/evaluations", json=body, headers=headers)


STEEL_2023, STEEL_2024, STEEL_2025 = (t for t, *_ in fixed_graph.ENGAGEMENTS[:3])
CEMENT2_2025 = fixed_graph.ENGAGEMENTS[3][0]
ROADMAP = fixed_graph.ENGAGEMENTS[6][0]


# --- Evaluations -----------------------------------------------------------------------------------------------


def test_the_client_organization_evaluates_a_team_member_of_its_completed_engagement(client, ids, key_for):
    response = evaluate(client, key_for("client", "steel"), ids[STEEL_2023], ids["A"])
    assert response.status_code == 201, response.get_json()
    body = response.get_json()
    assert body["score"] == 88.5
    assert body["scores"] == {"quality": 90, "timeliness": 80, "independence": 95, "communication": 85}
    assert body["practitioner_id"] == ids["A"]
    assert body["organization"]["id"] == ids["steel"]
    assert body["work_type"] == "verification"
    assert body["on_time"] is False  # it ended 600 days ago; 5 working days were long gone
    assert response.headers["Location"].endswith(f"/evaluations/{body['id']}")


def test_a_second_evaluation_of_the_same_person_for_the_same_engagement_is_refused(
    client, graph, ids, key_for
):
    steel = key_for("client", "steel")
    before = graph_size(graph)
    response = evaluate(client, steel, ids[STEEL_2023], ids["A"])
    assert assert_problem(response, 409)["title"] == "Already done"
    assert graph_size(graph) == before


def test_another_organization_or_an_unbound_client_key_may_not_evaluate(client, graph, as_role, ids, key_for):
    cement = key_for("client", "cement")  # made before counting: a key is a node too
    before = graph_size(graph)
    assert_problem(evaluate(client, cement, ids[STEEL_2024], ids["A"]), 403)
    assert_problem(evaluate(client, as_role("client"), ids[STEEL_2024], ids["A"]), 403)
    assert_problem(evaluate(client, as_role("government"), ids[STEEL_2024], ids["A"]), 403)
    assert_problem(evaluate(client, {}, ids[STEEL_2024], ids["A"]), 401)
    assert graph_size(graph) == before


def test_an_engagement_that_is_not_completed_cannot_be_evaluated(client, graph, ids, key_for):
    cement = key_for("client", "cement")
    before = graph_size(graph)
    problem = assert_problem(evaluate(client, cement, ids[ROADMAP], ids["F"]), 409)
    assert "active" in problem["detail"]
    assert graph_size(graph) == before


def test_bad_scores_and_strangers_to_the_team_are_validation_problems(client, graph, ids, key_for):
    steel = key_for("client", "steel")
    before = graph_size(graph)
    problem = assert_problem(
        evaluate(client, steel, ids[STEEL_2024], ids["A"], {**GOOD, "quality": 101}), 400
    )
    assert "scores.quality" in problem["errors"]
    problem = assert_problem(evaluate(client, steel, ids[STEEL_2024], ids["A"], {"quality": 90}), 400)
    assert {"scores.timeliness", "scores.independence", "scores.communication"} <= set(problem["errors"])
    problem = assert_problem(evaluate(client, steel, ids[STEEL_2024], ids["C"]), 400)
    assert "practitioner_id" in problem["errors"]
    assert_problem(evaluate(client, steel, "00000000-0000-4000-8000-000000000000", ids["A"]), 404)
    assert graph_size(graph) == before


def test_the_admin_may_evaluate_for_the_client(client, admin, ids):
    response = evaluate(client, admin, ids[STEEL_2023], ids["G"], {**GOOD, "quality": 70}, None)
    assert response.status_code == 201
    assert response.get_json()["score"] == 80.5


def test_the_practitioner_replies_once(client, ids, key_for):
    evaluation = client.get(
        f"{API}/practitioners/{ids['A']}/evaluations", headers=key_for("practitioner", "A")
    )
    evaluation_id = evaluation.get_json()["items"][0]["id"]
    url = f"{API}/evaluations/{evaluation_id}/reply"
    assert_problem(client.post(url, json={"reply": "不是我"}, headers=key_for("practitioner", "G")), 403)
    response = client.post(url, json={"reply": "感谢评价"}, headers=key_for("practitioner", "A"))
    assert response.status_code == 200, response.get_json()
    assert response.get_json()["reply"] == "感谢评价"
    assert_problem(client.post(url, json={"reply": "再补充"}, headers=key_for("practitioner", "A")), 409)


def test_a_practitioner_key_reads_only_its_own_evaluations(client, ids, key_for):
    response = client.get(f"{API}/practitioners/{ids['A']}/evaluations", headers=key_for("practitioner", "G"))
    assert_problem(response, 403)


def test_the_evaluation_factor_shows_in_match_reasons_once_there_are_three(client, as_role, ids, key_for):
    request = {"work_type": "verification", "industry": "steel", "min_level": 2}

    def a_item():
        items = client.post(f"{API}/match", json=request, headers=as_role("client")).get_json()["items"]
        return next(item for item in items if item["practitioner"]["id"] == ids["A"])

    assert "1 verification evaluation (mean 88.5): not counted until 3" in a_item()["reasons"]
    steel = key_for("client", "steel")
    assert (
        evaluate(client, steel, ids[STEEL_2024], ids["A"], {**GOOD, "quality": 100}).status_code == 201
    )  # 92.5
    assert evaluate(client, steel, ids[STEEL_2025], ids["A"]).status_code == 201  # 88.5
    item = a_item()
    assert "mean evaluation 89.8 over 3 verification evaluations: +15" in item["reasons"]
    assert item["score_breakdown"]["evaluations"] == 15


def test_the_profile_carries_the_credit_summary(client, as_role, ids):
    for role in ("client", "government", "admin"):
        body = client.get(f"{API}/practitioners/{ids['A']}", headers=as_role(role)).get_json()
        evaluations = body["credit"]["evaluations"]
        assert (evaluations["count"], evaluations["mean"]) == (3, 89.8)
        assert [e["score"] for e in evaluations["recent"]] == [88.5, 92.5, 88.5]  # newest first
        assert evaluations["recent"][-1]["comment"] == "细致可靠"
        assert evaluations["recent"][-1]["organization"] == "河北示范钢铁集团"
        assert body["credit"]["sanctions"] == []
        assert body["credit"]["draws_served"] == 0


def test_search_sorts_and_filters_by_mean_evaluation(client, as_role, ids):
    args = {"work_type": "verification", "sort": "evaluation"}
    items = client.get(f"{API}/practitioners", query_string=args, headers=as_role("client")).get_json()[
        "items"
    ]
    assert items[0]["id"] == ids["A"]
    args = {"min_evaluation": 85}
    body = client.get(f"{API}/practitioners", query_string=args, headers=as_role("client")).get_json()
    assert [item["id"] for item in body["items"]] == [ids["A"]]


# --- Misconduct records and sanctions ----------------------------------------------------------------------


def record(client, admin, practitioner_id, category="undisclosed_conflict", occurred_on=None):
    body = {"category": category, "occurred_on": occurred_on or days_ago(10),
            "evidence": "监督检查通报 2025-17", "note": "未披露与受检单位的咨询关系"}  # fmt: skip
    return client.post(f"{API}/practitioners/{practitioner_id}/records", json=body, headers=admin)


def pools_of(client, admin, practitioner_id):
    return client.get(f"{API}/practitioners/{practitioner_id}", headers=admin).get_json()["pools"]


def test_an_unknown_category_or_a_future_date_writes_nothing(client, graph, admin, ids):
    before = graph_size(graph)
    problem = assert_problem(record(client, admin, ids["H"], category="jaywalking"), 400)
    assert "data_falsification" in problem["errors"]["category"][0]
    future = (TODAY + timedelta(days=1)).isoformat()
    assert "occurred_on" in assert_problem(record(client, admin, ids["H"], occurred_on=future), 400)["errors"]
    assert graph_size(graph) == before


def test_only_an_admin_records_misconduct(client, as_role, ids):
    assert_problem(record(client, as_role("client"), ids["H"]), 403)


def test_two_records_within_12_months_suspend_from_the_expert_pool_with_a_return_date(
    client, graph, admin, ids
):
    assert "expert" in pools_of(client, admin, ids["H"])
    first = record(client, admin, ids["H"], occurred_on=days_ago(100))
    assert first.status_code == 201, first.get_json()
    assert first.get_json()["sanctions"] == []
    assert first.get_json()["appeal_deadline"] == (TODAY + timedelta(days=30)).isoformat()
    second = record(client, admin, ids["H"], category="refused_draw")
    assert second.status_code == 201
    (suspension,) = second.get_json()["sanctions"]
    assert suspension["kind"] == "expert_suspension"
    assert suspension["from"] == TODAY.isoformat()
    assert "2 records within 12 months" in suspension["reason"]
    assert "expert" not in pools_of(client, admin, ids["H"])
    history, _, _ = graph.driver.execute_query(
        "MATCH (:Practitioner {id: $id})-[w:WAS_MEMBER_OF]->(:Pool {code: 'expert'}) "
        "RETURN w.left_because AS why, w.returns_on AS returns_on",
        id=ids["H"],
    )
    assert history[-1]["why"].startswith("sanction")
    assert history[-1]["returns_on"].to_native().isoformat() == suspension["returns_on"]
    memberships = client.get(f"{API}/practitioners/{ids['H']}/memberships", headers=admin).get_json()["items"]
    ended = next(m for m in memberships if m["pool"] == "expert" and not m["current"])
    assert ended["left_because"].startswith("sanction: expert_suspension:")
    assert ended["returns_on"] == suspension["returns_on"]
    listed = client.get(f"{API}/practitioners/{ids['H']}/records", headers=admin).get_json()
    assert listed["total"] == 2
    profile = client.get(f"{API}/practitioners/{ids['H']}", headers=admin).get_json()
    assert [s["kind"] for s in profile["credit"]["sanctions"]] == ["expert_suspension"]


def test_an_upheld_appeal_removes_the_record_s_effect_and_keeps_it_as_history(client, admin, ids, key_for):
    records = client.get(f"{API}/practitioners/{ids['H']}/records", headers=admin).get_json()["items"]
    latest = records[0]
    assert_problem(
        client.post(
            f"{API}/appeals",
            json={"record_id": latest["id"], "text": "x"},
            headers=key_for("practitioner", "A"),
        ),
        403,
    )
    response = client.post(
        f"{API}/appeals",
        json={"record_id": latest["id"], "text": "我有正当理由"},
        headers=key_for("practitioner", "H"),
    )
    assert response.status_code == 201, response.get_json()
    appeal = response.get_json()
    assert appeal["status"] == "pending"
    assert appeal["deadline"] == (TODAY + timedelta(days=30)).isoformat()
    again = client.post(
        f"{API}/appeals",
        json={"record_id": latest["id"], "text": "再次申诉"},
        headers=key_for("practitioner", "H"),
    )
    assert_problem(again, 409)
    decided = client.post(
        f"{API}/appeals/{appeal['id']}/decision",
        json={"status": "upheld", "reason": "病假证明属实"},
        headers=admin,
    )
    assert decided.status_code == 200, decided.get_json()
    assert decided.get_json()["status"] == "upheld"
    assert_problem(
        client.post(
            f"{API}/appeals/{appeal['id']}/decision",
            json={"status": "dismissed", "reason": "x"},
            headers=admin,
        ),
        409,
    )
    after = client.get(f"{API}/records/{latest['id']}", headers=admin).get_json()
    assert after["effective"] is False and after["overturned_on"] == TODAY.isoformat()
    sanctions = client.get(f"{API}/practitioners/{ids['H']}/sanctions", headers=admin).get_json()["items"]
    assert [(s["kind"], s["lifted_on"], s["active"]) for s in sanctions] == [
        ("expert_suspension", TODAY.isoformat(), False)
    ]
    assert "expert" in pools_of(client, admin, ids["H"])


def test_an_appeal_after_the_deadline_is_refused_and_writes_nothing(client, graph, context, ids, key_for):
    long_ago = replace(context, today=TODAY - timedelta(days=31))
    old = misconduct.record_misconduct(
        long_ago, ids["J"], {"category": "refused_draw", "occurred_on": long_ago.today}
    )
    j = key_for("practitioner", "J")  # made before counting: a key is a node too
    before = graph_size(graph)
    response = client.post(f"{API}/appeals", json={"record_id": old["id"], "text": "太晚了"}, headers=j)
    problem = assert_problem(response, 409)
    assert problem["deadline"] == (long_ago.today + timedelta(days=30)).isoformat()
    assert graph_size(graph) == before


def test_three_records_bar_from_the_expert_pool(client, admin, ids):
    for days in (200, 100, 5):
        assert record(client, admin, ids["B"], occurred_on=days_ago(days)).status_code == 201
    sanctions = client.get(f"{API}/practitioners/{ids['B']}/sanctions", headers=admin).get_json()["items"]
    assert [s["kind"] for s in sanctions if s["active"]] == ["expert_suspension", "bar"]
    bar = next(s for s in sanctions if s["kind"] == "bar")
    assert bar["until"] is None and bar["returns_on"] is None
    assert "expert" not in pools_of(client, admin, ids["B"])


def test_a_certificate_revocation_is_itself_a_record(client, admin, ids):
    number = ids["J:verification"]
    assert (
        client.post(
            f"{API}/certificates/{number}/revoke", json={"reason": "伪造材料"}, headers=admin
        ).status_code
        == 200
    )
    items = client.get(f"{API}/practitioners/{ids['J']}/records", headers=admin).get_json()["items"]
    revoked = [r for r in items if r["category"] == "certificate_revoked"]
    assert len(revoked) == 1
    assert revoked[0]["certificate_number"] == number
    assert revoked[0]["origin"] == "certificate_revocation"


# --- Complaints ------------------------------------------------------------------------------------------------


def test_a_complaint_is_triaged_step_by_step_and_an_upheld_one_can_create_a_record(
    client, graph, admin, as_role, ids
):
    assert_problem(client.post(f"{API}/complaints", json={"practitioner_id": ids["C"], "text": "x"}), 401)
    response = client.post(
        f"{API}/complaints",
        json={"practitioner_id": ids["C"], "text": "核查报告照抄去年数据"},
        headers=as_role("client"),
    )
    assert response.status_code == 201, response.get_json()
    complaint = response.get_json()
    assert complaint["status"] == "received"
    url = f"{API}/complaints/{complaint['id']}/decision"
    before = graph_size(graph)
    assert_problem(client.post(url, json={"status": "upheld", "reason": "显然"}, headers=admin), 409)
    assert (
        "reason"
        in assert_problem(client.post(url, json={"status": "investigating"}, headers=admin), 400)["errors"]
    )
    assert_problem(
        client.post(url, json={"status": "investigating", "reason": "调取底稿"}, headers=as_role("client")),
        403,
    )
    assert graph_size(graph) == before
    assert (
        client.post(url, json={"status": "investigating", "reason": "调取底稿"}, headers=admin).status_code
        == 200
    )
    upheld = client.post(
        url,
        json={
            "status": "upheld",
            "reason": "底稿证实",
            "create_record": True,
            "category": "data_falsification",
        },
        headers=admin,
    )
    assert upheld.status_code == 200, upheld.get_json()
    body = upheld.get_json()
    assert [step["status"] for step in body["steps"]] == ["received", "investigating", "upheld"]
    assert body["record_id"]
    records = client.get(f"{API}/practitioners/{ids['C']}/records", headers=admin).get_json()["items"]
    assert [(r["category"], r["origin"], r["complaint_id"]) for r in records] == [
        ("data_falsification", "complaint", complaint["id"])
    ]
    assert_problem(client.post(url, json={"status": "dismissed", "reason": "改判"}, headers=admin), 409)


def test_a_complaint_about_an_engagement_names_the_team_member_when_upheld(client, admin, as_role, ids):
    body = {"engagement_id": ids[CEMENT2_2025], "text": "现场核查走过场"}
    complaint = client.post(f"{API}/complaints", json=body, headers=as_role("government")).get_json()
    url = f"{API}/complaints/{complaint['id']}/decision"
    client.post(url, json={"status": "investigating", "reason": "核实"}, headers=admin)
    missing = client.post(
        url, json={"status": "upheld", "reason": "属实", "create_record": True}, headers=admin
    )
    assert "practitioner_id" in assert_problem(missing, 400)["errors"]
    ok = client.post(
        url,
        json={"status": "upheld", "reason": "属实", "create_record": True, "practitioner_id": ids["A"]},
        headers=admin,
    )
    assert ok.status_code == 200, ok.get_json()


def test_a_complaint_names_exactly_one_subject(client, as_role, ids):
    problem = assert_problem(
        client.post(f"{API}/complaints", json={"text": "无对象"}, headers=as_role("client")), 400
    )
    assert {"practitioner_id", "engagement_id"} <= set(problem["errors"])


def test_the_rules_are_published_with_their_sources(client):
    body = client.get(f"{API}/credit/rules").get_json()
    assert body["appeal_days"] == 30
    assert body["step_up"][0]["rule"] == "2 records within 12 months → expert_suspension for 12 months"
    assert all(category["source"] for category in body["categories"])


# --- Evaluation appeals, draws served, the audit trail -------------------------------------------------------


def test_an_upheld_appeal_against_an_evaluation_takes_it_out_of_the_mean(client, admin, ids, key_for):
    evaluation = evaluate(client, admin, ids[CEMENT2_2025], ids["A"], {**GOOD, "quality": 0}, "差").get_json()
    assert evaluation["score"] == 52.5
    profile = client.get(f"{API}/practitioners/{ids['A']}", headers=admin).get_json()
    assert profile["credit"]["evaluations"]["count"] == 4
    appeal = client.post(
        f"{API}/appeals",
        json={"evaluation_id": evaluation["id"], "text": "评分与事实不符"},
        headers=key_for("practitioner", "A"),
    ).get_json()
    decided = client.post(
        f"{API}/appeals/{appeal['id']}/decision",
        json={"status": "upheld", "reason": "复核属实"},
        headers=admin,
    )
    assert decided.status_code == 200
    profile = client.get(f"{API}/practitioners/{ids['A']}", headers=admin).get_json()
    assert (profile["credit"]["evaluations"]["count"], profile["credit"]["evaluations"]["mean"]) == (3, 89.8)
    kept = client.get(f"{API}/evaluations/{evaluation['id']}", headers=admin).get_json()
    assert kept["effective"] is False and kept["score"] == 52.5


def test_draws_served_counts_accepted_draws(client, graph, admin, ids):
    graph.driver.execute_query(
        """
        MATCH (p:Practitioner {id: $id})
        CREATE (:Draw {id: randomUUID(), purpose: 'test'})-[:DREW {order: 1, status: 'accepted'}]->(p)
        CREATE (:Draw {id: randomUUID(), purpose: 'test'})-[:DREW {order: 1, status: 'declined'}]->(p)
        """,
        id=ids["C"],
    )
    try:
        profile = client.get(f"{API}/practitioners/{ids['C']}", headers=admin).get_json()
        assert profile["credit"]["draws_served"] == 1
    finally:
        graph.driver.execute_query("MATCH (d:Draw {purpose: 'test'}) DETACH DELETE d")


def test_every_credit_change_is_in_the_audit_trail_and_the_person_s_history(client, admin, ids):
    for entity in ("evaluation", "record", "sanction", "complaint", "appeal"):
        body = client.get(f"{API}/audit", query_string={"entity": entity}, headers=admin).get_json()
        assert body["total"] > 0, entity
    history = client.get(f"{API}/practitioners/{ids['H']}/history", headers=admin).get_json()["items"]
    actions = {(entry["entity"], entry["action"]) for entry in history}
    assert {
        ("record", "create"),
        ("sanction", "impose"),
        ("sanction", "lift"),
        ("appeal", "decide"),
    } <= actions
    record_entry = next(e for e in history if e["entity"] == "record" and e["action"] == "create")
    assert record_entry["changes"]["evidence"] == "changed"  # free text is not copied into the trail
    assert client.get(f"{API}/audit/verify", headers=admin).get_json()["verified"] is True


def test_a_practitioner_may_complain_too_but_the_public_may_not_read_credit(client, ids, key_for):
    body = {"practitioner_id": ids["D"], "text": "冒用我的名义"}
    assert (
        client.post(f"{API}/complaints", json=body, headers=key_for("practitioner", "G")).status_code == 201
    )
    assert_problem(client.get(f"{API}/practitioners/{ids['A']}/records"), 401)


def test_the_annual_assessment_reads_the_year_s_evaluations_and_records(client, admin, ids):
    this_year = TODAY.year
    body = client.get(
        f"{API}/practitioners/{ids['A']}/assessment", query_string={"year": this_year}, headers=admin
    ).get_json()
    assert body["year"] == this_year and body["final"] is False
    assert body["evaluations"]["count"] >= 3 and body["passed"] is True
    assert body["source"].startswith("NDRC order 26")
    last_year = client.get(f"{API}/practitioners/{ids['A']}/assessment", headers=admin).get_json()
    assert last_year["year"] == this_year - 1 and last_year["final"] is True
