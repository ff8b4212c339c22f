"""Replacing a node's links of one type: the statement every "set this field to these codes" edit runs."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any, LiteralString

import neo4j

from graph.cypher import cypher


def replace_links_statement(
    label: LiteralString, relationship: LiteralString, target: LiteralString, key: LiteralString
) -> LiteralString:
    """Cypher that makes (n:label {id: $id})-[:relationship]-> point at exactly the targets whose key is in $values.

    Labels, types and keys are written in code, never taken from requests; the values are parameters.
    """
    return cypher(
        "MATCH (n:", label, "{id: $id})",
        "OPTIONAL MATCH (n)-[old:", relationship, "]->()",
        "DELETE old",
        "WITH DISTINCT n",
        "UNWIND $values AS value",
        "MATCH (t:", target, "{", key, ": value})",
        "MERGE (n)-[:", relationship, "]->(t)",
    )  # fmt: skip


def replace_links(tx: neo4j.ManagedTransaction, statement: LiteralString, node_id: str, values: Any) -> None:
    """Run a replace-links statement; `values` is one value, a list of values, or None (no links)."""
    if values is None:
        values = []
    elif isinstance(values, str) or not isinstance(values, Iterable):
        values = [values]
    tx.run(statement, id=node_id, values=list(values)).consume()
