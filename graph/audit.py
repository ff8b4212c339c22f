"""The audit trail in the graph: hash-chained `AuditEntry` nodes behind one `AuditChain` head.

`record` runs inside the transaction of the change it describes, as its last step: it takes the head's
write lock (so entries get consecutive numbers and link in commit order), hashes the entry with the
previous one, and links it to the practitioners it concerns (`ABOUT`) for their history.
"""

from __future__ import annotations

import json
from collections.abc import Iterable
from datetime import UTC, datetime
from typing import Any

import neo4j

from graph.records import native
from registry.audit import GENESIS, Actor, new_entry

# SET on the head takes its write lock before reading seq and last_hash, so concurrent writers queue here.
ADVANCE_HEAD = """
MERGE (h:AuditChain {id: 'registry'})
ON CREATE SET h.seq = 0, h.last_hash = $genesis
SET h.seq = h.seq + 1
RETURN h.seq AS seq, h.last_hash AS previous_hash
"""

APPEND_ENTRY = """
MATCH (h:AuditChain {id: 'registry'})
CREATE (a:AuditEntry)
SET a = $entry
SET h.last_hash = $entry.hash
WITH a
UNWIND $subjects AS subject
MATCH (p:Practitioner {id: subject})
CREATE (a)-[:ABOUT]->(p)
"""

HEAD = "OPTIONAL MATCH (h:AuditChain {id: 'registry'}) RETURN h.seq AS seq, h.last_hash AS last_hash"

# Entries after $after up to $upto, bounded by the head read first: entries committed after it (a write running beside
# the check) are left out, so the check sees one consistent chain. One page is a single list of rows
# (`registry.audit.ROW_FIELDS` order): one record per page decodes far faster than one per entry. The seq index
# gives the order, so nothing is sorted.
ENTRY_ROWS = """
MATCH (a:AuditEntry) WHERE a.seq > $after AND a.seq <= $upto
WITH a ORDER BY a.seq LIMIT $limit
RETURN collect([a.seq, a.previous_hash, a.hash, a.action, a.actor_kind, a.actor_label, a.actor_prefix, a.actor_role,
                a.at, a.changes, a.entity, a.entity_id, a.request_id, a.subjects]) AS rows
"""

# One signed head per day; the first checkpoint of a day stands (MERGE), a second run that day changes nothing.
SAVE_CHECKPOINT = """
MERGE (c:AuditCheckpoint {day: $checkpoint.day})
ON CREATE SET c += $checkpoint, c.created_at = datetime()
RETURN c {.day, .seq, .hash, .key_id, .signature} AS checkpoint
"""

LATEST_CHECKPOINT = """
MATCH (c:AuditCheckpoint) WHERE c.seq <= $upto
RETURN c {.day, .seq, .hash, .key_id, .signature} AS checkpoint ORDER BY c.seq DESC, c.day DESC LIMIT 1
"""

CHECKPOINTS = """
MATCH (c:AuditCheckpoint) WHERE c.seq <= $upto
RETURN c {.day, .seq, .hash, .key_id, .signature} AS checkpoint ORDER BY c.seq, c.day
"""

CHECKPOINT_OF_DAY = """
MATCH (c:AuditCheckpoint {day: $day}) RETURN c {.day, .seq, .hash, .key_id, .signature} AS checkpoint
"""

LIST_ENTRIES = """
MATCH (a:AuditEntry)
WHERE ($entity IS NULL OR a.entity = $entity)
  AND ($entity_id IS NULL OR a.entity_id = $entity_id OR $entity_id IN a.subjects)
  AND ($actor IS NULL OR a.actor_prefix = $actor OR a.actor_kind = $actor)
  AND ($since IS NULL OR a.at >= $since)
  AND ($until IS NULL OR a.at < $until)
WITH a ORDER BY a.seq DESC
WITH collect(a) AS matches
RETURN size(matches) AS total, [a IN matches[$skip..$skip + $limit] | a] AS items
"""

