"""The anomaly queue in the graph (issue 23 §4): what a scan reads, the findings it writes, and the queue's reads.

`(:Finding {id, kind, key, score, status, evidence, created_at, updated_at, last_scan})` with
`(f)-[:CONCERNS]->(:Practitioner | :Organization | :Engagement)` and `(f)-[:IN_REGION]->(:Region)` (the regions of
its engagements and visits), `(f)-[:HAS_DECISION]->(:FindingDecision {from, status, reason, at, by})` for each
step, and `(f)-[:OPENED_RECORD]->(:MisconductRecord)` when a confirmation opened one. `evidence` is a JSON string
holding ids, dates and numbers only: names are read through the links, so a deletion request's anonymisation
reaches the queue too. `key` is the kind and subject (registry/integrity.py `finding_key`): upserting by it makes
a re-scan find the same finding, and a decided finding is never touched again.

`(:IntegrityScan {id, started_at, finished_at, done, counts})` records which kinds a scan run has finished, so an
interrupted scan resumes with the kinds still to do.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import neo4j

from graph.cypher import cypher
from graph.records import native
from graph.reference import WITHIN_REGION

# --- What the scan reads ---------------------------------------------------------------------------------------

# A signer of a completed engagement of a site-visit kind who has no visit on it; team_visited: did anyone?
SIGNED_NOT_ON_SITE = """
MATCH (e:Engagement {status: $completed}) WHERE e.kind IN $kinds
MATCH (p:Practitioner)-[w:WORKED_ON]->(e)
WHERE $signer IN coalesce(w.roles, [w.role])
  AND NOT EXISTS { (p)-[:VISITED]->(:SiteVisit)-[:OF_ENGAGEMENT]->(e) }
RETURN p.id AS practitioner_id, e.id AS engagement_id, e.start_on AS start_on, e.end_on AS end_on,
       EXISTS { (:SiteVisit)-[:OF_ENGAGEMENT]->(e) } AS team_visited,
       COLLECT { MATCH (e)-[:FOR_CLIENT|PERFORMED_BY]->(o:Organization) RETURN o.id } AS organization_ids
ORDER BY engagement_id, practitioner_id
"""

# People on site visits in more than one province on one day (a visit's province: its region, or the province
# the city is PART_OF); the regions are read only for the days with more than one visit.
TWO_PLACES = """
MATCH (p:Practitioner)-[:VISITED]->(v:SiteVisit)
WITH p, v.date AS day, collect(v) AS visits
WHERE size(visits) > 1
UNWIND visits AS v
MATCH (v)-[:IN_REGION]->(r:Region)
WITH p, day, v, r, CASE WHEN r.level = 'province' THEN r.code
                        ELSE coalesce(COLLECT { MATCH (r)-[:PART_OF]->(up:Region {level: 'province'}) RETURN up.code }[0],
                                      r.code) END AS province
WITH p, day, collect(DISTINCT province) AS provinces,
     collect({engagement_id: COLLECT { MATCH (v)-[:OF_ENGAGEMENT]->(e:Engagement) RETURN e.id }[0],
              region: r.code, province: province}) AS visits
WHERE size(provinces) > 1
RETURN p.id AS practitioner_id, day, provinces, visits
ORDER BY practitioner_id, day
"""

# People on more engagements in all than the overload threshold (the only ones who can pass it), with the dates.
OVERLOAD_CANDIDATES = """
MATCH (p:Practitioner) WHERE COUNT { (p)-[:WORKED_ON]->() } > $threshold
RETURN p.id AS practitioner_id,
       COLLECT { MATCH (p)-[:WORKED_ON]->(e:Engagement)
                 RETURN e {.id, .start_on, .end_on, .status} } AS engagements
