"""The application lists (GET /applications): which applications the filters and a status keep, a page of them
newest first and their count, without reading the applications the page does not show.

The status is derived in the query (STATUS) from the progress each write keeps on the application
(graph/applications.py), the time and the rules' parameters; a status from every application is the union of
index seeks on (stage, registered_on) (STATUS_PARTS), so large statuses are counted from the index alone and a
page reads only its rows.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, LiteralString

import neo4j

from graph.cypher import cypher, spelled
from graph.reference import WITHIN_REGION

# How a list starts: from the one person or session asked for, from the region's people, or from every application.
_FROM_PRACTITIONER: LiteralString = "MATCH (:Practitioner {id: $practitioner_id})<-[:BY]-(a:Application)"
_FROM_SESSION: LiteralString = "MATCH (:ExamSession {id: $session_id})<-[:REGISTERED_FOR]-(a:Application)"
_FROM_REGION = cypher(
    "MATCH (r:Region) WHERE",
    WITHIN_REGION,
    "MATCH (r)<-[:BASED_IN]-(:Practitioner)<-[:BY]-(a:Application)",
)
_FROM_ALL: LiteralString = "MATCH (a:Application)"

# The status at the instant $now, from the progress each write keeps on the application (registry.applications
# .progress) and the rules' parameters (registry.applications.status_parameters): derive_state's decisions, in
# its order. `a.registered_on < $expired_before` is derive_state's "today > valid_until".
STATUS: LiteralString = """CASE
  WHEN a.stage IN ['certified', 'passed'] THEN a.stage
  WHEN a.stage IN ['retake', 'failed'] AND a.sittings >= $max_sittings THEN 'failed'
  WHEN a.stage = 'retake' THEN 'retake'
  WHEN a.stage = 'failed' THEN CASE WHEN a.registered_on < $expired_before THEN 'expired' ELSE 'failed' END
  WHEN a.stage = 'booked' AND a.pending_at <= $now THEN 'sat'
  WHEN a.registered_on < $expired_before THEN 'expired'
  WHEN a.basic_hours >= $basic_required AND a.module_hours >= coalesce($module_required[a.work_type], 0.0)
    THEN 'ready'
  WHEN a.basic_hours > 0 OR a.module_hours > 0 THEN 'training'
  ELSE 'registered'
END"""

# What each status needs of the stored stage and the registration day: index seeks that narrow before STATUS
# decides (the stage and registered_on are range-indexed), when the list starts from a person, session or region.
STATUS_NARROWING: Mapping[str, LiteralString] = {
    "certified": "a.stage = 'certified'",
    "passed": "a.stage = 'passed'",
    "failed": "a.stage IN ['retake', 'failed']",
    "retake": "a.stage = 'retake'",
    "sat": "a.stage = 'booked'",
    "expired": "a.stage IN ['failed', 'booked', 'open'] AND a.registered_on < $expired_before",
    "ready": "a.stage IN ['booked', 'open'] AND a.registered_on >= $expired_before",
    "training": "a.stage IN ['booked', 'open'] AND a.registered_on >= $expired_before",
    "registered": "a.stage IN ['booked', 'open'] AND a.registered_on >= $expired_before",
}

# From every application, a status is the union of disjoint parts, each one seek of the (stage, registered_on)
# index (graph/schema.py) that also gives its rows newest first: (stage, registration day, whether STATUS must
# still decide). Parts STATUS need not check are all of that status whatever the rest of the progress says
# (certified and passed always are; an open application registered before $expired_before is always expired), so
# their count reads the index alone; the others are the small stages (failed, retake, booked, and open ones still
# valid) whose rows STATUS reads.
_ANY_DAY, _OLD, _NEW = (
    "a.registered_on IS NOT NULL",
    "a.registered_on < $expired_before",
    "a.registered_on >= $expired_before",
)
_UNDECIDED: tuple[tuple[LiteralString, LiteralString, bool], ...] = (
    ("booked", _NEW, True),
    ("open", _NEW, True),
)
STATUS_PARTS: Mapping[str, tuple[tuple[LiteralString, LiteralString, bool], ...]] = {
    "certified": (("certified", _ANY_DAY, False),),
    "passed": (("passed", _ANY_DAY, False),),
    "failed": (("retake", _ANY_DAY, True), ("failed", _ANY_DAY, True)),
    "retake": (("retake", _ANY_DAY, True),),
    "sat": (("booked", _ANY_DAY, True),),
    "expired": (("failed", _OLD, True), ("booked", _OLD, True), ("open", _OLD, False)),
    "ready": _UNDECIDED,
    "training": _UNDECIDED,
    "registered": _UNDECIDED,
}

NEWEST_FIRST = "ORDER BY a.registered_on DESC, a.created_at DESC, a.id"
# The same order with the (stage, registered_on) index's leading key, so a part's seek gives it (stage is fixed).
_PART_NEWEST_FIRST = "ORDER BY a.stage DESC, a.registered_on DESC, a.created_at DESC, a.id"


def _start(filters: Mapping[str, Any]) -> LiteralString:
    if filters.get("practitioner_id") is not None:
        return _FROM_PRACTITIONER
    if filters.get("session_id") is not None:
        return _FROM_SESSION
    if filters.get("region") is not None:
        return _FROM_REGION
    return _FROM_ALL


def _is_province(code: str | None) -> bool:
    return code is not None and len(code) == 6 and code.endswith("0000")


def _filter_clauses(filters: Mapping[str, Any], start: LiteralString) -> list[LiteralString]:
    """The filters' predicates on `a` beyond what the list starts from."""
    clauses: list[LiteralString] = []
    if filters.get("work_type") is not None:
        clauses.append("a.work_type = $work_type")
    if filters.get("level") is not None:
        clauses.append("a.level = $level")
    if filters.get("session_id") is not None and start != _FROM_SESSION:
        clauses.append("EXISTS { (a)-[:REGISTERED_FOR]->(:ExamSession {id: $session_id}) }")
    if _is_province(filters.get("region")) and start != _FROM_REGION:
        # A person's province is kept on them (`region_key`, graph/pools.py, rederived with every change of
        # their region): one property read instead of walking their relationships to the region.
        clauses.append("EXISTS { MATCH (a)-[:BY]->(p:Practitioner) WHERE p.region_key = $region }")
    elif filters.get("region") is not None and start != _FROM_REGION:
        clauses.append(
            cypher(
                "EXISTS { MATCH (a)-[:BY]->(:Practitioner)-[:BASED_IN]->(r:Region) WHERE", WITHIN_REGION, "}"
            )
        )
    return clauses


