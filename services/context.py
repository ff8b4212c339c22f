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


@dataclass
class Page:
    """A page of a list: this page's items, the total over all pages, and extra members of the envelope
    (facets, say) — what services hand back and the API's `@paginated` and the portal show."""

    items: list[Any]
    total: int
    extra: dict[str, Any] = field(default_factory=dict)

    @classmethod
    def of(cls, found: tuple[list[Any], int]) -> Page:
        """A page from a repository's (items, total)."""
        items, total = found
        return cls(items, total)
