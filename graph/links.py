"""Replacing a node's links of one type: the statement every "set this field to these codes" edit runs."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

import neo4j


def replace_links_statement(label: str, relationship: str, target: str, key: str) -> str:
    """Cypher that makes (n:label {id: $id})-[:relationship]-> point at exactly the targets whose key is in $values.

    Labels, types and keys come from code, never from requests; the values are parameters.
    """
    return (
        "MATCH (n:" + label + " {id: $id})\n"
        "OPTIONAL MATCH (n)-[old:" + relationship + "]->()\n"
        "DELETE old\n"
        "WITH DISTINCT n\n"
        "UNWIND $values AS value\n"
        "MATCH (t:" + target + " {" + key + ": value})\n"
        "MERGE (n)-[:" + relationship + "]->(t)\n"
    )


def replace_links(tx: neo4j.ManagedTransaction, statement: str, node_id: str, values: Any) -> None:
    """Run a replace-links statement; `values` is one value, a list of values, or None (no links)."""
    if values is None:
        values = []
    elif isinstance(values, str) or not isinstance(values, Iterable):
        values = [values]
    tx.run(statement, id=node_id, values=list(values)).consume()
