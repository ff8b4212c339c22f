"""Organizations: employers, clients, verification bodies, training bases, issuers."""

from __future__ import annotations

from typing import Any

import neo4j

from graph.cypher import cypher
from graph.links import replace_links, replace_links_statement
from graph.records import native
from graph.reference import WITHIN_REGION
from registry.errors import Conflict

ORGANIZATION_VIEW = """
o {.id, .name, .kind, .uscc, .created_at, .updated_at,
   key_emitter: coalesce(o.key_emitter, false), listed_years: coalesce(o.listed_years, []),
   region: COLLECT { MATCH (o)-[:LOCATED_IN]->(r:Region) RETURN r {.code, .name_zh} }[0],
   industries: COLLECT { MATCH (o)-[:IN_INDUSTRY]->(i:Industry) RETURN i {.code, .name_zh} ORDER BY i.code },
   employees: COUNT { MATCH (:Practitioner {status: 'active'})-[e:EMPLOYED_BY]->(o) WHERE e.until IS NULL }
}
"""

# The single view also says who worked for the organization (its engagements' teams), most recent first.
GET_ORGANIZATION = cypher(
    """
MATCH (o:Organization {id: $id})
CALL (o) {
  OPTIONAL MATCH (p:Practitioner)-[w:WORKED_ON]->(g:Engagement)-[:FOR_CLIENT]->(o) WHERE p.status <> 'deleted'
  // every role held, each once (issue 23: a member may hold several; older ones have only `role`)
  WITH p, reduce(held = [], rs IN collect(coalesce(w.roles, [w.role])) | held + [r IN rs WHERE NOT r IN held])
          AS roles, count(DISTINCT g) AS engagements,
       max(coalesce(g.end_on, g.start_on)) AS last_worked_on
  ORDER BY last_worked_on DESC, p.id LIMIT 100
  RETURN collect(CASE WHEN p IS NOT NULL THEN {id: p.id, name: p.name, roles: roles, engagements: engagements,
                                              last_worked_on: last_worked_on} END) AS worked_for_by
}
WITH o, worked_for_by,""",
    ORGANIZATION_VIEW,
    """AS base
RETURN base {.*, worked_for_by: worked_for_by} AS organization
""",
)

EXISTS_ORGANIZATION = "RETURN EXISTS { (:Organization {id: $id}) } AS exists"

FIND_BY_USCC = "MATCH (o:Organization {uscc: $uscc}) WHERE o.id <> $id RETURN o.id AS id"

CREATE_ORGANIZATION = """
CREATE (o:Organization {id: $id, created_at: datetime(), updated_at: datetime()})
SET o += $props
"""

UPDATE_ORGANIZATION = "MATCH (o:Organization {id: $id}) SET o += $props, o.updated_at = datetime()"

CURRENT_EMPLOYEES = """
MATCH (p:Practitioner)-[e:EMPLOYED_BY]->(:Organization {id: $id}) WHERE e.until IS NULL
RETURN collect(p.id) AS ids
"""

SET_LOCATION = replace_links_statement("Organization", "LOCATED_IN", "Region", "code")
SET_INDUSTRY = replace_links_statement("Organization", "IN_INDUSTRY", "Industry", "code")

# Filters are fixed fragments switched on by parameters; values are always parameters.
LIST_ORGANIZATIONS = cypher(
    """
MATCH (o:Organization)
WHERE ($kind IS NULL OR o.kind = $kind)
  AND ($q IS NULL OR o.name CONTAINS $q)
  AND ($region IS NULL OR EXISTS { MATCH (o)-[:LOCATED_IN]->(r:Region) WHERE""",
    WITHIN_REGION,
    """})
  AND ($industry IS NULL OR EXISTS { MATCH (o)-[:IN_INDUSTRY]->(:Industry {code: $industry}) })
WITH o ORDER BY o.name, o.id
WITH collect(o) AS matches
RETURN size(matches) AS total,
       [o IN matches[$skip..$skip + $limit] |""",
    ORGANIZATION_VIEW,
    """] AS items
""",
)

PROPERTY_FIELDS = ("name", "kind", "uscc", "key_emitter", "listed_years")


def check_unique_uscc(tx: neo4j.ManagedTransaction, organization_id: str, uscc: str | None) -> None:
    """409 naming the other organization when this USCC is registered to it."""
    if uscc is None:
        return
    record = tx.run(FIND_BY_USCC, uscc=uscc, id=organization_id).single()
    if record:
        raise Conflict(
            f"An organization with this USCC is already registered: {record['id']}.", existing_id=record["id"]
        )


def exists(tx: neo4j.ManagedTransaction, organization_id: str) -> bool:
    """Whether an organization with this id is stored (one index lookup)."""
    return tx.run(EXISTS_ORGANIZATION, id=organization_id).single()["exists"]


def view(tx: neo4j.ManagedTransaction, organization_id: str) -> dict[str, Any] | None:
    """One organization with region, industries, employees and who worked for it; None when unknown."""
    record = tx.run(GET_ORGANIZATION, id=organization_id).single()
    return native(record["organization"]) if record else None


def _write_links(tx: neo4j.ManagedTransaction, organization_id: str, data: dict[str, Any]) -> None:
    if "region" in data:
        replace_links(tx, SET_LOCATION, organization_id, data["region"])
    if "industry" in data:
        replace_links(tx, SET_INDUSTRY, organization_id, data["industry"])


def save(
    tx: neo4j.ManagedTransaction, organization_id: str, data: dict[str, Any], *, new: bool = False
) -> None:
    """Create the organization (`new`) or apply a partial update: the properties given, and each link whose field is."""
    props = {k: data[k] for k in PROPERTY_FIELDS if (data.get(k) is not None if new else k in data)}
    tx.run(CREATE_ORGANIZATION if new else UPDATE_ORGANIZATION, id=organization_id, props=props).consume()
    _write_links(tx, organization_id, data)


def current_employees(tx: neo4j.ManagedTransaction, organization_id: str) -> list[str]:
    """The ids of the people who work for the organization now."""
    return tx.run(CURRENT_EMPLOYEES, id=organization_id).single()["ids"]


def search(
    tx: neo4j.ManagedTransaction, filters: dict[str, Any], page: int, per_page: int
) -> tuple[list[dict[str, Any]], int]:
    """A page of organizations matching the filters, by name, and the total."""
    params = {key: filters.get(key) for key in ("kind", "q", "region", "industry")}
    record = tx.run(LIST_ORGANIZATIONS, params, skip=(page - 1) * per_page, limit=per_page).single()
    return native(record["items"]), record["total"]
