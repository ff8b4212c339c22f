"""Loading a synthetic registry's public-welfare activities (seed/activities.py) after its people: the
organizers (provincial ecology departments and the ministry), the activities with their status history, then
each batch's sign-ups. One audit entry for the whole load, about no one in particular: the data is invented."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import neo4j

from graph import activity_bulk, bulk
from seed.activities import plan
from seed.synthetic import SyntheticRegistry
from services import audit
from services.context import Context


def _activity_row(activity: dict[str, Any], changes: list[dict[str, Any]]) -> dict[str, Any]:
    props = {k: v for k, v in activity.items() if k != "organizer_id" and v is not None}
    return {
        "id": activity["id"],
        "organizer_id": activity["organizer_id"],
        "props": props,
        "changes": changes,
    }


def load_activities(
    ctx: Context,
    registry: SyntheticRegistry,
    *,
    batch_size: int = 5000,
    progress: Callable[[int], None] | None = None,
) -> dict[str, int]:
    """Write the registry's activities and its people's participation (the people must be stored already);
    counts of what was created."""
    activities = plan(registry)
    counts = {"activity_organizers": ctx.graph.write(bulk.upsert_organizations, activities.organizers)}
    changes: dict[str, list[dict[str, Any]]] = {}
    for change in activities.changes:
        changes.setdefault(change["activity_id"], []).append(change)
    rows = [_activity_row(a, changes.get(a["id"], [])) for a in activities.activities]
    counts["activities"] = 0
    for start in range(0, len(rows), batch_size):
        counts["activities"] += ctx.graph.write(
            activity_bulk.create_activities, rows[start : start + batch_size]
        )
    counts["participations"] = 0
    for batch in registry.batches(batch_size):
        counts["participations"] += ctx.graph.write(
            activity_bulk.create_joins, activities.participation(batch)
        )
        if progress:
            progress(len(batch.practitioners))

    def record(tx: neo4j.ManagedTransaction) -> None:
        audit.record(tx, ctx, "synthetic", None, "load_activities", details=counts)

    if counts["activities"] or counts["participations"]:
        ctx.graph.write(record)
    return counts
