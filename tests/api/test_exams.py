"""From application to certificate over HTTP: applications, training, sessions, results, retakes, the certificate,
imports and renewal, against the real graph. Dates are relative to today, sessions in the past unless said."""

from __future__ import annotations

import io
import uuid
from datetime import date, datetime, timedelta

import pytest

from registry.applications import valid_until
from registry.exams import CHINA_TIME
from tests.support import assert_problem, graph_size, unique_id_card

TODAY = date.today()
API = "/api/v1"


def at(day: date, hour: int = 9, minute: int = 0) -> str:
    return datetime(day.year, day.month, day.day, hour, minute, tzinfo=CHINA_TIME).isoformat()


@pytest.fixture()
def process(client, admin, new_practitioner):
    """Small steps of the process through the API, each asserting its expected status code."""

    class Process:
        def person(self, **fields) -> dict:
            return new_practitioner(**({"region": "420100"} | fields))

        def apply(
            self, practitioner_id: str, registered_on: date, work_type="accounting", level=4, expect=201
        ) -> dict:
            body = {
                "practitioner_id": practitioner_id,
                "work_type": work_type,
                "level": level,
                "registered_on": registered_on.isoformat(),
            }
            response = client.post(f"{API}/applications", json=body, headers=admin)
            assert response.status_code == expect, response.get_json()
            return response.get_json()

        def train(self, application_id: str, part: str, hours: float, day: date, expect=201) -> dict:
            body = {"part": part, "hours": hours, "completed_on": day.isoformat()}
            response = client.post(f"{API}/applications/{application_id}/training", json=body, headers=admin)
            assert response.status_code == expect, response.get_json()
            return response.get_json()

        def session(self, day: date, hour: int = 9, capacity: int = 50, **fields) -> dict:
            # A random minute keeps sessions of different tests apart from the monthly ones.
            body = {"starts_at": at(day, hour, uuid.uuid4().int % 60), "capacity": capacity} | fields
            response = client.post(f"{API}/exam-sessions", json=body, headers=admin)
            assert response.status_code == 201, response.get_json()
            return response.get_json()

        def register(self, session_id: str, application_id: str, expect=201) -> dict:
            response = client.post(
                f"{API}/exam-sessions/{session_id}/registrations",
                json={"application_id": application_id},
                headers=admin,
            )
            assert response.status_code == expect, response.get_json()
            return response.get_json()

        def result(self, application_id: str, session_id: str, score, expect=201) -> dict:
            body = {"application_id": application_id, "session_id": session_id, "score": score}
            response = client.post(f"{API}/exam-results", json=body, headers=admin)
            assert response.status_code == expect, response.get_json()
            return response.get_json()

        def application(self, application_id: str) -> dict:
            response = client.get(f"{API}/applications/{application_id}", headers=admin)
            assert response.status_code == 200, response.get_json()
            return response.get_json()

        def trained(self, practitioner_id: str, registered_on: date, work_type="accounting") -> dict:
            application = self.apply(practitioner_id, registered_on, work_type)
            self.train(application["id"], "basic", 40, registered_on)
            return self.train(application["id"], work_type, 20, registered_on)

    return Process()


def number() -> str:
    return f"EX-{uuid.uuid4().hex[:10].upper()}"


# --- The whole path ---


