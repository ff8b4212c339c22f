"""Engagements: a client's project (碳核查, 碳盘查, 碳足迹 …) and the practitioners who worked on it."""

from __future__ import annotations

from typing import Any

import neo4j

from graph.cypher import cypher
from graph.links import replace_links, replace_links_statement
from graph.records import native
from graph.reference import WITHIN_REGION
from registry.errors import NotFound, ValidationFailed

ENGAGEMENT_VIEW = """
e {.id, .title, .kind, .status, .start_on, .end_on, .outcome, .created_at, .updated_at,
   client: COLLECT { MATCH (e)-[:FOR_CLIENT]->(o:Organization) RETURN o {.id, .name, .kind} }[0],
   provider: COLLECT { MATCH (e)-[:PERFORMED_BY]->(o:Organization) RETURN o {.id, .name, .kind} }[0],
   provider_known: EXISTS { (e)-[:PERFORMED_BY]->(:Organization) },
   industry: COLLECT { MATCH (e)-[:IN_INDUSTRY]->(i:Industry) RETURN i {.code, .name_zh} }[0],
   region: COLLECT { MATCH (e)-[:IN_REGION]->(r:Region) RETURN r {.code, .name_zh} }[0],
   team: COLLECT { MATCH (p:Practitioner)-[w:WORKED_ON]->(e)
                   RETURN {practitioner: p {.id, .name, .status}, role: w.role, roles: coalesce(w.roles, [w.role])}
                   ORDER BY w.role, p.name, p.id },
   site_visits: COLLECT { MATCH (p:Practitioner)-[:VISITED]->(v:SiteVisit)-[:OF_ENGAGEMENT]->(e),
                                (v)-[:IN_REGION]->(r:Region)
                          RETURN {practitioner: p {.id, .name, .status}, date: v.date, region: r {.code, .name_zh}}
                          ORDER BY v.date, p.id, r.code }
}
"""

GET_ENGAGEMENT = cypher("MATCH (e:Engagement {id: $id}) RETURN", ENGAGEMENT_VIEW, "AS engagement")

CHECK_REFERENCES = """
CALL { OPTIONAL MATCH (o:Organization {id: $client_id}) RETURN o IS NOT NULL AS client_exists }
CALL { OPTIONAL MATCH (o:Organization {id: $provider_id}) RETURN o IS NOT NULL AS provider_exists }
CALL { UNWIND $team_ids AS id
       OPTIONAL MATCH (p:Practitioner {id: id}) WHERE p.status <> 'deleted'
       WITH id, p WHERE p IS NULL
       RETURN collect(id) AS missing }
RETURN client_exists, provider_exists, missing
"""

CREATE_ENGAGEMENT = """
CREATE (e:Engagement {id: $id, created_at: datetime(), updated_at: datetime()})
SET e += $props
"""

UPDATE_ENGAGEMENT = "MATCH (e:Engagement {id: $id}) SET e += $props, e.updated_at = datetime()"

# Each relationship is replaced only when its field is in the request.
SET_CLIENT = replace_links_statement("Engagement", "FOR_CLIENT", "Organization", "id")
SET_INDUSTRY = replace_links_statement("Engagement", "IN_INDUSTRY", "Industry", "code")
SET_REGION = replace_links_statement("Engagement", "IN_REGION", "Region", "code")
SET_PROVIDER = replace_links_statement("Engagement", "PERFORMED_BY", "Organization", "id")

SET_TEAM = """
MATCH (e:Engagement {id: $id})
OPTIONAL MATCH ()-[old:WORKED_ON]->(e) DELETE old
WITH DISTINCT e
UNWIND $team AS member
MATCH (p:Practitioner {id: member.practitioner_id})
CREATE (p)-[:WORKED_ON {role: member.role, roles: member.roles}]->(e)
"""

# A site visit is a node of its own, so later rules can ask who was where on which day for which engagement.
SET_SITE_VISITS = """
MATCH (e:Engagement {id: $id})
OPTIONAL MATCH (old:SiteVisit)-[:OF_ENGAGEMENT]->(e) DETACH DELETE old
WITH DISTINCT e
UNWIND $visits AS visit
MATCH (p:Practitioner {id: visit.practitioner_id}), (r:Region {code: visit.region})
CREATE (p)-[:VISITED]->(v:SiteVisit {id: randomUUID(), date: visit.date})-[:OF_ENGAGEMENT]->(e),
       (v)-[:IN_REGION]->(r)
"""

