"""A draw's pool-wide exclusions as one sealed row set (issue 24): bounded storage for national draws.

Two avoidance rules follow the pool, not the draw: `certificate_status` (a suspended or revoked certificate) and
`sanction` (an active bar or expert suspension). They exclude the same people from every draw of the pool — ~16 %
of the matched in the synthetic registry, thousands in a national draw at a million — so instead of one
`excluded` event and one EXCLUDED row each, a draw keeps them as one compressed row set on its node
(`pool_exclusions`: zlib over the canonical JSON of the rows sorted by person, rule, detail, in columns). The
seal's `exclusions` part holds the set's commitment (`pool-v1`, its row count and the SHA-256 of the rows'
canonical JSON), so any edit of the stored set fails verification, and anyone can read the rows back from the
record alone. The rules of the organization, the date and the person (employment, engagement, declaration,
unavailable, draw_cap, manual, the indirect conflicts) keep one event each with their evidence.
"""

from __future__ import annotations

import hashlib
import json
import zlib
from collections.abc import Iterable, Mapping, Sequence
from typing import Any

from registry.draws import Exclusion

FORMAT = "pool-v1"
POOL_RULES: tuple[str, ...] = ("certificate_status", "sanction")


def is_pooled(exclusion: Exclusion) -> bool:
    """Whether an exclusion follows the pool (stored in the row set) rather than this draw (one event each)."""
    return exclusion.rule in POOL_RULES


def _rows(exclusions: Iterable[Exclusion]) -> list[tuple[str, str, str]]:
    return sorted({(e.practitioner_id, e.rule, e.detail) for e in exclusions})


def _canonical(rows: Sequence[Sequence[str]]) -> bytes:
    columns = {"format": FORMAT, "ids": [r[0] for r in rows], "rules": [r[1] for r in rows],
               "details": [r[2] for r in rows]}  # fmt: skip
    return json.dumps(columns, sort_keys=True, separators=(",", ":"), ensure_ascii=False).encode()


def encode(exclusions: Iterable[Exclusion]) -> bytes:
    """The pool-wide exclusions as the stored row set (compressed canonical JSON, rows sorted)."""
    return zlib.compress(_canonical(_rows(exclusions)), 9)


def decode(blob: bytes | bytearray | None) -> list[dict[str, Any]]:
    """The rows of a stored set (`practitioner_id`, `rule`, `detail`), sorted; [] for none or an unreadable set."""
    if not blob:
        return []
    try:
        columns = json.loads(zlib.decompress(bytes(blob)))
        triples = zip(columns["ids"], columns["rules"], columns["details"], strict=True)
        return [{"practitioner_id": pid, "rule": rule, "detail": detail} for pid, rule, detail in triples]
    except (zlib.error, ValueError, KeyError, TypeError):
        return []


def commitment(blob: bytes | bytearray | None) -> dict[str, Any]:
    """What the seal holds of a stored set: its format, row count and the SHA-256 of its rows' canonical JSON
    (any change of the stored set changes it; a set that no longer decompresses is "unreadable")."""
    try:
        raw = zlib.decompress(bytes(blob)) if blob else _canonical([])
    except zlib.error:
        return {"format": FORMAT, "count": 0, "digest": "unreadable"}
    return {"format": FORMAT, "count": len(decode(blob)), "digest": hashlib.sha256(raw).hexdigest()}


def properties(exclusions: Sequence[Exclusion]) -> dict[str, Any]:
    """The Draw node's properties for its pool-wide exclusions: the row set, and the count per rule (statistics)."""
    by_rule = counts({"rule": e.rule} for e in exclusions)
    return {
        "pool_exclusions": encode(exclusions),
        "pool_exclusion_count": len(exclusions),
        "pool_rules": list(by_rule),
        "pool_rule_counts": list(by_rule.values()),
    }


def counts(rows: Iterable[Mapping[str, Any]]) -> dict[str, int]:
    """Rows per pool rule."""
    found = dict.fromkeys(POOL_RULES, 0)
    for row in rows:
        found[row["rule"]] = found.get(row["rule"], 0) + 1
    return found


# The evidence paths of a draw's own exclusions at sealing (the indirect conflicts', ~400-700 bytes each, hundreds
# for a large group of companies) are kept once, as one compressed set on the draw (`exclusion_paths`): paths of
# one organization repeat its names and ids, so the set compresses ~7x where each path alone gives ~2x. Each
# `excluded` event is stored without its path and read back with it, so its chained hash and the sealed
# `exclusions` part cover the path as before: an edited set fails both.
PATHS_FORMAT = "paths-v1"


def encode_paths(paths: Mapping[int, str]) -> bytes:
    """The paths of a draw's `excluded` events by seq, as the stored set (compressed canonical JSON)."""
    seqs = sorted(paths)
    columns = {"format": PATHS_FORMAT, "seqs": seqs, "paths": [paths[seq] for seq in seqs]}
    return zlib.compress(json.dumps(columns, separators=(",", ":"), ensure_ascii=False).encode(), 9)


def decode_paths(blob: bytes | bytearray | None) -> dict[int, str]:
    """The paths of a stored set by seq; {} for none or an unreadable set (its events then fail their hashes)."""
    if not blob:
        return {}
    try:
        columns = json.loads(zlib.decompress(bytes(blob)))
        return {int(seq): str(path) for seq, path in zip(columns["seqs"], columns["paths"], strict=True)}
    except (zlib.error, ValueError, KeyError, TypeError):
        return {}
