"""A practitioner's neighbourhood as nodes and edges a front end can draw, bounded in size."""

from __future__ import annotations

from datetime import date
from typing import Any

import neo4j

from graph.cypher import cypher
from graph.pools import CURRENT_MEMBER
from graph.records import native
from graph.views import certificate_as_of
from registry import visibility

MAX_ENGAGEMENTS = 50
MAX_COLLEAGUES = 50
MAX_CERTIFICATES = 50

NEIGHBOURHOOD = cypher(
    """
MATCH (p:Practitioner {id: $id}) WHERE p.status <> 'deleted'
RETURN p {.id, .name, .status, .visibility} AS person,
  COLLECT { MATCH (p)-[:HOLDS]->(c:Certificate)
            RETURN c {.number, .work_type, .level, .status, .issued_on, .expires_on}
            ORDER BY c.issued_on DESC LIMIT $max_certificates } AS certificates,
  COLLECT { MATCH (p)-[m:MEMBER_OF]->(pool:Pool) WHERE""",
    CURRENT_MEMBER,
    """RETURN pool {.code, .name_zh, via: m.via, since: m.since} } AS pools,
  COLLECT { MATCH (p)-[e:EMPLOYED_BY]->(o:Organization) WHERE e.until IS NULL
            RETURN o {.id, .name, .kind, since: e.since} } AS employers,
  COLLECT { MATCH (p)-[w:WORKED_ON]->(g:Engagement)
            RETURN g {.id, .title, .kind, .status, .start_on, .end_on, role: w.role,
                      client: COLLECT { MATCH (g)-[:FOR_CLIENT]->(o:Organization) RETURN o {.id, .name, .kind} }[0],
                      industry: COLLECT { MATCH (g)-[:IN_INDUSTRY]->(i:Industry) RETURN i {.code, .name_zh} }[0]}
            ORDER BY g.start_on DESC, g.id LIMIT $max_engagements } AS engagements,
  COLLECT { MATCH (p)-[:WORKED_ON]->(g:Engagement)<-[:WORKED_ON]-(q:Practitioner)
            WHERE q <> p AND q.status <> 'deleted'
            WITH q, count(DISTINCT g) AS shared
            RETURN q {.id, .name, shared: shared} ORDER BY shared DESC, q.id LIMIT $max_colleagues } AS colleagues
""",
)


def neighbourhood(tx: neo4j.ManagedTransaction, practitioner_id: str, today: date) -> dict[str, Any] | None:
    """{nodes, edges} around one practitioner: certificates, pools, employer, engagements, clients, colleagues;
    None when there is no such (undeleted) practitioner."""
    record = tx.run(
        NEIGHBOURHOOD, id=practitioner_id, today=today, max_certificates=MAX_CERTIFICATES,
        max_engagements=MAX_ENGAGEMENTS, max_colleagues=MAX_COLLEAGUES,
    ).single()  # fmt: skip
    return _drawable(native(record.data()), today) if record else None


def _drawable(data: dict[str, Any], today: date) -> dict[str, Any]:
    nodes: dict[str, dict[str, Any]] = {}
    edges: list[dict[str, Any]] = []

    def node(key: str, label: str, caption: str, **properties: Any) -> str:
        nodes.setdefault(key, {"id": key, "label": label, "caption": caption, "properties": properties})
        return key

    def edge(source: str, target: str, kind: str, **properties: Any) -> None:
        edges.append({"source": source, "target": target, "type": kind, "properties": properties})

    person = data["person"]
    me = node(f"Practitioner:{person['id']}", "Practitioner", person["name"], id=person["id"])
    for cert in data["certificates"]:
        cert = certificate_as_of(cert, today)
        key = node(f"Certificate:{cert['number']}", "Certificate", cert["number"], **cert)
        edge(me, key, "HOLDS")
    for pool in data["pools"]:
        key = node(f"Pool:{pool['code']}", "Pool", pool["name_zh"], code=pool["code"])
        edge(me, key, "MEMBER_OF", via=pool["via"], since=pool["since"])
    for org in data["employers"]:
        key = node(f"Organization:{org['id']}", "Organization", org["name"], id=org["id"], kind=org["kind"])
        edge(me, key, "EMPLOYED_BY", since=org["since"])
    for engagement in data["engagements"]:
        client, industry = engagement.pop("client"), engagement.pop("industry")
        role = engagement.pop("role")
        key = node(f"Engagement:{engagement['id']}", "Engagement", engagement["title"], **engagement)
        edge(me, key, "WORKED_ON", role=role)
        if client:
            org = node(
                f"Organization:{client['id']}",
                "Organization",
                client["name"],
                id=client["id"],
                kind=client["kind"],
            )
            edge(key, org, "FOR_CLIENT")
        if industry:
            ind = node(f"Industry:{industry['code']}", "Industry", industry["name_zh"], code=industry["code"])
            edge(key, ind, "IN_INDUSTRY")
    for colleague in data["colleagues"]:
        key = node(f"Practitioner:{colleague['id']}", "Practitioner", colleague["name"], id=colleague["id"])
        edge(me, key, "WORKED_WITH", shared_engagements=colleague["shared"])
    return {
        "nodes": list(nodes.values()),
        "edges": edges,
        "limits": {
            "certificates": MAX_CERTIFICATES,
            "engagements": MAX_ENGAGEMENTS,
            "colleagues": MAX_COLLEAGUES,
        },
        # For the presenter (interface/presenters.py), which drops what the person hides from the caller.
        "person_id": person["id"],
        "visibility": visibility.decode(person.get("visibility")),
    }
