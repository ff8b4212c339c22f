"""Matching: the graph side — hard filters, conflicts of interest, and the facts `registry.matching` scores."""

from __future__ import annotations

from datetime import date
from typing import Any

import neo4j

from graph.cypher import cypher
from graph.declarations import DECLARED_CONFLICTS, declaration_lookback
from graph.records import native
from graph.reference import WITHIN_REGION
from registry.evaluations import summarize
from registry.matching import RELEVANT_QUALIFICATIONS, Candidate, MatchRequest

# Hard filters: an active practitioner with a valid certificate of the work type at min_level or higher.
# The conflict check: employed by the organization now or within the window, or on a (not cancelled)
# engagement for it that ended within the window or has not ended, or a declared relationship with it
# (graph/declarations.py; a relative's tie while it lasts, the others within the same window).
# Only confirmed qualifications earn points: a claim the registry has not checked does not rank anyone.
CANDIDATES = cypher(
    """
MATCH (c:Certificate {work_type: $work_type})
WHERE c.level <= $min_level AND c.status = 'valid' AND (c.expires_on IS NULL OR c.expires_on >= $today)
MATCH (p:Practitioner {status: 'active'})-[:HOLDS]->(c)
WITH p, c ORDER BY c.level, c.expires_on DESC, c.number
WITH p, head(collect(c)) AS best
CALL (p) {
  OPTIONAL MATCH (p)-[e:EMPLOYED_BY]->(o:Organization {id: $conflict_org_id})
  WHERE e.until IS NULL OR e.until >= $window_start
  RETURN collect(CASE WHEN o IS NULL THEN null ELSE
           {kind: 'employment', organization: o.name, since: e.since, until: e.until} END) AS employment
}
CALL (p) {
  OPTIONAL MATCH (p)-[w:WORKED_ON]->(g:Engagement)-[:FOR_CLIENT]->(o:Organization {id: $conflict_org_id})
  WHERE g.status <> 'cancelled' AND (g.end_on IS NULL OR g.end_on >= $window_start)
  RETURN collect(CASE WHEN g IS NULL THEN null ELSE
           {kind: 'engagement', organization: o.name, title: g.title, role: w.role,
            start_on: g.start_on, end_on: g.end_on} END) AS engagements
}
CALL (p) {
  RETURN""",
    DECLARED_CONFLICTS,
    """AS declarations
}
WITH p, best, employment + engagements + declarations AS conflicts
CALL (p, conflicts) {
  WITH p, conflicts WHERE size(conflicts) = 0
  OPTIONAL MATCH (p)-[:WORKED_ON]->(g:Engagement {kind: $work_type, status: 'completed'})
  OPTIONAL MATCH (g)-[:IN_INDUSTRY]->(i:Industry)
  OPTIONAL MATCH (g)-[:IN_REGION]->(r:Region)
  WITH g, i, r,
       $region IS NOT NULL AND""",
    WITHIN_REGION,
    """AS in_region
  RETURN count(DISTINCT CASE WHEN i.code = $industry THEN g END) AS industry_engagements,
         min(CASE WHEN i.code = $industry THEN g.start_on END) AS industry_engagements_since,
         count(DISTINCT CASE WHEN in_region THEN g END) AS region_engagements,
         max(coalesce(g.end_on, g.start_on)) AS last_engagement_on
}
RETURN p.id AS id, best.level AS best_level, best.number AS certificate_number,
       best.expires_on AS certificate_expires_on, conflicts,
       industry_engagements, industry_engagements_since, region_engagements, last_engagement_on,
       $region IS NOT NULL AND EXISTS { MATCH (p)-[:BASED_IN]->(r:Region) WHERE""",
    WITHIN_REGION,
    """}
         AS based_in_region,
       EXISTS { (p)-[:EXPERIENCED_IN]->(:Industry {code: $industry}) } AS declared_industry,
       COLLECT { MATCH (p)-[:HAS_SPECIALTY]->(s:Specialty {category: $work_type}) RETURN s.name_zh ORDER BY s.code }
         AS specialties,
       COLLECT { MATCH (p)-[h:HAS_QUALIFICATION]->(q:Qualification)
                 WHERE q.code IN $relevant AND coalesce(h.status, 'confirmed') = 'confirmed'
                 RETURN q.name_zh ORDER BY q.code } AS qualifications,
       COLLECT { MATCH (ev:Evaluation {work_type: $work_type})-[:OF]->(p) WHERE ev.effective RETURN ev.score }
         AS evaluation_scores,
       p.name AS name
""",
)

NAMES = """
OPTIONAL MATCH (i:Industry {code: $industry})
OPTIONAL MATCH (r:Region {code: $region})
RETURN i.name_zh AS industry_name, r.name_zh AS region_name
"""


def window_start(today: date, years: int) -> date:
    """The first day of a look-back window of `years` ending today."""
    try:
        return today.replace(year=today.year - years)
    except ValueError:  # 29 February
        return today.replace(year=today.year - years, day=28)


def candidates(
    tx: neo4j.ManagedTransaction, request: MatchRequest, today: date, conflict_window_years: int
) -> tuple[list[Candidate], list[dict[str, Any]]]:
    """Who passes the hard filters, as scoring facts; and who the conflict check removed, with why."""
    params = {
        "work_type": request.work_type,
        "min_level": request.min_level,
        "industry": request.industry,
        "region": request.region,
        "conflict_org_id": request.conflict_org_id,
        "window_start": window_start(today, conflict_window_years),
        "relevant": sorted(RELEVANT_QUALIFICATIONS.get(request.work_type, ())),
        "today": today,
        "lookback": declaration_lookback(conflict_window_years),
    }
    names = tx.run(NAMES, params).single()
    found: list[Candidate] = []
    excluded: list[dict[str, Any]] = []
    for record in tx.run(CANDIDATES, params):
        row = native(record.data())
        if row["conflicts"]:
            excluded.append({"id": row["id"], "name": row["name"], "conflicts": row["conflicts"]})
            continue
        found.append(
            Candidate(
                id=row["id"],
                best_level=row["best_level"],
                certificate_number=row["certificate_number"],
                certificate_expires_on=row["certificate_expires_on"],
                industry_engagements=row["industry_engagements"],
                industry_engagements_since=row["industry_engagements_since"],
                region_engagements=row["region_engagements"],
                based_in_region=row["based_in_region"],
                declared_industry=row["declared_industry"],
                last_engagement_on=row["last_engagement_on"],
                specialties=tuple(row["specialties"]),
                qualifications=tuple(row["qualifications"]),
                industry_name=names["industry_name"],
                region_name=names["region_name"],
                evaluations=summarize(row["evaluation_scores"]),
            )
        )
    excluded.sort(key=lambda entry: entry["id"])
    return found, excluded
