"""One engagement's risk in one answer (issue 23): its team's conflicts with the client as evidence paths, the
rotation warning beside each verifier, and the anomaly queue's findings about it."""

from __future__ import annotations

from typing import Any

import neo4j

from graph import engagements as engagement_repo
from graph.records import found
from registry.rotation import VERIFICATION_KIND
from services import conflicts, independence, integrity
from services.context import Context


def risk(ctx: Context, engagement_id: str, role: str) -> dict[str, Any]:
    """The engagement with its team's conflicts (paths as `role` may see them), rotation warnings (verifications
    only) and findings; NotFound for an unknown engagement. Conflicts and warnings are as of its start day."""

    def work(tx: neo4j.ManagedTransaction) -> dict[str, Any]:
        view = found(engagement_repo.view(tx, engagement_id), "engagement", engagement_id)
        team = engagement_repo.team_ids(view)
        client = view.get("client")
        on = view.get("start_on") or ctx.today
        found_conflicts: dict[str, list[dict[str, Any]]] = {}
        warnings: dict[str, dict[str, Any]] = {}
        if client and team:
            paths = conflicts.find(
                tx,
                client["id"],
                on,
                conflicts.rules_of(ctx),
                view.get("kind"),
                team,
                except_engagement=engagement_id,
            )
            found_conflicts = conflicts.as_seen(tx, paths, role)
            if view.get("kind") == VERIFICATION_KIND:
                warnings = independence.warnings(tx, client["id"], team, on, role)
        return {
            "engagement": {key: view.get(key) for key in ("id", "title", "kind", "status", "start_on", "end_on",
                                                          "client", "provider")},
            "on": on,
            "conflicts": [
                {"practitioner_id": person, "conflicts": items} for person, items in sorted(found_conflicts.items())
            ],
            "rotation": [{"practitioner_id": person, **warning} for person, warning in sorted(warnings.items())],
            "findings": integrity.engagement_flags(tx, engagement_id),
        }  # fmt: skip

    return ctx.graph.read(work)
