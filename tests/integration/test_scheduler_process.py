"""`flask registry scheduler` as a process: it runs due jobs, one host runs one per graph, it stops on TERM, and with
--with-parent it follows its parent out even when the parent is killed outright (what `make serve` relies on)."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
SCHEDULER = [
    sys.executable,
    "-m",
    "flask",
    "--app",
    "wsgi",
    "registry",
    "scheduler",
    "--only",
    "end_sanctions",
]


@pytest.fixture()
def clean(graph):
    def clear() -> None:
        with graph.driver.session(database=graph.database) as session:
            session.run("MATCH (n) WHERE n:JobLease OR n:JobRun DELETE n").consume()

    clear()
    yield graph
    clear()


def _runs(graph) -> int:
    with graph.driver.session(database=graph.database) as session:
        return session.run("MATCH (r:JobRun {name: 'end_sanctions'}) RETURN count(r) AS n").single()["n"]


def _until(condition, seconds: float = 90) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.5)
    return False


def _gone(pid: int) -> bool:
    try:
        state = Path(f"/proc/{pid}/status").read_text()
    except FileNotFoundError:
        return True
    return "State:\tZ" in state  # exited, waiting for init to reap it


def test_the_scheduler_process_runs_due_jobs_is_alone_on_its_host_and_stops_on_term(clean, settings):
    first = subprocess.Popen(
        [*SCHEDULER, "--tick", "1"], cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE
    )
    try:
        assert _until(lambda: _runs(clean) == 1), (
            first.stderr.read1().decode() if first.poll() is not None else ""
        )
        second = subprocess.run(
            [*SCHEDULER, "--tick", "1"], cwd=ROOT, capture_output=True, text=True, timeout=90
        )
        assert second.returncode == 0 and "already runs" in second.stdout
        first.send_signal(signal.SIGTERM)
        assert first.wait(timeout=30) == 0
    finally:
        if first.poll() is None:
            first.kill()
    assert _runs(clean) == 1  # the slot was done once; the second process ran nothing


def test_with_parent_the_scheduler_stops_when_its_parent_is_killed_outright(clean):
    command = " ".join([*SCHEDULER, "--with-parent"])
    # The parent starts the scheduler in the background, says its pid, then becomes a long sleep (same pid),
    # as scripts/serve.sh becomes gunicorn.
    parent = subprocess.Popen(
        ["sh", "-c", f"{command} >/dev/null 2>&1 & echo $!; exec sleep 600"], cwd=ROOT, stdout=subprocess.PIPE
    )
    child = int(parent.stdout.readline())
    try:
        assert _until(lambda: _runs(clean) == 1)  # it is up and working
        os.kill(parent.pid, signal.SIGKILL)
        parent.wait(timeout=10)
        assert _until(lambda: _gone(child), seconds=15)
    finally:
        if not _gone(child):
            os.kill(child, signal.SIGKILL)