ORDER BY practitioner_id
"""

# Every verification engagement with its client, provider and team: the network of closed circles.
VERIFICATION_WORK = """
MATCH (e:Engagement {kind: $kind}) WHERE e.status <> $cancelled
RETURN e.id AS engagement_id,
       COLLECT { MATCH (e)-[:FOR_CLIENT]->(c:Organization) RETURN c.id }[0] AS client_id,
       COLLECT { MATCH (e)-[:PERFORMED_BY]->(o:Organization) RETURN o.id }[0] AS provider_id,
       COLLECT { MATCH (p:Practitioner)-[:WORKED_ON]->(e) RETURN p.id } AS verifier_ids
"""


def signed_not_on_site(tx: neo4j.ManagedTransaction, kinds: list[str]) -> list[dict[str, Any]]:
    """Signers of completed engagements of `kinds` without a site visit on them."""
    result = tx.run(SIGNED_NOT_ON_SITE, kinds=kinds, completed="completed", signer="signer")
    return [native(record.data()) for record in result]


def two_places(tx: neo4j.ManagedTransaction) -> list[dict[str, Any]]:
    """(person, day) with site visits in more than one province, with the visits."""
    return [native(record.data()) for record in tx.run(TWO_PLACES)]


def overload_candidates(tx: neo4j.ManagedTransaction, threshold: int) -> list[dict[str, Any]]:
    """People on more than `threshold` engagements in all, each with their engagements' dates and status."""
    return [native(record.data()) for record in tx.run(OVERLOAD_CANDIDATES, threshold=threshold)]


def verification_work(tx: neo4j.ManagedTransaction) -> list[dict[str, Any]]:
    """Every verification engagement that was not cancelled: `{engagement_id, client_id, provider_id,
    verifier_ids}`."""
    result = tx.run(VERIFICATION_WORK, kind="verification", cancelled="cancelled")
    return [record.data() for record in result]


# --- Writing findings ------------------------------------------------------------------------------------------

# A finding is refreshed (score, evidence, links) only while undecided and only when its evidence changed; a
# decided one keeps what the decision was made on.
UPSERT_FINDINGS = """
UNWIND $rows AS row
OPTIONAL MATCH (old:Finding {key: row.key})
WITH row, old IS NOT NULL AS existed
MERGE (f:Finding {key: row.key})
ON CREATE SET f.id = randomUUID(), f.kind = row.kind, f.status = 'open', f.created_at = datetime(),
              f.first_scan = $scan_id
SET f.last_scan = $scan_id
WITH f, row, existed, f.status IN $live AS live
WITH f, row, existed, live, live AND coalesce(f.evidence <> row.evidence, true) AS changed
CALL (f, row, changed) {
  WITH f, row WHERE changed
  SET f.score = row.score, f.evidence = row.evidence, f.updated_at = datetime()
  WITH f, row
  OPTIONAL MATCH (f)-[link:CONCERNS|IN_REGION]->()
  DELETE link
  WITH DISTINCT f, row
  CALL (f, row) { UNWIND row.practitioners AS id MATCH (n:Practitioner {id: id}) MERGE (f)-[:CONCERNS]->(n) }
  CALL (f, row) { UNWIND row.organizations AS id MATCH (n:Organization {id: id}) MERGE (f)-[:CONCERNS]->(n) }
  CALL (f, row) { UNWIND row.engagements AS id MATCH (n:Engagement {id: id}) MERGE (f)-[:CONCERNS]->(n) }
  CALL (f, row) { UNWIND row.regions AS code MATCH (n:Region {code: code}) MERGE (f)-[:IN_REGION]->(n) }
  CALL (f, row) {
    UNWIND row.engagements AS id
    MATCH (:Engagement {id: id})-[:IN_REGION]->(n:Region)
    MERGE (f)-[:IN_REGION]->(n)
  }
}
RETURN count(CASE WHEN NOT existed THEN 1 END) AS created,
       count(CASE WHEN existed AND changed THEN 1 END) AS refreshed,
       count(CASE WHEN NOT live THEN 1 END) AS decided
"""


