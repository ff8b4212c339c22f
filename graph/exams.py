"""Exam sessions in the graph: create, generate a month, move, read with counts, and exam statistics.

    (s:ExamSession {id, starts_at, ends_at, day, subject, capacity, mode})
    (a:Application)-[:REGISTERED_FOR]->(s), (r:ExamResult)-[:IN_SESSION]->(s)

`starts_at` and `ends_at` are stored in China time (+08:00); `day` is the session's calendar day in China, which
validity is judged on.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import neo4j

from graph.cypher import cypher
from graph.records import native
from registry.applications import SessionFacts
from registry.exams import CHINA_TIME, session_day

SESSION_FIELDS = ".id, .starts_at, .ends_at, .day, .subject, .capacity, .mode, .created_at"

SESSION_VIEW = cypher(
    "s {",
    SESSION_FIELDS,
    """,
   registered: COUNT { (:Application)-[:REGISTERED_FOR]->(s) },
   sat: COUNT { (:ExamResult)-[:IN_SESSION]->(s) },
   passed: COUNT { (r:ExamResult)-[:IN_SESSION]->(s) WHERE r.passed }
}""",
)

GET_SESSION = cypher("MATCH (s:ExamSession {id: $id}) RETURN", SESSION_VIEW, "AS session")

LIST_SESSIONS = cypher(
    """
MATCH (s:ExamSession)
WHERE ($from IS NULL OR s.day >= $from) AND ($to IS NULL OR s.day <= $to)
  AND ($subject IS NULL OR s.subject = $subject)
