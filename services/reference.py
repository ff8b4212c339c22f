"""Reference data: loading the taxonomy, listing it, and checking request codes against it.

Reference data changes only when an administrator reloads it, so the codes are cached per process for a
minute: that saves a round trip per request, and an unknown code still gets a precise 400.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Mapping
from typing import Any

from graph import reference
from graph.driver import Graph
from registry.errors import ValidationFailed

CACHE_SECONDS = 60.0
_lock = threading.Lock()
_cache: dict[str, Any] = {"at": -CACHE_SECONDS, "codes": {}}

KIND_LABELS = {
    "regions": "region",
    "industries": "industry",
    "specialties": "specialty",
    "qualifications": "qualification",
}
TAXONOMY_KINDS = tuple(reference.TAXONOMY_QUERIES)


def load(graph: Graph) -> Any:
    """MERGE the taxonomy into the graph (idempotent); the counters of what was created."""
    counters = graph.write(reference.load_reference_data)
    forget()
    return counters


def items(graph: Graph, kind: str) -> list[dict[str, Any]]:
    """All items of one taxonomy (work-types, levels, pools, regions, …) in a stable order."""
    return graph.read(reference.taxonomy_items, kind)


def codes(graph: Graph) -> dict[str, set[str]]:
    """Every reference code by kind (regions, industries, specialties, qualifications)."""
    with _lock:
        if time.monotonic() - _cache["at"] < CACHE_SECONDS:
            return _cache["codes"]
    fresh = graph.read(reference.known_codes)
    with _lock:
        _cache.update(at=time.monotonic(), codes=fresh)
    return fresh


def forget() -> None:
    """Drop the cache (after reference data changes)."""
    with _lock:
        _cache["at"] = -CACHE_SECONDS


def check_codes(graph: Graph, data: Mapping[str, Any], fields_to_kinds: Mapping[str, str]) -> None:
    """Raise ValidationFailed naming each field whose code(s) are not in the reference data."""
    known = codes(graph)
    errors: dict[str, list[str]] = {}
    for name, kind in fields_to_kinds.items():
        value = data.get(name)
        if value is None:
            continue
        values: Iterable[str] = value if isinstance(value, list | tuple | set) else [value]
        unknown = sorted({v for v in values if v not in known[kind]})
        if unknown:
            errors[name] = [f"Unknown {KIND_LABELS[kind]} code: {', '.join(unknown)}."]
    if errors:
        raise ValidationFailed(errors, detail="Some codes are not in the reference data; see `errors`.")
