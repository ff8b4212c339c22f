"""Organizations: employers, clients, verification bodies, training bases, issuers."""

from __future__ import annotations

import uuid
from typing import Any

import neo4j

from graph.driver import Graph
from graph.links import replace_links, replace_links_statement
from graph.records import native
from graph.reference import WITHIN_REGION
from registry.errors import Conflict, NotFound

ORGANIZATION_VIEW = """
o {.id, .name, .kind, .uscc, .created_at, .updated_at,
   region: COLLECT { MATCH (o)-[:LOCATED_IN]->(r:Region) RETURN r {.code, .name_zh} }[0],
   industries: COLLECT { MATCH (o)-[:IN_INDUSTRY]->(i:Industry) RETURN i {.code, .name_zh} ORDER BY i.code },
   employees: COUNT { MATCH (:Practitioner {status: 'active'})-[e:EMPLOYED_BY]->(o) WHERE e.until IS NULL }
}
"""

# The single view also says who worked for the organization (its engagements' teams), most recent first.
GET_ORGANIZATION = f"""
MATCH (o:Organization {{id: $id}})
CALL (o) {{
  OPTIONAL MATCH (p:Practitioner)-[w:WORKED_ON]->(g:Engagement)-[:FOR_CLIENT]->(o) WHERE p.status <> 'deleted'
  WITH p, collect(DISTINCT w.role) AS roles, count(DISTINCT g) AS engagements,
       max(coalesce(g.end_on, g.start_on)) AS last_worked_on
  ORDER BY last_worked_on DESC, p.id LIMIT 100
  RETURN collect(CASE WHEN p IS NOT NULL THEN {{id: p.id, name: p.name, roles: roles, engagements: engagements,
                                                last_worked_on: last_worked_on}} END) AS worked_for_by
}}
WITH o, worked_for_by, {ORGANIZATION_VIEW} AS base
RETURN base {{.*, worked_for_by: worked_for_by}} AS organization
"""

FIND_BY_USCC = "MATCH (o:Organization {uscc: $uscc}) WHERE o.id <> $id RETURN o.id AS id"

CREATE_ORGANIZATION = """
CREATE (o:Organization {id: $id, created_at: datetime(), updated_at: datetime()})
SET o += $props
"""

UPDATE_ORGANIZATION = "MATCH (o:Organization {id: $id}) SET o += $props, o.updated_at = datetime()"

SET_LOCATION = replace_links_statement("Organization", "LOCATED_IN", "Region", "code")
SET_INDUSTRY = replace_links_statement("Organization", "IN_INDUSTRY", "Industry", "code")

# Filters are fixed fragments switched on by parameters; values are always parameters.
LIST_ORGANIZATIONS = f"""
MATCH (o:Organization)
WHERE ($kind IS NULL OR o.kind = $kind)
  AND ($q IS NULL OR o.name CONTAINS $q)
  AND ($region IS NULL OR EXISTS {{ MATCH (o)-[:LOCATED_IN]->(r:Region)
                                    WHERE {WITHIN_REGION} }})
  AND ($industry IS NULL OR EXISTS {{ MATCH (o)-[:IN_INDUSTRY]->(:Industry {{code: $industry}}) }})
WITH o ORDER BY o.name, o.id
WITH collect(o) AS matches
RETURN size(matches) AS total,
       [o IN matches[$skip..$skip + $limit] | {ORGANIZATION_VIEW}] AS items
"""

PROPERTY_FIELDS = ("name", "kind", "uscc")


def _check_unique_uscc(tx: neo4j.ManagedTransaction, organization_id: str, uscc: str | None) -> None:
    if uscc is None:
        return
    record = tx.run(FIND_BY_USCC, uscc=uscc, id=organization_id).single()
    if record:
        raise Conflict(
            f"An organization with this USCC is already registered: {record['id']}.", existing_id=record["id"]
        )


def _read_view(tx: neo4j.ManagedTransaction, organization_id: str) -> dict[str, Any] | None:
    record = tx.run(GET_ORGANIZATION, id=organization_id).single()
    return native(record["organization"]) if record else None


def _write_relationships(tx: neo4j.ManagedTransaction, organization_id: str, data: dict[str, Any]) -> None:
    if "region" in data:
        replace_links(tx, SET_LOCATION, organization_id, data["region"])
    if "industry" in data:
        replace_links(tx, SET_INDUSTRY, organization_id, data["industry"])


def create(graph: Graph, data: dict[str, Any]) -> dict[str, Any]:
    """Register an organization; 409 when its USCC is taken."""
    organization_id = str(uuid.uuid4())

    def work(tx: neo4j.ManagedTransaction) -> dict[str, Any]:
        _check_unique_uscc(tx, organization_id, data.get("uscc"))
        props = {k: data[k] for k in PROPERTY_FIELDS if data.get(k) is not None}
        tx.run(CREATE_ORGANIZATION, id=organization_id, props=props).consume()
        _write_relationships(tx, organization_id, data)
        return _read_view(tx, organization_id)

    return graph.write(work)


def get(graph: Graph, organization_id: str) -> dict[str, Any]:
    """One organization, or NotFound."""
    view = graph.read(_read_view, organization_id)
    if view is None:
        raise NotFound(f"No organization with id {organization_id}.")
    return view


def update(graph: Graph, organization_id: str, data: dict[str, Any]) -> dict[str, Any]:
    """Apply a partial update."""

    def work(tx: neo4j.ManagedTransaction) -> dict[str, Any]:
        if _read_view(tx, organization_id) is None:
            raise NotFound(f"No organization with id {organization_id}.")
        _check_unique_uscc(tx, organization_id, data.get("uscc"))
        props = {k: data[k] for k in PROPERTY_FIELDS if k in data}
        tx.run(UPDATE_ORGANIZATION, id=organization_id, props=props).consume()
        _write_relationships(tx, organization_id, data)
        return _read_view(tx, organization_id)

    return graph.write(work)


def search(
    graph: Graph, filters: dict[str, Any], page: int, per_page: int
) -> tuple[list[dict[str, Any]], int]:
    """A page of organizations matching the filters, by name."""
    params = {key: filters.get(key) for key in ("kind", "q", "region", "industry")}

    def work(tx: neo4j.ManagedTransaction) -> tuple[list[dict[str, Any]], int]:
        record = tx.run(LIST_ORGANIZATIONS, params, skip=(page - 1) * per_page, limit=per_page).single()
        return native(record["items"]), record["total"]

    return graph.read(work)