def test_the_whole_path_from_application_through_a_retake_to_the_certificate(client, admin, graph, process):
    person = process.person()
    registered = TODAY - timedelta(days=90)
    application = process.apply(person["id"], registered)
    assert application["status"] == "registered"
    assert application["valid_until"] == valid_until(registered).isoformat()
    assert application["fee"] == {
        "amount": 3900,
        "currency": "CNY",
        "covers": ["training", "exam", "certificate"],
    }
    assert application["id"]

    assert process.train(application["id"], "basic", 40, registered)["status"] == "training"
    trained = process.train(application["id"], "accounting", 20, registered + timedelta(days=3))
    assert trained["status"] == "ready"
    assert trained["training"]["complete"] is True

    first = process.session(registered + timedelta(days=10))
    registration = process.register(first["id"], application["id"])
    assert (registration["attempt"], registration["free"]) == (1, False)
    assert registration["application"]["status"] == "sat"

    failed = process.result(application["id"], first["id"], 55)
    assert (failed["passed"], failed["attempt"], failed["free"]) == (False, 1, False)
    state = process.application(application["id"])
    assert (state["status"], state["retake_available"]) == ("failed", True)

    second = process.session(registered + timedelta(days=40), hour=14)
    assert process.register(second["id"], application["id"])["attempt"] == 2
    assert process.application(application["id"])["status"] == "retake"
    passed = process.result(application["id"], second["id"], 60)
    assert (passed["passed"], passed["attempt"], passed["free"]) == (True, 2, True)
    assert process.application(application["id"])["status"] == "passed"

    cert_number = number()
    issued_on = registered + timedelta(days=45)
    response = client.post(
        f"{API}/exam-results/{passed['id']}/certificate",
        json={"number": cert_number, "issued_on": issued_on.isoformat(), "expires_on": "2030-12-31"},
        headers=admin,
    )
    assert response.status_code == 201, response.get_json()
    certificate = response.get_json()
    assert certificate["number"] == cert_number
    assert (certificate["work_type"], certificate["level"], certificate["status"]) == (
        "accounting",
        4,
        "valid",
    )
    assert certificate["issuer"]["name"] == "中国石油和化学工业联合会"
    assert certificate["result_id"] == passed["id"]
    assert response.headers["Location"].endswith(f"/certificates/{cert_number}")

    assert process.application(application["id"])["status"] == "certified"
    profile = client.get(f"{API}/practitioners/{person['id']}", headers=admin).get_json()
    assert "talent" in profile["pools"]
    records, _, _ = graph.driver.execute_query(
        "MATCH (c:Certificate {number: $number})-[:FROM_RESULT]->(r:ExamResult)-[:OF]->(a:Application)-[:BY]->(p) "
        "RETURN r.id AS result, a.id AS application, p.id AS person",
        number=cert_number,
    )
    assert [r.data() for r in records] == [
        {"result": passed["id"], "application": application["id"], "person": person["id"]}
    ]


# --- Refusals: a clear 4xx, nothing written ---


def test_registering_for_a_session_after_the_six_months_is_refused_and_writes_nothing(
    client, admin, graph, process
):
    registered = TODAY - timedelta(days=30)
    application = process.apply(process.person()["id"], registered)
    last_day = valid_until(registered)
    on_last_day = process.session(last_day, hour=14)
    day_after = process.session(last_day + timedelta(days=1))
    before = graph_size(graph)
    response = client.post(
        f"{API}/exam-sessions/{day_after['id']}/registrations",
        json={"application_id": application["id"]},
        headers=admin,
    )
    problem = assert_problem(response, 409)
    assert problem["type"].endswith("/application-expired")
    assert problem["valid_until"] == last_day.isoformat()
    assert graph_size(graph) == before
    assert process.register(on_last_day["id"], application["id"])["attempt"] == 1


def test_a_second_free_retake_is_refused(client, admin, graph, process):
    registered = TODAY - timedelta(days=100)
    application = process.apply(process.person()["id"], registered)
    sessions = [process.session(registered + timedelta(days=d)) for d in (5, 35, 65)]
    for attempt, session in enumerate(sessions[:2], start=1):
        process.register(session["id"], application["id"])
        assert process.result(application["id"], session["id"], 30 + attempt)["attempt"] == attempt
    state = process.application(application["id"])
    assert (state["status"], state["retake_available"], state["terminal"]) == ("failed", False, True)
    before = graph_size(graph)
    response = client.post(
        f"{API}/exam-sessions/{sessions[2]['id']}/registrations",
        json={"application_id": application["id"]},
        headers=admin,
    )
    problem = assert_problem(response, 409)
    assert problem["type"].endswith("/no-retake-left")
    assert "new application" in problem["detail"]
    assert graph_size(graph) == before
    # ... and the way on is a new application (and fee).
    assert process.apply(state["practitioner"]["id"], TODAY)["status"] == "registered"


