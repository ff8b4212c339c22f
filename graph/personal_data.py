"""A person's data (PIPL): everything stored about one practitioner, and the deletion request's changes.

The export reads the graph generically around the person (every relationship, either direction, with the node at
its other end) so data that other features add later is exported too; a few kinds get a second hop where the
person's data sits one step further (a certificate's history, an evaluation's engagement, an exam's result).
"""

from __future__ import annotations

from typing import Any

import neo4j

from graph.records import native

# Stored secrets and derived search keys are not the person's data: a keyed hash is useless to them and would
# only help someone guess an ID card; search keys repeat the certificates and pools.
NOT_EXPORTED = frozenset(
    {"id_card_hash", "hash", "cert_keys", "pool_keys", "region_key", "industry_keys", "hidden_public",
     "hidden_clients", "search_revision"}
)  # fmt: skip

PERSON = "MATCH (p:Practitioner {id: $id}) RETURN properties(p) AS person"

# Every link of the person except the audit trail (read separately, in order) and the API keys (listed by
# prefix only). `extra` is the second hop for the kinds that need one.
LINKS = """
MATCH (p:Practitioner {id: $id})-[r]-(n)
WHERE NOT n:AuditEntry
RETURN type(r) AS type, startNode(r) = p AS outgoing, labels(n) AS labels,
       properties(r) AS link, properties(n) AS node,
       CASE
         WHEN n:Certificate THEN COLLECT { MATCH (n)-[:HAS_EVENT]->(e) RETURN properties(e) ORDER BY e.seq, e.at }
         WHEN n:Declaration THEN COLLECT { MATCH (n)-[:CONCERNS]->(o:Organization) RETURN o {.id, .name} }
         WHEN n:Evaluation THEN COLLECT { MATCH (n)-[:FOR_ENGAGEMENT|BY]->(x) RETURN x {.id, .title, .name} }
         WHEN n:Engagement THEN COLLECT { MATCH (n)-[:FOR_CLIENT]->(o:Organization) RETURN o {.id, .name} }
         WHEN n:Application THEN COLLECT { MATCH (x:ExamResult)-[:OF]->(n) RETURN properties(x) }
         WHEN n:Draw THEN COLLECT { MATCH (n)-[:FOR]->(o:Organization) RETURN o {.id, .name} }
         ELSE []
       END AS extra
ORDER BY type, elementId(n)
"""

HISTORY = """
MATCH (a:AuditEntry)-[:ABOUT]->(:Practitioner {id: $id})
RETURN a {.seq, .at, .entity, .entity_id, .action, .actor_kind, .actor_role, .actor_label, .changes} AS entry
ORDER BY a.seq
"""


def _clean(properties: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in sorted(native(properties).items()) if key not in NOT_EXPORTED}


def export(tx: neo4j.ManagedTransaction, practitioner_id: str) -> dict[str, Any] | None:
    """Everything stored about the person: their node, each link with the node at its other end, their history."""
    record = tx.run(PERSON, id=practitioner_id).single()
    if record is None:
        return None
    links: dict[str, list[dict[str, Any]]] = {}
    for row in tx.run(LINKS, id=practitioner_id):
        item = {
            "labels": row["labels"],
            "direction": "out" if row["outgoing"] else "in",
            **({"link": _clean(row["link"])} if row["link"] else {}),
            "node": _clean(row["node"]),
        }
        if row["extra"]:
            item["related"] = [_clean(x) if isinstance(x, dict) else x for x in row["extra"]]
        links.setdefault(row["type"], []).append(item)
    history = [native(r["entry"]) for r in tx.run(HISTORY, id=practitioner_id)]
    return {"person": _clean(record["person"]), "links": links, "history": history}
