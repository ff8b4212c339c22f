"""Public-welfare activities at a registry size (issue 25): `GET /activities` and
`GET /activities/{id}/suggestions`, with `/stats/activities`, a profile carrying `public_welfare` and the open data
beside them; p50/p95 per request as a client on the same host sees them.

    BENCH_INSTANCE=he NEO4J_BOLT_PORT=7745 BENCH_API_PORT=8845 NEO4J_HEAP=1g NEO4J_PAGECACHE=2g \
        .venv/bin/python -m bench.activities_bench --size 100000        # writes bench/ACTIVITIES_RESULTS.md

The registry is imported offline (bench/admin_import.py), then its generated activities and sign-ups
(seed/activities.py) are written by the product's loader (services/synthetic_activities.py), as `make serve` does.
`--no-load` measures the registry already in the instance. The instance is stopped at the end.
"""

from __future__ import annotations

import argparse
import http.client
import json
import time
from datetime import date
from pathlib import Path
from typing import Any

from bench import harness
from bench.admin_import import import_registry, start_with_schema
from graph.driver import graph_from_settings
from seed.synthetic import generate
from services import keys
from services.context import Context
from services.synthetic_activities import load_activities

TODAY = date.today()
WARMUP = 3
RESULTS = Path(__file__).with_name("ACTIVITIES_RESULTS.md")

SAMPLES = """
MATCH (a:Activity {status: 'open'}) WHERE a.region IS NOT NULL
RETURN a.id AS id ORDER BY a.starts_on LIMIT $n
"""
PEOPLE = """
MATCH (p:Practitioner {status: 'active'})-[j:JOINED {status: 'attended'}]->()
WITH DISTINCT p LIMIT $n RETURN p.id AS id
"""
COUNTS = """
RETURN COUNT { (:Activity) } AS activities, COUNT { ()-[:JOINED]->() } AS participations,
       COUNT { ()-[:JOINED {status: 'attended'}]->() } AS attended, COUNT { (:Practitioner) } AS people
"""


def get(connection: http.client.HTTPConnection, path: str, key: str | None) -> tuple[int, bytes]:
    headers = {"X-API-Key": key} if key else {}
    connection.request("GET", path, headers=headers)
    response = connection.getresponse()
    return response.status, response.read()


def timed(paths: list[str], key: str | None, repeat: int) -> harness.Latency | str:
    """Request the paths in turn (`repeat` in all, after warm-up); the status when one does not answer 200."""
    connection = http.client.HTTPConnection("127.0.0.1", harness.API_PORT, timeout=300)
    samples = []
    for i in range(repeat + WARMUP):
        path = paths[i % len(paths)]
        started = time.perf_counter()
        status, body = get(connection, path, key)
        if status != 200:
            return f"{status} {body[:120].decode('utf-8', 'replace')}"
        if i >= WARMUP:
            samples.append((time.perf_counter() - started) * 1000)
    return harness.Latency(samples)


