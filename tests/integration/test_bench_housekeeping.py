"""`make bench` cleans up after itself: its Neo4j (sized at 10 GB) does not outlive the run."""

from __future__ import annotations

import os
import shutil
import signal
import socket
import subprocess
import sys
import uuid
from pathlib import Path

from graph import local_server

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_a_benchmark_run_stops_its_neo4j_at_the_end():
    # A real, tiny run (its own instance name, ports and a small heap): half a minute on an idle machine,
    # several on a busy one.
    name = f"benchtest-{uuid.uuid4().hex[:6]}"
    port = _free_port()
    env = {
        **{k: v for k, v in os.environ.items() if k not in ("NEO4J_URI", "NEO4J_LOCAL_INSTANCE")},
        "BENCH_INSTANCE": name,
        "NEO4J_BOLT_PORT": str(port),
        "BENCH_API_PORT": str(_free_port()),
        "NEO4J_HEAP": "512m",
        "NEO4J_PAGECACHE": "64m",
    }
    command = [
        sys.executable, "-m", "bench.run", "--sizes", "60", "--repeat", "1", "--duration", "0.3",
        "--clients", "1", "--workers", "1", "--threads", "1", "--cypher-repeat", "1", "--write-rounds", "1",
        "--no-write",
    ]  # fmt: skip
    inst = local_server.instance(name, port)
    try:
        # Its own process group, so a run that overstays (a loaded machine) is ended with its gunicorn.
        process = subprocess.Popen(
            command, cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True,
            start_new_session=True,
        )  # fmt: skip
        try:
            stdout, stderr = process.communicate(timeout=900)
        except subprocess.TimeoutExpired:
            os.killpg(process.pid, signal.SIGKILL)
            process.communicate()
            raise
        assert process.returncode == 0, stdout[-2000:] + stderr[-2000:]
        assert "| 60 | 1 |" in stdout  # it did measure
        assert local_server.status(inst) == "stopped"
        assert not local_server._port_open(port)
    finally:
        local_server.stop(inst)
        shutil.rmtree(inst.home, ignore_errors=True)
        (local_server.VAR / f"{name}.lock").unlink(missing_ok=True)