LIST_ENGAGEMENTS = cypher(
    """
MATCH (e:Engagement)
WHERE ($kind IS NULL OR e.kind = $kind)
  AND ($status IS NULL OR e.status = $status)
  AND ($client_id IS NULL OR EXISTS { (e)-[:FOR_CLIENT]->(:Organization {id: $client_id}) })
  AND ($provider_id IS NULL OR EXISTS { (e)-[:PERFORMED_BY]->(:Organization {id: $provider_id}) })
  AND ($practitioner_id IS NULL OR EXISTS { (:Practitioner {id: $practitioner_id})-[:WORKED_ON]->(e) })
  AND ($industry IS NULL OR EXISTS { (e)-[:IN_INDUSTRY]->(:Industry {code: $industry}) })
  AND ($region IS NULL OR EXISTS { MATCH (e)-[:IN_REGION]->(r:Region) WHERE""",
    WITHIN_REGION,
    """})
WITH e ORDER BY e.start_on DESC, e.id
WITH collect(e) AS matches
RETURN size(matches) AS total, [e IN matches[$skip..$skip + $limit] |""",
    ENGAGEMENT_VIEW,
    """] AS items
""",
)

PROPERTY_FIELDS = ("title", "kind", "start_on", "end_on", "status", "outcome")
FILTERS = ("kind", "status", "client_id", "provider_id", "practitioner_id", "industry", "region")


def team_ids(view: dict[str, Any] | None) -> list[str]:
    """The ids of an engagement view's team."""
    return [member["practitioner"]["id"] for member in (view or {}).get("team") or []]


def view(tx: neo4j.ManagedTransaction, engagement_id: str) -> dict[str, Any] | None:
    """One engagement with client, industry, region and team; None when unknown."""
    record = tx.run(GET_ENGAGEMENT, id=engagement_id).single()
    return native(record["engagement"]) if record else None


def check_references(tx: neo4j.ManagedTransaction, data: dict[str, Any]) -> None:
    """400 naming the client or team members that do not exist (or are deleted); 404 for an unknown provider."""
    team = [member["practitioner_id"] for member in data.get("team") or []]
    record = tx.run(
        CHECK_REFERENCES, client_id=data.get("client_id"), provider_id=data.get("provider_id"), team_ids=team
    ).single()
    if data.get("provider_id") is not None and not record["provider_exists"]:
        raise NotFound(f"No organization with id {data['provider_id']} (provider_id).")
    errors: dict[str, list[str]] = {}
    if "client_id" in data and not record["client_exists"]:
        errors["client_id"] = [f"No organization with id {data['client_id']}."]
    if record["missing"]:
        errors["team"] = [f"No active practitioner with id {', '.join(record['missing'])}."]
    if errors:
        raise ValidationFailed(errors)


def _write_links(tx: neo4j.ManagedTransaction, engagement_id: str, data: dict[str, Any]) -> None:
    if "client_id" in data:
        replace_links(tx, SET_CLIENT, engagement_id, data["client_id"])
    if "industry" in data:
        replace_links(tx, SET_INDUSTRY, engagement_id, data["industry"])
    if "region" in data:
        replace_links(tx, SET_REGION, engagement_id, data["region"])
    if "provider_id" in data:
        replace_links(tx, SET_PROVIDER, engagement_id, data["provider_id"])
    if "team" in data:
        tx.run(SET_TEAM, id=engagement_id, team=data["team"]).consume()
    if "site_visits" in data:
        tx.run(SET_SITE_VISITS, id=engagement_id, visits=data["site_visits"] or []).consume()


def save(
    tx: neo4j.ManagedTransaction, engagement_id: str, data: dict[str, Any], *, new: bool = False
) -> None:
    """Create the engagement (`new`) or apply a partial update: the properties given, and each link whose field is."""
    props = {k: data[k] for k in PROPERTY_FIELDS if (data.get(k) is not None if new else k in data)}
    tx.run(CREATE_ENGAGEMENT if new else UPDATE_ENGAGEMENT, id=engagement_id, props=props).consume()
    _write_links(tx, engagement_id, data)


def search(
    tx: neo4j.ManagedTransaction, filters: dict[str, Any], page: int, per_page: int
) -> tuple[list[dict[str, Any]], int]:
    """A page of engagements, newest first, and the total."""
    params = {key: filters.get(key) for key in FILTERS}
    record = tx.run(LIST_ENGAGEMENTS, params, skip=(page - 1) * per_page, limit=per_page).single()
    return native(record["items"]), record["total"]
