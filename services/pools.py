"""Re-deriving a practitioner's pools and search keys (rules: `registry.pools`; Cypher: graph/pools.py).

Every write that changes what the pools or the search keys read — a certificate, a practitioner, an engagement
team, an evaluation, a sanction — calls `rederive` inside its own transaction, so pools and search keys can never
disagree with the facts they come from, and every process's search index sees the change (graph/revision.py).
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

import neo4j

from graph import pools as repo
from graph.practitioners import lock
from graph.revision import stamp
from registry.evaluations import search_keys as evaluation_search_keys
from registry.pools import certificate_keys, exclusions, memberships, pool_keys


def rederive(tx: neo4j.ManagedTransaction, practitioner_ids: Iterable[str], today: date) -> None:
    """Re-derive the pools and search keys of these practitioners, in the caller's transaction, and stamp
    the registry revision (graph/revision.py) so in-memory search indexes see the change."""
    ids = list(dict.fromkeys(practitioner_ids))
    if not ids:
        return
    # Read the certificates only after holding the people's locks: a derivation never works from a state
    # that a concurrent lifecycle change is about to replace.
    lock(tx, ids)
    rows = [_derived(holder, today) for holder in repo.holder_facts(tx, ids)]
    repo.write_derived(tx, rows, today)
    stamp(tx, ids)  # the search indexes of every process reload these people before their next answer


def _derived(holder: dict[str, Any], today: date) -> dict[str, Any]:
    """One person's memberships, exclusions and search keys as graph/pools.py `write_derived` stores them."""
    certificates, sanctions = holder["certificates"], holder["sanctions"]
    # Only active practitioners are in a pool; a suspended or deleted person's certificates keep their status.
    current = memberships(certificates, today, sanctions) if holder["status"] == "active" else {}
    return {
        "id": holder["id"],
        "memberships": [
            {"pool": m.pool, "via": m.via, "valid_until": m.valid_until} for m in current.values()
        ],
        "exclusions": [
            {"pool": pool, "why": "sanction: " + ", ".join(x.sanction_ids), "returns_on": x.returns_on}
            for pool, x in exclusions(sanctions, today).items()
        ],
        "cert_keys": certificate_keys(certificates, today),
        "pool_keys": pool_keys(current),
    } | evaluation_search_keys(holder["evaluations"])