def upsert(
    tx: neo4j.ManagedTransaction, rows: list[dict[str, Any]], scan_id: str, live: list[str]
) -> dict[str, int]:
    """Write findings by key (rows: key, kind, score, evidence as JSON text, practitioners, organizations,
    engagements, regions); counts of created, refreshed and decided (left alone) ones."""
    return tx.run(UPSERT_FINDINGS, rows=rows, scan_id=scan_id, live=live).single().data()


# --- Scan runs -------------------------------------------------------------------------------------------------

OPEN_SCAN = """
MATCH (s:IntegrityScan) WHERE s.finished_at IS NULL
RETURN s {.id, .done, .counts, .started_at} AS scan ORDER BY s.started_at DESC LIMIT 1
"""
START_SCAN = """
CREATE (s:IntegrityScan {id: $id, started_at: datetime(), done: [], counts: '{}'})
RETURN s {.id, .done, .counts, .started_at} AS scan
"""
KIND_DONE = "MATCH (s:IntegrityScan {id: $id}) SET s.done = s.done + $kind, s.counts = $counts"
FINISH_SCAN = "MATCH (s:IntegrityScan {id: $id}) SET s.finished_at = datetime()"
LOCK_SCANS = "MERGE (l:IntegrityScanLock {id: 'registry'}) SET l._lock = true REMOVE l._lock"


def open_or_start_scan(tx: neo4j.ManagedTransaction, new_id: str) -> tuple[dict[str, Any], bool]:
    """The unfinished scan run to resume, or a new one; and whether it resumes."""
    tx.run(LOCK_SCANS).consume()
    record = tx.run(OPEN_SCAN).single()
    if record:
        return native(record["scan"]), True
    return native(tx.run(START_SCAN, id=new_id).single()["scan"]), False


def kind_done(tx: neo4j.ManagedTransaction, scan_id: str, kind: str, counts: str) -> None:
    """Note that the scan run has finished `kind` (counts: the run's counts so far, JSON)."""
    tx.run(KIND_DONE, id=scan_id, kind=kind, counts=counts).consume()


def finish_scan(tx: neo4j.ManagedTransaction, scan_id: str) -> None:
    """Close the scan run: the next scan starts afresh."""
    tx.run(FINISH_SCAN, id=scan_id).consume()


# --- The queue -------------------------------------------------------------------------------------------------

_SUBJECTS = """
   practitioners: COLLECT { MATCH (f)-[:CONCERNS]->(p:Practitioner) RETURN p {.id, .name, .status} ORDER BY p.id },
   organizations: COLLECT { MATCH (f)-[:CONCERNS]->(o:Organization) RETURN o {.id, .name, .kind} ORDER BY o.id },
   regions: COLLECT { MATCH (f)-[:IN_REGION]->(r:Region) RETURN r {.code, .name_zh} ORDER BY r.code },
   engagement_count: COUNT { (f)-[:CONCERNS]->(:Engagement) },
"""

LIST_VIEW = cypher(
    "f {.id, .kind, .score, .status, .evidence, .created_at, .updated_at,",
    _SUBJECTS,
    "   misconduct_record_ids: COLLECT { MATCH (f)-[:OPENED_RECORD]->(r:MisconductRecord) RETURN r.id }",
    "}",
)

FULL_VIEW = cypher(
    "f {.id, .kind, .key, .score, .status, .evidence, .created_at, .updated_at, .last_scan,",
    _SUBJECTS,
    "   engagements: COLLECT { MATCH (f)-[:CONCERNS]->(e:Engagement)",
    "                          RETURN e {.id, .title, .kind, .status, .start_on, .end_on} ORDER BY e.start_on, e.id },",
    "   decisions: COLLECT { MATCH (f)-[:HAS_DECISION]->(d:FindingDecision)",
    "                        RETURN d {.from, .status, .reason, .at, .by, .misconduct_record_id} ORDER BY d.at },",
    "   misconduct_record_ids: COLLECT { MATCH (f)-[:OPENED_RECORD]->(r:MisconductRecord) RETURN r.id }",
    "}",
)

