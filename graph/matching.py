"""Matching: the graph side — hard filters, conflicts of interest, and the facts `registry.matching` scores."""

from __future__ import annotations

from datetime import date

import neo4j

from graph.cypher import cypher
from graph.records import native
from graph.reference import WITHIN_REGION
from registry.evaluations import summarize
from registry.matching import RELEVANT_QUALIFICATIONS, Candidate, MatchRequest

# Hard filters: an active practitioner with a valid certificate of the work type at min_level or higher.
# Conflicts of interest are not checked here: services/conflicts.py answers them from the organization's side.
# Only confirmed qualifications earn points: a claim the registry has not checked does not rank anyone.
CANDIDATES = cypher(
    """
MATCH (c:Certificate {work_type: $work_type})
WHERE c.level <= $min_level AND c.status = 'valid' AND (c.expires_on IS NULL OR c.expires_on >= $today)
MATCH (p:Practitioner {status: 'active'})-[:HOLDS]->(c)
WITH p, c ORDER BY c.level, c.expires_on DESC, c.number
WITH p, head(collect(c)) AS best
CALL (p) {
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
       best.expires_on AS certificate_expires_on,
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


def candidates(tx: neo4j.ManagedTransaction, request: MatchRequest, today: date) -> list[Candidate]:
    """Who passes the hard filters, as scoring facts (conflicts are services/conflicts.py's)."""
    params = {
        "work_type": request.work_type,
        "min_level": request.min_level,
        "industry": request.industry,
        "region": request.region,
        "relevant": sorted(RELEVANT_QUALIFICATIONS.get(request.work_type, ())),
        "today": today,
    }
    names = tx.run(NAMES, params).single()
    found: list[Candidate] = []
    for record in tx.run(CANDIDATES, params):
        row = native(record.data())
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
    return found
