"""The merkle-v2 candidate commitment (registry/draw_commit.py): a reach proves itself against the candidate hash
alone, any edit of it fails, and the sealed order draws every candidate once."""

from __future__ import annotations

import json
import uuid

import pytest

from registry.draw_commit import (
    CHUNK,
    FORMAT,
    check_reach,
    commit,
    commitment,
    leaf_hash,
    path,
    positions,
    root_from,
    tree,
)
from registry.draw_record import select
from registry.draws import SealedCandidate

SEED = "ab" * 32


def _ids(count: int, salt: int = 0) -> list[str]:
    return [str(uuid.UUID(int=(i * 2654435761 + salt) % 2**128 + 1)) for i in range(count)]


def _reach(ids: list[str], length: int, seed: str = SEED) -> tuple[str, str, int]:
    sealed = commit(ids)
    order = [SealedCandidate(pid, (f"org-{i % 3}",)) for i, (_, pid) in enumerate(sealed.order(seed, length))]
    return sealed.reach(seed, order), sealed.candidate_hash, sealed.count


@pytest.mark.parametrize("count", [1, 2, 15, 16, 17, 33, 100, 1000])
def test_every_leaf_path_leads_to_the_root(count):
    ids = sorted(_ids(count))
    levels = tree(ids)
    leaves = len(levels[0])
    assert leaves == (count + CHUNK - 1) // CHUNK
    for leaf in range(leaves):
        chunk = ids[leaf * CHUNK : (leaf + 1) * CHUNK]
        assert root_from(leaf_hash(chunk), leaf, leaves, path(levels, leaf)) == levels[-1][0]
        assert (
            root_from(leaf_hash(chunk[::-1]), leaf, leaves, path(levels, leaf)) != levels[-1][0]
            or len(chunk) == 1
        )


@pytest.mark.parametrize("count", [1, 5, 40])
def test_the_sealed_order_draws_every_candidate_once(count):
    assert sorted(positions(SEED, count)) == list(range(count))
    assert list(positions(SEED, count)) != list(positions("cd" * 32, count)) or count == 1


@pytest.mark.parametrize("count,length", [(1, 1), (9, 9), (500, 30), (5000, 120)])
def test_a_reach_proves_itself(count, length):
    reach, hashed, n = _reach(_ids(count), length)
    checked = check_reach(reach, SEED, hashed, n)
    assert checked.ok, checked.detail
    assert len(checked.order) == length and checked.order[0].employers == ("org-0",)


def test_the_commitment_ignores_input_order_and_duplicates():
    ids = _ids(50)
    assert commit(ids).candidate_hash == commit(list(reversed(ids)) + ids[:3]).candidate_hash
    assert commit(ids).candidate_hash != commit(ids[1:]).candidate_hash


def _edited(reach: str, change) -> str:
    body = json.loads(reach)
    change(body)
    return json.dumps(body)


EDITS = {
    "an entry's id": lambda b: b["order"][0].__setitem__(1, b["order"][1][1]),
    "two entries swapped": lambda b: b["order"].__setitem__(slice(0, 2), b["order"][1::-1]),
    "an entry dropped from the middle": lambda b: b["order"].pop(1),
    "a chunk's id": lambda b: next(iter(b["chunks"].values()))["ids"].__setitem__(0, str(uuid.uuid4())),
    "a path hash": lambda b: next(iter(b["chunks"].values()))["path"].__setitem__(0, "0" * 64),
    "the count": lambda b: b.__setitem__("count", b["count"] + 1),
    "the format": lambda b: b.__setitem__("format", "lines-v1"),
}


@pytest.mark.parametrize("edit", list(EDITS), ids=list(EDITS))
def test_any_edit_of_the_reach_fails(edit):
    reach, hashed, n = _reach(_ids(800), 20)
    assert not check_reach(_edited(reach, EDITS[edit]), SEED, hashed, n).ok


def test_a_reach_for_another_seed_or_set_fails():
    reach, hashed, n = _reach(_ids(300), 10)
    assert not check_reach(reach, "cd" * 32, hashed, n).ok
    other = commit(_ids(300, salt=7))
    assert not check_reach(reach, SEED, other.candidate_hash, n).ok


def test_an_empty_candidate_set_is_committed_too():
    sealed = commit([])
    assert sealed.count == 0 and sealed.candidate_hash == commitment(0, tree([])[-1][0])
    reach = sealed.reach(SEED, [])
    assert check_reach(reach, SEED, sealed.candidate_hash, 0).ok
    assert json.loads(reach)["format"] == FORMAT


def test_the_record_stays_small_whatever_the_candidate_count():
    # 120 positions (the most a draw keeps) over a million candidates: every entry in its own chunk.
    ids = _ids(1_000_000)
    reach, hashed, n = _reach(ids, 120)
    assert len(reach.encode()) <= 256 * 1024
    assert check_reach(reach, SEED, hashed, n).ok


def test_selection_along_a_reach_skips_a_second_expert_of_one_employer():
    reach, hashed, n = _reach(_ids(200), 12)
    order = check_reach(reach, SEED, hashed, n).order
    chosen = select(order, 3, 0)
    assert [p.order for p in chosen.panel] == [1, 2, 3]  # org-0, org-1, org-2
    with_reserve = select(order, 3, 1)  # every later one works for org-0, 1 or 2: all skipped, no reserve
    assert [s.practitioner_id for s in with_reserve.skipped] == [c.id for c in order[3:]]
    assert with_reserve.reserves == ()
