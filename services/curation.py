"""What administrators should look at next: certificates about to lapse, declared qualifications to confirm,
complaints to triage (the portal's 待办 page; confirming and deciding go through profiles and complaints)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from graph import curation as repo
from services import complaints
from services.context import Context

EXPIRING_DAYS = 90
QUEUE_LIMIT = 100


def queues(ctx: Context, within_days: int = EXPIRING_DAYS, limit: int = QUEUE_LIMIT) -> dict[str, Any]:
    """Each queue's first `limit` items and its total."""
    until = ctx.today + timedelta(days=within_days)
    expiring, expiring_total = ctx.graph.read(repo.expiring, ctx.today, until, limit)
    declared, declared_total = ctx.graph.read(repo.declared_qualifications, limit)
    open_complaints = []
    complaint_total = 0
    for status in ("received", "investigating"):
        found = complaints.list_complaints(ctx, {"status": status, "practitioner_id": None}, 1, limit)
        open_complaints += found.items
        complaint_total += found.total
    return {
        "expiring": {"items": expiring, "total": expiring_total, "within_days": within_days},
        "declared_qualifications": {"items": declared, "total": declared_total},
        "complaints": {"items": open_complaints, "total": complaint_total},
    }
