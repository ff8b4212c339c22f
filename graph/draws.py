"""Expert panel draws in the graph: Draw nodes, their events, DREW seats and EXCLUDED avoidances.

`(:Draw)-[:FOR]->(:Organization)`, `(:Draw)-[:DREW {order, role, status, via, replaces, ...}]->(:Practitioner)`,
`(:Draw)-[:EXCLUDED {rule, detail, seq, stage}]->(:Practitioner)`, `(:Draw)-[:HAS_EVENT]->(:DrawEvent {seq, kind, ...})`.
A draw's sealed properties are written once; its events are only ever added; the DREW seats and the draw's
`status`, `shortfall` and `disclosed` are the replay of the events (registry/draw_log.py), rewritten after each.

Concurrency: a change of a draw first locks the draw; a transaction that seats someone first locks their yearly
load (graph/draw_screen.py `DrawLoad`) and reads their seats after it, so two draws seating the same person run one
after the other and the second sees the first's seat (one expert never sits on two panels of a date nor above the
yearly cap), while draws seating different people do not wait for each other.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Sequence
from datetime import date, datetime
from typing import Any

import neo4j

from graph.cypher import cypher
from graph.draw_records import as_day, candidate_facts, event_properties, seat_properties
from graph.records import native
from registry.draw_log import DrawEvent, Seat
from registry.draw_pool import decode as decode_pool
from registry.draw_pool import decode_paths, encode_paths
from registry.draw_seal import excluded_rows
from registry.draws import (
    CandidateFacts,
)

# Writing the node takes its write lock until commit: the next change of that draw waits here, then reads fresh
# (the property is set and removed in the same transaction, so nothing of the draw changes).
LOCK_DRAW = "MATCH (d:Draw {id: $id}) SET d.locking = true REMOVE d.locking"

REFERENCE_CHECKS = """
CALL { OPTIONAL MATCH (o:Organization {id: $organization_id}) RETURN o IS NOT NULL AS organization }
CALL { OPTIONAL MATCH (i:Industry {code: $industry}) RETURN i IS NOT NULL AS industry }
CALL { OPTIONAL MATCH (r:Region {code: $region}) RETURN r IS NOT NULL AS region }
CALL { OPTIONAL MATCH (s:Specialty {code: $specialty}) RETURN s IS NOT NULL AS specialty }
CALL { UNWIND $practitioner_ids AS id
       OPTIONAL MATCH (p:Practitioner {id: id}) WHERE p.status <> 'deleted'
       WITH id, p WHERE p IS NULL
       RETURN collect(id) AS missing_practitioners }
RETURN organization, industry, region, specialty, missing_practitioners
"""

# Every fact the avoidance rules read (registry/draws.py), narrowed to what can matter for this draw: ties to its
# organization only, seats only in its year (the cap and same-day rules look no further). Declarations,
# availability and sanctions are read as self-service and the credit record store them (docs/draws.md); where nobody
# wrote any, the lists are empty.
_POOL_AND_CRITERIA_FACTS = """
COLLECT { MATCH (p)-[:HOLDS]->(c:Certificate)
          RETURN c {.number, .work_type, .level, .status, .issued_on, .expires_on} } AS certificates,
COLLECT { MATCH (p)-[:BASED_IN]->(r:Region) RETURN r.code AS code
          UNION MATCH (p)-[:BASED_IN]->(:Region)-[:PART_OF*1..3]->(up:Region) RETURN up.code AS code } AS regions,
coalesce(p.industry_keys, COLLECT { MATCH (p)-[:EXPERIENCED_IN]->(i:Industry) RETURN i.code }) AS industries,
COLLECT { MATCH (p)-[:HAS_SPECIALTY]->(s:Specialty) RETURN s.code } AS specialties,
COLLECT { MATCH (p)-[:SANCTIONED]->(s:Sanction)
          RETURN {id: s.id, kind: s.kind, starts_on: s.`from`, until: s.until, lifted_on: s.lifted_on} } AS sanctions,
"""
_RULE_FACTS = """
COLLECT { MATCH (p)-[e:EMPLOYED_BY]->(o:Organization)
          RETURN {organization_id: o.id, since: e.since, until: e.until} } AS employments,
COLLECT { MATCH (p)-[:WORKED_ON]->(g:Engagement)-[:FOR_CLIENT]->(o:Organization {id: $organization_id})
          RETURN {engagement_id: g.id, client_id: o.id, start_on: g.start_on, end_on: g.end_on,
                  status: g.status} } AS engagements,
