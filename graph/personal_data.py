"""A person's data (PIPL): everything stored about one practitioner, and the deletion request's changes.

The export reads the graph generically around the person (every relationship, either direction, with the node at
its other end) so data that other features add later is exported too; a few kinds get a second hop where the
person's data sits one step further (a certificate's history, an evaluation's engagement, an exam's result).
"""

from __future__ import annotations

import json
from collections.abc import Mapping
from typing import Any, LiteralString

import neo4j

from graph.cypher import cypher
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


KEYS = """
MATCH (k:ApiKey {practitioner_id: $id})
RETURN k {.prefix, .role, .label, .revoked, .created_at, .revoked_at} AS key ORDER BY k.created_at
"""

ANONYMISE = """
MATCH (p:Practitioner {id: $id})
SET p += $props, p.deletion_requested_at = datetime(), p.deleted_at = coalesce(p.deleted_at, datetime()),
    p.updated_at = datetime()
"""

REVOKE_KEYS = """
MATCH (k:ApiKey {practitioner_id: $id}) WHERE NOT k.revoked
SET k.revoked = true, k.revoked_at = datetime()
RETURN count(k) AS revoked
"""

# The link types a deletion may remove, as the statement spells them: the deletion plan
# (registry/self_service.py) names them, and a name missing here is refused (KeyError), never written into Cypher.
LINK_TYPES: Mapping[str, LiteralString] = {
    "HAS_SPECIALTY": "HAS_SPECIALTY",
    "EXPERIENCED_IN": "EXPERIENCED_IN",
    "HAS_QUALIFICATION": "HAS_QUALIFICATION",
    "BASED_IN": "BASED_IN",
    "EMPLOYED_BY": "EMPLOYED_BY",
    "DECLARED": "DECLARED",
    "UNAVAILABLE": "UNAVAILABLE",
}


def removal_statement(relationship_types: tuple[str, ...]) -> LiteralString:
    """Cypher removing the person's outgoing links of these types (from LINK_TYPES, never from a request), and
    the nodes only they own; answers the count per type."""
    return cypher(
        "MATCH (:Practitioner {id: $id})-[r:",
        "|".join(LINK_TYPES[kind] for kind in relationship_types),
        "]->(n)",
        # Nodes that exist only as the person's own statement go with the link to them.
        "WITH type(r) AS kind, r, n, (n:Declaration OR n:Availability) AS owned",
        "DELETE r",
        "WITH kind, n, owned",
        "CALL (n, owned) { WITH n, owned WHERE owned DETACH DELETE n }",
        "RETURN kind, count(*) AS removed",
    )


def anonymise(
    tx: neo4j.ManagedTransaction,
    practitioner_id: str,
    props: dict[str, Any],
    relationship_types: tuple[str, ...],
) -> dict[str, int]:
    """Set the anonymised properties, mark the deletion request, remove the links; the count per link type."""
    tx.run(ANONYMISE, id=practitioner_id, props=props).consume()
    removed = {kind: 0 for kind in relationship_types}
    for record in tx.run(removal_statement(relationship_types), id=practitioner_id):
        removed[record["kind"]] = record["removed"]
    return removed


def revoke_keys(tx: neo4j.ManagedTransaction, practitioner_id: str) -> int:
    """Revoke every active key bound to the person; the number revoked."""
    return tx.run(REVOKE_KEYS, id=practitioner_id).single()["revoked"]


def _clean(properties: dict[str, Any]) -> dict[str, Any]:
    return {key: value for key, value in sorted(native(properties).items()) if key not in NOT_EXPORTED}


def _entry(entry: dict[str, Any]) -> dict[str, Any]:
    return {**entry, "changes": json.loads(entry.get("changes") or "{}")}


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
    history = [_entry(native(r["entry"])) for r in tx.run(HISTORY, id=practitioner_id)]
    keys = [native(r["key"]) for r in tx.run(KEYS, id=practitioner_id)]
    return {"person": _clean(record["person"]), "links": links, "keys": keys, "history": history}
