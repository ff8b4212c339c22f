"""Lifecycle races: concurrent requests against the real Neo4j never leave a certificate or a pool wrong.

Each test starts its requests at the same instant from several threads (one Flask test client each, one
shared app and driver, so the transactions really overlap in the server) and repeats the trial, because a
race shows only in some interleavings. Before the per-person lock (issue 9) these failed in most runs:
revoke + reinstate of a suspended certificate ended `valid` in about a third of the trials, and a new
level-1 certificate issued while the old one was revoked left its holder outside the expert pool.
"""

from __future__ import annotations

import threading
import uuid
from collections.abc import Callable
from itertools import pairwise
from typing import Any

URL = "/api/v1/certificates"
TRIALS = 10


def _at_once(app, calls: list[Callable[[Any], Any]]) -> list[Any]:
    """Run each call(client) in its own thread, all released together; their results in order."""
    barrier = threading.Barrier(len(calls))
    results: list[Any] = [None] * len(calls)

    def run(index: int, call: Callable[[Any], Any]) -> None:
        client = app.test_client()
        barrier.wait()
        try:
            results[index] = call(client)
        except Exception as error:  # a crash in a thread must fail the test, not vanish
            results[index] = error

    threads = [threading.Thread(target=run, args=(i, call)) for i, call in enumerate(calls)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(isinstance(r, Exception) for r in results), results
    return results


def _post(path: str, headers: dict[str, str], body: dict[str, Any]) -> Callable[[Any], tuple[int, Any]]:
    def call(client) -> tuple[int, Any]:
        response = client.post(path, json=body, headers=headers)
        return response.status_code, response.get_json()

    return call


def _certificate(client, admin, number: str) -> dict[str, Any]:
    return client.get(f"{URL}/{number}", headers=admin).get_json()


def _pools(client, admin, person_id: str) -> list[str]:
    return client.get(f"/api/v1/practitioners/{person_id}", headers=admin).get_json()["pools"]


def _history_is_a_chain(history: list[dict[str, Any]]) -> bool:
    """Every event starts from the status the previous one ended in."""
    return all(later["from_status"] == earlier["to_status"] for earlier, later in pairwise(history))


def test_revoke_and_reinstate_at_the_same_moment_never_leave_a_revoked_certificate_valid(
    app, client, admin, new_practitioner, issue
):
    wrong = []
    for trial in range(TRIALS):
        person = new_practitioner(name="并发甲")
        number = issue(person["id"], "verification", 2)["number"]
        suspended = client.post(f"{URL}/{number}/suspend", json={"reason": "调查中"}, headers=admin)
        assert suspended.status_code == 200
        outcomes = _at_once(
            app,
            [
                _post(f"{URL}/{number}/revoke", admin, {"reason": "查实"}),
                _post(f"{URL}/{number}/reinstate", admin, {"reason": "调查结束"}),
            ],
        )
        certificate = _certificate(client, admin, number)
        verified = client.get("/api/v1/verify", query_string={"number": number, "name": "并发甲"}).get_json()
        pools = _pools(client, admin, person["id"])
        # Either order ends revoked: reinstate-then-revoke revokes; revoke-then-reinstate refuses the reinstate.
        if (
            certificate["status"] != "revoked"
            or verified["valid"]
            or "expert" in pools
            or not _history_is_a_chain(certificate["history"])
        ):
            wrong.append(
                {
                    "trial": trial,
                    "statuses": [status for status, _ in outcomes],
                    "ended": certificate["status"],
                    "verify_valid": verified["valid"],
                    "pools": pools,
                }
            )
    ended_valid = sum(1 for w in wrong if w["ended"] == "valid")
    assert not wrong, f"{len(wrong)} of {TRIALS} trials ended wrong ({ended_valid} of them valid): {wrong}"


def test_thirty_concurrent_suspends_give_one_success_and_one_event(
    app, client, admin, new_practitioner, issue
):
    wrong = []
    for trial in range(3):
        number = issue(new_practitioner()["id"], "verification", 2)["number"]
        outcomes = _at_once(app, [_post(f"{URL}/{number}/suspend", admin, {"reason": "调查中"})] * 30)
        statuses = sorted(status for status, _ in outcomes)
        history = _certificate(client, admin, number)["history"]
        suspends = [event for event in history if event["action"] == "suspend"]
        if statuses.count(200) != 1 or statuses.count(409) != 29 or len(suspends) != 1:
            wrong.append(
                {
                    "trial": trial,
                    "200s": statuses.count(200),
                    "409s": statuses.count(409),
                    "events": len(suspends),
                }
            )
    assert not wrong, f"{len(wrong)} of 3 trials ended wrong: {wrong}"


def test_a_new_level_1_certificate_issued_while_the_old_one_is_revoked_keeps_its_holder_an_expert(
    app, graph, client, admin, new_practitioner, issue
):
    wrong = []
    trials = 15
    for trial in range(trials):
        person = new_practitioner()
        old = issue(person["id"], "verification", 2)["number"]
        new_number = f"T-{uuid.uuid4().hex[:12].upper()}"
        new = {
            "number": new_number,
            "practitioner_id": person["id"],
            "work_type": "consulting",
            "level": 1,
            "issued_on": "2024-06-01",
        }
        outcomes = _at_once(
            app, [_post(URL, admin, new), _post(f"{URL}/{old}/revoke", admin, {"reason": "查实"})]
        )
        assert [status for status, _ in outcomes] == [201, 200], outcomes
        pools = _pools(client, admin, person["id"])
        # Search, facets and /match read the derived search keys, which must agree with the pools.
        records, _, _ = graph.driver.execute_query(
            "MATCH (p:Practitioner {id: $id}) RETURN [k IN p.pool_keys | split(k, '|')[0]] AS pools",
            id=person["id"],
        )
        searched = records[0]["pools"]
        if pools != ["expert"] or searched != ["expert"]:
            wrong.append({"trial": trial, "pools": pools, "search_keys": searched})
    assert not wrong, (
        f"{len(wrong)} of {trials} trials left a valid level-1 holder outside the expert pool: {wrong}"
    )
