"""Each statistic computed the slow way: Cypher over the whole graph, for comparison with the fast answers.

These queries restate the rules of registry/statistics.py directly on the graph (no snapshot, no Python
aggregation), so a test that compares the two checks the snapshot, the facts and the aggregation at once.
"""

from __future__ import annotations

from collections import defaultdict
from datetime import date, timedelta
from typing import Any

# A person's region and province, filtered by $region (a province includes its cities).
PERSON_PLACE = """
OPTIONAL MATCH (p)-[:BASED_IN]->(pr:Region)
OPTIONAL MATCH (pr)-[:PART_OF]->(pup:Region)
WITH *, pr.code AS region, coalesce(pup.code, pr.code) AS province
WHERE $region IS NULL OR region = $region OR province = $region
"""


def valid_on(c: str, day: str) -> str:
    return (
        f"({c}.issued_on <= {day} AND ({c}.expires_on IS NULL OR {c}.expires_on >= {day}) "
        f"AND (NOT {c}.status IN ['suspended', 'revoked'] OR date({c}.status_changed_at) > {day}))"
    )


CERT_FILTER = "($work_type IS NULL OR c.work_type = $work_type) AND ($level IS NULL OR c.level = $level)"


def _run(graph: Any, cypher: str, **params: Any) -> list[dict[str, Any]]:
    defaults = {"region": None, "work_type": None, "level": None}
    records, _, _ = graph.driver.execute_query(cypher, {**defaults, **params})
    return [record.data() for record in records]


def supply(graph: Any, day: date, **filters: Any) -> tuple[dict[tuple, int], int]:
    cypher = f"""
    MATCH (p:Practitioner {{status: 'active'}})
    {PERSON_PLACE}
    MATCH (p)-[:HOLDS]->(c:Certificate) WHERE {valid_on("c", "$day")} AND {CERT_FILTER}
    RETURN province, c.work_type AS work_type, c.level AS level, count(DISTINCT p) AS holders
    """
    cells = {
        (r["province"], r["work_type"], r["level"]): r["holders"]
        for r in _run(graph, cypher, day=day, **filters)
    }
    total = f"""
    MATCH (p:Practitioner {{status: 'active'}})
    {PERSON_PLACE}
    WITH p WHERE EXISTS {{ MATCH (p)-[:HOLDS]->(c:Certificate) WHERE {valid_on("c", "$day")} AND {CERT_FILTER} }}
    RETURN count(p) AS holders
    """
    return cells, _run(graph, total, day=day, **filters)[0]["holders"]


def pool_members(graph: Any, day: date, **filters: Any) -> dict[tuple, int]:
    cypher = f"""
    MATCH (p:Practitioner {{status: 'active'}})
    {PERSON_PLACE}
    MATCH (pool:Pool)
    WHERE EXISTS {{ MATCH (p)-[:HOLDS]->(c:Certificate)
                   WHERE c.level IN pool.levels AND {valid_on("c", "$day")} AND {CERT_FILTER} }}
    RETURN province, pool.code AS pool, count(p) AS members
    """
    return {(r["province"], r["pool"]): r["members"] for r in _run(graph, cypher, day=day, **filters)}