@pytest.mark.parametrize("score", [-1, 100.5, 250, "80", None, True])
def test_a_score_outside_0_to_100_is_refused(client, admin, graph, process, score):
    registered = TODAY - timedelta(days=20)
    application = process.apply(process.person()["id"], registered)
    session = process.session(registered + timedelta(days=2))
    process.register(session["id"], application["id"])
    before = graph_size(graph)
    response = client.post(
        f"{API}/exam-results",
        json={"application_id": application["id"], "session_id": session["id"], "score": score},
        headers=admin,
    )
    problem = assert_problem(response, 400)
    assert "score" in problem["errors"]
    assert graph_size(graph) == before


def test_a_result_for_a_session_the_person_was_not_registered_for_is_refused(client, admin, graph, process):
    registered = TODAY - timedelta(days=20)
    application = process.apply(process.person()["id"], registered)
    registered_for = process.session(registered + timedelta(days=2))
    other = process.session(registered + timedelta(days=3))
    process.register(registered_for["id"], application["id"])
    before = graph_size(graph)
    response = client.post(
        f"{API}/exam-results",
        json={"application_id": application["id"], "session_id": other["id"], "score": 90},
        headers=admin,
    )
    assert assert_problem(response, 409)["type"].endswith("/not-registered")
    assert graph_size(graph) == before


def test_a_certificate_from_a_failed_result_is_refused(client, admin, graph, process):
    registered = TODAY - timedelta(days=20)
    application = process.trained(process.person()["id"], registered)
    session = process.session(registered + timedelta(days=2))
    process.register(session["id"], application["id"])
    result = process.result(application["id"], session["id"], 59.5)
    before = graph_size(graph)
    response = client.post(
        f"{API}/exam-results/{result['id']}/certificate",
        json={"number": number(), "issued_on": TODAY.isoformat()},
        headers=admin,
    )
    problem = assert_problem(response, 409)
    assert problem["type"].endswith("/result-not-passed")
    assert graph_size(graph) == before


def test_a_certificate_needs_completed_training(client, admin, graph, process):
    registered = TODAY - timedelta(days=20)
    application = process.apply(process.person()["id"], registered)
    process.train(application["id"], "basic", 40, registered)
    session = process.session(registered + timedelta(days=2))
    process.register(session["id"], application["id"])
    result = process.result(application["id"], session["id"], 88)
    before = graph_size(graph)
    response = client.post(
        f"{API}/exam-results/{result['id']}/certificate", json={"number": number()}, headers=admin
    )
    assert "accounting 0/20 h" in assert_problem(response, 409)["detail"]
    assert graph_size(graph) == before


def test_a_result_for_a_session_that_has_not_started_is_refused(client, admin, process):
    application = process.apply(process.person()["id"], TODAY)
    future = process.session(TODAY + timedelta(days=3))
    process.register(future["id"], application["id"])
    response = client.post(
        f"{API}/exam-results",
        json={"application_id": application["id"], "session_id": future["id"], "score": 80},
        headers=admin,
    )
    assert "not taken place" in assert_problem(response, 409)["detail"]
    assert process.application(application["id"])["status"] == "registered"


def test_an_ineligible_or_undetermined_level_is_refused_with_the_reasons(client, admin, graph, process):
    junior = process.person(education="junior_high", work_start_year=TODAY.year - 1)
    bachelor = process.person()
    before = graph_size(graph)
    response = client.post(
        f"{API}/applications",
        json={"practitioner_id": junior["id"], "work_type": "monitoring", "level": 4},
        headers=admin,
    )
    problem = assert_problem(response, 409)
    assert problem["eligible"] is False
    assert {reason["code"] for reason in problem["reasons"]} == {"education", "related_work_years"}
    response = client.post(
        f"{API}/applications",
        json={"practitioner_id": bachelor["id"], "work_type": "monitoring", "level": 2},
        headers=admin,
    )
    assert assert_problem(response, 409)["eligible"] is None
    assert graph_size(graph) == before


