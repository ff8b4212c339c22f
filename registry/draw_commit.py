"""A draw's candidate set as a commitment that stays small (issue 24): the record keeps a Merkle root over the
sorted candidate ids and the part of the sealed order a draw can reach, each entry with its proof.

Draws sealed before this kept every candidate line (`registry/draw_record.py`, ~3.7 MB for 50 000 candidates);
those stay readable and verify as before. A draw sealed with this format ("merkle-v2"):

1. The candidate ids after avoidance, sorted, are cut into chunks of `CHUNK`; each chunk's hash is SHA-256 of its
   lines (`id\\n` each); a binary Merkle tree over the chunk hashes (a last odd node moves up unchanged) gives the
   root; `candidate_hash = SHA-256("merkle-v2|count|chunk|root")`.
2. `seed = SHA-256(secret ‖ draw id ‖ candidate_hash)`, as before.
3. The sealed order draws positions in the sorted list without replacement: the k-th try (k = 0, 1, …) is
   `int(SHA-256(seed ‖ ":" ‖ k), 16) mod count`, and a position already drawn is passed over.
4. The record keeps the first `reach` positions of that order — enough for the panel, the reserves, anyone passed
   over for `same_employer`, and replacements after them — each with its id, the employers `same_employer` compares
   (read at sealing) and its chunk's ids and Merkle path. Anyone can check from the record alone that each entry is
   the id at the position the seed gives in the list the hash commits to, without the other candidates.

The record is a few kilobytes per reached position whatever the candidate count (at most `MAX_REACH` positions).
"""

from __future__ import annotations

import hashlib
import json
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any

from registry.draws import SealedCandidate

FORMAT = "merkle-v2"
CHUNK = 16  # ids per leaf: a proof is its chunk (16 ids) and the path (log2(count / 16) hashes)
MAX_REACH = 120  # positions kept at most: ~200 KB in the worst case at a million candidates


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def leaf_hash(ids: Sequence[str]) -> str:
    """SHA-256 of one chunk's lines."""
    return _sha256("".join(f"{pid}\n" for pid in ids))


def tree(sorted_ids: Sequence[str]) -> list[list[str]]:
    """The Merkle tree's levels, leaves (chunk hashes) first, the root's level last."""
    leaves = [leaf_hash(sorted_ids[i : i + CHUNK]) for i in range(0, len(sorted_ids), CHUNK)] or [_sha256("")]
    levels = [leaves]
    while len(levels[-1]) > 1:
        below = levels[-1]
        above = [_sha256(below[i] + below[i + 1]) for i in range(0, len(below) - 1, 2)]
        if len(below) % 2:
            above.append(below[-1])
        levels.append(above)
    return levels


def commitment(count: int, root: str) -> str:
    """The candidate hash of a merkle-v2 draw."""
    return _sha256(f"{FORMAT}|{count}|{CHUNK}|{root}")


def path(levels: Sequence[Sequence[str]], leaf: int) -> list[str]:
    """The sibling hashes from leaf `leaf` up to the root (none where a node moves up alone)."""
    siblings, index = [], leaf
    for level in levels[:-1]:
        sibling = index ^ 1
        if sibling < len(level):
            siblings.append(level[sibling])
        index //= 2
    return siblings


def root_from(leaf: str, index: int, leaves: int, siblings: Sequence[str]) -> str | None:
    """The root that `leaf` at `index` among `leaves` chunks and its path give; None when the path is malformed."""
    node, width, used = leaf, leaves, 0
    while width > 1:
        if index ^ 1 < width:
            if used >= len(siblings):
                return None
            pair = (node, siblings[used]) if index % 2 == 0 else (siblings[used], node)
            node, used = _sha256(pair[0] + pair[1]), used + 1
        index, width = index // 2, (width + 1) // 2
    return node if used == len(siblings) else None


def positions(seed: str, count: int) -> Iterator[int]:
    """The sealed order as positions in the sorted candidate list, without replacement (step 3)."""
    seen: set[int] = set()
    tries = 0
    while len(seen) < count:
        position = int(_sha256(f"{seed}:{tries}"), 16) % count
        tries += 1
        if position not in seen:
            seen.add(position)
            yield position


