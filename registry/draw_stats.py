"""Draw statistics: how evenly draws spread across the pool, and how invitations are answered."""

from __future__ import annotations

import math
from collections.abc import Iterable

TOP_FRACTION = 0.1  # "the most-drawn 10% of experts"


def top_share(
    seats_per_expert: Iterable[int], pool_size: int, fraction: float = TOP_FRACTION
) -> float | None:
    """Share of all seats taken by the most-drawn `fraction` of the pool (at least one person); None if no seats.

    Experts never drawn count as zero, so a pool of 100 where 10 people took every seat gives 1.0, and seats spread
    evenly over everyone give `fraction`.
    """
    counts = sorted((c for c in seats_per_expert if c > 0), reverse=True)
    total = sum(counts)
    if total == 0:
        return None
    top = max(1, math.ceil(max(pool_size, len(counts)) * fraction))
    return round(sum(counts[:top]) / total, 4)


def gini(seats_per_expert: Iterable[int], pool_size: int) -> float | None:
    """Gini coefficient of seats over the pool (0: perfectly even, toward 1: a few take all); None if no seats."""
    counts = sorted(c for c in seats_per_expert if c > 0)
    n = max(pool_size, len(counts))
    total = sum(counts)
    if total == 0 or n == 0:
        return None
    values = [0] * (n - len(counts)) + counts
    weighted = sum((index + 1) * value for index, value in enumerate(values))
    return round((2 * weighted) / (n * total) - (n + 1) / n, 4)


def acceptance_rate(accepted: int, declined: int, no_response: int) -> float | None:
    """Accepted invitations over answered or lapsed ones; None before any answer."""
    answered = accepted + declined + no_response
    return round(accepted / answered, 4) if answered else None
