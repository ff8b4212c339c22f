"""Engagements: a client's project (碳核查, 碳盘查, 碳足迹 …) and the practitioners who worked on it."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

import neo4j

from graph.driver import Graph
from graph.links import replace_links, replace_links_statement
from graph.pools import rederive
from graph.records import native
from graph.reference import WITHIN_REGION
from registry.errors import NotFound, ValidationFailed

ENGAGEMENT_VIEW = """
e {.id, .title, .kind, .status, .start_on, .end_on, .outcome, .created_at, .updated_at,
   client: COLLECT { MATCH (e)-[:FOR_CLIENT]->(o:Organization) RETURN o {.id, .name, .kind} }[0],
   industry: COLLECT { MATCH (e)-[:IN_INDUSTRY]->(i:Industry) RETURN i {.code, .name_zh} }[0],
   region: COLLECT { MATCH (e)-[:IN_REGION]->(r:Region) RETURN r {.code, .name_zh} }[0],
   team: COLLECT { MATCH (p:Practitioner)-[w:WORKED_ON]->(e)
                   RETURN {practitioner: p {.id, .name, .status}, role: w.role} ORDER BY w.role, p.name, p.id }
}
"""

GET_ENGAGEMENT = f"MATCH (e:Engagement {{id: $id}}) RETURN {ENGAGEMENT_VIEW} AS engagement"

CHECK_REFERENCES = """
CALL { OPTIONAL MATCH (o:Organization {id: $client_id}) RETURN o IS NOT NULL AS client_exists }
CALL { UNWIND $team_ids AS id
       OPTIONAL MATCH (p:Practitioner {id: id}) WHERE p.status <> 'deleted'
       WITH id, p WHERE p IS NULL
       RETURN collect(id) AS missing }
RETURN client_exists, missing
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

SET_TEAM = """
MATCH (e:Engagement {id: $id})
OPTIONAL MATCH ()-[old:WORKED_ON]->(e) DELETE old
WITH DISTINCT e
UNWIND $team AS member
MATCH (p:Practitioner {id: member.practitioner_id})
CREATE (p)-[:WORKED_ON {role: member.role}]->(e)
"""

LIST_ENGAGEMENTS = f"""
MATCH (e:Engagement)
WHERE ($kind IS NULL OR e.kind = $kind)
  AND ($status IS NULL OR e.status = $status)
  AND ($client_id IS NULL OR EXISTS {{ (e)-[:FOR_CLIENT]->(:Organization {{id: $client_id}}) }})
  AND ($practitioner_id IS NULL OR EXISTS {{ (:Practitioner {{id: $practitioner_id}})-[:WORKED_ON]->(e) }})
  AND ($industry IS NULL OR EXISTS {{ (e)-[:IN_INDUSTRY]->(:Industry {{code: $industry}}) }})
  AND ($region IS NULL OR EXISTS {{ MATCH (e)-[:IN_REGION]->(r:Region)
                                    WHERE {WITHIN_REGION} }})
WITH e ORDER BY e.start_on DESC, e.id
WITH collect(e) AS matches
RETURN size(matches) AS total, [e IN matches[$skip..$skip + $limit] | {ENGAGEMENT_VIEW}] AS items
"""

PROPERTY_FIELDS = ("title", "kind", "start_on", "end_on", "status", "outcome")
FILTERS = ("kind", "status", "client_id", "practitioner_id", "industry", "region")


def _team_ids(view: dict[str, Any]) -> list[str]:
    return [member["practitioner"]["id"] for member in view.get("team") or []]


def _read_view(tx: neo4j.ManagedTransaction, engagement_id: str) -> dict[str, Any] | None:
    record = tx.run(GET_ENGAGEMENT, id=engagement_id).single()
    return native(record["engagement"]) if record else None


def _check_references(tx: neo4j.ManagedTransaction, data: dict[str, Any]) -> None:
    team_ids = [member["practitioner_id"] for member in data.get("team") or []]
    record = tx.run(CHECK_REFERENCES, client_id=data.get("client_id"), team_ids=team_ids).single()
    errors: dict[str, list[str]] = {}
    if "client_id" in data and not record["client_exists"]:
        errors["client_id"] = [f"No organization with id {data['client_id']}."]
    if record["missing"]:
        errors["team"] = [f"No active practitioner with id {', '.join(record['missing'])}."]
    if errors:
        raise ValidationFailed(errors)


def _write(tx: neo4j.ManagedTransaction, engagement_id: str, data: dict[str, Any]) -> None:
    if "client_id" in data:
        replace_links(tx, SET_CLIENT, engagement_id, data["client_id"])
    if "industry" in data:
        replace_links(tx, SET_INDUSTRY, engagement_id, data["industry"])
    if "region" in data:
        replace_links(tx, SET_REGION, engagement_id, data["region"])
    if "team" in data:
        tx.run(SET_TEAM, id=engagement_id, team=data["team"]).consume()


def create(graph: Graph, data: dict[str, Any], today: date) -> dict[str, Any]:
    """Record an engagement with its client, industry, region and team."""
    engagement_id = str(uuid.uuid4())

    def work(tx: neo4j.ManagedTransaction) -> dict[str, Any]:
        _check_references(tx, data)
        props = {key: data[key] for key in PROPERTY_FIELDS if data.get(key) is not None}
        tx.run(CREATE_ENGAGEMENT, id=engagement_id, props=props).consume()
        _write(tx, engagement_id, data)
        view = _read_view(tx, engagement_id)
        rederive(tx, _team_ids(view), today)  # their industry experience now includes this one
        return _read_view(tx, engagement_id)

    return graph.write(work)


def get(graph: Graph, engagement_id: str) -> dict[str, Any]:
    """One engagement, or NotFound."""
    view = graph.read(_read_view, engagement_id)
    if view is None:
        raise NotFound(f"No engagement with id {engagement_id}.")
    return view


def update(graph: Graph, engagement_id: str, data: dict[str, Any], check: Any, today: date) -> dict[str, Any]:
    """Apply a partial update; `check(merged)` validates the result of merging it into the stored one."""

    def work(tx: neo4j.ManagedTransaction) -> dict[str, Any]:
        current = _read_view(tx, engagement_id)
        if current is None:
            raise NotFound(f"No engagement with id {engagement_id}.")
        check({**current, **data})
        _check_references(tx, data)
        props = {key: data[key] for key in PROPERTY_FIELDS if key in data}
        tx.run(UPDATE_ENGAGEMENT, id=engagement_id, props=props).consume()
        _write(tx, engagement_id, data)
        view = _read_view(tx, engagement_id)
        rederive(tx, _team_ids(current) + _team_ids(view), today)  # old and new members
        return view

    return graph.write(work)


def search(
    graph: Graph, filters: dict[str, Any], page: int, per_page: int
) -> tuple[list[dict[str, Any]], int]:
    """A page of engagements, newest first."""
    params = {key: filters.get(key) for key in FILTERS}

    def work(tx: neo4j.ManagedTransaction) -> tuple[list[dict[str, Any]], int]:
        record = tx.run(LIST_ENGAGEMENTS, params, skip=(page - 1) * per_page, limit=per_page).single()
        return native(record["items"]), record["total"]

    return graph.read(work)
