"""Applications, training records, registrations and exam results in the graph.

    (a:Application)-[:BY]->(p:Practitioner)
    (a)-[:HAS_TRAINING]->(t:TrainingRecord)
    (a)-[:REGISTERED_FOR {at, session_id, application_id}]->(s:ExamSession)
    (r:ExamResult)-[:OF]->(a), (r)-[:IN_SESSION]->(s)
    (c:Certificate)-[:FROM_RESULT]->(r)

Facts are stored, and with them each application's progress (registry.applications.Progress: stage, sittings,
pending sitting, training hours), recomputed from the facts by every write here that changes them, and the
applicant's province and region (`region_key`, `region_code`); the status is derived in the query from the
progress, the time and the rules (graph/application_lists.py STATUS), never stored.
"""

from __future__ import annotations

from typing import Any

import neo4j

from graph.cypher import cypher
from graph.driver import Graph
from graph.exams import SESSION_FIELDS, session_facts
from graph.records import native
from graph.reference import HOME_REGION_CODE
from registry.applications import ApplicationFacts, ResultFacts, SessionFacts, progress
from registry.eligibility import HeldCertificate
from registry.training import TrainingRecord

# Everything the rules decide on and the screens show, for one application `a` of practitioner `p`.
APPLICATION_VIEW = cypher(
    """
a {.id, .work_type, .level, .registered_on, .fee_cny, .related_work_years, .eligibility, .created_at,
   practitioner: p {.id, .name, .status},
   region: COLLECT { MATCH (p)-[:BASED_IN]->(g:Region) RETURN g {.code, .name_zh} }[0],
   training: COLLECT { MATCH (a)-[:HAS_TRAINING]->(t:TrainingRecord)
                       RETURN t {.id, .part, .hours, .completed_on, .mode, .created_at}
                       ORDER BY t.completed_on, t.created_at },
   sessions: COLLECT { MATCH (a)-[reg:REGISTERED_FOR]->(s:ExamSession)
                       RETURN s {""",
    SESSION_FIELDS,
    """, registered_at: reg.at} ORDER BY s.starts_at },
   results: COLLECT { MATCH (r:ExamResult)-[:OF]->(a), (r)-[:IN_SESSION]->(s:ExamSession)
                      RETURN r {.id, .score, .passed, .attempt, .free, .recorded_at, session_id: s.id}
                      ORDER BY r.attempt },
   certificate: COLLECT { MATCH (c:Certificate)-[:FROM_RESULT]->(:ExamResult)-[:OF]->(a)
                          RETURN c {.number, .status, .issued_on, .expires_on} }[0]
}""",
)

GET_APPLICATION = cypher(
    "MATCH (a:Application {id: $id})-[:BY]->(p:Practitioner)",
    "RETURN",
    APPLICATION_VIEW,
    "AS application",
)

# Only what the status rules read, as lists: an application's progress is computed from these.
_FACTS_RETURN = """
RETURN a.id AS id, a.work_type AS work_type, a.level AS level, a.registered_on AS registered_on,
       COLLECT { MATCH (a)-[:HAS_TRAINING]->(t:TrainingRecord) RETURN [t.part, t.hours, t.completed_on] } AS training,
       COLLECT { MATCH (a)-[:REGISTERED_FOR]->(s:ExamSession) RETURN [s.id, s.starts_at, s.subject, s.capacity] }
         AS sessions,
       COLLECT { MATCH (r:ExamResult)-[:OF]->(a), (r)-[:IN_SESSION]->(s:ExamSession)
                 RETURN [r.id, s.id, r.score, r.passed, r.attempt] } AS results,
       COLLECT { MATCH (c:Certificate)-[:FROM_RESULT]->(:ExamResult)-[:OF]->(a) RETURN c.number }[0] AS certificate
"""