def load(size: int) -> dict[str, Any]:
    """Import the registry and write its activities; the seconds each step took and what was written."""
    started = time.perf_counter()
    imported = import_registry(size, harness.settings().id_card_key, TODAY)
    graph = start_with_schema(lambda: graph_from_settings(harness.settings()))
    schema_done = time.perf_counter()
    context = Context(graph=graph, settings=harness.settings(), today=TODAY)
    counts = load_activities(context, generate(size, seed=42, today=TODAY))
    done = time.perf_counter()
    return {"import_s": round(imported["seconds"]), "schema_s": round(schema_done - started - imported["seconds"]),
            "activities_s": round(done - schema_done), **counts}  # fmt: skip


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--no-load", action="store_true", help="measure the registry already loaded")
    args = parser.parse_args()
    try:
        loaded: dict[str, Any] = {}
        if args.no_load:
            harness.local_server.start(harness.local_server.instance(harness.BENCH_INSTANCE))
        else:
            loaded = load(args.size)
            print(json.dumps(loaded), flush=True)
        graph = graph_from_settings(harness.settings())
        context = Context(graph=graph, settings=harness.settings(), today=TODAY)
        admin, _ = keys.create(context, "admin", "activities bench")
        government, _ = keys.create(context, "government", "activities bench")
        open_ids = [r["id"] for r in graph.driver.execute_query(SAMPLES, n=20).records]
        people = [r["id"] for r in graph.driver.execute_query(PEOPLE, n=50).records]
        counts = graph.driver.execute_query(COUNTS).records[0].data()
        year = TODAY.year
        cases: list[tuple[str, list[str], str | None]] = [
            ("GET /activities (public, first page)", ["/api/v1/activities"], None),
            ("GET /activities?kind=lecture", ["/api/v1/activities?kind=lecture"], None),
            ("GET /activities?region=420000", ["/api/v1/activities?region=420000"], None),
            ("GET /activities?open_for_sign_up=true", ["/api/v1/activities?open_for_sign_up=true"], None),
            ("GET /activities?page=20", ["/api/v1/activities?page=20&per_page=20"], None),
            ("GET /activities/{id}/suggestions (admin, 20 open activities)",
             [f"/api/v1/activities/{a}/suggestions" for a in open_ids], admin),
            ("GET /stats/activities (provinces)", [f"/api/v1/stats/activities?year={year}"], government),
            ("GET /stats/activities?table=months", [f"/api/v1/stats/activities?table=months&year={year}"], government),
            ("GET /stats/activities?table=pools", [f"/api/v1/stats/activities?table=pools&year={year}"], government),
            ("GET /practitioners/{id} with public_welfare (government, 50 people)",
             [f"/api/v1/practitioners/{p}" for p in people], government),
            ("GET /open-data/{today}.csv", [f"/api/v1/open-data/{TODAY.isoformat()}.csv"], None),
        ]  # fmt: skip
        rows = []
        with harness.gunicorn(2, 4, timeout=900):
            for name, paths, key in cases:
                repeat = (
                    args.repeat
                    if "stats" not in name and "open-data" not in name
                    else max(20, args.repeat // 5)
                )
                result = timed(paths, key, repeat)
                rows.append((name, result))
                shown = (
                    result
                    if isinstance(result, str)
                    else f"p50 {result.p50:7.1f} ms  p95 {result.p95:7.1f} ms"
                )
                print(f"{name:70} {shown}", flush=True)
        write(args.size, loaded, counts, rows)
    finally:
        harness.stop_neo4j()


def write(size: int, loaded: dict[str, Any], counts: dict[str, Any], rows: list) -> None:
    lines = [
        f"# Public-welfare activities at {size:,} practitioners",
        "",
        "Measured by `bench/activities_bench.py`: gunicorn 2 workers × 4 threads over the bench's own Neo4j "
        "instance, one keep-alive client on the same host (times include loopback and the JSON transfer), "
        f"{WARMUP} warm-up requests then the timed ones, paths taken in turn where there are several.",
        "",
        f"Registry: {counts['people']:,} practitioners, {counts['activities']:,} activities over two years and "
        f"the next two months (seed/activities.py), {counts['participations']:,} sign-ups of which "
        f"{counts['attended']:,} attended.",
    ]
    if loaded:
        lines += ["", "Load: " + ", ".join(f"{k} {v}" for k, v in loaded.items()) + "."]
    lines += ["", "| request | p50 ms | p95 ms | n |", "|---|---|---|---|"]
    for name, result in rows:
        if isinstance(result, str):
            lines.append(f"| {name} | not measured: {result} | | |")
        else:
            lines.append(f"| {name} | {result.p50:.1f} | {result.p95:.1f} | {len(result.samples_ms)} |")
    lines += ["", "Machine: " + ", ".join(f"{k}: {v}" for k, v in harness.machine().items()), ""]
    RESULTS.write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    main()