def test_a_second_open_application_for_the_same_work_type_and_level_is_refused(client, admin, process):
    person = process.person()
    first = process.apply(person["id"], TODAY)
    problem = assert_problem(
        client.post(
            f"{API}/applications",
            json={"practitioner_id": person["id"], "work_type": "accounting", "level": 4},
            headers=admin,
        ),
        409,
    )
    assert problem["application_id"] == first["id"]
    assert process.apply(person["id"], TODAY, work_type="trading")["status"] == "registered"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"part": "monitoring", "hours": 8}, "part"),
        ({"part": "basic", "hours": 0}, "hours"),
        ({"part": "basic", "hours": 8, "completed_on": "2999-01-01"}, "completed_on"),
    ],
)
def test_bad_training_records_are_refused(client, admin, graph, process, body, field):
    application = process.apply(process.person()["id"], TODAY)
    before = graph_size(graph)
    response = client.post(f"{API}/applications/{application['id']}/training", json=body, headers=admin)
    assert field in assert_problem(response, 400)["errors"]
    assert graph_size(graph) == before


def test_a_session_needs_an_offset_and_a_positive_capacity(client, admin):
    naive = client.post(f"{API}/exam-sessions", json={"starts_at": "2026-12-26T09:00:00"}, headers=admin)
    assert "starts_at" in assert_problem(naive, 400)["errors"]
    empty = client.post(
        f"{API}/exam-sessions", json={"starts_at": "2026-12-26T09:00:00+08:00", "capacity": 0}, headers=admin
    )
    assert "capacity" in assert_problem(empty, 400)["errors"]


def test_a_full_session_refuses_the_next_candidate(client, admin, process):
    registered = TODAY - timedelta(days=10)
    small = process.session(registered + timedelta(days=1), capacity=1)
    first = process.apply(process.person()["id"], registered)
    second = process.apply(process.person()["id"], registered)
    process.register(small["id"], first["id"])
    problem = assert_problem(
        client.post(
            f"{API}/exam-sessions/{small['id']}/registrations",
            json={"application_id": second["id"]},
            headers=admin,
        ),
        409,
    )
    assert problem["type"].endswith("/session-full")


# --- Idempotence ---


def test_registering_twice_and_recording_the_same_score_twice_change_nothing(client, admin, graph, process):
    registered = TODAY - timedelta(days=10)
    application = process.apply(process.person()["id"], registered)
    session = process.session(registered + timedelta(days=1))
    process.register(session["id"], application["id"])
    first = process.result(application["id"], session["id"], 70)
    before = graph_size(graph)
    process.register(session["id"], application["id"], expect=200)
    again = process.result(application["id"], session["id"], 70, expect=200)
    assert again["id"] == first["id"]
    assert graph_size(graph) == before
    conflict = client.post(
        f"{API}/exam-results",
        json={"application_id": application["id"], "session_id": session["id"], "score": 71},
        headers=admin,
    )
    assert assert_problem(conflict, 409)["result_id"] == first["id"]


def test_a_registration_without_a_result_can_be_cancelled(client, admin, process):
    application = process.apply(process.person()["id"], TODAY)
    session = process.session(TODAY + timedelta(days=5))
    process.register(session["id"], application["id"])
    response = client.delete(
        f"{API}/exam-sessions/{session['id']}/registrations/{application['id']}", headers=admin
    )
    assert response.status_code == 204
    assert process.application(application["id"])["sessions"] == []


# --- Lists, counts and statistics ---


def test_applications_filter_by_status_work_type_level_session_and_region(client, admin, process):
    registered = TODAY - timedelta(days=15)
    session = process.session(registered + timedelta(days=1))
    hubei = process.person(region="420500")
    beijing = process.person(region="110000")
    ready = process.trained(hubei["id"], registered, work_type="verification")
    process.register(session["id"], ready["id"])
    other = process.apply(beijing["id"], registered, work_type="verification")

    def ids(**params) -> set[str]:
        response = client.get(f"{API}/applications", query_string=params | {"per_page": 100}, headers=admin)
        assert response.status_code == 200, response.get_json()
        return {item["id"] for item in response.get_json()["items"]}

    assert ids(session_id=session["id"]) == {ready["id"]}
    assert ids(session=session["id"]) == {ready["id"]}
    assert ready["id"] in ids(region="420000", work_type="verification")
    assert other["id"] not in ids(region="420000")
    assert ready["id"] in ids(status="sat", level=4)
    assert other["id"] in ids(status="registered", work_type="verification")
    assert other["id"] not in ids(status="sat")
    assert_problem(client.get(f"{API}/applications", query_string={"status": "dreaming"}, headers=admin), 400)


