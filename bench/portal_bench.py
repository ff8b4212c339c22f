"""Portal pages at a registry size: each page's p50/p95 as a browser-less client sees it (an upper bound on the
server time: it includes loopback and HTML transfer), anonymous and logged in as an administrator.

    .venv/bin/python -m bench.portal_bench --size 100000       # writes bench/PORTAL_RESULTS.md

Uses the bench Neo4j instance (wiped, loaded through the application's bulk writer) and stops it at the end.
"""

from __future__ import annotations

import argparse
import http.client
import re
import time
from datetime import date
from pathlib import Path
from urllib.parse import urlencode

from bench import harness
from seed.synthetic import generate
from services import keys
from services.context import Context
from services.synthetic import load_synthetic

TODAY = date.today()
WARMUP = 3
RESULTS = Path(__file__).with_name("PORTAL_RESULTS.md")


class Browserless:
    """Cookies and keep-alive over one HTTP/1.1 connection, like a browser tab without rendering."""

    def __init__(self, port: int) -> None:
        self.port = port
        self.cookies: dict[str, str] = {}
        self.connection = http.client.HTTPConnection("127.0.0.1", port, timeout=300)

    def request(self, method: str, path: str, form: dict[str, str] | None = None) -> tuple[int, str]:
        headers = {"Cookie": "; ".join(f"{k}={v}" for k, v in self.cookies.items())}
        body = None
        if form is not None:
            body = urlencode(form)
            headers["Content-Type"] = "application/x-www-form-urlencoded"
        self.connection.request(method, path, body=body, headers=headers)
        response = self.connection.getresponse()
        text = response.read().decode("utf-8", "replace")
        for header, value in response.getheaders():
            if header.lower() == "set-cookie":
                name, _, rest = value.partition("=")
                self.cookies[name] = rest.split(";", 1)[0]
        return response.status, text

    def log_in(self, key: str) -> None:
        _, page = self.request("GET", "/login")
        token = re.search(r'name="csrf_token" value="([^"]+)"', page).group(1)
        status, _ = self.request("POST", "/login", {"csrf_token": token, "key": key})
        assert status == 302, status


def timed(client: Browserless, path: str, repeat: int) -> harness.Latency:
    samples = []
    for i in range(repeat + WARMUP):
        started = time.perf_counter()
        status, _ = client.request("GET", path)
        if status != 200:
            raise RuntimeError(f"GET {path} → {status}")
        if i >= WARMUP:
            samples.append((time.perf_counter() - started) * 1000)
    return harness.Latency(samples)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=30)
    args = parser.parse_args()
    try:
        graph = harness.fresh_graph()
        registry = generate(args.size, seed=42, today=TODAY)
        started = time.perf_counter()
        context = Context(graph=graph, settings=harness.settings(), today=TODAY)
        load_synthetic(context, registry)
        print(f"loaded {args.size:,} in {time.perf_counter() - started:.0f} s", flush=True)
        admin_key, _ = keys.create(context, "admin", "portal bench")
        person = graph.read(
            lambda tx: tx.run(
                "MATCH (p:Practitioner {public_profile: true, status: 'active'})-[:HOLDS]->() RETURN p.id AS id LIMIT 1"
            ).single()["id"]
        )
        admin_person = graph.read(
            lambda tx: tx.run("MATCH (p:Practitioner)-[:HOLDS]->() RETURN p.id AS id LIMIT 1").single()["id"]
        )
        pages = {
            "anonymous": ["/", "/verify", "/search", "/talent?work_type=verification", "/experts?region=420000",
                          "/search?q=%E6%A0%B8%E6%9F%A5", f"/practitioners/{person}", "/dashboards"],
            "admin": ["/admin", "/search?work_type=verification&page=3", f"/practitioners/{admin_person}",
                      f"/admin/practitioners/{admin_person}", "/dashboards", "/admin/queues"],
        }  # fmt: skip
        rows = []
        with harness.gunicorn(1, 4, timeout=600):
            for who, paths in pages.items():
                client = Browserless(harness.API_PORT)
                if who == "admin":
                    client.log_in(admin_key)
                for path in paths:
                    latency = timed(client, path, args.repeat)
                    rows.append((who, path, latency))
                    print(
                        f"{who:9} {path:60} p50 {latency.p50:7.1f} ms  p95 {latency.p95:7.1f} ms", flush=True
                    )
        write(args.size, rows)
    finally:
        harness.stop_neo4j()


def write(size: int, rows: list) -> None:
    lines = [
        f"# Portal pages at {size:,} practitioners",
        "",
        "Measured by `bench/portal_bench.py`: one gunicorn worker (4 threads), the page requested by a client on the "
        "same host (times include loopback and the HTML transfer, so they bound the server time from above), "
        f"{WARMUP} warm-up requests then the timed ones.",
        "",
        "| visitor | page | p50 ms | p95 ms |",
        "|---|---|---|---|",
    ]
    lines += [f"| {who} | `{path}` | {lat.p50:.1f} | {lat.p95:.1f} |" for who, path, lat in rows]
    lines += ["", "Machine: " + ", ".join(f"{k}: {v}" for k, v in harness.machine().items()), ""]
    RESULTS.write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    main()
