"""Answering an invitation through a signed link (services/notification_links.py), without logging in."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from graph import invitations as invitation_repo
from graph import notifications as repo
from registry.audit import Actor
from services import invitations
from services.context import Context
from services.notification_links import read


def answer(ctx: Context, signed: str, response: str, reason: str | None = None) -> dict[str, Any]:
    """Answer the invitation a link names, as its person (409 when already answered, as on /me)."""
    invitation = read(ctx, signed)
    acting = replace(ctx, actor=Actor(kind="link", role="practitioner", label="signed link"))
    return invitations.answer(acting, invitation.practitioner_id, invitation.draw_id, response, reason)


def invitation(ctx: Context, signed: str) -> tuple[dict[str, Any] | None, bool]:
    """What the decline page shows: the invitation (None when gone) and whether its project is kept concealed."""
    found = read(ctx, signed)
    seat = ctx.graph.read(invitation_repo.find, found.practitioner_id, found.draw_id)
    return seat, ctx.graph.read(repo.draw_conceals, found.draw_id)