def test_a_session_shows_capacity_registrations_and_pass_rates_by_work_type_and_region(
    client, admin, process
):
    registered = TODAY - timedelta(days=15)
    session = process.session(registered + timedelta(days=1), capacity=10)
    scores = [("420100", "accounting", 80), ("420200", "accounting", 40), ("110000", "trading", 90)]
    for region, work_type, score in scores:
        application = process.apply(process.person(region=region)["id"], registered, work_type=work_type)
        process.register(session["id"], application["id"])
        process.result(application["id"], session["id"], score)
    detail = client.get(f"{API}/exam-sessions/{session['id']}", headers=admin).get_json()
    assert (detail["capacity"], detail["registered"], detail["seats_left"]) == (10, 3, 7)
    assert (detail["sat"], detail["passed"], detail["failed"]) == (3, 2, 1)
    assert detail["pass_rate"] == pytest.approx(2 / 3, abs=1e-4)
    assert {g["work_type"]: g["pass_rate"] for g in detail["by_work_type"]} == {
        "accounting": 0.5,
        "trading": 1.0,
    }
    assert {g["region"]: (g["sat"], g["passed"]) for g in detail["by_region"]} == {
        "420000": (2, 1),
        "110000": (1, 1),
    }
    assert len(detail["registrations"]) == 3
    government = client.get(
        f"{API}/exam-sessions/stats",
        query_string={"from": session["day"], "to": session["day"]},
        headers=admin,
    )
    stats = government.get_json()
    assert government.status_code == 200, stats
    assert session["id"] in {s["id"] for s in stats["sessions"]}
    assert stats["sat"] >= 3


def test_a_sessions_registrations_come_in_pages_in_registration_order(client, admin, process):
    registered = TODAY - timedelta(days=15)
    session = process.session(registered + timedelta(days=1), capacity=10)
    made = []
    for score in (70, 40, 90, 65, 80):
        application = process.apply(process.person(region="420100")["id"], registered)
        process.register(session["id"], application["id"])
        process.result(application["id"], session["id"], score)
        made.append(application["id"])

    def page(**query):
        response = client.get(f"{API}/exam-sessions/{session['id']}", query_string=query, headers=admin)
        assert response.status_code == 200
        return response.get_json()

    whole = page(per_page=100)
    assert [r["application_id"] for r in whole["registrations"]] == made
    assert [r["result"]["score"] for r in whole["registrations"]] == [70, 40, 90, 65, 80]
    pages = [page(page=n, per_page=2) for n in (1, 2, 3, 4)]
    assert [[r["application_id"] for r in p["registrations"]] for p in pages] == [
        made[:2],
        made[2:4],
        made[4:],
        [],
    ]
    assert all((p["registered"], p["per_page"]) == (5, 2) for p in pages)
    assert [p["page"] for p in pages] == [1, 2, 3, 4]
    assert page()["per_page"] == 20 and len(page()["registrations"]) == 5
    assert_problem(
        client.get(f"{API}/exam-sessions/{session['id']}", query_string={"per_page": 0}, headers=admin), 400
    )


def test_the_monthly_sessions_are_the_last_weekends_two_sittings_and_generating_twice_adds_nothing(
    client, admin
):
    body = {"year": 2027, "month": 1, "capacity": 120}
    first = client.post(f"{API}/exam-sessions/monthly", json=body, headers=admin)
    assert first.status_code == 200, first.get_json()
    items = first.get_json()["items"]
    assert [item["starts_at"] for item in items] == ["2027-01-30T09:00:00+08:00", "2027-01-30T14:00:00+08:00"]
    assert {item["capacity"] for item in items} == {120}
    again = client.post(f"{API}/exam-sessions/monthly", json=body, headers=admin).get_json()
    assert again["created"] == 0
    assert [item["id"] for item in again["items"]] == [item["id"] for item in items]
    listed = client.get(
        f"{API}/exam-sessions", query_string={"from": "2027-01-30", "to": "2027-01-30"}, headers=admin
    )
    assert {item["id"] for item in items} <= {item["id"] for item in listed.get_json()["items"]}


