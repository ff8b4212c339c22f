"""Shared pieces of the benchmarks: the bench Neo4j instance, gunicorn, timing and the machine description.

The benchmarks use their own local instance (`bench`, Bolt 7689, data in var/neo4j/bench; BENCH_INSTANCE
names another) and wipe it freely; they never touch the `serve` or `test` instances. `bench.run` stops it
at the end (it is sized at 10 GB) unless asked to keep it.
"""

from __future__ import annotations

import contextlib
import http.client
import json
import os
import platform
import statistics
import subprocess
import sys
import time
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

ROOT = Path(__file__).resolve().parent.parent
BENCH_INSTANCE = os.environ.get("BENCH_INSTANCE", "bench")
# Forced, not defaulted: run from a shell (or a test) that points at the `test` instance, the benchmarks
# would otherwise load their synthetic registry into it.
os.environ["NEO4J_LOCAL_INSTANCE"] = BENCH_INSTANCE
sys.path.insert(0, str(ROOT))

from graph import local_server  # noqa: E402
from graph.driver import Graph, graph_from_settings  # noqa: E402
from graph.reference import load_reference_data  # noqa: E402
from graph.schema import create_schema  # noqa: E402
from services.settings import Settings  # noqa: E402

API_PORT = int(os.environ.get("BENCH_API_PORT", "8089"))


def fresh_graph() -> Graph:
    """Wipe the bench instance, start it, create the schema and reference data; returns a connected Graph."""
    if os.environ.get("NEO4J_URI"):
        raise SystemExit(
            "The benchmarks wipe their database; unset NEO4J_URI to use the local bench instance."
        )
    inst = local_server.instance(BENCH_INSTANCE)
    local_server.wipe(inst)
    local_server.start(inst)
    graph = graph_from_settings(Settings.from_env())
    create_schema(graph)
    graph.write(load_reference_data)
    return graph


def stop_neo4j() -> None:
    """Stop the bench instance (its data stays until the next run wipes it)."""
    if not os.environ.get("NEO4J_URI"):
        local_server.stop(local_server.instance(BENCH_INSTANCE))


def settings() -> Settings:
    return Settings.from_env()


@dataclass
class Latency:
    samples_ms: list[float]

    def percentile(self, p: float) -> float:
        ordered = sorted(self.samples_ms)
        index = min(len(ordered) - 1, max(0, round(p / 100 * (len(ordered) - 1))))
        return ordered[index]

    @property
    def p50(self) -> float:
        return statistics.median(self.samples_ms)

    @property
    def p95(self) -> float:
        return self.percentile(95)

    @property
    def p99(self) -> float:
        return self.percentile(99)


class HttpClient:
    """A keep-alive HTTP/1.1 client for one thread."""

    def __init__(self, key: str, port: int = API_PORT):
        self.port = port
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
        self.headers = {"X-API-Key": key, "Content-Type": "application/json"}

    def request(self, method: str, path: str, body: Any = None) -> dict[str, Any]:
        payload = json.dumps(body) if body is not None else None
        try:
            self.connection.request(method, path, body=payload, headers=self.headers)
            response = self.connection.getresponse()
        except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
            # gunicorn closes keep-alive connections idle for more than `keepalive` seconds; reconnect once.
            self.connection.close()
            self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=120)
            self.connection.request(method, path, body=payload, headers=self.headers)
            response = self.connection.getresponse()
        data = response.read()
        if response.status // 100 != 2:
            raise RuntimeError(f"{method} {path} → {response.status}: {data[:300]!r}")
        return json.loads(data)


@contextlib.contextmanager
def gunicorn(
    workers: int,
    threads: int,
    port: int = API_PORT,
    timeout: float = 60,
    env_extra: dict[str, str] | None = None,
) -> Iterator[subprocess.Popen]:
    """Serve the API from the bench instance with gunicorn for the duration of the block."""
    env = {
        **os.environ,
        "NEO4J_LOCAL_INSTANCE": BENCH_INSTANCE,
        "PORT": str(port),
        "GUNICORN_WORKERS": str(workers),
        "GUNICORN_THREADS": str(threads),
        "LOG_LEVEL": "WARNING",
        "GUNICORN_LOGLEVEL": "warning",
        "GUNICORN_TIMEOUT": str(int(timeout) + 60),  # a worker may build its search index before answering
        **(env_extra or {}),
    }
    log = ROOT / "var" / "bench" / "gunicorn.log"
    log.parent.mkdir(parents=True, exist_ok=True)
    with log.open("ab") as sink:
        process = subprocess.Popen(
            [str(ROOT / ".venv" / "bin" / "gunicorn"), "-c", "gunicorn.conf.py", "wsgi:serve()"],
            cwd=ROOT, env=env, stdout=sink, stderr=sink,
        )  # fmt: skip
    try:
        deadline = time.monotonic() + timeout
        while time.monotonic() < deadline:
            try:
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                connection.request("GET", "/api/v1/health")
                if connection.getresponse().status == 200:
                    break
            except OSError:
                pass
            time.sleep(0.3)
        else:
            raise RuntimeError("gunicorn did not start")
        yield process
    finally:
        process.terminate()
        process.wait(timeout=30)


def machine() -> dict[str, str]:
    """What the numbers were measured on."""
    cpu = "unknown"
    with contextlib.suppress(OSError):
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                cpu = line.split(":", 1)[1].strip()
                break
    memory = "unknown"
    with contextlib.suppress(OSError):
        kb = int(Path("/proc/meminfo").read_text().split()[1])
        memory = f"{kb / 1024 / 1024:.1f} GiB"
    load = ", ".join(f"{value:.1f}" for value in os.getloadavg())
    heap, cache = os.environ.get("NEO4J_HEAP", "4g"), os.environ.get("NEO4J_PAGECACHE", "6g")
    return {
        "cpu": f"{os.cpu_count()} × {cpu}",
        "load average when the report was written (1, 5, 15 min; other sessions share the machine)": load,
        "memory": memory,
        "os": platform.platform(),
        "python": platform.python_version(),
        "neo4j": f"Neo4j {local_server._pom_version()} Community (local `bench` instance: heap {heap}, page cache {cache})",
    }
