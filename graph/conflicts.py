"""Conflicts of interest, read from the organization's side (issue 23; rules in registry/conflicts.py).

Everything is asked from the organization outwards: its group (CONTROLLED_BY within the depth), the people its
members employed, the engagements done for them and who did them, the colleagues of their employees. The cost
follows the size of the organization's neighbourhood, not the number of candidates, so a draw over a million
people asks the same few statements as a 200-person check; `$ids` narrows the people when the caller has a list.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date
from typing import Any, LiteralString

import neo4j

from graph.cypher import cypher
from graph.records import native


def _group_statement(reach: LiteralString) -> LiteralString:
    """Members of the organization's group within the steps `reach` matches, each by its shortest path of control
    relations that were in force at some time in [$since, $on]; the steps run from the member to the
    organization."""
    return cypher(
        "MATCH (o:Organization {id: $organization_id})",
        "OPTIONAL", reach,
        "WHERE m <> o AND all(r IN relationships(path)",
        "                     WHERE (r.since IS NULL OR r.since <= $on) AND (r.until IS NULL OR r.until >= $since))",
        "WITH o, m, path ORDER BY length(path), m.id",
        "WITH o, m, head(collect(path)) AS path",
        "RETURN o {.id, .name} AS organization,",
        "       collect(CASE WHEN m IS NOT NULL THEN {",
        "         id: m.id, name: m.name,",
        "         steps: [r IN reverse(relationships(path)) |",
        "                 {child: {id: startNode(r).id, name: startNode(r).name},",
        "                  parent: {id: endNode(r).id, name: endNode(r).name}, kind: r.kind,",
        "                  since: r.since, until: r.until}]} END) AS members",
    )  # fmt: skip


# A variable-length bound cannot be a parameter: one statement per allowed depth (registry/conflicts.py's bounds).
GROUP: Mapping[int, LiteralString] = {
    0: _group_statement("MATCH path = (o)-[:CONTROLLED_BY*0..0]-(m:Organization)"),
    1: _group_statement("MATCH path = (o)-[:CONTROLLED_BY*1..1]-(m:Organization)"),
    2: _group_statement("MATCH path = (o)-[:CONTROLLED_BY*1..2]-(m:Organization)"),
    3: _group_statement("MATCH path = (o)-[:CONTROLLED_BY*1..3]-(m:Organization)"),
    4: _group_statement("MATCH path = (o)-[:CONTROLLED_BY*1..4]-(m:Organization)"),
    5: _group_statement("MATCH path = (o)-[:CONTROLLED_BY*1..5]-(m:Organization)"),
}

# People employed by a member at some time in the window.
EMPLOYED = """
UNWIND $members AS member_id
MATCH (:Organization {id: member_id})<-[e:EMPLOYED_BY]-(p:Practitioner)
WHERE (e.since IS NULL OR e.since <= $on) AND (e.until IS NULL OR e.until >= $since)
  AND ($ids IS NULL OR p.id IN $ids)
RETURN p {.id, .name} AS person, member_id AS member, e.since AS since, e.until AS until
"""

# Engagements for a member that ran at some time in the window (not cancelled), with their team (narrowed to
# `$ids`) and provider.
ENGAGEMENTS = """
UNWIND $members AS member_id
MATCH (:Organization {id: member_id})<-[:FOR_CLIENT]-(g:Engagement)
WHERE g.status <> 'cancelled' AND (g.start_on IS NULL OR g.start_on <= $on)
  AND (g.end_on IS NULL OR g.end_on >= $since)
RETURN member_id AS member, g {.id, .title, .kind, .start_on, .end_on} AS engagement,
       COLLECT { MATCH (g)-[:PERFORMED_BY]->(v:Organization) RETURN v {.id, .name} }[0] AS provider,
       COLLECT { MATCH (p:Practitioner)-[w:WORKED_ON]->(g) WHERE $ids IS NULL OR p.id IN $ids
                 RETURN {id: p.id, name: p.name, roles: coalesce(w.roles, [w.role])} } AS team