def trends_by_month(
    graph: Any, start: date, end: date, as_of: date, **filters: Any
) -> dict[tuple, dict[str, int]]:
    """Per (month, work type), the nonzero measures."""
    cells: dict[tuple, dict[str, int]] = defaultdict(dict)
    month = "substring(toString({0}), 0, 7)"
    queries = {
        "issued": f"""
            MATCH (p:Practitioner) {PERSON_PLACE}
            MATCH (p)-[:HOLDS]->(c:Certificate) WHERE {CERT_FILTER} AND c.issued_on >= $start AND c.issued_on <= $end
            RETURN {month.format("c.issued_on")} AS period, c.work_type AS work_type, count(c) AS n""",
        "expired": f"""
            MATCH (p:Practitioner) {PERSON_PLACE}
            MATCH (p)-[:HOLDS]->(c:Certificate)
            WHERE {CERT_FILTER} AND c.expires_on >= $start AND c.expires_on <= $end AND c.expires_on < $as_of
              AND NOT (c.status = 'revoked' AND date(c.status_changed_at) <= c.expires_on)
            RETURN {month.format("c.expires_on")} AS period, c.work_type AS work_type, count(c) AS n""",
    }
    for status in ("suspended", "revoked"):
        queries[status] = f"""
            MATCH (p:Practitioner) {PERSON_PLACE}
            MATCH (p)-[:HOLDS]->(c:Certificate)-[:HAS_EVENT]->(e:CertificateEvent)
            WHERE {CERT_FILTER} AND e.to_status = '{status}' AND e.action IN ['suspend', 'revoke', 'import']
              AND date(e.at) >= $start AND date(e.at) <= $end
            RETURN {month.format("date(e.at)")} AS period, c.work_type AS work_type, count(e) AS n"""
    for pool in ("talent", "expert"):
        queries[f"{pool}_joins"] = f"""
            MATCH (p:Practitioner)-[m:MEMBER_OF|WAS_MEMBER_OF]->(:Pool {{code: '{pool}'}}) {PERSON_PLACE}
            MATCH (c:Certificate {{number: m.via}}) WHERE {CERT_FILTER}
              AND date(m.since) >= $start AND date(m.since) <= $end
            RETURN {month.format("date(m.since)")} AS period, c.work_type AS work_type, count(m) AS n"""
        queries[f"{pool}_leaves"] = f"""
            MATCH (p:Practitioner)-[m:MEMBER_OF|WAS_MEMBER_OF]->(:Pool {{code: '{pool}'}}) {PERSON_PLACE}
            WITH *, CASE WHEN type(m) = 'WAS_MEMBER_OF' THEN m.until
                         WHEN m.valid_until < $today THEN m.valid_until END AS until
            MATCH (c:Certificate {{number: m.via}}) WHERE {CERT_FILTER} AND until >= $start AND until <= $end
            RETURN {month.format("until")} AS period, c.work_type AS work_type, count(m) AS n"""
    queries["exams_sat"] = f"""
        MATCH (r:ExamResult)-[:OF]->(a:Application)-[:BY]->(p:Practitioner) {PERSON_PLACE}
        MATCH (r)-[:IN_SESSION]->(s:ExamSession)
        WITH * WHERE ($work_type IS NULL OR a.work_type = $work_type) AND ($level IS NULL OR a.level = $level)
          AND s.day >= $start AND s.day <= $end
        RETURN {month.format("s.day")} AS period, a.work_type AS work_type, count(r) AS n"""
    queries["exams_passed"] = queries["exams_sat"].replace(
        "AND s.day >= $start", "AND r.passed AND s.day >= $start"
    )
    end = min(end, as_of)
    for measure, cypher in queries.items():
        for r in _run(graph, cypher, start=start, end=end, as_of=as_of, today=as_of, **filters):
            if r["n"]:
                cells[(r["period"], r["work_type"])][measure] = r["n"]
    return dict(cells)


def verifiers(graph: Any, day: date, max_level: int, **filters: Any) -> dict[str | None, int]:
    cypher = f"""
    MATCH (p:Practitioner {{status: 'active'}})
    {PERSON_PLACE}
    WITH p, province WHERE EXISTS {{ MATCH (p)-[:HOLDS]->(c:Certificate {{work_type: 'verification'}})
                                    WHERE c.level <= $max_level AND {valid_on("c", "$day")} }}
    RETURN province, count(p) AS n
    """
    return {r["province"]: r["n"] for r in _run(graph, cypher, day=day, max_level=max_level, **filters)}


def key_emitters(graph: Any, year: int, **filters: Any) -> dict[tuple, int]:
    cypher = """
    MATCH (o:Organization) WHERE $year IN coalesce(o.listed_years, [])
    OPTIONAL MATCH (o)-[:LOCATED_IN]->(r:Region)
    OPTIONAL MATCH (r)-[:PART_OF]->(up:Region)
    WITH o, r.code AS region, coalesce(up.code, r.code) AS province
    WHERE $region IS NULL OR region = $region OR province = $region
    OPTIONAL MATCH (o)-[:IN_INDUSTRY]->(i:Industry)
    WITH o, province, min(i.code) AS industry
    RETURN province, industry, count(o) AS n
    """
    return {(r["province"], r["industry"]): r["n"] for r in _run(graph, cypher, year=year, **filters)}


def coverage(graph: Any, as_of: date, max_level: int, **filters: Any) -> dict[str | None, dict[str, Any]]:
    year = as_of.year
    before = as_of.replace(year=as_of.year - 1)
    now, then = verifiers(graph, as_of, max_level, **filters), verifiers(graph, before, max_level, **filters)
    listed: dict[str | None, int] = defaultdict(int)
    previous: dict[str | None, int] = defaultdict(int)
    for (province, _), n in key_emitters(graph, year, **filters).items():
        listed[province] += n
    for (province, _), n in key_emitters(graph, year - 1, **filters).items():
        previous[province] += n
    provinces = set(now) | set(then) | set(listed) | set(previous)
    return {
        p: {
            "key_emitters": listed.get(p, 0),
            "verifiers": now.get(p, 0),
            "previous_key_emitters": previous.get(p, 0),
            "previous_verifiers": then.get(p, 0),
        }
        for p in provinces
    }