# The facts of applications whose progress is not stored yet (created before it was kept), a batch at a time.
UNSYNCED_FACTS = cypher("MATCH (a:Application) WHERE a.stage IS NULL WITH a LIMIT $limit", _FACTS_RETURN)
SOME_FACTS = cypher("UNWIND $ids AS id MATCH (a:Application {id: id})", _FACTS_RETURN)

STORE_PROGRESS = """
UNWIND $rows AS row
MATCH (a:Application {id: row.id})
SET a.stage = row.stage, a.sittings = row.sittings, a.pending_at = row.pending_at,
    a.basic_hours = row.basic_hours, a.module_hours = row.module_hours
"""

APPLICATION_VIEWS = cypher(
    "UNWIND $ids AS id",
    "MATCH (a:Application {id: id})-[:BY]->(p:Practitioner)",
    "RETURN",
    APPLICATION_VIEW,
    "AS application",
)

LOCK_APPLICATION = """
MATCH (a:Application {id: $id})-[:BY]->(p:Practitioner)
SET p._lock = true
REMOVE p._lock
RETURN p.id AS practitioner_id
"""

APPLICANT = """
MATCH (p:Practitioner {id: $practitioner_id})
RETURN p {.id, .name, .status, .education, .enrolled, .work_start_year,
          certificates: COLLECT { MATCH (p)-[:HOLDS]->(c:Certificate) WHERE c.status <> 'revoked'
                                  RETURN c {.work_type, .level, .issued_on} },
          applications: COLLECT { MATCH (other:Application)-[:BY]->(p)
                                  WHERE other.work_type = $work_type AND other.level = $level
                                  RETURN other.id }} AS applicant
"""

CREATE_APPLICATION = cypher(
    """
MATCH (p:Practitioner {id: $practitioner_id})
CREATE (a:Application {id: $id, work_type: $work_type, level: $level, registered_on: $registered_on,
                       valid_until: $valid_until, fee_cny: $fee_cny, related_work_years: $related_work_years,
                       eligibility: $eligibility, created_at: datetime(),
                       stage: 'open', sittings: 0, basic_hours: 0.0, module_hours: 0.0,
                       region_key: coalesce(p.region_key, ''),
                       region_code:""",
    HOME_REGION_CODE,
    """})
CREATE (a)-[:BY]->(p)
""",
)

ADD_TRAINING = """
MATCH (a:Application {id: $application_id})
CREATE (a)-[:HAS_TRAINING]->(:TrainingRecord {id: $id, part: $part, hours: $hours, completed_on: $completed_on,
                                              mode: $mode, created_at: datetime()})
"""

# A registration keeps its session's and application's ids: a session's page reads them from an index
# (graph/exam_lists.py).
REGISTER = """
MATCH (a:Application {id: $application_id}), (s:ExamSession {id: $session_id})
MERGE (a)-[reg:REGISTERED_FOR]->(s)
ON CREATE SET reg.at = datetime(), reg.session_id = s.id, reg.application_id = a.id
"""

UNREGISTER = """
MATCH (a:Application {id: $application_id})-[reg:REGISTERED_FOR]->(s:ExamSession {id: $session_id})
WHERE NOT EXISTS { MATCH (r:ExamResult)-[:OF]->(a) WHERE EXISTS { (r)-[:IN_SESSION]->(s) } }
DELETE reg
RETURN count(reg) AS removed
"""

CREATE_RESULT = """
MATCH (a:Application {id: $application_id}), (s:ExamSession {id: $session_id})
CREATE (r:ExamResult {id: $id, score: $score, passed: $passed, attempt: $attempt, free: $free,
                      source: $source, recorded_at: datetime()})
CREATE (r)-[:OF]->(a), (r)-[:IN_SESSION]->(s)
"""

RESULT_OWNER = """
MATCH (r:ExamResult {id: $id})-[:OF]->(a:Application)
RETURN a.id AS application_id
"""

