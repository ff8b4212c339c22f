"""gunicorn settings; every value can be overridden with GUNICORN_* environment variables."""

import gc
import os
import threading
import time
from pathlib import Path
from typing import Any

port = os.environ.get("PORT", "8000")
bind = f"127.0.0.1:{port}"
# The work is I/O-bound on Neo4j: a few processes, each with threads, keep both cores busy.
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
worker_class = "gthread"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 20
keepalive = 5
# gunicorn's longest request line (its maximum; the default 4 094 answered longer URLs with its own HTML 414). The
# API answers a URI over 4 096 bytes itself, as a problem (api/__init__.py MAX_URI_BYTES).
limit_request_line = 8190
accesslog = None  # the app logs one structured line per request (interface/logs.py) without query strings
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
# gunicorn's control socket (`gunicornc`), one per service: by default every gunicorn of a user shares
# ~/.gunicorn/gunicorn.ctl, so a second service (another checkout, or serve beside bench) took it over and
# `gunicornc` commands reached the wrong one. Here: this checkout's var/run/, named by the port.
control_socket = str(Path(__file__).resolve().parent / "var" / "run" / f"gunicorn-{port}.ctl")
control_socket_disable = len(control_socket.encode()) > 100  # beyond a Unix socket's path limit (108): none
# A worker that grew (a big upload or workbook) kept the memory: CPython and glibc seldom give it back. One whose
# resident memory passes this after a request finishes it and exits; gunicorn starts a warm one in its place.
# A warm worker is ~100 MB at a few thousand people and ~290 MB at a million (docs/operations.md#the-server-process).
max_worker_mb = int(os.environ.get("GUNICORN_MAX_WORKER_MB", "768"))


def resident_mb() -> float:
    """This process's resident memory in MB (0 where /proc is not there)."""
    try:
        with open("/proc/self/statm") as statm:
            return int(statm.read().split()[1]) * os.sysconf("SC_PAGE_SIZE") / 2**20
    except OSError:
        return 0.0


def post_request(worker: Any, req: Any, environ: Any, resp: Any) -> None:  # after each request, in the worker
    """Recycle this worker once it has grown past GUNICORN_MAX_WORKER_MB (as gunicorn's max_requests does)."""
    if worker.alive and resident_mb() > max_worker_mb:
        worker.log.info(
            "worker at %.0f MB (ceiling %d MB): recycled after its requests", resident_mb(), max_worker_mb
        )
        worker.alive = False


def post_worker_init(worker: Any) -> None:  # gunicorn calls it in each worker once the app is loaded
    """Leave the objects of the loaded app (modules, classes, the Flask and driver objects: ~115 000) out of the
    cyclic garbage collector's full passes: each pass walked them all, 27–36 ms in a worker at a million people,
    which requests met as random delays (the p99s of the benchmarks). Then warm the worker up before it takes a
    request (application.warm_up: the search index from the host's snapshot, the statistics), telling the arbiter
    it is alive meanwhile; after half the worker timeout it takes requests warm or not."""
    gc.freeze()
    from application import warm_up  # in the worker: the arbiter never imports the app

    warming = threading.Thread(target=warm_up, args=(worker.wsgi,), name="warm-up", daemon=True)
    warming.start()
    deadline = time.monotonic() + timeout / 2
    while warming.is_alive() and time.monotonic() < deadline:
        worker.notify()
        warming.join(1.0)