COLLECT { MATCH (p)-[:DECLARED]->(d:Declaration)-[:CONCERNS]->(o:Organization {id: $organization_id})
          RETURN {id: d.id, organization_id: o.id, relationship: d.relationship,
                  starts_on: d.`from`, ends_on: d.`to`} } AS declarations,
COLLECT { MATCH (p)-[:UNAVAILABLE]->(a:Availability)
          RETURN {id: a.id, starts_on: a.`from`, ends_on: a.`to`, reason: a.reason} } AS unavailability,
COLLECT { MATCH (d:Draw)-[s:DREW]->(p)
          WHERE d.id <> $draw_id AND coalesce(d.panel_date, date(d.created_at)).year = $year
          RETURN {draw_id: d.id, panel_date: d.panel_date, drawn_on: date(d.created_at), role: s.role,
                  status: s.status} } AS bookings
"""
FACTS_PROJECTION = cypher("p.id AS id, p.status AS status,", _POOL_AND_CRITERIA_FACTS, _RULE_FACTS)
# What the rules of the organization, the date and the person read (the screen's second step,
# graph/draw_screen.py RULE_FACTS_OF): the pool-wide facts (certificates, sanctions) come with the matched people,
# and avoidance reads nothing of the region, industries or specialties, so those come back empty.
RULE_FACTS_PROJECTION = cypher(
    "p.id AS id, p.status AS status, [] AS certificates, [] AS regions, [] AS industries, [] AS specialties,",
    "[] AS sanctions,",
    _RULE_FACTS,
)

# A superset of the people who meet the criteria (the rules decide exactly): active, holding a certificate of the
# work type at the level or higher, based in the region (or one of its cities) when one is asked for.
CANDIDATE_FACTS = cypher(
    """
MATCH (p:Practitioner {status: 'active'})
WHERE EXISTS { MATCH (p)-[:HOLDS]->(c:Certificate)
               WHERE c.level <= $min_level AND ($work_type IS NULL OR c.work_type = $work_type) }
  AND ($region IS NULL OR EXISTS { MATCH (p)-[:BASED_IN]->(r:Region)
                                   WHERE r.code = $region OR EXISTS { (r)-[:PART_OF*1..3]->(:Region {code: $region}) } })
RETURN""",
    FACTS_PROJECTION,
    "ORDER BY id",
)

PERSON_FACTS = cypher("MATCH (p:Practitioner {id: $id}) RETURN", FACTS_PROJECTION)

CREATE_DRAW = """
CREATE (d:Draw {id: $id})
SET d += $props, d.created_at = $created_at, d.updated_at = $created_at
WITH d
OPTIONAL MATCH (o:Organization {id: $organization_id})
FOREACH (_ IN CASE WHEN o IS NULL THEN [] ELSE [1] END | CREATE (d)-[:FOR]->(o))
"""

APPEND_EVENTS = """
MATCH (d:Draw {id: $id})
UNWIND $events AS event
CREATE (d)-[:HAS_EVENT]->(e:DrawEvent)
SET e = event, e.draw_id = $id, e.key = $id + ':' + toString(event.seq)
"""

# An exclusion's evidence path is stored once: at sealing in the draw's compressed path set (registry/draw_pool.py
# `paths-v1`), at a refill on its `skipped` event. read_draw gives each event and row the path of its seq, so the
# event's chained hash and the sealed rows cover it as before. Rows and events written before kept their copies.
ADD_EXCLUSIONS = """
MATCH (d:Draw {id: $id})
UNWIND $exclusions AS x
MATCH (p:Practitioner {id: x.practitioner_id})
CREATE (d)-[:EXCLUDED {rule: x.rule, detail: x.detail, seq: x.seq, stage: x.stage}]->(p)
"""

SET_PATHS = "MATCH (d:Draw {id: $id}) SET d.exclusion_paths = $paths"

# The seats are the replay of the events: each DREW carries the seat's current state.
WRITE_SEATS = """
MATCH (d:Draw {id: $id})
SET d.status = $status, d.shortfall = $shortfall, d.disclosed = $disclosed, d.updated_at = $now
WITH d
UNWIND $seats AS seat
MATCH (p:Practitioner {id: seat.practitioner_id})
MERGE (d)-[r:DREW]->(p)
SET r += seat
"""

DRAW_VIEW = """
d {.*,
   organization: COLLECT { MATCH (d)-[:FOR]->(o:Organization) RETURN o {.id, .name, .kind} }[0],
   seats: COLLECT { MATCH (d)-[r:DREW]->(p:Practitioner)
                    RETURN r {.*, practitioner: p {.id, .name, .status}} ORDER BY coalesce(r.order, 1000000), p.id },
   excluded: COLLECT { MATCH (d)-[x:EXCLUDED]->(p:Practitioner)
                       RETURN x {.rule, .detail, .seq, .stage, .path, practitioner_id: p.id, name: p.name}
                       ORDER BY x.seq },
   events: COLLECT { MATCH (d)-[:HAS_EVENT]->(e:DrawEvent) RETURN e {.*} ORDER BY e.seq }
}
"""

GET_DRAW = cypher("MATCH (d:Draw {id: $id}) RETURN", DRAW_VIEW, "AS draw")

LIST_DRAWS = """
MATCH (d:Draw)
WHERE ($purpose IS NULL OR d.purpose = $purpose) AND ($status IS NULL OR d.status = $status)
WITH d ORDER BY d.created_at DESC, d.id
WITH collect(d) AS matches
RETURN size(matches) AS total,
       [d IN matches[$skip..$skip + $limit] |
        d {.id, .purpose, .title, .status, .panel_date, .size, .reserves, .candidate_count, .shortfall,
           .disclosed, .created_at}] AS items
