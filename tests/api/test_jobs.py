"""GET /jobs, POST /jobs/{name}/run, GET /jobs/{name}/runs (issue 26): administrators only; the contract's shape;
a requested run is audited and run by the scheduler's next tick."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from services.scheduler import Scheduler
from tests.support import assert_problem

URL = "/api/v1/jobs"


@pytest.fixture()
def clean(graph):
    with graph.driver.session(database=graph.database) as session:
        session.run("MATCH (n) WHERE n:JobLease OR n:JobRun DELETE n").consume()
    yield graph


def test_an_administrator_sees_every_job_with_its_schedule_and_last_run(client, admin, clean, context):
    Scheduler(context, owner="host-a", names=("end_sanctions",)).tick()
    response = client.get(URL, headers=admin)
    assert response.status_code == 200, response.get_json()
    body = response.get_json()
    by_name = {item["name"]: item for item in body["items"]}
    assert {"expire_certificates", "end_sanctions", "lapse_invitations"} <= set(by_name)
    assert body["total"] == len(body["items"])
    ended = by_name["end_sanctions"]
    assert ended["schedule"] == "daily at 00:20"
    last = ended["last_run"]
    assert last["status"] == "succeeded" and last["started_at"] and last["finished_at"]
    assert isinstance(last["counts"]["practitioners"], int)
    assert by_name["expire_certificates"]["last_run"] is None


@pytest.mark.parametrize(("role", "status"), [("government", 403), ("client", 403), ("public", 401)])
def test_only_administrators_see_or_run_jobs(client, as_role, clean, role, status):
    assert_problem(client.get(URL, headers=as_role(role)), status)
    assert_problem(client.get(f"{URL}/end_sanctions/runs", headers=as_role(role)), status)
    assert_problem(client.post(f"{URL}/end_sanctions/run", headers=as_role(role)), status)
    with clean.driver.session(database=clean.database) as session:
        assert session.run("MATCH (l:JobLease) RETURN count(l) AS n").single()["n"] == 0


def test_a_requested_run_is_audited_and_run_at_the_scheduler_s_next_tick(client, admin, clean, context):
    scheduler = Scheduler(context, owner="host-a", names=("end_sanctions",))
    scheduler.tick()
    assert scheduler.tick() == []  # done for this slot
    response = client.post(f"{URL}/end_sanctions/run", headers=admin)
    assert response.status_code == 202, response.get_json()
    assert response.get_json()["requested_at"]
    entries = client.get("/api/v1/audit", query_string={"entity": "job"}, headers=admin).get_json()["items"]
    assert entries and entries[0]["action"] == "request_run" and entries[0]["entity_id"] == "end_sanctions"
    (run,) = scheduler.tick()
    assert run["trigger"] == "request"
    runs = client.get(f"{URL}/end_sanctions/runs", headers=admin).get_json()
    assert runs["total"] == 2 and runs["items"][0]["trigger"] == "request"
    job = next(i for i in client.get(URL, headers=admin).get_json()["items"] if i["name"] == "end_sanctions")
    assert job["requested_at"] is None and job["last_run"]["id"] == run["id"]


def test_an_unknown_job_is_a_404_and_nothing_is_stored(client, admin, clean):
    assert_problem(client.post(f"{URL}/no_such_job/run", headers=admin), 404)
    assert_problem(client.get(f"{URL}/no_such_job/runs", headers=admin), 404)
    with clean.driver.session(database=clean.database) as session:
        assert session.run("MATCH (l:JobLease) RETURN count(l) AS n").single()["n"] == 0


def _logged_in(app, key: str):
    browser = app.test_client()
    form = browser.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    assert browser.post("/login", data={"key": key, "csrf_token": token}).status_code == 302
    return browser


def test_the_admin_page_shows_each_job_s_last_run_and_its_failures(app, keys, clean, context, tmp_path):
    broken_key = tmp_path / "signing.key"
    broken_key.write_bytes(b"not a key")
    broken = replace(context, settings=replace(context.settings, signing_key_file=str(broken_key)))
    Scheduler(broken, owner="host-a", names=("sign_audit_checkpoint",)).tick()
    Scheduler(context, owner="host-a", names=("end_sanctions",)).tick()
    page = _logged_in(app, keys["admin"]).get("/admin").get_data(as_text=True)
    line = page[page.index('data-testid="admin-jobs"') :]
    line = line[: line.index("</details>")]
    assert "1 项上次运行失败" in line and "sign_audit_checkpoint" in line
    assert "end_sanctions" in line and "成功" in line and "从未运行" in line
