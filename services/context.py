"""What every use case needs: the graph, the settings, who is acting, and the day it is."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from graph.driver import Graph
from registry.audit import Actor
from services.settings import Settings


@dataclass(frozen=True)
class Context:
    graph: Graph
    settings: Settings
    actor: Actor = field(default_factory=Actor.cli)
    today: date = field(default_factory=date.today)


# A page of items and the total over all pages, as repositories and services hand lists back.
Page = tuple[list[dict[str, Any]], int]