def test_moving_a_session_past_a_waiting_candidates_validity_is_refused(client, admin, process):
    registered = TODAY - timedelta(days=30)
    application = process.apply(process.person()["id"], registered)
    session = process.session(TODAY + timedelta(days=7))
    process.register(session["id"], application["id"])
    too_late = valid_until(registered) + timedelta(days=1)
    response = client.patch(
        f"{API}/exam-sessions/{session['id']}", json={"starts_at": at(too_late)}, headers=admin
    )
    assert_problem(response, 409)
    moved = client.patch(
        f"{API}/exam-sessions/{session['id']}",
        json={"starts_at": at(TODAY + timedelta(days=8), 14)},
        headers=admin,
    )
    assert moved.status_code == 200, moved.get_json()
    assert moved.get_json()["starts_at"].startswith((TODAY + timedelta(days=8)).isoformat())


def test_the_rules_are_readable_with_their_sources(client, admin):
    rules = client.get(f"{API}/applications/rules", headers=admin).get_json()
    assert rules["fee"]["amount"] == 3900
    assert rules["exam"]["pass_mark"] == 60
    assert rules["renewal"]["required_hours"] == 0
    assert "seed-docs" in rules["source"]


def test_only_admins_write_and_clients_read_nothing(client, as_role, process):
    application = process.apply(process.person()["id"], TODAY)
    for role in ("client", "government"):
        response = client.post(
            f"{API}/applications/{application['id']}/training",
            json={"part": "basic", "hours": 1},
            headers=as_role(role),
        )
        assert_problem(response, 403)
    assert_problem(client.get(f"{API}/applications", headers=as_role("client")), 403)
    assert_problem(client.get(f"{API}/exam-sessions", headers=as_role("public")), 401)
    assert client.get(f"{API}/exam-sessions", headers=as_role("government")).status_code == 200


# --- Import ---


def test_importing_results_reports_each_row_and_a_second_import_changes_nothing(
    client, admin, graph, process
):
    registered = TODAY - timedelta(days=15)
    session = process.session(registered + timedelta(days=1))
    people = []
    for score in ("72", "45"):
        id_card = unique_id_card()
        person = process.person(id_card=id_card, name="考生甲")
        application = process.apply(person["id"], registered)
        process.register(session["id"], application["id"])
        people.append((id_card, score, application["id"]))
    stranger = unique_id_card()
    process.person(id_card=stranger, name="考生乙")
    rows = [
        "身份证号,姓名,考试场次,成绩",
        *(f"{id_card},考生甲,{session['id']},{score}" for id_card, score, _ in people),
        f"{people[0][0]},考生丙,{session['id']},90",  # wrong name
        f"{stranger},考生乙,{session['id']},88",  # not registered
        f"{people[1][0]},考生甲,{session['id']},101",  # out of range
    ]
    data = "\n".join(rows).encode("utf-8")

    def upload() -> dict:
        response = client.post(
            f"{API}/exam-results/import",
            data={"file": (io.BytesIO(data), "results.csv")},
            headers=admin,
            content_type="multipart/form-data",
        )
        assert response.status_code == 200, response.get_json()
        return response.get_json()

    report = upload()
    assert (report["rows_read"], report["results_created"], report["results_unchanged"]) == (5, 2, 0)
    assert report["rows_invalid"] == 3
    assert {(e["row"], e["column"]) for e in report["errors"]} == {(4, "name"), (5, "session"), (6, "score")}
    statuses = {process.application(application_id)["status"] for _, _, application_id in people}
    assert statuses == {"passed", "failed"}
    before = result_count(graph)
    again = upload()
    assert (again["results_created"], again["results_unchanged"], again["rows_invalid"]) == (0, 2, 3)
    assert result_count(graph) == before


def result_count(graph) -> int:
    records, _, _ = graph.driver.execute_query("MATCH (r:ExamResult) RETURN count(r) AS n")
    return records[0]["n"]


