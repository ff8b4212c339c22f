"""Assertions shared by the API suites."""

from __future__ import annotations

import itertools
import random
from datetime import date, timedelta
from typing import Any

from registry.identifiers import make_id_card

PROBLEM = "application/problem+json"
PII_KEYS = {"id_card", "id_card_hash", "id_card_tail", "phone", "email"}


def assert_problem(response: Any, status: int) -> dict:
    """The response is an RFC 9457 problem with this status; returns its body."""
    assert response.status_code == status, response.get_data(as_text=True)
    assert response.mimetype == PROBLEM
    body = response.get_json(force=True)
    assert body["status"] == status
    assert {"type", "title", "detail"} <= body.keys()
    return body


def graph_size(graph: Any) -> tuple[int, int]:
    """(nodes, relationships) in the whole graph: equal before and after means nothing was written."""
    records, _, _ = graph.driver.execute_query(
        "CALL { MATCH (n) RETURN count(n) AS nodes } CALL { MATCH ()-[r]->() RETURN count(r) AS rels } "
        "RETURN nodes, rels"
    )
    return records[0]["nodes"], records[0]["rels"]


def keys_in(value: Any) -> set[str]:
    """Every mapping key anywhere inside a JSON value."""
    if isinstance(value, dict):
        return set(value) | {k for v in value.values() for k in keys_in(v)}
    if isinstance(value, list):
        return {k for v in value for k in keys_in(v)}
    return set()


_sequence = itertools.count(1)
_start = random.randrange(0, 1_000_000)


def unique_id_card() -> str:
    """A valid ID card number (synthetic) not used before in this run."""
    n = _start + next(_sequence)  # consecutive: each n gives its own (birth date, sequence) pair
    birth = date(1950, 1, 1) + timedelta(days=(n // 1000) % 20000)
    return make_id_card("420106", birth, n % 1000)