@dataclass(frozen=True)
class Commitment:
    """A sealed candidate set: how many, the hash, and what a reach's proofs are cut from."""

    count: int
    candidate_hash: str
    sorted_ids: tuple[str, ...]
    levels: list[list[str]]

    def order(self, seed: str, length: int) -> list[tuple[int, str]]:
        """The first `length` (position, id) pairs of the sealed order."""
        found = []
        for position in positions(seed, self.count):
            if len(found) >= length:
                break
            found.append((position, self.sorted_ids[position]))
        return found

    def reach(self, seed: str, order: Sequence[SealedCandidate]) -> str:
        """The stored reach: the order's first entries with their employers, each chunk with its path (JSON)."""
        entries, chunks = [], {}
        for (position, pid), candidate in zip(self.order(seed, len(order)), order, strict=True):
            assert candidate.id == pid  # the order given is this commitment's
            entries.append([position, pid, sorted(candidate.employers)])
            leaf = position // CHUNK
            chunks[str(leaf)] = {
                "ids": list(self.sorted_ids[leaf * CHUNK : (leaf + 1) * CHUNK]),
                "path": path(self.levels, leaf),
            }
        body = {"format": FORMAT, "count": self.count, "chunk": CHUNK, "order": entries, "chunks": chunks}
        return json.dumps(body, sort_keys=True, separators=(",", ":"))


def commit(ids: Sequence[str]) -> Commitment:
    """Commit to a candidate set (any order in, sorted and deduplicated here)."""
    sorted_ids = tuple(sorted(set(ids)))
    levels = tree(sorted_ids)
    return Commitment(len(sorted_ids), commitment(len(sorted_ids), levels[-1][0]), sorted_ids, levels)


@dataclass(frozen=True)
class ReachCheck:
    ok: bool
    detail: str
    order: tuple[SealedCandidate, ...] = ()


def parse_reach(text: str | None) -> dict[str, Any] | None:
    """The stored reach as a mapping, or None when absent or not JSON."""
    if not text:
        return None
    try:
        body = json.loads(text)
    except ValueError:
        return None
    return body if isinstance(body, Mapping) else None


def stored_order(text: str | None) -> tuple[SealedCandidate, ...]:
    """The reach's sealed order as stored (for refills; `check_reach` proves it)."""
    body = parse_reach(text) or {}
    return tuple(SealedCandidate(str(pid), tuple(emps)) for _, pid, emps in body.get("order") or ())


def check_reach(text: str | None, seed: str, candidate_hash: str, count: int) -> ReachCheck:
    """Whether the stored reach follows the seed through the set the hash commits to; its order when it does."""
    body = parse_reach(text)
    if body is None or body.get("format") != FORMAT or body.get("chunk") != CHUNK:
        return ReachCheck(False, "the reach is missing or not in the merkle-v2 format")
    if body.get("count") != count:
        return ReachCheck(False, f"the reach counts {body.get('count')} candidates, the record {count}")
    entries, chunks = body.get("order") or [], body.get("chunks") or {}
    if count == 0:
        empty = not entries and commitment(0, _sha256("")) == candidate_hash
        return ReachCheck(
            empty, "no candidates: the empty set is committed" if empty else "the empty set differs"
        )
    leaves, roots = (count + CHUNK - 1) // CHUNK, set()
    expected = positions(seed, count)
    for number, (position, pid, _employers) in enumerate(entries, start=1):
        if next(expected, None) != position:
            return ReachCheck(False, f"order {number} is not at the position the seed gives")
        leaf = position // CHUNK
        chunk = chunks.get(str(leaf)) or {}
        ids = chunk.get("ids") or []
        size = min(CHUNK, count - leaf * CHUNK)
        if len(ids) != size or ids != sorted(set(ids)) or ids[position % CHUNK] != pid:
            return ReachCheck(False, f"order {number}: its chunk does not hold {pid} at position {position}")
        roots.add(root_from(leaf_hash(ids), leaf, leaves, chunk.get("path") or []))
    if not entries:
        return ReachCheck(False, "the reach holds no position of a non-empty candidate set")
    if len(roots) != 1 or None in roots or commitment(count, roots.pop() or "") != candidate_hash:
        return ReachCheck(False, "the chunks' paths do not lead to the committed candidate hash")
    order = tuple(SealedCandidate(str(pid), tuple(emps)) for _, pid, emps in entries)
    return ReachCheck(
        True, f"{len(order)} sealed positions proven against {count} committed candidates", order
    )