# --- Renewal ---


def test_renewal_issues_a_follow_on_certificate_linked_to_the_one_it_renews(
    client, admin, graph, process, issue
):
    person = process.person()
    old = issue(
        person["id"],
        "accounting",
        4,
        issued_on="2024-01-10",
        expires_on=(TODAY + timedelta(days=30)).isoformat(),
    )
    hours = client.post(
        f"{API}/certificates/{old['number']}/continuing-education",
        json={"hours": 12, "completed_on": TODAY.isoformat(), "provider": "培训基地"},
        headers=admin,
    )
    assert hours.status_code == 201, hours.get_json()
    assert hours.get_json()["hours"] == 12
    new_number = number()
    response = client.post(
        f"{API}/certificates/{old['number']}/renewal", json={"number": new_number}, headers=admin
    )
    assert response.status_code == 201, response.get_json()
    renewed = response.get_json()
    assert (renewed["number"], renewed["renews"], renewed["work_type"], renewed["level"]) == (
        new_number,
        old["number"],
        "accounting",
        4,
    )
    assert renewed["issued_on"] == TODAY.isoformat()
    records, _, _ = graph.driver.execute_query(
        "MATCH (:Certificate {number: $new})-[:RENEWS]->(old:Certificate) RETURN old.number AS number",
        new=new_number,
    )
    assert [r["number"] for r in records] == [old["number"]]
    again = client.post(
        f"{API}/certificates/{old['number']}/renewal", json={"number": number()}, headers=admin
    )
    assert "already renewed" in assert_problem(again, 409)["detail"]


def test_an_expired_certificate_is_not_renewed(client, admin, graph, process, issue):
    old = issue(process.person()["id"], "accounting", 4, issued_on="2020-01-10", expires_on="2023-01-09")
    before = graph_size(graph)
    response = client.post(
        f"{API}/certificates/{old['number']}/renewal", json={"number": number()}, headers=admin
    )
    assert "new application" in assert_problem(response, 409)["detail"]
    assert graph_size(graph) == before


# --- The command line ---


def test_the_cli_walks_an_application_to_its_certificate(app, process):
    runner = app.test_cli_runner()

    def run(*args: str) -> str:
        result = runner.invoke(args=["registry", "exams", *args])
        assert result.exit_code == 0, result.output
        return result.stdout.strip().splitlines()[-1] if result.stdout.strip() else ""

    registered = TODAY - timedelta(days=20)
    person = process.person()
    application_id = run("apply", "--practitioner", person["id"], "--work-type", "consulting", "--level", "4",
                         "--registered-on", registered.isoformat())  # fmt: skip
    run(
        "training",
        application_id,
        "--part",
        "basic",
        "--hours",
        "40",
        "--completed-on",
        registered.isoformat(),
    )
    assert run("training", application_id, "--part", "consulting", "--hours", "20").startswith("ready")
    session_id = run(
        "add-session", "--starts-at", at(registered + timedelta(days=2), 14, 7), "--capacity", "5"
    )
    assert "attempt 1" in run("register", session_id, application_id)
    result_id = run("result", application_id, session_id, "91")
    assert run("certify", result_id, "--number", number()).startswith("issued")
    refused = runner.invoke(args=["registry", "exams", "result", application_id, session_id, "150"])
    assert refused.exit_code == 1 and "score" in refused.output
    assert runner.invoke(args=["registry", "exams", "rules"]).exit_code == 0


