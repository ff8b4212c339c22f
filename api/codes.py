"""Validates taxonomy codes in requests against the graph's reference data, cached per process.

Reference data changes only when an administrator reloads it, so a one-minute cache saves a round trip
per request; an unknown code still gets a precise 400.
"""

from __future__ import annotations

import threading
import time
from collections.abc import Iterable, Mapping
from typing import Any

from api import get_graph
from graph.reference import known_codes
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


def codes() -> dict[str, set[str]]:
    """Every reference code by kind (regions, industries, specialties, qualifications)."""
    with _lock:
        if time.monotonic() - _cache["at"] < CACHE_SECONDS:
            return _cache["codes"]
    fresh = known_codes(get_graph())
    with _lock:
        _cache.update(at=time.monotonic(), codes=fresh)
    return fresh


def forget() -> None:
    """Drop the cache (after reference data changes)."""
    with _lock:
        _cache["at"] = -CACHE_SECONDS


def check(data: Mapping[str, Any], fields_to_kinds: Mapping[str, str]) -> None:
    """Raise ValidationFailed naming each field whose code(s) are not in the reference data."""
    known = codes()
    errors: dict[str, list[str]] = {}
    for field, kind in fields_to_kinds.items():
        value = data.get(field)
        if value is None:
            continue
        values: Iterable[str] = value if isinstance(value, list | tuple | set) else [value]
        unknown = sorted({v for v in values if v not in known[kind]})
        if unknown:
            errors[field] = [f"Unknown {KIND_LABELS[kind]} code: {', '.join(unknown)}."]
    if errors:
        raise ValidationFailed(errors, detail="Some codes are not in the reference data; see `errors`.")
