"""The sealed draw: candidate hash, committed seed, sealed order, panel and reserves along it.

How a draw is sealed (财库〔2016〕198号: experts are drawn at random; this makes "at random" checkable):

1. At creation, before any candidate is read, a fresh secret is made and only its hash is recorded:
   `seed_commitment = SHA-256(secret)`.
2. The candidate set after avoidance is fixed and hashed: one line `id|employer,employer\\n` per candidate, sorted
   by id, `candidate_hash = SHA-256(lines)`.
3. `seed = SHA-256(secret ‖ draw_id ‖ candidate_hash)` — hex strings and the UUID concatenated, no separators (each
   part has a fixed length). Nobody can pick the seed after seeing the candidates: the secret was committed first
   and the candidate hash goes into it.
4. Each candidate's `order key = SHA-256(seed ‖ id)`; the sealed order sorts candidates by that key.
5. Along the sealed order, the first `size` candidates form the panel and the next `reserves` the ordered
   reserves, skipping anyone whose employer already has someone in the draw (`same_employer`).

Everything after that is an event (registry/draw_log.py): invitations, responses, a reserve called, a replacement
drawn from the same sealed order once reserves run out, a shortfall, an appointment, disclosure. The seats (DREW
relationships) are the replay of those events; registry/draw_verify.py recomputes steps 1–5, replays the events
and compares with the stored seats. Anyone can redo step 3 by hand:
`printf '%s%s%s' $secret $draw_id $candidate_hash | sha256sum`.
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass

from registry.draws import Exclusion, SealedCandidate

PANEL, RESERVE = "panel", "reserve"
ROLES: tuple[str, ...] = (PANEL, RESERVE)


# --- Hashes and order ----------------------------------------------------------------------------------------


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def candidate_lines(candidates: Iterable[SealedCandidate]) -> str:
    """The text the candidate hash covers: `id|employers` per candidate, sorted by id, each line ending in \\n."""
    return "".join(
        f"{c.id}|{','.join(sorted(c.employers))}\n" for c in sorted(candidates, key=lambda c: c.id)
    )


def candidate_hash(candidates: Iterable[SealedCandidate]) -> str:
    """SHA-256 of the candidate set (see `candidate_lines`)."""
    return _sha256(candidate_lines(candidates))


def seed_commitment(secret: str) -> str:
    """SHA-256 of the draw's secret, recorded before any candidate is read."""
    return _sha256(secret)


def seed_for(secret: str, draw_id: str, candidates_hash: str) -> str:
    """SHA-256(secret ‖ draw id ‖ candidate hash)."""
    return _sha256(secret + draw_id + candidates_hash)


def order_key(seed: str, practitioner_id: str) -> str:
    """SHA-256(seed ‖ practitioner id): where the candidate stands in the sealed order."""
    return _sha256(seed + practitioner_id)


def sealed_order(seed: str, candidates: Iterable[SealedCandidate]) -> tuple[SealedCandidate, ...]:
    """The candidates sorted by order key (id breaks a tie that SHA-256 will not produce in practice)."""
    return tuple(sorted(candidates, key=lambda c: (order_key(seed, c.id), c.id)))


# --- Selection along the sealed order ------------------------------------------------------------------------


@dataclass(frozen=True)
class Pick:
    practitioner_id: str
    order: int  # 1-based position in the sealed order
    role: str


@dataclass(frozen=True)
class Selection:
    panel: tuple[Pick, ...]
    reserves: tuple[Pick, ...]
    skipped: tuple[Exclusion, ...]  # same_employer, in order
    shortfall: int


def employer_clash(employers: Iterable[str], taken: Mapping[str, tuple[str, int | None]]) -> str | None:
    for org in sorted(employers):
        if org in taken:
            holder, order = taken[org]
            at = f" (order {order})" if order is not None else ""
            return f"employer {org} already has practitioner {holder}{at} in this draw"
    return None


def select(order: Sequence[SealedCandidate], size: int, reserves: int) -> Selection:
    """Panel = first `size` along the order, reserves = the next `reserves`, one expert per employer."""
    taken: dict[str, tuple[str, int | None]] = {}
    panel: list[Pick] = []
    kept: list[Pick] = []
    skipped: list[Exclusion] = []
    for position, candidate in enumerate(order, start=1):
        if len(panel) == size and len(kept) == reserves:
            break
        clash = employer_clash(candidate.employers, taken)
        if clash is not None:
            skipped.append(Exclusion(candidate.id, "same_employer", clash))
            continue
        if len(panel) < size:
            panel.append(Pick(candidate.id, position, PANEL))
        else:
            kept.append(Pick(candidate.id, position, RESERVE))
        for org in candidate.employers:
            taken[org] = (candidate.id, position)
    return Selection(tuple(panel), tuple(kept), tuple(skipped), size - len(panel))
