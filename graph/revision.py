"""The registry-wide revision that keeps every process's in-memory search index consistent with the graph.

One `(:Revision {id: 'registry'})` node holds a counter. Every write transaction that changes what the search
index holds (a person's certificates, pools, region, industries, specialties, qualifications, consent, name,
status, work start year, engagements) or what the page views it keeps show (graph/views.py: also the employer's
name and kind, panels served, personal data) calls `stamp(tx, ids)`: the counter goes up by one and the changed
practitioners get `search_revision` = the new value (a range index makes "changed since N" one index seek).

Because the increment takes the write lock on the single Revision node until the transaction commits, the
revisions become visible in order: a reader that sees value N also sees every change stamped ≤ N. A process
compares its own revision with `current(tx)` before answering (one cheap read) and reloads only the people
marked after it (see services/search_index). `services/pools.rederive` calls `stamp`, so every certificate,
practitioner and engagement write is covered; other writes that change what search or matching read about a
person must call it in their own transaction.
"""

from __future__ import annotations

from collections.abc import Iterable

import neo4j

MARK = "search_revision"  # the property STAMP sets on Practitioner; range-indexed in graph/schema.py

STAMP = """
MERGE (r:Revision {id: 'registry'})
ON CREATE SET r.epoch = randomUUID()
SET r.value = coalesce(r.value, 0) + 1
WITH r.value AS revision
CALL (revision) {
  UNWIND $ids AS id
  MATCH (p:Practitioner {id: id})
  SET p.search_revision = revision
}
RETURN revision
"""

# The epoch names one life of the counter: a graph wiped or replaced wholesale starts a new one, and an index
# that sees another epoch rebuilds instead of applying changes.
CURRENT = """
OPTIONAL MATCH (r:Revision {id: 'registry'})
RETURN coalesce(r.value, 0) AS revision, r.epoch AS epoch
"""


def stamp(tx: neo4j.ManagedTransaction, practitioner_ids: Iterable[str]) -> int | None:
    """Mark these practitioners as changed in this transaction; the new revision (None if no ids)."""
    ids = list(dict.fromkeys(practitioner_ids))
    if not ids:
        return None
    return tx.run(STAMP, ids=ids).single()["revision"]


def current(tx: neo4j.ManagedTransaction) -> tuple[int, str | None]:
    """The graph's revision now (0 before the first stamp) and the counter's epoch."""
    record = tx.run(CURRENT).single()
    return record["revision"], record["epoch"]
