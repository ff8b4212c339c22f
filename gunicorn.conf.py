"""gunicorn settings; every value can be overridden with GUNICORN_* environment variables."""

import gc
import os
from pathlib import Path

port = os.environ.get("PORT", "8000")
bind = f"127.0.0.1:{port}"
# The work is I/O-bound on Neo4j: a few processes, each with threads, keep both cores busy.
workers = int(os.environ.get("GUNICORN_WORKERS", "2"))
threads = int(os.environ.get("GUNICORN_THREADS", "4"))
worker_class = "gthread"
timeout = int(os.environ.get("GUNICORN_TIMEOUT", "60"))
graceful_timeout = 20
keepalive = 5
accesslog = None  # the app logs one structured line per request (interface/logs.py) without query strings
errorlog = "-"
loglevel = os.environ.get("GUNICORN_LOGLEVEL", "info")
# gunicorn's control socket (`gunicornc`), one per service: by default every gunicorn of a user shares
# ~/.gunicorn/gunicorn.ctl, so a second service (another checkout, or serve beside bench) took it over and
# `gunicornc` commands reached the wrong one. Here: this checkout's var/run/, named by the port.
control_socket = str(Path(__file__).resolve().parent / "var" / "run" / f"gunicorn-{port}.ctl")
control_socket_disable = len(control_socket.encode()) > 100  # beyond a Unix socket's path limit (108): none


def post_worker_init(worker: object) -> None:  # gunicorn calls it in each worker once the app is loaded
    """Leave the objects of the loaded app (modules, classes, the Flask and driver objects: ~115 000) out of the
    cyclic garbage collector's full passes: each pass walked them all, 27–36 ms in a worker at a million people,
    which requests met as random delays (the p99s of the benchmarks)."""
    gc.freeze()
