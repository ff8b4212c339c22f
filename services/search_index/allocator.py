"""How a process holding a search index asks glibc's allocator to give memory back.

Answering over a million rows allocates temporaries of 1–8 MB (masks, sort keys, counts) in every request thread.
By default glibc serves them from per-thread arenas and raises its mmap threshold after each large free, so
freed temporaries stay in the process: a gunicorn worker (4 threads) at a million people grew from 248 MB to
400–440 MB in a minute of eight concurrent clients. With one arena and fixed 1 MB mmap and trim thresholds,
blocks of 1 MB and more go back to the OS when freed: workers that loaded the index stayed at 282 MB, at the same
throughput (69 vs 71 requests/s; two arenas: ~289 MB; 128 KB thresholds: 297 MB but 57 requests/s, the page faults
of fresh mappings). Below a million people the temporaries are smaller than 1 MB and nothing changes.
"""

from __future__ import annotations

import contextlib
import ctypes

# mallopt(3) parameters (glibc's malloc.h).
M_TRIM_THRESHOLD = -1
M_MMAP_THRESHOLD = -3
M_ARENA_MAX = -8

ARENAS = 1  # request threads allocate while holding the GIL: more arenas only hold more freed memory
THRESHOLD = 1 << 20  # 1 MB


def _libc() -> ctypes.CDLL | None:
    with contextlib.suppress(OSError):
        return ctypes.CDLL("libc.so.6")
    return None  # not glibc (e.g. musl, macOS): nothing to tune


def tune() -> bool:
    """Set the arena count and the mmap and trim thresholds for this process; whether glibc took them."""
    libc = _libc()
    if libc is None or not hasattr(libc, "mallopt"):
        return False
    settings = ((M_ARENA_MAX, ARENAS), (M_MMAP_THRESHOLD, THRESHOLD), (M_TRIM_THRESHOLD, THRESHOLD))
    return all(libc.mallopt(parameter, value) == 1 for parameter, value in settings)


def give_back() -> None:
    """Hand the freed heap back to the OS (after a build: its decoded pages, the snapshot's buffers); glibc keeps
    the freed memory of worker threads' arenas otherwise (the worker that builds a million people: 310 → 274 MB)."""
    libc = _libc()
    if libc is not None and hasattr(libc, "malloc_trim"):
        libc.malloc_trim(0)
