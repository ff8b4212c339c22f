"""Cypher for an activity's suggestions: the activity's needs and organizer, and who the index cannot rule out.

The search index (services/search_index) holds who fits by certificate, region, specialty and industry; what
concerns one activity — who signed up or was invited, who declared themselves unavailable on its days — is
read here, in the transaction the suggestions are answered in (docs/activities.md).
"""

from __future__ import annotations

from datetime import date
from typing import Any

import neo4j

from graph.cypher import cypher
from graph.records import native
from graph.reference import WITHIN_REGION

ACTIVITY = """
MATCH (a:Activity {id: $id})
RETURN a {.id, .title, .kind, .status, .region, .starts_on, .ends_on, .needs_work_type, .needs_min_level,
          .needs_specialty, .needs_industry} AS activity,
       COLLECT { MATCH (a)-[:ORGANIZED_BY]->(o:Organization) RETURN o.id }[0] AS organizer_id
"""

# Everyone the activity already reached: a sign-up in any status, an invitation in any status.
TAKEN = """
MATCH (a:Activity {id: $id})
RETURN COLLECT { MATCH (p:Practitioner)-[:JOINED]->(a) RETURN p.id }
     + COLLECT { MATCH (a)-[:INVITED]->(p:Practitioner) RETURN p.id } AS ids
"""

# Declared unavailability (graph/availability.py) overlapping the activity's days, both ends inclusive.
UNAVAILABLE = """
MATCH (p:Practitioner)-[:UNAVAILABLE]->(x:Availability)
WHERE x.`from` <= $ends_on AND x.`to` >= $starts_on
RETURN collect(DISTINCT p.id) AS ids
"""

# The reference answer without the search index (SEARCH_INDEX=off, and what the tests hold the index to): every
# active person who may be contacted, holds a qualifying certificate valid today and is based in the region,
# with the facts registry/activity_fit.py filters and scores on. The best certificate is the one the reason names.
FITS = cypher(
    """
MATCH (c:Certificate)
WHERE c.status = 'valid' AND (c.expires_on IS NULL OR c.expires_on >= $today) AND c.level <= $min_level
  AND ($work_type IS NULL OR c.work_type = $work_type)
MATCH (p:Practitioner {status: 'active'})-[:HOLDS]->(c)
WHERE coalesce(p.contact_for_activities, true)
  AND ($region IS NULL OR EXISTS { MATCH (p)-[:BASED_IN]->(r:Region) WHERE""",
    WITHIN_REGION,
    """})
WITH p, c ORDER BY c.level, c.expires_on DESC, c.work_type, c.number
WITH p, head(collect(c)) AS best
RETURN p.id AS id, best {.number, .level, .work_type, .expires_on} AS best,
       COLLECT { MATCH (p)-[:HAS_SPECIALTY]->(s:Specialty) RETURN s.code } AS specialties,
       COLLECT { MATCH (p)-[:EXPERIENCED_IN]->(i:Industry) RETURN i.code } AS declared,
       COUNT { MATCH (p)-[:WORKED_ON]->(g:Engagement {status: 'completed'}) WITH DISTINCT g
               WHERE EXISTS { (g)-[:IN_INDUSTRY]->(:Industry {code: $industry}) } RETURN g } AS industry_engagements,
       COUNT { MATCH (p)-[:WORKED_ON]->(g:Engagement {status: 'completed'}) WITH DISTINCT g
               WHERE EXISTS { MATCH (g)-[:IN_REGION]->(r:Region) WHERE""",
    WITHIN_REGION,
    """} RETURN g } AS region_engagements,
       coalesce(p.hidden_public, []) AS hidden_public, coalesce(p.hidden_clients, []) AS hidden_clients
ORDER BY id
""",
)

NAMES = """
OPTIONAL MATCH (r:Region {code: $region})
OPTIONAL MATCH (s:Specialty {code: $specialty})
OPTIONAL MATCH (i:Industry {code: $industry})
RETURN r.name_zh AS region, s.name_zh AS specialty, i.name_zh AS industry
"""


# ACTIVITY, TAKEN, UNAVAILABLE and NAMES in one round trip, for the index's answer (the reference keeps them apart).
SETTING = """
MATCH (a:Activity {id: $id})
RETURN a {.id, .title, .kind, .status, .region, .starts_on, .ends_on, .needs_work_type, .needs_min_level,
          .needs_specialty, .needs_industry} AS activity,
       COLLECT { MATCH (a)-[:ORGANIZED_BY]->(o:Organization) RETURN o.id }[0] AS organizer_id,
       COLLECT { MATCH (p:Practitioner)-[:JOINED]->(a) RETURN p.id }
     + COLLECT { MATCH (a)-[:INVITED]->(p:Practitioner) RETURN p.id }
     + COLLECT { MATCH (p:Practitioner)-[:UNAVAILABLE]->(x:Availability)
                 WHERE x.`from` <= a.ends_on AND x.`to` >= a.starts_on RETURN DISTINCT p.id } AS left_out,
       {region: COLLECT { MATCH (r:Region {code: a.region}) RETURN r.name_zh }[0],
        specialty: COLLECT { MATCH (s:Specialty {code: a.needs_specialty}) RETURN s.name_zh }[0],
        industry: COLLECT { MATCH (i:Industry {code: a.needs_industry}) RETURN i.name_zh }[0]} AS names
"""


def setting(
    tx: neo4j.ManagedTransaction, activity_id: str
) -> tuple[dict[str, Any] | None, set[str], dict[str, str | None]]:
    """The activity (as `activity` answers it, None when there is none), who it leaves out (`taken` and
    `unavailable` on its days) and its names (as `names` answers them), read at once."""
    record = tx.run(SETTING, id=activity_id).single()
    if record is None:
        return None, set(), {}
    found = {**native(record["activity"]), "organizer_id": record["organizer_id"]}
    return found, set(record["left_out"]), record["names"]


def activity(tx: neo4j.ManagedTransaction, activity_id: str) -> dict[str, Any] | None:
    """The activity's status, place, days and needs with its organizer's id, or None when there is none."""
    record = tx.run(ACTIVITY, id=activity_id).single()
    if record is None:
        return None
    return {**native(record["activity"]), "organizer_id": record["organizer_id"]}


def taken(tx: neo4j.ManagedTransaction, activity_id: str) -> set[str]:
    """The ids of the people who signed up for the activity or were invited to it."""
    return set(tx.run(TAKEN, id=activity_id).single(strict=True)["ids"])


def unavailable(tx: neo4j.ManagedTransaction, starts_on: date, ends_on: date) -> set[str]:
    """The ids of the people who declared a period of unavailability overlapping these days."""
    return set(tx.run(UNAVAILABLE, starts_on=starts_on, ends_on=ends_on).single(strict=True)["ids"])


def fits(tx: neo4j.ManagedTransaction, needs: Any, today: date) -> list[dict[str, Any]]:
    """Everyone FITS finds for these needs (registry.activity_fit.Needs), as plain rows in id order."""
    params = {
        "today": today,
        "min_level": needs.level_at_least,
        "work_type": needs.work_type,
        "region": needs.region,
        "industry": needs.industry,
    }
    return [native(record.data()) for record in tx.run(FITS, params)]


def names(tx: neo4j.ManagedTransaction, needs: Any) -> dict[str, str | None]:
    """The Chinese names of the activity's region, needed specialty and needed industry (None where none)."""
    params = {"region": needs.region, "specialty": needs.specialty, "industry": needs.industry}
    return tx.run(NAMES, params).single(strict=True).data()
