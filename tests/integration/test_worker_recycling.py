"""Through the real server (gunicorn): a worker past its memory ceiling is recycled after its request, and the
worker that replaces it takes requests warm — its search index loaded from the host's snapshot and brought up to
date, its statistics read — before its first request, so recycling never makes a user wait (issue 22 item 7).

The ceiling is set to 1 MB here, so every worker is recycled after every request. That a new worker is warm
before it takes a request is checked on gunicorn's worker-start hook itself: from outside, a request sent while
the worker boots waits in the listen queue, so its timing proves nothing.
"""

from __future__ import annotations

import gc
import http.client
import json
import os
import runpy
import socket
import subprocess
import time
from datetime import date
from pathlib import Path
from types import SimpleNamespace

import pytest

import wsgi
from services import statistics

ROOT = Path(__file__).resolve().parents[2]


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _get(port: int, path: str, headers: dict[str, str] | None = None) -> tuple[int, dict]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=120)
    try:
        connection.request("GET", path, headers=headers or {})
        response = connection.getresponse()
        return response.status, json.loads(response.read() or b"{}")
    finally:
        connection.close()


def _ended(pid: int) -> None:
    """Wait until the worker has exited (it finishes what it accepted first; gunicorn then starts another)."""
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        try:
            if Path(f"/proc/{pid}/stat").read_text().split(") ")[1].startswith("Z"):
                return
        except (FileNotFoundError, ProcessLookupError):
            return
        time.sleep(0.1)
    pytest.fail(f"worker {pid} did not end")


@pytest.fixture()
def recycling_server(settings, tmp_path, new_practitioner):
    new_practitioner()  # a write: the graph has a revision epoch, so the host's snapshot is used
    port = _free_port()
    env = {
        **os.environ,
        "NEO4J_URI": settings.neo4j_uri,
        "NEO4J_PASSWORD": settings.neo4j_password,
        "REGISTRY_SECRET_KEY": settings.secret_key.decode(),
        "SEARCH_INDEX_SNAPSHOTS": str(tmp_path / "snapshots"),
        "PORT": str(port),
        "GUNICORN_WORKERS": "1",
        "GUNICORN_THREADS": "1",
        "GUNICORN_MAX_WORKER_MB": "1",
        "LOG_LEVEL": "WARNING",
        "GUNICORN_LOGLEVEL": "warning",
    }
    process = subprocess.Popen(
        [str(ROOT / ".venv" / "bin" / "gunicorn"), "-c", "gunicorn.conf.py", "wsgi:serve()"],
        cwd=ROOT, env=env, stdout=subprocess.DEVNULL, stderr=subprocess.DEVNULL,
    )  # fmt: skip
    try:
        deadline = time.monotonic() + 120
        while time.monotonic() < deadline:
            try:
                _get(port, "/api/v1/health")
                break
            except OSError:
                time.sleep(0.3)
        else:
            pytest.fail("gunicorn did not start")
        yield port
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_a_worker_past_its_memory_ceiling_is_replaced_by_one_warm_from_the_snapshot(recycling_server):
    port = recycling_server
    answers = []
    for _ in range(3):
        answers.append(_get(port, "/api/v1/ready"))
        _ended(answers[-1][1]["pid"])
    assert [status for status, _ in answers] == [200, 200, 200]
    pids = [body["pid"] for _, body in answers]
    assert len(set(pids)) == 3  # each request ended its worker
    for _, body in answers[1:]:  # replacements: the first worker built the index and saved the snapshot
        assert body["search_index"]["state"] == "warm"
        assert body["search_index"]["built_from"] == "snapshot"


def test_gunicorns_worker_start_hook_leaves_the_index_loaded_from_the_snapshot_and_the_statistics_read(
    tmp_path, monkeypatch, new_practitioner
):
    new_practitioner()  # a write: the graph has a revision epoch, so the host's snapshot is used
    monkeypatch.setenv("SEARCH_INDEX_SNAPSHOTS", str(tmp_path / "snapshots"))
    config = runpy.run_path(str(ROOT / "gunicorn.conf.py"))
    first = wsgi.serve()  # the host's first worker builds from the graph and saves the snapshot
    config["post_worker_init"](SimpleNamespace(wsgi=first, notify=lambda: None))
    app = wsgi.serve()  # a worker started later: a replacement
    try:
        config["post_worker_init"](SimpleNamespace(wsgi=app, notify=lambda: None))
        index = app.extensions["search_index"]
        assert (index.state, index.source) == ("warm", "snapshot")
        read = statistics.cache_for(app.extensions["graph"]).current  # by the hook, not by a first request
        assert read is not None and read.key[-1] == date.today()
    finally:
        gc.unfreeze()  # the hook froze this test process's objects
        for each in (first, app):
            each.extensions["graph"].close()