"""

# The providers' staff: employed by the provider at some time from `$since` on (the caller matches each person's
# period against each engagement's).
STAFF = """
UNWIND $providers AS provider_id
MATCH (:Organization {id: provider_id})<-[e:EMPLOYED_BY]-(p:Practitioner)
WHERE (e.since IS NULL OR e.since <= $on) AND (e.until IS NULL OR e.until >= $since)
  AND ($ids IS NULL OR p.id IN $ids)
RETURN provider_id AS provider, p {.id, .name} AS person, e.since AS since, e.until AS until
"""

# The same, from the people's side: for a list of people, reading each one's employers is cheaper than reading
# every employee of a large provider.
STAFF_AMONG = """
UNWIND $ids AS person_id
MATCH (p:Practitioner {id: person_id})-[e:EMPLOYED_BY]->(v:Organization)
WHERE v.id IN $providers AND (e.since IS NULL OR e.since <= $on) AND (e.until IS NULL OR e.until >= $since)
RETURN v.id AS provider, p {.id, .name} AS person, e.since AS since, e.until AS until
"""

# Up to this many people, their employers are read from their side (STAFF_AMONG); beyond, the providers' staff is
# read from the providers' side and filtered by the ids (a national draw's tens of thousands of matched people cost
# more seeks than the providers have staff).
PEOPLE_SIDE_LIMIT = 5000

# Colleagues: people on a team, within the window, with someone a member employed within the window.
COLLEAGUES = """
UNWIND $members AS member_id
MATCH (:Organization {id: member_id})<-[e:EMPLOYED_BY]-(c:Practitioner)-[:WORKED_ON]->(g:Engagement)
WHERE (e.since IS NULL OR e.since <= $on) AND (e.until IS NULL OR e.until >= $since)
  AND g.status <> 'cancelled' AND (g.start_on IS NULL OR g.start_on <= $on)
  AND (g.end_on IS NULL OR g.end_on >= $since)
MATCH (p:Practitioner)-[:WORKED_ON]->(g)
WHERE p <> c AND ($ids IS NULL OR p.id IN $ids)
RETURN p {.id, .name} AS person, c {.id, .name} AS colleague, member_id AS member, e.since AS since,
       e.until AS until, g {.id, .title, .kind, .start_on, .end_on} AS engagement
"""


def group(
    tx: neo4j.ManagedTransaction, organization_id: str, depth: int, since: date, on: date
) -> dict[str, Any] | None:
    """The organization `{id, name}` and its group's members, each with the control steps up to it; None when
    the organization is unknown."""
    record = tx.run(GROUP[depth], organization_id=organization_id, since=since, on=on).single()
    if record is None or record["organization"] is None:
        return None
    return {"organization": native(record["organization"]), "members": native(record["members"])}


def evidence(
    tx: neo4j.ManagedTransaction,
    members: Collection[str],
    since: date,
    on: date,
    ids: Collection[str] | None,
    *,
    employment: bool,
    engagements: bool,
    colleagues: bool,
) -> dict[str, list[dict[str, Any]]]:
    """The facts the conflict kinds rest on, for the group's members: employments, engagements (with team and
    provider), the providers' staff, colleagues. Only what a kind asked for is read."""
    params = {"members": list(members), "since": since, "on": on, "ids": None if ids is None else list(ids)}
    found: dict[str, list[dict[str, Any]]] = {
        "employed": [],
        "engagements": [],
        "staff": [],
        "colleagues": [],
    }
    if employment:
        found["employed"] = [native(r.data()) for r in tx.run(EMPLOYED, params)]
    if engagements:
        found["engagements"] = [native(r.data()) for r in tx.run(ENGAGEMENTS, params)]
        providers = sorted({row["provider"]["id"] for row in found["engagements"] if row["provider"]})
        if providers:
            statement = STAFF_AMONG if ids is not None and len(ids) <= PEOPLE_SIDE_LIMIT else STAFF
            found["staff"] = [native(r.data()) for r in tx.run(statement, params, providers=providers)]
    if colleagues:
        found["colleagues"] = [native(r.data()) for r in tx.run(COLLEAGUES, params)]
    return found
