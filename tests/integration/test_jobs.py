"""The scheduled jobs against a real Neo4j: one run per due job however many schedulers look, failures recorded
and the lease released, a crashed holder's lease taken over once it expires."""

from __future__ import annotations

import threading
import uuid
from dataclasses import replace
from datetime import date, datetime, timedelta

import pytest

from graph import jobs as repo
from graph.driver import graph_from_settings
from registry.errors import Conflict
from registry.jobs import JOB_NAMES, LEASE, RETRY_AFTER
from services import certificates, draws, jobs, practitioners
from services.scheduler import Scheduler
from tests.support import unique_id_card

CHEAP = ("expire_certificates", "end_sanctions", "lapse_invitations", "sign_audit_checkpoint")


def _clear(graph, *, runs: bool = True) -> None:
    with graph.driver.session(database=graph.database) as session:
        session.run("MATCH (l:JobLease) DELETE l").consume()
        if runs:
            session.run("MATCH (r:JobRun) DELETE r").consume()


def _stored_runs(graph) -> list[dict]:
    with graph.driver.session(database=graph.database) as session:
        return [r["run"] for r in session.run("MATCH (r:JobRun) RETURN r {.*} AS run ORDER BY r.started_at")]


def _lease(graph, name: str) -> dict:
    return graph.read(repo.leases).get(name, {})


@pytest.fixture()
def clean(graph):
    _clear(graph)
    yield graph
    _clear(graph)


def now() -> datetime:
    return datetime.now().astimezone()


def test_two_schedulers_at_once_run_each_due_job_once(clean, settings, context):
    # Two schedulers, each with its own driver (as two hosts would have), look at the same moment, five times.
    graphs = [graph_from_settings(settings) for _ in range(2)]
    schedulers = [
        Scheduler(replace(context, graph=g), owner=f"host-{i}", names=CHEAP) for i, g in enumerate(graphs)
    ]
    try:
        for round_ in range(1, 6):
            _clear(clean, runs=False)  # every job due again, as at the start of a new slot
            at = now()
            start = threading.Barrier(len(schedulers))
            ran: list[list[dict]] = [[] for _ in schedulers]

            def look(i: int, at: datetime = at, start: threading.Barrier = start, ran: list = ran) -> None:
                start.wait()
                ran[i] = schedulers[i].tick(at)

            threads = [threading.Thread(target=look, args=(i,)) for i in range(len(schedulers))]
            for thread in threads:
                thread.start()
            for thread in threads:
                thread.join(timeout=120)
            names = sorted(run["name"] for runs in ran for run in runs)
            assert names == sorted(CHEAP), f"round {round_}: {names}"
            assert all(run["status"] == "succeeded" for runs in ran for run in runs)
            stored = _stored_runs(clean)
            assert len(stored) == len(CHEAP) * round_
            # A third look in the same slot finds nothing due.
            assert schedulers[0].tick(at + timedelta(seconds=1)) == []
    finally:
        for g in graphs:
            g.close()
    for name in CHEAP:
        lease = _lease(clean, name)
        assert lease.get("owner") is None and lease["done_slot"] is not None


def test_a_job_that_raises_records_its_error_and_releases_the_lease(clean, context, tmp_path):
    broken_key = tmp_path / "signing.key"
    broken_key.write_bytes(b"not a key")
    broken = replace(context, settings=replace(context.settings, signing_key_file=str(broken_key)))
    at = now()
    ran = Scheduler(broken, owner="host-a", names=("sign_audit_checkpoint",)).tick(at)
    assert [run["status"] for run in ran] == ["failed"]
    assert ran[0]["error"]
    (stored,) = _stored_runs(clean)
    assert stored["status"] == "failed" and stored["error"] == ran[0]["error"] and stored["finished_at"]
    lease = _lease(clean, "sign_audit_checkpoint")
    assert lease.get("owner") is None and lease["failed_at"] is not None and lease.get("done_slot") is None
    # Not retried at every tick, only after the back-off; then it runs (here with a good key) and succeeds.
    healthy = Scheduler(context, owner="host-b", names=("sign_audit_checkpoint",))
    assert healthy.tick(lease["failed_at"] + RETRY_AFTER - timedelta(seconds=1)) == []
    (retried,) = healthy.tick(lease["failed_at"] + RETRY_AFTER)
    assert retried["status"] == "succeeded" and retried["counts"]["head_seq"] >= 0
    assert _lease(clean, "sign_audit_checkpoint").get("failed_at") is None


def _take_and_crash(graph, name: str, owner: str, at: datetime) -> None:
    """A holder that took the lease and started a run, then stopped without a word."""

    def work(tx):
        repo.lock_lease(tx, name, at)
        repo.take_lease(
            tx, name, owner=owner, now=at, expires_at=at + LEASE, run_id=f"crashed-{name}", trigger="schedule",
            slot=at,
        )  # fmt: skip

    graph.write(work)


def test_a_lease_held_by_a_crashed_owner_expires_and_is_taken(clean, context):
    crashed_at = now()
    _take_and_crash(clean, "lapse_invitations", "gone-host:1:dead", crashed_at)
    scheduler = Scheduler(context, owner="host-b", names=("lapse_invitations",))
    assert scheduler.tick(crashed_at + LEASE - timedelta(seconds=1)) == []  # still its holder's
    (run,) = scheduler.tick(crashed_at + LEASE)
    assert run["status"] == "succeeded" and run["owner"] == "host-b"
    by_id = {r["id"]: r for r in _stored_runs(clean)}
    abandoned = by_id["crashed-lapse_invitations"]
    assert abandoned["status"] == "failed" and "abandoned" in abandoned["error"]
    assert by_id[run["id"]]["status"] == "succeeded"


