"""One cold build of the search index in a process of its own, as an API process restarting next to a running
(warm) Neo4j does it: build seconds, array memory, and the process's peak and final resident memory.

    .venv/bin/python -m bench.index_build       # against the bench instance; prints one JSON line
"""

from __future__ import annotations

import json
import resource
import subprocess
import sys
import time
from pathlib import Path
from typing import Any

from bench import harness


def _rss_mb() -> float:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith("VmRSS:"):
            return int(line.split()[1]) / 1024
    return 0.0


def main() -> None:
    from graph.driver import graph_from_settings
    from services.search_index import SearchIndex

    graph = graph_from_settings(harness.settings())
    index = SearchIndex(graph)  # no snapshot folder: always from the graph
    started = time.perf_counter()
    index.build()
    seconds = time.perf_counter() - started
    status = index.status()
    print(json.dumps({
        "seconds": seconds, "memory_mb": status["memory_mb"], "practitioners": status["practitioners"],
        "peak_rss_mb": resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024, "rss_mb": _rss_mb(),
    }))  # fmt: skip
    graph.close()


def measure() -> dict[str, Any]:
    """Run `main` in a fresh interpreter (so its memory is the index's and the driver's alone)."""
    done = subprocess.run(
        [sys.executable, "-m", "bench.index_build"],
        cwd=harness.ROOT,
        capture_output=True,
        text=True,
        check=True,
    )
    return json.loads(done.stdout.strip().splitlines()[-1])


if __name__ == "__main__":
    main()