LIST_FINDINGS = cypher(
    """
MATCH (f:Finding)
WHERE ($kind IS NULL OR f.kind = $kind)
  AND ($status IS NULL OR f.status = $status)
  AND ($person IS NULL OR EXISTS { (f)-[:CONCERNS]->(:Practitioner {id: $person}) })
  AND ($organization IS NULL OR EXISTS { (f)-[:CONCERNS]->(:Organization {id: $organization}) })
  AND ($region IS NULL OR EXISTS { MATCH (f)-[:IN_REGION]->(r:Region) WHERE""",
    WITHIN_REGION,
    """})
WITH f ORDER BY f.score DESC, f.created_at DESC, f.id
WITH collect(f) AS matches
RETURN size(matches) AS total, [f IN matches[$skip..$skip + $limit] |""",
    LIST_VIEW,
    "] AS items",
)

GET_FINDING = cypher("MATCH (f:Finding {id: $id}) RETURN", FULL_VIEW, "AS finding")

LOCK_FINDING = "MATCH (f:Finding {id: $id}) SET f._lock = true REMOVE f._lock RETURN f.status AS status"

DECIDE = """
MATCH (f:Finding {id: $id})
SET f.status = $status, f.updated_at = datetime()
CREATE (f)-[:HAS_DECISION]->(:FindingDecision {from: $from, status: $status, reason: $reason, at: datetime(),
                                               by: $by, misconduct_record_id: $record_id})
"""

LINK_RECORD = """
MATCH (f:Finding {id: $id}), (r:MisconductRecord {id: $record_id})
MERGE (f)-[:OPENED_RECORD]->(r)
"""

ENGAGEMENT_FLAGS = """
MATCH (f:Finding)-[:CONCERNS]->(:Engagement {id: $id})
RETURN f {.id, .kind, .score, .status, .created_at} AS finding ORDER BY f.score DESC, f.id
"""

FILTERS = ("kind", "status", "person", "organization", "region")


def search(
    tx: neo4j.ManagedTransaction, filters: Mapping[str, Any], skip: int, limit: int
) -> tuple[list[dict[str, Any]], int]:
    """A page of findings, highest score first, by kind, status, person, organization and region; the total."""
    params = {name: filters.get(name) for name in FILTERS}
    record = tx.run(LIST_FINDINGS, params, skip=skip, limit=limit).single()
    return native(record["items"]), record["total"]


def get(tx: neo4j.ManagedTransaction, finding_id: str) -> dict[str, Any] | None:
    """One finding with everything it concerns and every decision; None when unknown."""
    record = tx.run(GET_FINDING, id=finding_id).single()
    return native(record["finding"]) if record else None


def lock(tx: neo4j.ManagedTransaction, finding_id: str) -> str | None:
    """Lock the finding for a decision; its status, or None when unknown."""
    record = tx.run(LOCK_FINDING, id=finding_id).single()
    return record["status"] if record else None


def decide(
    tx: neo4j.ManagedTransaction,
    finding_id: str,
    current: str,
    status: str,
    reason: str,
    by: str,
    record_id: str | None,
) -> None:
    """Move the (locked) finding to `status`, keeping the step with its reason; link the record it opened."""
    params = {"id": finding_id, "from": current, "status": status, "reason": reason, "by": by}
    tx.run(DECIDE, params, record_id=record_id).consume()
    if record_id:
        tx.run(LINK_RECORD, id=finding_id, record_id=record_id).consume()


def engagement_flags(tx: neo4j.ManagedTransaction, engagement_id: str) -> list[dict[str, Any]]:
    """The findings that concern an engagement, highest score first."""
    return [native(record["finding"]) for record in tx.run(ENGAGEMENT_FLAGS, id=engagement_id)]