def test_a_forced_run_of_a_job_another_process_holds_is_a_conflict_and_changes_nothing(clean, context):
    at = now()
    _take_and_crash(clean, "end_sanctions", "busy-host:2:live", at)
    with pytest.raises(Conflict):
        jobs.run(context, "end_sanctions", owner="operator", force=True, now=at + timedelta(seconds=5))
    assert [r["id"] for r in _stored_runs(clean)] == ["crashed-end_sanctions"]
    assert _lease(clean, "end_sanctions")["owner"] == "busy-host:2:live"


def test_only_the_holder_renews_its_lease(clean):
    at = now()
    _take_and_crash(clean, "end_sanctions", "host-a", at)
    assert clean.write(repo.renew, "end_sanctions", "host-a", at + 2 * LEASE)
    assert not clean.write(repo.renew, "end_sanctions", "host-b", at + 3 * LEASE)
    assert _lease(clean, "end_sanctions")["expires_at"] == at + 2 * LEASE


def test_a_requested_run_runs_at_the_next_tick_even_when_its_slot_is_done(clean, context):
    scheduler = Scheduler(context, owner="host-a", names=("end_sanctions",))
    (first,) = scheduler.tick()
    assert scheduler.tick() == []
    job = jobs.request_run(context, "end_sanctions")
    assert job["requested_at"] is not None
    (asked,) = scheduler.tick()
    assert asked["trigger"] == "request" and asked["id"] != first["id"]
    assert scheduler.tick() == []
    assert jobs.overview(context, ["end_sanctions"])[0]["requested_at"] is None


def test_the_expiry_job_expires_a_certificate_past_its_date_as_the_cli_command_does(
    clean, context, new_practitioner, issue
):
    expires = date.today() + timedelta(days=1)
    number = issue(new_practitioner()["id"], "accounting", 4, expires_on=expires.isoformat())["number"]
    two_days_on = now() + timedelta(days=2)
    (run,) = Scheduler(context, owner="host-a", names=("expire_certificates",)).tick(two_days_on)
    assert run["status"] == "succeeded" and run["counts"]["expired"] >= 1
    assert certificates.get(replace(context, today=two_days_on.date()), number)["status"] == "expired"


@pytest.mark.parametrize("name", JOB_NAMES)
def test_every_job_runs_from_the_command_line_and_is_recorded(clean, app, name):
    result = app.test_cli_runner().invoke(args=["registry", "run-job", name])
    assert result.exit_code == 0, result.output
    assert result.output.startswith(f"{name}: succeeded")
    (stored,) = _stored_runs(clean)
    assert stored["name"] == name and stored["trigger"] == "cli" and stored["status"] == "succeeded"
    listed = app.test_cli_runner().invoke(args=["registry", "jobs"])
    assert any(line.startswith(name) and "succeeded" in line for line in listed.output.splitlines())


def test_finishing_a_run_keeps_only_the_newest_runs_of_its_job(clean):
    start = now()
    for i in range(5):
        at = start + timedelta(minutes=i)
        _take_and_crash(clean, "end_sanctions", "host-a", at)
        run = {"id": "crashed-end_sanctions", "name": "end_sanctions", "owner": "host-a", "slot": at}
        clean.write(repo.finish, run, now=at, status="succeeded", counts="{}", note=None, error=None, keep=3)
        with clean.driver.session(database=clean.database) as session:
            session.run(
                "MATCH (r:JobRun {id: 'crashed-end_sanctions'}) SET r.id = $id", id=f"run-{i}"
            ).consume()
    assert [r["id"] for r in _stored_runs(clean)] == ["run-2", "run-3", "run-4"]


def test_the_lapse_job_records_no_response_past_the_deadline_and_calls_the_reserve(clean, context):
    region = "650000"  # 新疆: no other suite draws there
    pool = []
    for index in range(3):
        person = practitioners.register(
            context,
            {
                "name": f"定时专家{index}",
                "id_card": unique_id_card(),
                "region": region,
                "education": "master",
            },
        )
        certificates.issue(
            context,
            {"number": f"JOB-{uuid.uuid4().hex[:10].upper()}", "practitioner_id": person["id"],
             "work_type": "monitoring", "level": 2, "issued_on": date(2023, 1, 1)},
        )  # fmt: skip
        pool.append(person["id"])
    start = now()
    wanted = {"purpose": "policy_advice", "title": "定时任务抽取", "work_type": "monitoring", "min_level": 2,
              "region": region, "size": 1, "reserves": 1, "panel_date": date(start.year + 30, 6, 15),
              "exclusions": []}  # fmt: skip
    view = draws.create(context, wanted, now=start)
    invited = next(s["practitioner"]["id"] for s in view["seats"] if s["role"] == "panel")
    reserve = next(s["practitioner"]["id"] for s in view["seats"] if s["role"] == "reserve")
    scheduler = Scheduler(context, owner="host-a", names=("lapse_invitations",))
    (early,) = scheduler.tick(start + timedelta(hours=47))
    assert early["counts"] == {"draws": 0}
    (late,) = scheduler.tick(start + timedelta(hours=49))
    assert late["counts"]["draws"] >= 1
    status = {s["practitioner"]["id"]: s["status"] for s in draws.get(context, view["id"])["seats"]}
    assert status[invited] == "no_response" and status[reserve] == "invited"