LINK_CERTIFICATE = """
MATCH (c:Certificate {number: $number}), (r:ExamResult {id: $result_id})
CREATE (c)-[:FROM_RESULT]->(r)
"""

# One person's application registered for a session: how a spreadsheet row (ID card, session) finds its sitting.
SITTING_BY_ID_CARD = """
MATCH (p:Practitioner {id_card_hash: $id_card_hash})<-[:BY]-(a:Application)-[:REGISTERED_FOR]->(s:ExamSession)
WHERE s.id = $session_id
RETURN a.id AS application_id, p.name AS name, p.id AS practitioner_id
"""


def _facts(view: dict[str, Any]) -> ApplicationFacts:
    certificate = view.get("certificate")
    return ApplicationFacts(
        id=view["id"],
        work_type=view["work_type"],
        level=view["level"],
        registered_on=view["registered_on"],
        training=tuple(
            TrainingRecord(t["part"], t["hours"], t["completed_on"], t.get("mode")) for t in view["training"]
        ),
        sessions=tuple(session_facts(s) for s in view["sessions"]),
        results=tuple(
            ResultFacts(r["id"], r["session_id"], r["score"], r["passed"], r["attempt"])
            for r in view["results"]
        ),
        certificate_number=certificate["number"] if certificate else None,
    )


def view(tx: neo4j.ManagedTransaction, application_id: str) -> tuple[dict[str, Any], ApplicationFacts] | None:
    """One application's stored view and the facts its rules decide on; None when unknown."""
    record = tx.run(GET_APPLICATION, id=application_id).single()
    if record is None:
        return None
    stored = native(record["application"])
    return stored, _facts(stored)


def _facts_of(record: neo4j.Record) -> ApplicationFacts:
    return ApplicationFacts(
        id=record["id"],
        work_type=record["work_type"],
        level=record["level"],
        registered_on=record["registered_on"].to_native(),
        training=tuple(
            TrainingRecord(part, hours, day.to_native()) for part, hours, day in record["training"]
        ),
        sessions=tuple(
            SessionFacts(sid, start.to_native(), subject, capacity)
            for sid, start, subject, capacity in record["sessions"]
        ),
        results=tuple(ResultFacts(*result) for result in record["results"]),
        certificate_number=record["certificate"],
    )


def _store(tx: neo4j.ManagedTransaction, facts: list[ApplicationFacts]) -> None:
    rows = [{"id": f.id} | progress(f).to_dict() for f in facts]
    tx.run(STORE_PROGRESS, rows=rows).consume()


def sync(tx: neo4j.ManagedTransaction, application_ids: list[str]) -> None:
    """Store the progress of these applications as their facts now say (every write that changes them calls it)."""
    if application_ids:
        _store(tx, [_facts_of(r) for r in tx.run(SOME_FACTS, ids=application_ids)])


def sync_unsynced(graph: Graph, batch: int = 5000) -> int:
    """Store the progress of every application that has none yet (made before it was kept); how many."""

    def one_batch(tx: neo4j.ManagedTransaction) -> int:
        facts = [_facts_of(r) for r in tx.run(UNSYNCED_FACTS, limit=batch)]
        _store(tx, facts)
        return len(facts)

    done = 0
    while count := graph.write(one_batch):
        done += count
    return done


# The applicant's province and region kept on each application (`region_key`, `region_code`, '' without a
# region: a list's region filter and status indexes read them, graph/application_lists.py); graph/pools.py
# WRITE_MEMBERSHIPS follows a change of the person's. Applications written without them (bulk loads, made before
# they were kept) get them here.
UNKEYED_REGIONS = cypher(
    """
MATCH (a:Application) WHERE a.region_key IS NULL OR a.region_code IS NULL
WITH a LIMIT $limit
OPTIONAL MATCH (a)-[:BY]->(p:Practitioner)
SET a.region_key = coalesce(p.region_key, ''),
    a.region_code =""",
    HOME_REGION_CODE,
    "RETURN count(a) AS done",
)


