"""The application lists (GET /applications): which applications the filters and a status keep, a page of them
newest first and their count, without reading the applications the page does not show.

The status is derived in the query (STATUS) from the progress each write keeps on the application
(graph/applications.py), the time and the rules' parameters. From every application, or within a province, a
status is the union of seeks of a composite index that holds everything its decision reads (STATUS_PARTS): every
status is counted from the index alone and a page reads only its rows; a province without a status is one seek of
(region_key, registered_on). Lists of a person, a session or a city start from them (they are small).
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any, LiteralString

import neo4j

from graph.cypher import cypher, spelled
from registry.reference import province_of

# How a list starts: from the one person or session asked for, or from every application (a region is a key of
# the application: the applicant's province `region_key` and region `region_code`, kept by graph/pools.py).
_FROM_PRACTITIONER: LiteralString = "MATCH (:Practitioner {id: $practitioner_id})<-[:BY]-(a:Application)"
_FROM_SESSION: LiteralString = "MATCH (:ExamSession {id: $session_id})<-[:REGISTERED_FOR]-(a:Application)"
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

# From every application, a status is the union of disjoint parts, each one seek of an index on (stage,
# registered_on, …) that also gives its rows newest first: (stage, index, predicate). Every predicate reads only
# the keys of its index (STATUS's decisions spelled on them), so a count reads the index alone and a page reads
# only its rows. `_PROGRESS` holds what STATUS reads of every application and the work type, level and region a
# list filters on; `_PENDING` the same with the pending sitting (only applications with one are in it: a
# composite index holds the nodes that have every key); `_BY_DAY` is (stage, registered_on), smaller, for parts
# the day alone decides when no filter is asked. graph/schema.py creates them.
_BY_DAY, _PROGRESS, _PENDING = "by day", "progress", "pending"
_HINTS: Mapping[str, LiteralString] = {
    _BY_DAY: "",
    _PROGRESS: "USING INDEX a:Application(stage, registered_on, sittings, basic_hours, module_hours, work_type,"
    " level, region_key, region_code)",
    _PENDING: "USING INDEX a:Application(stage, registered_on, pending_at, basic_hours, module_hours, work_type,"
    " level, region_key, region_code)",
}
# Within a province the same keys led by the province: a part seeks only the province's rows.
_PROVINCE_HINTS: Mapping[str, LiteralString] = {
    _PROGRESS: "USING INDEX a:Application(region_key, stage, registered_on, sittings, basic_hours, module_hours,"
    " work_type, level, region_code)",
    _PENDING: "USING INDEX a:Application(region_key, stage, registered_on, pending_at, basic_hours, module_hours,"
    " work_type, level, region_code)",
}
# The hint needs a predicate on each key: those beyond the stage and day, as present (every write sets them).
_PRESENT: Mapping[str, LiteralString] = {
    _BY_DAY: "true",
    _PROGRESS: "a.sittings IS NOT NULL AND a.basic_hours IS NOT NULL AND a.module_hours IS NOT NULL"
    " AND a.work_type IS NOT NULL AND a.level IS NOT NULL AND a.region_key IS NOT NULL AND a.region_code IS NOT NULL",
    _PENDING: "a.pending_at IS NOT NULL AND a.basic_hours IS NOT NULL AND a.module_hours IS NOT NULL"
    " AND a.work_type IS NOT NULL AND a.level IS NOT NULL AND a.region_key IS NOT NULL AND a.region_code IS NOT NULL",
}
_ANY_DAY, _OLD, _NEW = (
    "a.registered_on IS NOT NULL",
    "a.registered_on < $expired_before",
    "a.registered_on >= $expired_before",
)
_EXHAUSTED, _LEFT = "a.sittings >= $max_sittings", "a.sittings < $max_sittings"
_DUE, _AHEAD = "a.pending_at <= $now", "a.pending_at > $now"
_READY: LiteralString = (
    "(a.basic_hours >= $basic_required AND a.module_hours >= coalesce($module_required[a.work_type], 0.0))"
)
# STATUS's "basic_hours > 0 OR module_hours > 0" (De Morgan), spelled so that the planner keeps one seek.
_STARTED: LiteralString = "NOT (a.basic_hours <= 0 AND a.module_hours <= 0)"
_TRAINING: LiteralString = cypher("NOT", _READY, "AND", _STARTED)
_REGISTERED: LiteralString = cypher("NOT", _READY, "AND NOT", _STARTED)
_Part = tuple[LiteralString, str, LiteralString]
STATUS_PARTS: Mapping[str, tuple[_Part, ...]] = {
    "certified": (("certified", _PROGRESS, _ANY_DAY),),
    "passed": (("passed", _PROGRESS, _ANY_DAY),),
    "failed": (
        ("retake", _PROGRESS, cypher(_ANY_DAY, "AND", _EXHAUSTED)),
        ("failed", _PROGRESS, cypher(_ANY_DAY, "AND", _EXHAUSTED)),
        ("failed", _PROGRESS, cypher(_NEW, "AND", _LEFT)),
    ),
    "retake": (("retake", _PROGRESS, cypher(_ANY_DAY, "AND", _LEFT)),),
    "sat": (("booked", _PENDING, cypher(_ANY_DAY, "AND", _DUE)),),
    "expired": (
        ("failed", _PROGRESS, cypher(_OLD, "AND", _LEFT)),
        ("booked", _PENDING, cypher(_OLD, "AND", _AHEAD)),
        ("open", _PROGRESS, _OLD),
    ),
    "ready": (
        ("booked", _PENDING, cypher(_NEW, "AND", _AHEAD, "AND", _READY)),
        ("open", _PROGRESS, cypher(_NEW, "AND", _READY)),
    ),
    "training": (
        ("booked", _PENDING, cypher(_NEW, "AND", _AHEAD, "AND", _TRAINING)),
        ("open", _PROGRESS, cypher(_NEW, "AND", _TRAINING)),
    ),
    "registered": (
        ("booked", _PENDING, cypher(_NEW, "AND", _AHEAD, "AND", _REGISTERED)),
        ("open", _PROGRESS, cypher(_NEW, "AND", _REGISTERED)),
    ),
}

NEWEST_FIRST = "ORDER BY a.registered_on DESC, a.created_at DESC, a.id"
# The same order with the (stage, registered_on) index's leading key, so a part's seek gives it (stage is fixed).
_PART_NEWEST_FIRST = "ORDER BY a.stage DESC, a.registered_on DESC, a.created_at DESC, a.id"


def _start(filters: Mapping[str, Any]) -> LiteralString:
    if filters.get("practitioner_id") is not None:
        return _FROM_PRACTITIONER
    if filters.get("session_id") is not None:
        return _FROM_SESSION
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
    if _is_province(filters.get("region")):
        clauses.append("a.region_key = $region")  # the applicant based in the province or one of its cities
    elif filters.get("region") is not None:
        # A region below a province is a city, which has no parts (graph/reference.py WITHIN_REGION): the
        # applicant is based in it. Its province first, so that a status part seeks within the province.
        clauses.append("a.region_key = $province AND a.region_code = $region")
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
    stage: LiteralString, index: str, predicate: LiteralString, clauses: list[LiteralString]
) -> LiteralString:
    """One part of a status from every application: MATCH … WHERE binding `a`."""
    if not clauses and index == _PROGRESS and predicate in (_ANY_DAY, _OLD):
        index = _BY_DAY  # the day alone decides: the smaller (stage, registered_on) index counts faster
    hint = _HINTS[index]
    if index != _BY_DAY and any(clause.startswith("a.region_key = ") for clause in clauses):
        hint = _PROVINCE_HINTS[index]
    where: list[LiteralString] = [spelled("a.stage = '", stage, "'"), predicate, _PRESENT[index], *clauses]
    return cypher("MATCH (a:Application)", hint, "WHERE", " AND ".join(where))


def _by_parts(filters: Mapping[str, Any], status: str | None) -> bool:
    """Whether a status list is the union of its parts: from every application (not one person or session)."""
    return status is not None and _start(filters) == _FROM_ALL


# A list without a status of a region, or of a work type and level: one seek of (region_key | region_code |
# work_type, level, registered_on), newest first (the leading keys are fixed by the filter).
_SEEK_NEWEST_FIRST: Mapping[str, LiteralString] = {
    "province": "ORDER BY a.region_key DESC, a.registered_on DESC, a.created_at DESC, a.id",
    "city": "ORDER BY a.region_code DESC, a.registered_on DESC, a.created_at DESC, a.id",
    "work type and level": "ORDER BY a.work_type DESC, a.level DESC, a.registered_on DESC, a.created_at DESC, a.id",
}


def _seek(filters: Mapping[str, Any]) -> str | None:
    """Which day-ordered index a list without a status seeks, if any."""
    region = filters.get("region")
    if region is not None:
        return "province" if _is_province(region) else "city"
    if filters.get("work_type") is not None and filters.get("level") is not None:
        return "work type and level"
    return None


def _count_query(filters: Mapping[str, Any], status: str | None) -> LiteralString:
    if _by_parts(filters, status):
        assert status is not None
        clauses = _filter_clauses(filters, _FROM_ALL)
        parts: list[LiteralString] = [
            cypher(_part(*p, clauses), "RETURN count(a) AS n") for p in STATUS_PARTS[status]
        ]
        return cypher("CALL () {", " UNION ALL ".join(parts), "} RETURN sum(n) AS total")
    if _start(filters) == _FROM_ALL:
        # Every application has its registration day (it is set at creation): the count store, or one index
        # (with its day, which the composite indexes need).
        clauses = _filter_clauses(filters, _FROM_ALL)
        if _seek(filters) is not None:
            clauses.append("a.registered_on IS NOT NULL")
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
    seek = _seek(filters)
    if _start(filters) == _FROM_ALL and seek is not None:
        return cypher(_filtered(filters, status), "WITH a", _SEEK_NEWEST_FIRST[seek],
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
    region = filters.get("region")
    return {
        key: filters.get(key) for key in ("work_type", "level", "practitioner_id", "session_id", "region")
    } | {"province": province_of(region) if isinstance(region, str) and len(region) == 6 else None}
