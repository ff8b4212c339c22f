"""Why the search index uses numpy rather than pyroaring: the same facet work on 1 000 000 synthetic people.

    .venv/bin/pip install pyroaring && .venv/bin/python -m bench.set_library

The work of the "facets over everyone but one filter" query: intersect the filter with the active people,
count the matches per value of five dimensions (≈ 60 values), and compute the best level of each match for
the sort. With roaring bitmaps the counts are `intersection_cardinality` per value bitmap, but the sort still
needs a per-person column, i.e. numpy; with numpy alone, the counts are `count_nonzero` over small per-person
bit masks and one `bincount` per dimension.
"""

from __future__ import annotations

import statistics
import time

import numpy as np

N = 1_000_000
RNG = np.random.default_rng(7)


def data() -> dict[str, np.ndarray]:
    return {
        "active": RNG.random(N) < 0.97,
        "cert_bits": (1 << RNG.integers(0, 24, N)).astype(np.int32)
        | np.where(RNG.random(N) < 0.3, 1 << 2, 0),
        "region": RNG.integers(1, 35, N).astype(np.int16),
        "industry": RNG.integers(1, 25, N).astype(np.int16),
        "pool_bits": RNG.integers(0, 4, N).astype(np.int8),
    }


def with_numpy(d: dict[str, np.ndarray]) -> int:
    mask = d["active"] & ((d["cert_bits"] & 0b111100000000) != 0)
    rows = np.flatnonzero(mask)
    bits = d["cert_bits"][rows]
    counts = [int(np.count_nonzero(bits & (0b1111 << (4 * w)))) for w in range(6)]
    counts += [int(np.count_nonzero(bits & (0x111111 << level))) for level in range(4)]
    counts += [int(np.count_nonzero(d["pool_bits"][rows] & (1 << p))) for p in range(2)]
    counts += np.bincount(d["region"][rows]).tolist() + np.bincount(d["industry"][rows]).tolist()
    best = np.full(len(rows), 9)
    for level in (3, 2, 1, 0):
        best[(bits & (0x111111 << level)) != 0] = level + 1
    return sum(counts) + int(np.argpartition(best, 20)[:20].sum())


def with_roaring(d: dict[str, np.ndarray], maps: dict) -> int:
    match = maps["active"] & maps["filter"]
    counts = [match.intersection_cardinality(b) for b in maps["values"]]
    rows = np.fromiter(match, dtype=np.int64, count=len(match))  # the sort needs a per-person column anyway
    bits = d["cert_bits"][rows]
    best = np.full(len(rows), 9)
    for level in (3, 2, 1, 0):
        best[(bits & (0x111111 << level)) != 0] = level + 1
    return sum(counts) + int(np.argpartition(best, 20)[:20].sum())


def timed(work, repeat: int = 20) -> float:
    samples = []
    for _ in range(repeat):
        started = time.perf_counter()
        work()
        samples.append((time.perf_counter() - started) * 1000)
    return statistics.median(samples)


def main() -> None:
    d = data()
    print(f"numpy: {timed(lambda: with_numpy(d)):.1f} ms per query")
    try:
        from pyroaring import BitMap
    except ImportError:
        print("pyroaring is not installed; pip install pyroaring to compare")
        return
    started = time.perf_counter()
    values = [
        BitMap(np.flatnonzero(d["cert_bits"] & (0b1111 << (4 * w))).astype(np.uint32)) for w in range(6)
    ]
    values += [BitMap(np.flatnonzero(d["cert_bits"] & (0x111111 << lv)).astype(np.uint32)) for lv in range(4)]
    values += [BitMap(np.flatnonzero(d["pool_bits"] & (1 << p)).astype(np.uint32)) for p in range(2)]
    values += [BitMap(np.flatnonzero(d["region"] == r).astype(np.uint32)) for r in range(1, 35)]
    values += [BitMap(np.flatnonzero(d["industry"] == i).astype(np.uint32)) for i in range(1, 25)]
    maps = {
        "active": BitMap(np.flatnonzero(d["active"]).astype(np.uint32)),
        "filter": BitMap(np.flatnonzero(d["cert_bits"] & 0b111100000000).astype(np.uint32)),
        "values": values,
    }
    build = (time.perf_counter() - started) * 1000
    kinds = ("n_bytes_array_containers", "n_bytes_bitset_containers", "n_bytes_run_containers")
    size = sum(b.get_statistics()[k] for b in [*values, maps["active"], maps["filter"]] for k in kinds)
    print(f"pyroaring + numpy: {timed(lambda: with_roaring(d, maps)):.1f} ms per query "
          f"(bitmaps built in {build:.0f} ms, {size / 2**20:.1f} MB)")  # fmt: skip


if __name__ == "__main__":
    main()