def sync_region_keys(graph: Graph, batch: int = 10000) -> int:
    """Store the applicant's province and region on every application that has none yet; how many."""
    done = 0
    while count := graph.write(lambda tx: tx.run(UNKEYED_REGIONS, limit=batch).single(strict=True)["done"]):
        done += count
    return done


def views(tx: neo4j.ManagedTransaction, ids: list[str]) -> list[tuple[dict[str, Any], ApplicationFacts]]:
    """The stored views and facts of these applications, in the order given."""
    found = {}
    for record in tx.run(APPLICATION_VIEWS, ids=ids):
        stored = native(record["application"])
        found[stored["id"]] = (stored, _facts(stored))
    return [found[application_id] for application_id in ids if application_id in found]


def lock(tx: neo4j.ManagedTransaction, application_id: str) -> str | None:
    """Take the applicant's write lock (the same lock certificate changes take); their id, or None."""
    record = tx.run(LOCK_APPLICATION, id=application_id).single()
    return record["practitioner_id"] if record else None


def applicant(
    tx: neo4j.ManagedTransaction, practitioner_id: str, work_type: str, level: int
) -> dict[str, Any] | None:
    """The practitioner's eligibility facts and their other applications for this work type and level."""
    record = tx.run(APPLICANT, practitioner_id=practitioner_id, work_type=work_type, level=level).single()
    if record is None or record["applicant"] is None:
        return None
    data = native(record["applicant"])
    data["certificates"] = tuple(
        HeldCertificate(c["work_type"], c["level"], c["issued_on"]) for c in data["certificates"]
    )
    return data


def create(tx: neo4j.ManagedTransaction, params: dict[str, Any]) -> None:
    """Create the application linked to its practitioner."""
    tx.run(CREATE_APPLICATION, params).consume()


def add_training(tx: neo4j.ManagedTransaction, application_id: str, record: dict[str, Any]) -> None:
    """Attach one training record."""
    tx.run(ADD_TRAINING, application_id=application_id, **record).consume()
    sync(tx, [application_id])


def register(tx: neo4j.ManagedTransaction, application_id: str, session_id: str) -> None:
    """Register the application for the session (once)."""
    tx.run(REGISTER, application_id=application_id, session_id=session_id).consume()
    sync(tx, [application_id])


def unregister(tx: neo4j.ManagedTransaction, application_id: str, session_id: str) -> int:
    """Cancel a registration that has no result yet; how many were removed (0 or 1)."""
    removed = tx.run(UNREGISTER, application_id=application_id, session_id=session_id).single()["removed"]
    sync(tx, [application_id])
    return removed


def create_result(tx: neo4j.ManagedTransaction, params: dict[str, Any]) -> None:
    """Store a result of the application's sitting in the session."""
    tx.run(CREATE_RESULT, params).consume()
    sync(tx, [params["application_id"]])


def result_owner(tx: neo4j.ManagedTransaction, result_id: str) -> str | None:
    """The id of the application a result belongs to, or None for an unknown result."""
    record = tx.run(RESULT_OWNER, id=result_id).single()
    return record["application_id"] if record else None


def link_certificate(tx: neo4j.ManagedTransaction, number: str, result_id: str) -> None:
    """Link an issued certificate to the result it was issued from."""
    tx.run(LINK_CERTIFICATE, number=number, result_id=result_id).consume()
    application_id = result_owner(tx, result_id)
    sync(tx, [application_id] if application_id else [])


def sitting_by_id_card(
    tx: neo4j.ManagedTransaction, id_card_hash: str, session_id: str
) -> list[dict[str, Any]]:
    """The applications of the person with this ID card registered for the session (normally one)."""
    return [
        record.data()
        for record in tx.run(SITTING_BY_ID_CARD, id_card_hash=id_card_hash, session_id=session_id)
    ]
