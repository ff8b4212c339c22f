"""The request's view of the process: its graph, its settings, and the service Context of this call."""

from __future__ import annotations

from datetime import date

from flask import current_app, g, has_request_context

from graph.driver import Graph
from registry.audit import Actor
from services.context import Context
from services.settings import Settings


def get_graph() -> Graph:
    """The process's Graph."""
    return current_app.extensions["graph"]


def get_settings() -> Settings:
    """The app's Settings."""
    return current_app.config["SETTINGS"]


def ctx() -> Context:
    """The service Context of this request (or of a CLI command: the actor is then `cli`)."""
    actor = Actor.cli()
    if has_request_context():
        principal = g.get("principal")
        actor = Actor(
            kind="key" if principal and principal.prefix else "public",
            role=principal.role if principal else None,
            prefix=principal.prefix if principal else None,
            label=principal.label if principal else None,
            request_id=g.get("request_id"),
        )
    return Context(graph=get_graph(), settings=get_settings(), actor=actor, today=date.today())
