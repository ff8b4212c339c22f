"""Public-welfare activities at a registry size (issue 25): `GET /activities` and
`GET /activities/{id}/suggestions`, with `/stats/activities`, a profile carrying `public_welfare` and the open data
beside them; p50/p95 per request as a client on the same host sees them.

    BENCH_INSTANCE=he NEO4J_BOLT_PORT=7745 BENCH_API_PORT=8845 NEO4J_HEAP=1g NEO4J_PAGECACHE=2g \
        .venv/bin/python -m bench.activities_bench --size 100000        # writes bench/ACTIVITIES_RESULTS.md

The registry is imported offline (bench/admin_import.py), then its generated activities and sign-ups
(seed/activities.py) are written by the product's loader (services/synthetic_activities.py), as `make serve` does.
`--activities-only --size N` writes only the activities and sign-ups onto the registry of N practitioners the
instance already holds (imported with the same seed, without activities yet), then measures. `--no-load` measures
the registry already in the instance. `--results FILE` writes the table elsewhere; `--keep-running` leaves the
instance up (for alternating rounds); otherwise the instance is stopped at the end.

Suggestions are timed three ways: one activity asked again and again (its needs' order kept by the worker: the
cached path), activities whose needs sets all differ, more of them than a worker keeps (each request ranks a new
needs set: the uncached path), and the 20 soonest open activities in turn (runs A–C's row). One keep-alive client
connection is served by one worker, so "kept" means kept by that worker.
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
# Open activities with their needs, to pick ones whose needs sets differ (services/activity_suggestions._order_of
# keys its kept orders on the needs' work type, level, region, specialty and industry).
NEEDS = """
MATCH (a:Activity {status: 'open'})
RETURN a.id AS id, [a.needs_work_type, a.needs_min_level, a.region, a.needs_specialty, a.needs_industry] AS needs
ORDER BY a.starts_on, a.id
"""
ORDERS_KEPT = 8  # services/activity_suggestions.ORDERS_KEPT, read there when the module has it
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


def distinct_needs(graph: Any, n: int) -> list[str]:
    """Up to n open activities whose needs sets all differ, soonest first."""
    seen: set[tuple[Any, ...]] = set()
    chosen = []
    for record in graph.driver.execute_query(NEEDS).records:
        key = tuple(record["needs"])
        if key not in seen:
            seen.add(key)
            chosen.append(record["id"])
    return chosen[:n]


def wait_until_ready(workers: int, deadline_s: float = 900) -> None:
    """Until each worker's search index is warm (GET /ready answers 200 on several fresh connections): a build
    running in a worker's background thread would otherwise slow the first cases' requests."""
    deadline, answered = time.monotonic() + deadline_s, 0
    while answered < 3 * workers and time.monotonic() < deadline:
        connection = http.client.HTTPConnection("127.0.0.1", harness.API_PORT, timeout=60)
        status, _ = get(connection, "/api/v1/ready", None)
        connection.close()
        answered = answered + 1 if status == 200 else 0
        if status != 200:
            time.sleep(2)


def load_only_activities(size: int, seed: int) -> dict[str, Any]:
    """Write the generated activities and sign-ups onto the registry the instance holds; what was written."""
    harness.local_server.start(harness.local_server.instance(harness.BENCH_INSTANCE))
    graph = graph_from_settings(harness.settings())
    held = graph.driver.execute_query("RETURN COUNT { (:Activity) } AS n").records[0]["n"]
    if held:
        raise SystemExit(f"The instance already holds {held} activities; measure it with --no-load.")
    started = time.perf_counter()
    context = Context(graph=graph, settings=harness.settings(), today=TODAY)
    registry = generate(size, seed=seed, today=TODAY)
    generated = time.perf_counter()
    counts = load_activities(context, registry)
    return {"generate_s": round(generated - started),
            "activities_s": round(time.perf_counter() - generated), **counts}  # fmt: skip


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
    parser.add_argument("--seed", type=int, default=42, help="the seed the registry was generated with")
    parser.add_argument("--no-load", action="store_true", help="measure the registry already loaded")
    parser.add_argument(
        "--activities-only",
        action="store_true",
        help="write only the activities and sign-ups onto the registry the instance holds",
    )
    parser.add_argument("--results", type=Path, default=RESULTS, help="where the table is written")
    parser.add_argument("--only", default="", help="comma-separated words; time only the requests naming one")
    parser.add_argument("--keep-running", action="store_true", help="leave the instance running at the end")
    args = parser.parse_args()  # fmt: skip
    try:
        loaded: dict[str, Any] = {}
        if args.activities_only:
            loaded = load_only_activities(args.size, args.seed)
            print(json.dumps(loaded), flush=True)
        elif args.no_load:
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
        distinct = distinct_needs(graph, 40)
        kept = _orders_kept()
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
            ("GET /activities/{id}/suggestions cached (admin, one activity again)",
             [f"/api/v1/activities/{open_ids[0]}/suggestions"] if open_ids else [], admin),
            (f"GET /activities/{{id}}/suggestions uncached (admin, {len(distinct)} needs sets in turn"
             + (")" if len(distinct) > kept else f", not more than the {kept} kept: some hit)"),
             [f"/api/v1/activities/{a}/suggestions" for a in distinct], admin),
            ("GET /stats/activities (provinces)", [f"/api/v1/stats/activities?year={year}"], government),
            ("GET /stats/activities?table=months", [f"/api/v1/stats/activities?table=months&year={year}"], government),
            ("GET /stats/activities?table=pools", [f"/api/v1/stats/activities?table=pools&year={year}"], government),
            ("GET /practitioners/{id} with public_welfare (government, 50 people)",
             [f"/api/v1/practitioners/{p}" for p in people], government),
            ("GET /open-data/{today}.csv", [f"/api/v1/open-data/{TODAY.isoformat()}.csv"], None),
        ]  # fmt: skip
        rows = []
        with harness.gunicorn(2, 4, timeout=900):
            wait_until_ready(2)
            for name, paths, key in cases:
                if args.only and not any(w in name for w in args.only.split(",")):
                    continue
                if not paths:
                    rows.append((name, "no open activity"))
                    continue
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
        write(args.results, args.size, loaded, counts, rows)
    finally:
        if not args.keep_running:
            harness.stop_neo4j()


def _orders_kept() -> int:
    """How many needs sets' orders a worker keeps (the module's constant where the code has one)."""
    from services import activity_suggestions

    return int(getattr(activity_suggestions, "ORDERS_KEPT", ORDERS_KEPT))


def write(path: Path, size: int, loaded: dict[str, Any], counts: dict[str, Any], rows: list) -> None:
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
    path.write_text("\n".join(lines), encoding="utf-8")


if __name__ == "__main__":
    main()
