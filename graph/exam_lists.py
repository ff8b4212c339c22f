"""One exam session as its page reads it: counts from the relationship counts, a page of registrations in its
order from an index, results per work type and province from the applications' stored keys.

    (a:Application)-[:REGISTERED_FOR {at, session_id, application_id}]->(s:ExamSession)

A registration keeps its session's and its application's ids (neither ever changes), so the composite index
`registration_order` (session_id, at, application_id) holds each session's registrations in the order the page
lists them (registration time, then application id): a page is one seek that stops after `skip + limit` entries,
whatever the session's size. Registrations written without the ids (bulk loads, made before they were kept) get
them from `sync_registration_keys` when the schema is created.
"""

from __future__ import annotations

from typing import Any

import neo4j

from graph.cypher import cypher
from graph.driver import Graph
from graph.exams import SESSION_FIELDS
from graph.records import native

REGISTRATION_ORDER_INDEX = (
    "CREATE INDEX registration_order IF NOT EXISTS"
    " FOR ()-[r:REGISTERED_FOR]-() ON (r.session_id, r.at, r.application_id)"
)

# Only applications register for a session and only results sit in one, so the counts are the session's
# relationship counts (a degree, read without visiting a relationship). Results are grouped by the work type and
# the province kept on their application (graph/applications.py `region_key`, '' without a region), falling back
# to the applicant's region for an application written before it was kept.
SESSION_WITH_COUNTS = cypher(
    """
MATCH (s:ExamSession {id: $id})
RETURN s {""",
    SESSION_FIELDS,
    """,
          registered: COUNT { (s)<-[:REGISTERED_FOR]-() },
          sat: COUNT { (s)<-[:IN_SESSION]-() },
          passed: COUNT { (s)<-[:IN_SESSION]-(r) WHERE r.passed }} AS session,
       COLLECT {
         MATCH (s)<-[:IN_SESSION]-(r:ExamResult)-[:OF]->(a:Application)-[:BY]->(p:Practitioner)
         WITH a.work_type AS work_type, r.passed AS passed,
              CASE WHEN a.region_key IS NULL
                   THEN COLLECT { MATCH (p)-[:BASED_IN]->(g:Region)
                                  RETURN coalesce(COLLECT { MATCH (g)-[:PART_OF]->(up:Region)
                                                            RETURN up.code }[0], g.code) }[0]
                   WHEN a.region_key = '' THEN null
                   ELSE a.region_key END AS region
         WITH work_type, region, count(*) AS sat, sum(CASE WHEN passed THEN 1 ELSE 0 END) AS passed
         RETURN {work_type: work_type, region: region, sat: sat, passed: passed} AS row
       } AS counts
""",
)

# The page: the index seek gives the session's registrations in their order; only the page's applications,
# candidates and results are read.
REGISTRATION_PAGE = """
MATCH ()-[reg:REGISTERED_FOR]->()
WHERE reg.session_id = $id AND reg.at IS NOT NULL AND reg.application_id IS NOT NULL
WITH reg ORDER BY reg.session_id, reg.at, reg.application_id SKIP $skip LIMIT $limit
WITH reg, startNode(reg) AS a, endNode(reg) AS s
MATCH (a)-[:BY]->(p:Practitioner)
OPTIONAL MATCH (r:ExamResult)-[:OF]->(a) WHERE EXISTS { (r)-[:IN_SESSION]->(s) }
RETURN a.id AS application_id, a.work_type AS work_type, a.level AS level, p.id AS practitioner_id,
       p.name AS name, reg.at AS registered_at, r {.id, .score, .passed, .attempt, .free} AS result
ORDER BY reg.at, a.id
"""

UNKEYED_REGISTRATIONS = """
MATCH (a:Application)-[reg:REGISTERED_FOR]->(s:ExamSession)
WHERE reg.session_id IS NULL OR reg.application_id IS NULL
WITH a, reg, s LIMIT $limit
SET reg.session_id = s.id, reg.application_id = a.id
RETURN count(reg) AS done
"""


def session_with_counts(
    tx: neo4j.ManagedTransaction, session_id: str
) -> tuple[dict[str, Any], list[dict[str, Any]]] | None:
    """The session with its counts and its results (sat, passed) per work type and province; None when unknown."""
    record = tx.run(SESSION_WITH_COUNTS, id=session_id).single()
    if record is None:
        return None
    return native(record["session"]), list(record["counts"])


def registration_page(
    tx: neo4j.ManagedTransaction, session_id: str, skip: int, limit: int
) -> list[dict[str, Any]]:
    """One page of who is registered for the session, in registration order, with their result if recorded."""
    return [native(r.data()) for r in tx.run(REGISTRATION_PAGE, id=session_id, skip=skip, limit=limit)]


def sync_registration_keys(graph: Graph, batch: int = 10000) -> int:
    """Store the session's and application's ids on every registration that lacks them; how many."""
    done = 0
    while count := graph.write(
        lambda tx: tx.run(UNKEYED_REGISTRATIONS, limit=batch).single(strict=True)["done"]
    ):
        done += count
    return done