def expiring(graph: Any, as_of: date, within: int, **filters: Any) -> dict[tuple, dict[str, int]]:
    last = as_of + timedelta(days=within)
    after = last + timedelta(days=1)
    lapsing = f"c.expires_on >= $day AND c.expires_on <= $last AND {valid_on('c', '$day')} AND {CERT_FILTER}"
    cypher = f"""
    MATCH (p:Practitioner {{status: 'active'}})
    {PERSON_PLACE}
    MATCH (p)-[:HOLDS]->(c:Certificate) WHERE {lapsing}
    RETURN province, c.work_type AS work_type, count(c) AS certificates, count(DISTINCT p) AS holders
    """
    cells = {
        (r["province"], r["work_type"]): {"certificates": r["certificates"], "holders": r["holders"]}
        for r in _run(graph, cypher, day=as_of, last=last, **filters)
    }
    leavers = f"""
    MATCH (p:Practitioner {{status: 'active'}})
    {PERSON_PLACE}
    MATCH (pool:Pool)
    MATCH (p)-[:HOLDS]->(c:Certificate) WHERE {lapsing} AND c.level IN pool.levels
      AND NOT EXISTS {{ MATCH (p)-[:HOLDS]->(k:Certificate) WHERE k.level IN pool.levels AND {valid_on("k", "$after")} }}
    RETURN province, c.work_type AS work_type, pool.code AS pool, count(DISTINCT p) AS n
    """
    for r in _run(graph, leavers, day=as_of, last=last, after=after, **filters):
        cells[(r["province"], r["work_type"])][f"{r['pool']}_leavers"] = r["n"]
    for cell in cells.values():
        cell.setdefault("talent_leavers", 0)
        cell.setdefault("expert_leavers", 0)
    return cells


ENGAGEMENT_PLACE = """
MATCH (e:Engagement) WHERE e.status <> 'cancelled' AND e.start_on <= $day
  AND ($work_type IS NULL OR e.kind = $work_type)
OPTIONAL MATCH (e)-[:IN_REGION]->(er:Region)
OPTIONAL MATCH (er)-[:PART_OF]->(eup:Region)
WITH e, er.code AS region, coalesce(eup.code, er.code) AS province
WHERE $region IS NULL OR region = $region OR province = $region
"""


def engagements_by_province(graph: Any, as_of: date, **filters: Any) -> dict[str | None, dict[str, Any]]:
    cypher = f"""
    {ENGAGEMENT_PLACE}
    OPTIONAL MATCH (p:Practitioner)-[:WORKED_ON]->(e) WHERE p.status <> 'deleted'
    OPTIONAL MATCH (p)-[:BASED_IN]->(pr:Region)
    OPTIONAL MATCH (pr)-[:PART_OF]->(pup:Region)
    WITH province, e, count(p) AS team,
         sum(CASE WHEN coalesce(pup.code, pr.code) = province THEN 1 ELSE 0 END) AS same
    RETURN province, count(e) AS engagements, sum(team) AS places,
           sum(CASE WHEN e.kind = 'verification' THEN 1 ELSE 0 END) AS verification_engagements,
           sum(CASE WHEN e.kind = 'verification' THEN team ELSE 0 END) AS verification_assignments,
           sum(CASE WHEN e.kind = 'verification' THEN same ELSE 0 END) AS same_province_assignments
    """
    return {r.pop("province"): r for r in _run(graph, cypher, day=as_of, **filters)}


def engagements_by_year(graph: Any, as_of: date, **filters: Any) -> dict[tuple, int]:
    cypher = f"""
    {ENGAGEMENT_PLACE}
    RETURN province, e.start_on.year AS year, count(e) AS n
    """
    return {(r["province"], r["year"]): r["n"] for r in _run(graph, cypher, day=as_of, **filters)}


def engagements_per_expert(graph: Any, as_of: date, **filters: Any) -> list[int]:
    cypher = f"""
    {ENGAGEMENT_PLACE}
    MATCH (p:Practitioner)-[:WORKED_ON]->(e) WHERE p.status <> 'deleted'
    RETURN p.id AS id, count(DISTINCT e) AS n
    """
    return sorted((r["n"] for r in _run(graph, cypher, day=as_of, **filters)), reverse=True)
