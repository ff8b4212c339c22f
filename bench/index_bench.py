"""Search-index measurements: warm-up of every gunicorn worker (build time, index memory, worker RSS) and a
write followed at once by the search that must see it."""

from __future__ import annotations

import http.client
import json
import time
import uuid
from datetime import date
from pathlib import Path
from typing import Any

from bench import harness


def _ready(port: int) -> tuple[int, dict[str, Any]]:
    connection = http.client.HTTPConnection("127.0.0.1", port, timeout=10)
    try:
        connection.request("GET", "/api/v1/ready")
        response = connection.getresponse()
        return response.status, json.loads(response.read() or b"{}")
    finally:
        connection.close()


def wait_warm(workers: int, timeout: float = 900, port: int = harness.API_PORT) -> list[dict[str, Any]]:
    """Poll /ready on fresh connections until every worker (by pid) reports a warm index; their statuses."""
    deadline = time.monotonic() + timeout
    warm: dict[int, dict[str, Any]] = {}
    while time.monotonic() < deadline:
        try:
            status, body = _ready(port)
        except OSError:
            time.sleep(0.5)
            continue
        index = body.get("search_index") or {}
        if status == 200 and index.get("state") == "warm" and "pid" in body:
            warm[body["pid"]] = index
            if len(warm) >= workers:
                return list(warm.values())
        time.sleep(0.2)
    raise RuntimeError(f"only {len(warm)} of {workers} workers warmed up within {timeout:.0f} s")


def worker_rss_mb(master_pid: int) -> list[float]:
    """Resident memory of each child of the gunicorn master (the workers), in MB."""
    sizes = []
    for task in Path(f"/proc/{master_pid}/task").iterdir():
        for child in (task / "children").read_text().split():
            for line in Path(f"/proc/{child}/status").read_text().splitlines():
                if line.startswith("VmRSS:"):
                    sizes.append(int(line.split()[1]) / 1024)
    return sizes


def write_then_search(
    admin_key: str, client_key: str, rounds: int = 30, region: str = "110000"
) -> dict[str, Any]:
    """Issue a certificate through the API, then at once search for it (another connection, so possibly
    another worker): the search must count it. Returns the timings of the searches and of the writes."""
    admin, client = harness.HttpClient(admin_key), harness.HttpClient(client_key)
    wanted = f"/api/v1/practitioners?work_type=aviation&level=1&region={region}&per_page=1"
    page = client.request("GET", f"/api/v1/practitioners?region={region}&per_page=100&sort=name")["items"]
    people = [p["id"] for p in page if not any(
        c["work_type"] == "aviation" and c["level"] == 1 for c in p.get("certificates") or [])][:rounds]  # fmt: skip
    total = client.request("GET", wanted)["total"]
    searches, writes = [], []
    for person in people:
        body = {"number": f"BENCH-{uuid.uuid4().hex[:12].upper()}", "practitioner_id": person,
                "work_type": "aviation", "level": 1, "issued_on": date.today().isoformat()}  # fmt: skip
        started = time.perf_counter()
        admin.request("POST", "/api/v1/certificates", body)
        middle = time.perf_counter()
        found = client.request("GET", wanted)["total"]
        ended = time.perf_counter()
        total += 1
        if found != total:
            raise RuntimeError(f"the search right after the write counted {found}, expected {total}")
        writes.append((middle - started) * 1000)
        searches.append((ended - middle) * 1000)
    return {"search": harness.Latency(searches), "write": harness.Latency(writes), "rounds": len(searches)}