"""

NAMES = "UNWIND $ids AS id MATCH (p:Practitioner {id: id}) RETURN p.id, p.name"

REFERENCE_DATE = "MATCH (d:Draw {id: $id}) RETURN d.reference_date AS reference"

ACTIVE_PRACTITIONER = (
    "OPTIONAL MATCH (p:Practitioner {id: $id}) WHERE p.status = 'active' RETURN p IS NOT NULL AS active"
)

# The signed head of the draw's event chain (registry/draw_seal.py); a head that no longer verifies keeps its old
# signature, so a chain rewritten in the graph is never signed over.
WRITE_HEAD = """
MATCH (d:Draw {id: $id})
SET d.event_count = $count, d.event_hash = $hash, d.event_signature = coalesce($signature, d.event_signature)
"""

# The seal's digest as the draw's creation recorded it in the audit trail (itself under signed checkpoints).
SEAL_AT_CREATION = """
OPTIONAL MATCH (a:AuditEntry {entity: 'draw', entity_id: $id, action: 'create'})
RETURN a.changes AS changes LIMIT 1
"""

PENDING_INVITATIONS = """
MATCH (d:Draw)-[r:DREW {status: 'invited'}]->(:Practitioner)
WHERE r.deadline < $now
RETURN DISTINCT d.id AS id
"""


# --- Transaction steps (the service composes them in one transaction) ----------------------------------------


def lock_draw(tx: neo4j.ManagedTransaction, draw_id: str) -> None:
    """Serialize the changes of one draw (see the module docstring)."""
    tx.run(LOCK_DRAW, id=draw_id).consume()


def reference_checks(tx: neo4j.ManagedTransaction, **params: Any) -> dict[str, Any]:
    """Which referenced codes and ids exist."""
    return dict(tx.run(REFERENCE_CHECKS, params).single(strict=True))


def read_candidates(
    tx: neo4j.ManagedTransaction,
    draw_id: str,
    work_type: str | None,
    min_level: int,
    region: str | None,
    organization_id: str | None,
    year: int,
) -> list[CandidateFacts]:
    """Facts of everyone who may meet the criteria (a superset; registry.draws.meets_criteria decides)."""
    result = tx.run(
        CANDIDATE_FACTS,
        draw_id=draw_id,
        work_type=work_type,
        min_level=min_level,
        region=region,
        organization_id=organization_id,
        year=year,
    )
    return [candidate_facts(record) for record in result]


def read_person(
    tx: neo4j.ManagedTransaction, draw_id: str, practitioner_id: str, organization_id: str | None, year: int
) -> CandidateFacts | None:
    """Facts of one person now (for a refill's re-check), or None if they no longer exist."""
    record = tx.run(
        PERSON_FACTS, draw_id=draw_id, id=practitioner_id, organization_id=organization_id, year=year
    ).single()
    return candidate_facts(record) if record else None


def create_draw(
    tx: neo4j.ManagedTransaction,
    draw_id: str,
    props: dict[str, Any],
    organization_id: str | None,
    at: datetime,
) -> None:
    """The Draw node with its sealed properties, linked to its organization."""
    tx.run(CREATE_DRAW, id=draw_id, props=props, organization_id=organization_id, created_at=at).consume()


def append(
    tx: neo4j.ManagedTransaction,
    draw_id: str,
    events: Sequence[DrawEvent],
    seats: Iterable[Seat],
    status: str,
    shortfall: int,
    disclosed: bool,
    now: datetime,
    hashes: Sequence[str] = (),
) -> None:
    """Add events (each with its chained hash, when given; and EXCLUDED for exclusions and skips among them),
    then rewrite the seats they give."""
    stored = [event_properties(e) for e in events]
    for properties, hashed in zip(stored, hashes, strict=False):
        properties["hash"] = hashed
    # `excluded` events are written once, at sealing: their paths go to the draw's set, not to each event.
    paths = {p["seq"]: p.pop("path") for p in stored if p["kind"] == "excluded" and p.get("path") is not None}
    tx.run(APPEND_EVENTS, id=draw_id, events=stored).consume()
    if paths:
        tx.run(SET_PATHS, id=draw_id, paths=encode_paths(paths)).consume()
    exclusions = excluded_rows(stored)
    if exclusions:
        tx.run(ADD_EXCLUSIONS, id=draw_id, exclusions=exclusions).consume()
    tx.run(
        WRITE_SEATS,
        id=draw_id,
        seats=[seat_properties(s) for s in seats],
        status=status,
        shortfall=shortfall,
        disclosed=disclosed,
        now=now,
    ).consume()


def write_head(
    tx: neo4j.ManagedTransaction, draw_id: str, count: int, last_hash: str, signature: str | None
) -> None:
    """The event chain's head: how many events, the last hash, and its signature (None: keep the old one)."""
    tx.run(WRITE_HEAD, id=draw_id, count=count, hash=last_hash, signature=signature).consume()


def read_draw(tx: neo4j.ManagedTransaction, draw_id: str) -> dict[str, Any] | None:
    """The whole stored draw (properties, organization, seats, exclusions with their event's path — the pool-wide
    set's rows read back after the others, marked `pooled` — events), or None."""
    record = tx.run(GET_DRAW, id=draw_id).single()
    if not record:
        return None
    view = native(record["draw"])
    sealed = decode_paths(view.pop("exclusion_paths", None))
    for event in view.get("events") or []:
        if event.get("path") is None and event.get("seq") in sealed:
            event["path"] = sealed[event["seq"]]
    paths = {e["seq"]: e["path"] for e in view.get("events") or [] if e.get("path") is not None}
    for row in view.get("excluded") or []:
        if row.get("path") is None and row.get("seq") in paths:
            row["path"] = paths[row["seq"]]
    pooled = decode_pool(view.get("pool_exclusions"))
    if pooled:
        names = dict(tx.run(NAMES, ids=sorted({row["practitioner_id"] for row in pooled})).values())
        view["excluded"] = [*view.get("excluded", []), *(
            row | {"seq": None, "stage": "sealing", "path": None, "pooled": True, "name": names.get(row["practitioner_id"])}
            for row in pooled
        )]  # fmt: skip
    return view


def seal_at_creation(tx: neo4j.ManagedTransaction, draw_id: str) -> str | None:
    """The seal's digest the audit entry of the draw's creation recorded, or None (a draw sealed before signing)."""
    record = tx.run(SEAL_AT_CREATION, id=draw_id).single()
    try:
        changes = json.loads(record["changes"] or "{}") if record else {}
    except ValueError:
        return None
    seal = changes.get("seal") if isinstance(changes, dict) else None
    return seal if isinstance(seal, str) else None


def list_draws(
    tx: neo4j.ManagedTransaction, purpose: str | None, status: str | None, skip: int, limit: int
) -> dict[str, Any]:
    """A page of draws, newest first."""
    record = tx.run(LIST_DRAWS, purpose=purpose, status=status, skip=skip, limit=limit).single(strict=True)
    return {"total": record["total"], "items": native(record["items"])}


def reference_date(tx: neo4j.ManagedTransaction, draw_id: str) -> date | None:
    """The draw's reference date (its panel date, or the day it was made), or None for an unknown draw."""
    record = tx.run(REFERENCE_DATE, id=draw_id).single()
    return as_day(record["reference"]) if record else None


def is_active_practitioner(tx: neo4j.ManagedTransaction, practitioner_id: str) -> bool:
    """Whether the practitioner exists and is active."""
    return tx.run(ACTIVE_PRACTITIONER, id=practitioner_id).single(strict=True)["active"]


def draws_with_lapsed_invitations(tx: neo4j.ManagedTransaction, now: datetime) -> list[str]:
    """Ids of draws holding an invitation past its deadline."""
    return [record["id"] for record in tx.run(PENDING_INVITATIONS, now=now)]
