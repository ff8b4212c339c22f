"""What administrators should look at next: certificates about to lapse, declared qualifications to confirm,
complaints to triage (the portal's 待办 page; confirming and deciding go through profiles and complaints).

Each queue is paged (`page` of `limit` items, the same page of all three) and counted from indexes
(graph/curation.py), so the page reads the same few rows at any registry size."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import neo4j

from graph import curation as repo
from services.context import Context

EXPIRING_DAYS = 90
QUEUE_LIMIT = 50


def queues(
    ctx: Context, within_days: int = EXPIRING_DAYS, limit: int = QUEUE_LIMIT, page: int = 1
) -> dict[str, Any]:
    """Each queue's `page` (of `limit` items) and its total, read in one transaction."""
    until = ctx.today + timedelta(days=within_days)
    skip = (max(page, 1) - 1) * limit

    def work(tx: neo4j.ManagedTransaction) -> dict[str, Any]:
        expiring, expiring_total = repo.expiring(tx, ctx.today, until, limit, skip)
        declared, declared_total = repo.declared_qualifications(tx, limit, skip)
        complaints, complaint_total = repo.open_complaints(tx, limit, skip)
        return {
            "expiring": {"items": expiring, "total": expiring_total, "within_days": within_days},
            "declared_qualifications": {"items": declared, "total": declared_total},
            "complaints": {"items": complaints, "total": complaint_total},
            "page": max(page, 1),
            "pages": max(1, -(-max(expiring_total, declared_total, complaint_total) // limit)),
        }

    return ctx.graph.read(work)