WITH s ORDER BY s.starts_at, s.subject, s.id
WITH collect(s) AS matched
RETURN size(matched) AS total,
       [s IN matched[$skip..$skip + $limit] |""",
    SESSION_VIEW,
    "] AS sessions",
)

CREATE_SESSION = """
CREATE (s:ExamSession {id: $id, starts_at: $starts_at, ends_at: $ends_at, day: $day, subject: $subject,
                       capacity: $capacity, mode: $mode, created_at: datetime()})
"""

# Generated sessions are found again by their start and subject, so generating a month twice adds nothing.
FIND_SESSION = """
MATCH (s:ExamSession {day: $day, subject: $subject})
WHERE s.starts_at = $starts_at
RETURN s.id AS id
"""

LOCK_SESSION = cypher(
    """
MATCH (s:ExamSession {id: $id})
SET s._lock = true
REMOVE s._lock
RETURN s {""",
    SESSION_FIELDS,
    """,
          registered: COUNT { (:Application)-[:REGISTERED_FOR]->(s) }} AS session
""",
)

MOVE_SESSION = """
MATCH (s:ExamSession {id: $id})
SET s.starts_at = $starts_at, s.ends_at = $ends_at, s.day = $day, s.capacity = $capacity, s.subject = $subject,
    s.updated_at = datetime()
"""

# The applications registered for a session that still wait for its result: moving the session moves their sitting.
WAITING = """
MATCH (a:Application)-[:REGISTERED_FOR]->(s:ExamSession {id: $id})
WHERE NOT EXISTS { MATCH (r:ExamResult)-[:OF]->(a) WHERE EXISTS { (r)-[:IN_SESSION]->(s) } }
RETURN collect(a.id) AS ids
"""

# One page of a session's registrations (up to its capacity, 2 000 at most): the registrations alone are ordered
# and cut first, so only the page's candidates and results are read.
REGISTRANTS = """
MATCH (a:Application)-[reg:REGISTERED_FOR]->(s:ExamSession {id: $id})
WITH s, a, reg ORDER BY reg.at, a.id SKIP $skip LIMIT $limit
MATCH (a)-[:BY]->(p:Practitioner)
OPTIONAL MATCH (r:ExamResult)-[:OF]->(a) WHERE EXISTS { (r)-[:IN_SESSION]->(s) }
RETURN a.id AS application_id, a.work_type AS work_type, a.level AS level, p.id AS practitioner_id,
       p.name AS name, reg.at AS registered_at, r {.id, .score, .passed, .attempt, .free} AS result
ORDER BY reg.at, a.id
"""

# Results grouped by work type and the province of the candidate (a city rolls up to its province), of the
# sessions in a range of days or of one session (then found by its id: a seek, not a pass over every result).
_COUNTS_BY_GROUP = """
OPTIONAL MATCH (p)-[:BASED_IN]->(g:Region)
OPTIONAL MATCH (g)-[:PART_OF]->(province:Region)
WITH a.work_type AS work_type, coalesce(province.code, g.code) AS region, r.passed AS passed
RETURN work_type, region, count(*) AS sat, sum(CASE WHEN passed THEN 1 ELSE 0 END) AS passed
"""
RESULT_COUNTS = cypher(
    """
MATCH (r:ExamResult)-[:IN_SESSION]->(s:ExamSession), (r)-[:OF]->(a:Application)-[:BY]->(p:Practitioner)
WHERE ($from IS NULL OR s.day >= $from) AND ($to IS NULL OR s.day <= $to)""",
    _COUNTS_BY_GROUP,
)
SESSION_RESULT_COUNTS = cypher(
    """
MATCH (s:ExamSession {id: $session_id})<-[:IN_SESSION]-(r:ExamResult)-[:OF]->(a:Application)-[:BY]->(p:Practitioner)""",
    _COUNTS_BY_GROUP,
)


def session_facts(stored: dict[str, Any]) -> SessionFacts:
    """The facts the rules decide on from a stored session."""
    return SessionFacts(stored["id"], stored["starts_at"], stored["subject"], stored["capacity"])


def view(tx: neo4j.ManagedTransaction, session_id: str) -> dict[str, Any] | None:
    """One session with its counts (registered, sat, passed); None when unknown."""
    record = tx.run(GET_SESSION, id=session_id).single()
    return native(record["session"]) if record else None


def search(
    tx: neo4j.ManagedTransaction, filters: dict[str, Any], page: int, per_page: int
) -> tuple[list[dict[str, Any]], int]:
    """A page of sessions (earliest first) between `from` and `to` (China days), of one subject if given."""
    record = tx.run(
        LIST_SESSIONS,
        {"from": filters.get("from"), "to": filters.get("to"), "subject": filters.get("subject")},
        skip=(page - 1) * per_page,
        limit=per_page,
    ).single()
    return native(record["sessions"]), record["total"]


def create(tx: neo4j.ManagedTransaction, params: dict[str, Any]) -> None:
    """Create a session."""
    tx.run(CREATE_SESSION, params).consume()


def find(tx: neo4j.ManagedTransaction, starts_at: datetime, day: date, subject: str) -> str | None:
    """The id of the session of this subject starting at this instant, or None."""
    # Stored in China time, and Cypher's = on datetimes also compares the offset: ask in China time too.
    record = tx.run(
        FIND_SESSION, starts_at=starts_at.astimezone(CHINA_TIME), day=day, subject=subject
    ).single()
    return record["id"] if record else None


def lock(tx: neo4j.ManagedTransaction, session_id: str) -> dict[str, Any] | None:
    """Take the session's write lock (registrations count seats under it); the session with its count, or None."""
    record = tx.run(LOCK_SESSION, id=session_id).single()
    return native(record["session"]) if record else None


def move(tx: neo4j.ManagedTransaction, params: dict[str, Any]) -> None:
    """Write a session's new time, subject and capacity."""
    tx.run(MOVE_SESSION, params).consume()


def waiting(tx: neo4j.ManagedTransaction, session_id: str) -> list[str]:
    """The ids of the applications registered for the session without a result from it."""
    return tx.run(WAITING, id=session_id).single()["ids"]


def registrants(
    tx: neo4j.ManagedTransaction, session_id: str, skip: int = 0, limit: int = 2**31 - 1
) -> list[dict[str, Any]]:
    """Who is registered for the session, in registration order, with their result if recorded (one page)."""
    return [native(r.data()) for r in tx.run(REGISTRANTS, id=session_id, skip=skip, limit=limit)]


def result_counts(tx: neo4j.ManagedTransaction, filters: dict[str, Any]) -> list[dict[str, Any]]:
    """Results (sat, passed) per work type and province, for sessions in the range or one session."""
    if filters.get("session_id") is not None:
        return [record.data() for record in tx.run(SESSION_RESULT_COUNTS, session_id=filters["session_id"])]
    params = {"from": filters.get("from"), "to": filters.get("to")}
    return [record.data() for record in tx.run(RESULT_COUNTS, params)]


# A results file may name a session by its start; it names one only when exactly one session starts then.
SESSIONS_STARTING_AT = """
MATCH (s:ExamSession {day: $day})
WHERE s.starts_at = $starts_at
RETURN collect(s.id) AS ids
"""

RECORD_IMPORT = """
CREATE (:ImportBatch {id: $id, kind: 'exam_results', filename: $filename, started_at: $started_at,
                      finished_at: datetime(), rows_read: $report.rows_read, rows_valid: $report.rows_valid,
                      rows_invalid: $report.rows_invalid, results_created: $report.results_created,
                      results_unchanged: $report.results_unchanged, by: $by})
"""


def starting_at(tx: neo4j.ManagedTransaction, starts_at: datetime) -> str | None:
    """The id of the one session starting at this instant, or None (no session, or several subjects)."""
    at = starts_at.astimezone(CHINA_TIME)  # as stored: Cypher's = on datetimes also compares the offset
    ids = tx.run(SESSIONS_STARTING_AT, starts_at=at, day=session_day(starts_at)).single()["ids"]
    return ids[0] if len(ids) == 1 else None


def record_import(
    tx: neo4j.ManagedTransaction,
    import_id: str,
    filename: str,
    started_at: datetime,
    report: dict[str, Any],
    by: str,
) -> None:
    """Record a finished results import with its counts."""
    tx.run(
        RECORD_IMPORT, id=import_id, filename=filename, started_at=started_at, report=report, by=by
    ).consume()
