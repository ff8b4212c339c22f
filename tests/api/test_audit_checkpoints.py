"""The audit chain proves itself: a check never raises a false alarm while writes run beside it, and a forger
who rewrites an entry and re-hashes everything after it is caught by the checkpoint signed outside Neo4j."""

import threading
from collections.abc import Iterator
from datetime import date

import pytest

from adapters.signing import verifies
from registry.audit import checkpoint_message, content_of, entry_hash
from tests.support import unique_id_card


@pytest.fixture()
def no_checkpoints(graph) -> Iterator[None]:
    """Checkpoints change what /audit/verify checks: each test here starts and ends without any."""
    graph.driver.execute_query("MATCH (c:AuditCheckpoint) DELETE c")
    yield
    graph.driver.execute_query("MATCH (c:AuditCheckpoint) DELETE c")


def _verify(client, admin) -> dict:
    response = client.get("/api/v1/audit/verify", headers=admin)
    assert response.status_code == 200, response.get_json()
    return response.get_json()


def _sign(app, day: str | None = None) -> str:
    args = ["checkpoint"] + (["--day", day] if day else [])
    result = app.test_cli_runner().invoke(args=["registry", "audit", *args])
    assert result.exit_code == 0, result.output
    return result.output


def _rewrite(graph, seq: int) -> dict:
    """Forge entry `seq` and re-hash every entry after it and the head, as someone with write access could;
    returns what it overwrote."""
    records, _, _ = graph.driver.execute_query(
        "MATCH (a:AuditEntry) WHERE a.seq >= $seq RETURN properties(a) AS a ORDER BY a.seq", seq=seq
    )
    head, _, _ = graph.driver.execute_query("MATCH (h:AuditChain {id: 'registry'}) RETURN properties(h) AS h")
    kept = {"entries": [r["a"] for r in records], "head": head[0]["h"]}
    previous = kept["entries"][0]["previous_hash"]
    for original in kept["entries"]:
        entry = dict(original)
        if entry["seq"] == seq:
            entry["action"] = "forged"
        entry["previous_hash"] = previous
        entry["hash"] = entry_hash(previous, content_of(entry))
        graph.driver.execute_query(
            "MATCH (a:AuditEntry {seq: $seq}) SET a.action = $action, a.previous_hash = $previous, a.hash = $hash",
            seq=entry["seq"], action=entry["action"], previous=entry["previous_hash"], hash=entry["hash"],
        )  # fmt: skip
        previous = entry["hash"]
    graph.driver.execute_query("MATCH (h:AuditChain {id: 'registry'}) SET h.last_hash = $hash", hash=previous)
    return kept


def _restore(graph, kept: dict) -> None:
    for entry in kept["entries"]:
        graph.driver.execute_query(
            "MATCH (a:AuditEntry {seq: $seq}) SET a = $entry", seq=entry["seq"], entry=entry
        )
    graph.driver.execute_query("MATCH (h:AuditChain {id: 'registry'}) SET h = $head", head=kept["head"])


def test_a_check_beside_running_writes_never_raises_a_false_alarm(client, admin, app, no_checkpoints):
    stop = threading.Event()
    written: list[int] = []

    def write() -> None:
        writer = app.test_client()
        while not stop.is_set():
            response = writer.post(
                "/api/v1/practitioners",
                json={"name": "并发写", "id_card": unique_id_card(), "region": "420100"},
                headers=admin,
            )
            written.append(response.status_code)

    writers = [threading.Thread(target=write) for _ in range(3)]
    for thread in writers:
        thread.start()
    checks: list[dict] = []
    try:
        while len(checks) < 15 or len(written) < 30:
            checks.append(_verify(client, admin))
    finally:
        stop.set()
        for thread in writers:
            thread.join()
    assert set(written) == {201}
    assert [c for c in checks if not c["verified"]] == []
    assert len({c["head_seq"] for c in checks}) > 5  # the writes really ran beside the checks


def test_a_forged_and_rehashed_chain_is_caught_by_the_signed_checkpoint(
    client, admin, app, graph, new_practitioner, no_checkpoints
):
    for _ in range(3):
        new_practitioner()
    before = _verify(client, admin)
    assert before["verified"] and before["scope"] == "full" and before["checkpoint"] is None
    forged_seq = before["head_seq"] - 2
    _sign(app)
    new_practitioner()  # an entry after the checkpoint
    signed = _verify(client, admin)
    assert signed["verified"] and signed["scope"] == "since_checkpoint"
    assert signed["checkpoint"]["seq"] == before["head_seq"] and signed["entries"] >= 2

    kept = _rewrite(graph, forged_seq)
    try:
        caught = _verify(client, admin)
        assert caught["verified"] is False
        assert caught["first_bad_seq"] == before["head_seq"]  # the checkpoint's entry no longer matches
        assert "signed on" in caught["problem"]
        full = app.test_cli_runner().invoke(args=["registry", "audit", "verify"])
        assert full.exit_code == 1 and f"entry {before['head_seq']}" in full.output
    finally:
        _restore(graph, kept)
    assert _verify(client, admin)["verified"] is True
    assert app.test_cli_runner().invoke(args=["registry", "audit", "verify"]).exit_code == 0


def test_a_checkpoint_moved_to_fit_a_forgery_has_no_valid_signature(
    client, admin, app, graph, new_practitioner, no_checkpoints
):
    new_practitioner()
    _sign(app)
    head = _verify(client, admin)["head_seq"]
    kept = _rewrite(graph, head - 1)
    graph.driver.execute_query(
        "MATCH (c:AuditCheckpoint), (a:AuditEntry {seq: c.seq}) SET c.hash = a.hash"
    )  # the forger also updates the stored checkpoint, but cannot sign it
    try:
        caught = _verify(client, admin)
        assert caught["verified"] is False and "signature" in caught["problem"]
    finally:
        _restore(graph, kept)


def test_one_checkpoint_a_day_and_the_day_s_open_data_carries_it(
    client, admin, app, new_practitioner, no_checkpoints
):
    new_practitioner()
    today = date.today().isoformat()
    _sign(app, today)
    new_practitioner()
    _sign(app, today)  # the day's first checkpoint stands
    lines = client.get(f"/api/v1/open-data/{today}.csv").get_data(as_text=True).splitlines()
    fields = dict(part.split("=", 1) for part in lines[1].removeprefix("# audit-checkpoint ").split(" "))
    check = _verify(client, admin)
    assert int(fields["seq"]) == check["checkpoint"]["seq"] < check["head_seq"]
    message = checkpoint_message(fields["day"], int(fields["seq"]), fields["hash"])
    assert fields["day"] == today and verifies(fields["public_key"], message, fields["signature"])