PRACTITIONER_HISTORY = """
MATCH (a:AuditEntry)-[:ABOUT]->(:Practitioner {id: $id})
WITH a ORDER BY a.seq DESC
WITH collect(a) AS matches
RETURN size(matches) AS total, [a IN matches[$skip..$skip + $limit] | a] AS items
"""


def record(
    tx: neo4j.ManagedTransaction,
    actor: Actor,
    *,
    entity: str,
    entity_id: str | None,
    action: str,
    changes: dict[str, Any] | None = None,
    subjects: Iterable[str] = (),
) -> None:
    """Append one entry about a change made in this transaction (call it last, after the change)."""
    head = tx.run(ADVANCE_HEAD, genesis=GENESIS).single()
    entry = new_entry(
        head["seq"], head["previous_hash"], datetime.now(UTC).isoformat(timespec="microseconds"), actor,
        entity=entity, entity_id=entity_id, action=action, changes=changes, subjects=subjects,
    )  # fmt: skip
    tx.run(APPEND_ENTRY, entry=entry, subjects=entry["subjects"]).consume()


def _entry(node: Any) -> dict[str, Any]:
    entry = native(dict(node))
    entry["changes"] = json.loads(entry.get("changes") or "{}")
    return entry


def head(tx: neo4j.ManagedTransaction) -> tuple[int, str]:
    """The chain head's entry count and last hash."""
    row = tx.run(HEAD).single()
    return (row["seq"] or 0, row["last_hash"] or GENESIS)


def entry_rows(tx: neo4j.ManagedTransaction, upto: int, after: int, limit: int) -> list[list[Any]]:
    """Up to `limit` entries after `after` up to `upto`, in seq order, as rows in `registry.audit.ROW_FIELDS` order."""
    return tx.run(ENTRY_ROWS, after=after, upto=upto, limit=limit).single(strict=True)["rows"]


def save_checkpoint(tx: neo4j.ManagedTransaction, checkpoint: dict[str, Any]) -> dict[str, Any]:
    """Store the day's checkpoint unless that day has one; the day's checkpoint as stored."""
    return tx.run(SAVE_CHECKPOINT, checkpoint=checkpoint).single()["checkpoint"]


def latest_checkpoint(tx: neo4j.ManagedTransaction, upto: int) -> dict[str, Any] | None:
    """The newest checkpoint at or before entry `upto`, if any."""
    row = tx.run(LATEST_CHECKPOINT, upto=upto).single()
    return row["checkpoint"] if row else None


def checkpoints(tx: neo4j.ManagedTransaction, upto: int) -> list[dict[str, Any]]:
    """Every checkpoint at or before entry `upto`, oldest first."""
    return [row["checkpoint"] for row in tx.run(CHECKPOINTS, upto=upto)]


def checkpoint_of(tx: neo4j.ManagedTransaction, day: str) -> dict[str, Any] | None:
    """The checkpoint signed for `day` (ISO date), if any."""
    row = tx.run(CHECKPOINT_OF_DAY, day=day).single()
    return row["checkpoint"] if row else None


def search(
    tx: neo4j.ManagedTransaction, filters: dict[str, Any], page: int, per_page: int
) -> tuple[list, int]:
    """A page of entries, newest first."""
    params = {key: filters.get(key) for key in ("entity", "entity_id", "actor", "since", "until")}
    for key in ("since", "until"):
        if params[key] is not None:
            params[key] = params[key].isoformat()
    row = tx.run(LIST_ENTRIES, params, skip=(page - 1) * per_page, limit=per_page).single()
    return [_entry(a) for a in row["items"]], row["total"]


def practitioner_history(
    tx: neo4j.ManagedTransaction, practitioner_id: str, page: int, per_page: int
) -> tuple[list, int]:
    """A page of the entries about one practitioner, newest first."""
    row = tx.run(
        PRACTITIONER_HISTORY, id=practitioner_id, skip=(page - 1) * per_page, limit=per_page
    ).single()
    return [_entry(a) for a in row["items"]], row["total"]
