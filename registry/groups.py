"""Groups of companies: control relations between organizations, the rule against cycles of control, and how far
a group reaches (issue 23).

A relation `(child)-[:CONTROLLED_BY {kind, share, since, until}]->(parent)` says the parent controls the child:
a subsidiary's parent company, a controlling shareholder, or the head of a group the child belongs to
(公司法 art. 265 defines 控股股东 and 实际控制人; the kinds below follow it). Control has a direction, so a chain
that leads from a parent back to its own child is a contradiction and is refused.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable
from datetime import date

from registry.errors import ValidationFailed

RELATION_KINDS: tuple[str, ...] = ("subsidiary", "controlling_shareholder", "group_member")

# How many CONTROLLED_BY steps a group reaches, in either direction: three levels reach a plant's parent, the
# parent's parent and the group's other plants (issue 23 part 2); five is the most a read may ask for, which
# bounds the work one request can cause.
DEFAULT_GROUP_DEPTH = 3
MAX_GROUP_DEPTH = 5
MIN_GROUP_DEPTH = 1


def group_depth(requested: int | None) -> int:
    """The depth a group read uses: the default when none is asked for; outside 1–5 a 400."""
    if requested is None:
        return DEFAULT_GROUP_DEPTH
    if not MIN_GROUP_DEPTH <= requested <= MAX_GROUP_DEPTH:
        raise ValidationFailed(
            {"depth": [f"The depth must be between {MIN_GROUP_DEPTH} and {MAX_GROUP_DEPTH}."]}
        )
    return requested


def would_make_cycle(child: str, parent: str, edges: Iterable[tuple[str, str]]) -> bool:
    """Whether `child` controlled by `parent` closes a cycle of control, given the relations in force as
    (child, parent) pairs: the parent is the child itself, or is already controlled by it directly or through a
    chain."""
    if child == parent:
        return True
    parents: dict[str, set[str]] = defaultdict(set)
    for below, above in edges:
        parents[below].add(above)
    seen: set[str] = set()
    frontier = [parent]
    while frontier:
        current = frontier.pop()
        if current == child:
            return True
        if current in seen:
            continue
        seen.add(current)
        frontier.extend(parents[current])
    return False


def relation_problems(share: float | None, since: date | None, until: date | None) -> dict[str, list[str]]:
    """Field errors for a control relation's share (a percentage) and period; empty when it is consistent."""
    errors: dict[str, list[str]] = {}
    if share is not None and not 0 <= share <= 100:
        errors["share"] = ["The share is a percentage between 0 and 100."]
    if since is not None and until is not None and until < since:
        errors["until"] = ["The relation ends before it starts."]
    return errors
