"""A person's data under PIPL: a copy of everything stored about them (art. 45), and deletion on request with
consent withdrawn (arts. 15, 47), keeping the certification record that verification needs.
"""

from __future__ import annotations

from datetime import UTC, datetime
from typing import Any

import neo4j

from graph import activity_stats as activity_repo
from graph import personal_data as repo
from graph import practitioners as practitioner_repo
from graph import views
from graph import web_sessions as session_repo
from graph.records import found
from registry import visibility
from registry.errors import Conflict
from registry.self_service import deletion_plan, evidence_kept_until
from services import audit
from services.context import Context
from services.pools import rederive
from services.practitioners import audit_fields
from services.profiles import public_welfare_record, stored_visibility


def export(ctx: Context, practitioner_id: str) -> dict[str, Any]:
    """Everything stored about the person: their record as they see it, every link, keys, their history, and
    their public-welfare participations (each sign-up with its activity and whether it counts)."""

    def work(tx: neo4j.ManagedTransaction) -> dict[str, Any]:
        view = found(views.practitioner(tx, practitioner_id, ctx.today), "practitioner", practitioner_id)
        stored = found(repo.export(tx, practitioner_id), "practitioner", practitioner_id)
        welfare = public_welfare_record(tx, practitioner_id)
        return {
            "exported_at": datetime.now(UTC),
            "practitioner": view
            | {"visibility": visibility.effective(view.get("visibility")), "public_welfare": welfare},
            **stored,
            "participations": activity_repo.participations(tx, practitioner_id),
        }

    return ctx.graph.read(work)


def request_deletion(ctx: Context, practitioner_id: str) -> dict[str, Any]:
    """Withdraw consent and delete what is not a certification record; what went and what stays, with why."""
    plan = deletion_plan()

    def work(tx: neo4j.ManagedTransaction) -> dict[str, Any]:
        practitioner_repo.lock(tx, [practitioner_id])
        before = found(views.practitioner(tx, practitioner_id, ctx.today), "practitioner", practitioner_id)
        if before.get("deletion_requested_at"):
            raise Conflict("Deletion was already requested for this record.")
        props = {k: v for k, v in plan.properties.items() if k != "visibility"}
        props |= stored_visibility(plan.properties["visibility"])
        kept_until = evidence_kept_until(ctx.today)
        props |= {"evidence_kept_until": kept_until}  # employments, teams and site visits stay (order 775)
        removed = repo.anonymise(tx, practitioner_id, props, plan.removed_relationships)
        keys_revoked = repo.revoke_keys(tx, practitioner_id)
        session_repo.end_for_person(tx, practitioner_id)  # portal sessions end with their keys
        rederive(tx, [practitioner_id], ctx.today)  # out of the pools and search keys
        after = views.practitioner(tx, practitioner_id, ctx.today)
        summary = {
            "status": after["status"],
            "deletion_requested_at": after["deletion_requested_at"],
            "removed": removed,
            "anonymised": sorted(k for k, v in plan.properties.items() if v is None),
            "kept": [{"what": r.what, "why": r.why} for r in plan.kept],
            "keys_revoked": keys_revoked,
            "evidence_kept_until": kept_until,
        }
        audit.record(
            tx, ctx, "practitioner", practitioner_id, "deletion_request",
            before=audit_fields(before), after=audit_fields(after),
            details={"removed": removed, "keys_revoked": keys_revoked}, subjects=[practitioner_id],
        )  # fmt: skip
        return summary

    return ctx.graph.write(work)