def test_the_cli_generates_sessions_once_and_imports_a_results_file(app, process, tmp_path):
    runner = app.test_cli_runner()

    def run(*args: str):
        result = runner.invoke(args=["registry", "exams", *args])
        assert result.exit_code == 0, result.output
        return result.stdout

    first = run("generate-sessions", "--year", "2032", "--month", "2", "--months", "2")
    assert (
        first.count("created") == 4 and "2032-02-28 09:00 +08:00" in first
    )  # a leap February ending on a Sunday and "2032-03-27 14:00 +08:00" in first
    assert run("generate-sessions", "--year", "2032", "--month", "2", "--months", "2").count("exists") == 4

    registered = TODAY - timedelta(days=9)
    held = process.session(registered + timedelta(days=1), hour=14)
    id_card = unique_id_card()
    application = process.apply(process.person(id_card=id_card, name="考生戊")["id"], registered)
    process.register(held["id"], application["id"])
    start = datetime.fromisoformat(held["starts_at"]).astimezone(CHINA_TIME).strftime("%Y-%m-%d %H:%M")
    path = tmp_path / "results.csv"
    path.write_text(f"身份证号,姓名,考试时间,成绩\n{id_card},考生戊,{start},66\n", encoding="utf-8")
    assert run("import-results", str(path)).strip().endswith("1 results recorded, 0 unchanged, 0 refused")
    assert run("import-results", str(path)).strip().endswith("0 results recorded, 1 unchanged, 0 refused")
    assert process.application(application["id"])["status"] == "passed"


def test_unknown_ids_in_a_body_are_field_errors_and_in_a_path_not_found(client, admin, process):
    application = process.apply(process.person()["id"], TODAY)
    session = process.session(TODAY + timedelta(days=2))
    unknown = str(uuid.uuid4())
    result = client.post(
        f"{API}/exam-results",
        json={"application_id": unknown, "session_id": session["id"], "score": 70},
        headers=admin,
    )
    assert "application_id" in assert_problem(result, 400)["errors"]
    result = client.post(
        f"{API}/exam-results",
        json={"application_id": application["id"], "session_id": unknown, "score": 70},
        headers=admin,
    )
    assert "session_id" in assert_problem(result, 400)["errors"]
    registration = client.post(
        f"{API}/exam-sessions/{session['id']}/registrations", json={"application_id": unknown}, headers=admin
    )
    assert "application_id" in assert_problem(registration, 400)["errors"]
    missing_session = client.post(
        f"{API}/exam-sessions/{unknown}/registrations",
        json={"application_id": application["id"]},
        headers=admin,
    )
    assert_problem(missing_session, 404)
    assert_problem(client.get(f"{API}/applications/{unknown}", headers=admin), 404)
    assert_problem(
        client.post(f"{API}/exam-results/{unknown}/certificate", json={"number": number()}, headers=admin),
        404,
    )


def test_a_results_file_larger_than_a_json_body_is_accepted(client, admin):
    # Uploads have their own limit (200 MB), not the 1 MB of JSON bodies; empty rows are skipped.
    data = (
        "身份证号,姓名,考试场次,成绩\n" + ",,,\n" * 300_000 + f"{unique_id_card()},某,{uuid.uuid4()},70\n"
    ).encode()
    assert len(data) > 1_000_000
    response = client.post(
        f"{API}/exam-results/import",
        data={"file": (io.BytesIO(data), "big.csv")},
        headers=admin,
        content_type="multipart/form-data",
    )
    assert response.status_code == 200, response.get_json()
    report = response.get_json()
    assert (report["rows_read"], report["rows_invalid"]) == (1, 1)
    assert report["errors"][0]["column"] == "session"


def test_a_session_given_in_another_offset_is_stored_as_the_same_instant_in_china_time(client, admin):
    response = client.post(
        f"{API}/exam-sessions", json={"starts_at": "2031-06-28T01:00:00+00:00", "capacity": 3}, headers=admin
    )
    assert response.status_code == 201, response.get_json()
    session = response.get_json()
    assert (session["starts_at"], session["ends_at"], session["day"]) == (
        "2031-06-28T09:00:00+08:00",
        "2031-06-28T11:00:00+08:00",
        "2031-06-28",
    )
    odd = client.post(
        f"{API}/exam-sessions", json={"starts_at": "2031-06-28T03:47:23+05:17:23"}, headers=admin
    )
    assert odd.status_code == 201, odd.get_json()
    assert odd.get_json()["starts_at"] == "2031-06-28T06:30:00+08:00"
    ancient = client.post(
        f"{API}/exam-sessions", json={"starts_at": "0001-01-01T00:00:00+00:00"}, headers=admin
    )
    assert "starts_at" in assert_problem(ancient, 400)["errors"]
