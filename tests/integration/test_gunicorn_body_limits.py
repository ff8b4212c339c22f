"""Through the real server (gunicorn), a chunked body over the limit is refused early and the worker stays small.

Before issue 9 a chunked 300 MB body to a public endpoint was read in full: the worker grew by about 600 MB
and answered 400 after five seconds. Now the app stops reading at 1 MB and answers 413.
"""

from __future__ import annotations

import http.client
import os
import socket
import subprocess
import threading
import time
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[2]
MB = 1024 * 1024


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def _peak_rss_mb(pid: int) -> int:
    for line in Path(f"/proc/{pid}/status").read_text().splitlines():
        if line.startswith("VmHWM"):
            return int(line.split()[1]) // 1024
    return 0


@pytest.fixture()
def server(settings):
    port = _free_port()
    env = {
        **os.environ,
        "NEO4J_URI": settings.neo4j_uri,
        "NEO4J_PASSWORD": settings.neo4j_password,
        "REGISTRY_SECRET_KEY": settings.secret_key.decode(),
        "PORT": str(port),
        "GUNICORN_WORKERS": "1",
        "GUNICORN_THREADS": "1",
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
                connection = http.client.HTTPConnection("127.0.0.1", port, timeout=2)
                connection.request("GET", "/api/v1/health")
                if connection.getresponse().status == 200:
                    break
            except OSError:
                time.sleep(0.3)
        else:
            pytest.fail("gunicorn did not start")
        worker = int(subprocess.check_output(["pgrep", "-P", str(process.pid)]).split()[0])
        yield port, worker
    finally:
        process.terminate()
        process.wait(timeout=30)


def test_a_chunked_body_over_the_limit_is_refused_before_it_is_read(server):
    port, worker = server
    before = _peak_rss_mb(worker)
    sock = socket.create_connection(("127.0.0.1", port), timeout=60)
    sock.sendall(
        b"POST /api/v1/eligibility HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/json\r\n"
        b"Transfer-Encoding: chunked\r\n\r\n" + b'9\r\n{"bio": "\r\n'
    )
    answer: list[bytes] = []
    reader = threading.Thread(target=lambda: answer.append(sock.recv(65536)))
    reader.start()
    chunk = b"a" * (64 * 1024)
    frame = b"%x\r\n" % len(chunk) + chunk + b"\r\n"
    sent = 0
    try:
        while sent < 100 * MB and not answer:
            sock.sendall(frame)
            sent += len(chunk)
    except OSError:
        pass  # the server closed the connection after answering: what we want
    reader.join(timeout=60)
    sock.close()
    assert answer and answer[0].startswith(b"HTTP/1.1 413"), answer
    assert sent < 50 * MB, f"the client could send {sent / MB:.0f} MB before the answer"
    assert _peak_rss_mb(worker) - before < 50, f"worker grew from {before} MB to {_peak_rss_mb(worker)} MB"