def _filtered(filters: Mapping[str, Any], status: str | None) -> LiteralString:
    """MATCH … WHERE … binding `a` to every application the filters (and the status) keep, each once."""
    start = _start(filters)
    clauses: list[LiteralString] = ["a.registered_on IS NOT NULL", *_filter_clauses(filters, start)]
    if status is not None:
        clauses.append(STATUS_NARROWING[status])
        clauses.append(cypher("(", STATUS, ") = $status"))
    return cypher(start, "WHERE", " AND ".join(clauses))


def _part(
    stage: LiteralString, day: LiteralString, decide: bool, clauses: list[LiteralString]
) -> LiteralString:
    """One part of a status from every application: MATCH … WHERE binding `a`."""
    where: list[LiteralString] = [spelled("a.stage = '", stage, "'"), day, *clauses]
    if decide:
        where.append(cypher("(", STATUS, ") = $status"))
    return cypher("MATCH (a:Application) WHERE", " AND ".join(where))


def _by_parts(filters: Mapping[str, Any], status: str | None) -> bool:
    """Whether a status list starts from its parts: from every application, and also within a region, where the
    region's people (each one's relationships walked to find their applications) cost more than checking the
    person of each application the status keeps."""
    return status is not None and _start(filters) in (_FROM_ALL, _FROM_REGION)


def _count_query(filters: Mapping[str, Any], status: str | None) -> LiteralString:
    if _by_parts(filters, status):
        assert status is not None
        clauses = _filter_clauses(filters, _FROM_ALL)
        parts: list[LiteralString] = [
            cypher(_part(*p, clauses), "RETURN count(a) AS n") for p in STATUS_PARTS[status]
        ]
        return cypher("CALL () {", " UNION ALL ".join(parts), "} RETURN sum(n) AS total")
    if _start(filters) == _FROM_ALL:
        # Every application has its registration day (it is set at creation): the count store, or one index.
        clauses = _filter_clauses(filters, _FROM_ALL)
        return cypher(
            "MATCH (a:Application)",
            "WHERE " + " AND ".join(clauses) if clauses else "",
            "RETURN count(a) AS total",
        )
    return cypher(_filtered(filters, status), "RETURN count(a) AS total")


def _page_query(filters: Mapping[str, Any], status: str | None) -> LiteralString:
    if _by_parts(filters, status):
        assert status is not None
        clauses = _filter_clauses(filters, _FROM_ALL)
        parts: list[LiteralString] = [
            cypher(_part(*p, clauses), "WITH a", _PART_NEWEST_FIRST, "LIMIT $skip + $limit RETURN a")
            for p in STATUS_PARTS[status]
        ]
        return cypher("CALL () {", " UNION ALL ".join(parts), "} WITH a", NEWEST_FIRST,
                      "SKIP $skip LIMIT $limit RETURN a.id AS id")  # fmt: skip
    return cypher(_filtered(filters, status), "RETURN a.id AS id", NEWEST_FIRST, "SKIP $skip LIMIT $limit")


def page(
    tx: neo4j.ManagedTransaction,
    filters: dict[str, Any],
    skip: int,
    limit: int,
    status: str | None = None,
    status_params: Mapping[str, Any] | None = None,
) -> tuple[list[str], int]:
    """The ids of one page of filtered applications, newest first, and the total; with `status`, those whose
    status at status_params["now"] it is (registry.applications.status_parameters)."""
    params = _filter_params(filters) | dict(status_params or {}) | {"status": status}
    total = tx.run(_count_query(filters, status), params).single(strict=True)["total"]
    ids = [r["id"] for r in tx.run(_page_query(filters, status), params, skip=skip, limit=limit)]
    return ids, total


def _filter_params(filters: dict[str, Any]) -> dict[str, Any]:
    return {
        key: filters.get(key) for key in ("work_type", "level", "practitioner_id", "session_id", "region")
    }
