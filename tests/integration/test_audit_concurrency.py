"""Writers running at once never fork the audit chain: every entry gets its own number, links to the one numbered
before it, no two entries link to the same one, and the whole chain verifies (the full check reads it in pages)."""

from __future__ import annotations

import threading
import uuid

from graph import audit as audit_repo
from registry.audit import Actor
from services import audit

WRITERS, EACH = 8, 12


def test_concurrent_writers_make_one_unbroken_chain(context):
    graph = context.graph
    marker = f"concurrency-{uuid.uuid4()}"
    errors: list[BaseException] = []

    def write(tx, n: int, i: int) -> None:
        tx.run(
            "CREATE (:ConcurrencyProbe {marker: $marker, n: $n, i: $i})", marker=marker, n=n, i=i
        ).consume()
        audit_repo.record(
            tx, Actor.cli(), entity=marker, entity_id=f"{n}-{i}", action="write", changes={"i": i}
        )

    def writer(n: int) -> None:
        try:
            for i in range(EACH):
                graph.write(write, n, i)
        except BaseException as error:  # reported below
            errors.append(error)

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(WRITERS)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors

    rows = graph.read(
        lambda tx: tx.run(
            "MATCH (a:AuditEntry {entity: $marker}) RETURN a.seq AS seq, a.previous_hash AS previous, "
            "a.entity_id AS entity_id ORDER BY a.seq",
            marker=marker,
        ).data()
    )
    assert len(rows) == WRITERS * EACH
    assert len({r["entity_id"] for r in rows}) == WRITERS * EACH
    seqs = [r["seq"] for r in rows]
    assert len(set(seqs)) == len(seqs)
    # Each one links to the entry numbered just before it, whichever writer made that one.
    hashes = graph.read(
        lambda tx: tx.run(
            "MATCH (a:AuditEntry) WHERE a.seq IN $seqs RETURN a.seq AS seq, a.hash AS hash",
            seqs=[s - 1 for s in seqs],
        ).data()
    )
    before = {r["seq"]: r["hash"] for r in hashes}
    assert all(r["previous"] == before[r["seq"] - 1] for r in rows if r["seq"] > 1)
    forks = graph.read(
        lambda tx: tx.run(
            "MATCH (a:AuditEntry) WITH a.previous_hash AS link, count(*) AS n WHERE n > 1 RETURN count(*) AS forks"
        ).single()["forks"]
    )
    assert forks == 0
    check = audit.verify_full(context)
    assert check.verified, check
    assert check.entries == audit.length(context)
    graph.write(lambda tx: tx.run("MATCH (p:ConcurrencyProbe {marker: $m}) DELETE p", m=marker).consume())
