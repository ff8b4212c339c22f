"""Record values at the boundary: Neo4j temporal types become Python dates and datetimes."""

from __future__ import annotations

from typing import Any, TypeVar

import neo4j.time

from registry.errors import NotFound

T = TypeVar("T")


def native(value: Any) -> Any:
    """`value` with every Neo4j Date/DateTime (also inside lists and maps) turned into its Python type."""
    if isinstance(value, neo4j.time.Date | neo4j.time.DateTime | neo4j.time.Time | neo4j.time.Duration):
        return value.to_native() if not isinstance(value, neo4j.time.Duration) else str(value)
    if isinstance(value, dict):
        return {key: native(item) for key, item in value.items()}
    if isinstance(value, list):
        return [native(item) for item in value]
    return value


def found(value: T | None, what: str, key: object) -> T:
    """`value`, or NotFound naming what was looked for ("practitioner", id) when the graph had none."""
    if value is None:
        raise NotFound(f"No {what} with {'number' if what == 'certificate' else 'id'} {key}.")
    return value
