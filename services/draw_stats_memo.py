"""GET /draws/stats without reading every draw at each request: the raw counts of a period, kept per process
until a draw changes.

The draw counts (per month, seats and answers, seats per expert, exclusions) are kept under
`graph.draw_stats.draws_revision`, four count-store reads that change with every draw, seat, answer or exclusion
(each appends to the draw's event chain); the expert pool's size under the registry revision and its epoch
(graph/revision.py: pool memberships and a person's status are rederived and stamped in the write that changes
them) and the day. A request after a change reads what changed as before and keeps the new answer, so every
answer equals the direct computation (`graph.draw_stats.statistics`) in the same transaction.
"""

from __future__ import annotations

import threading
from collections import OrderedDict
from datetime import date
from typing import Any

import neo4j

from graph import draw_stats
from graph import revision as revision_repo

KEPT = 64  # periods kept per process (least recently used out first)

_lock = threading.Lock()
_counts: OrderedDict[tuple[Any, ...], dict[str, Any]] = OrderedDict()
_pool: dict[tuple[Any, ...], int] = {}


def _remember(key: tuple[Any, ...], value: dict[str, Any]) -> None:
    with _lock:
        _counts[key] = value
        _counts.move_to_end(key)
        while len(_counts) > KEPT:
            _counts.popitem(last=False)


def statistics(
    tx: neo4j.ManagedTransaction, period_from: date | None, period_to: date | None, today: date
) -> dict[str, Any]:
    """The raw counts `graph.draw_stats.statistics` reads, from what this process kept when nothing changed."""
    key = (period_from, period_to, draw_stats.draws_revision(tx))
    with _lock:
        counts = _counts.get(key)
        if counts is not None:
            _counts.move_to_end(key)
    if counts is None:
        counts = draw_stats.draw_counts(tx, period_from, period_to)
        _remember(key, counts)
    pool_key = (today, *revision_repo.current(tx))
    with _lock:
        members = _pool.get(pool_key)
    if members is None:
        members = draw_stats.pool_size(tx, today)
        with _lock:
            _pool.clear()  # only the latest revision is asked for again
            _pool[pool_key] = members
    return counts | {"pool_size": members}
