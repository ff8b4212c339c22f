"""Benchmarks: load, import, search latency (HTTP vs driver) and throughput, at several registry sizes.

    .venv/bin/python -m bench.run                      # 10k and 100k practitioners (make bench)
    .venv/bin/python -m bench.run --sizes 10000 --repeat 50 --duration 10   # a quick look
    .venv/bin/python -m bench.run --keep-neo4j         # leave the bench Neo4j running afterwards

The bench Neo4j (heap 4 GB + page cache 6 GB) is stopped at the end, failed runs included, unless
--keep-neo4j (or BENCH_KEEP_NEO4J=1) asks to keep it for a look at the loaded graph.

Writes bench/RESULTS.md (tables + machine description) and prints the same tables. Ratios are measured side
by side in one run, since the machines are shared and noisy.
"""

from __future__ import annotations

import argparse
import os
import statistics
import threading
import time
from datetime import date
from pathlib import Path
from typing import Any

from bench import harness
from bench.import_bench import import_benchmark
from graph.search import SearchFilters
from registry.matching import MatchRequest
from seed.synthetic import generate
from services import keys
from services.context import Context
from services.matching import match
from services.search import run as search
from services.synthetic import load_synthetic

TODAY = date.today()
WARMUP = 10
RESULTS = Path(__file__).with_name("RESULTS.md")


def typical_queries(conflict_org_id: str) -> list[dict[str, Any]]:
    """The five typical queries: the HTTP request and the same work through the driver."""
    return [
        {
            "name": "single filter (work_type=verification)",
            "http": ("GET", "/api/v1/practitioners?work_type=verification", None),
            "driver": lambda ctx: search(ctx, SearchFilters(work_type="verification")),
        },
        {
            "name": "three filters (verification, min_level=2, Hubei)",
            "http": ("GET", "/api/v1/practitioners?work_type=verification&min_level=2&region=420000", None),
            "driver": lambda ctx: search(ctx, SearchFilters(work_type="verification", min_level=2, region="420000")),
        },
        {
            "name": "full text (q=核查)",
            "http": ("GET", "/api/v1/practitioners?q=%E6%A0%B8%E6%9F%A5", None),
            "driver": lambda ctx: search(ctx, SearchFilters(q="核查"), sort="relevance"),
        },
        {
            "name": "facets over everyone (no filter)",
            "http": ("GET", "/api/v1/practitioners", None),
            "driver": lambda ctx: search(ctx, SearchFilters()),
        },
        {
            "name": "/match with conflict check",
            "http": (
                "POST", "/api/v1/match",
                {"work_type": "verification", "industry": "building_materials", "region": "420000",
                 "min_level": 3, "conflict_org_id": conflict_org_id, "limit": 10},
            ),
            "driver": lambda ctx: match(
                ctx,
                MatchRequest(work_type="verification", industry="building_materials", region="420000",
                             min_level=3, conflict_org_id=conflict_org_id, limit=10),
            ),
        },
    ]  # fmt: skip


def load(size: int, seed: int = 42) -> dict[str, Any]:
    """Wipe, then generate and load a registry of `size` practitioners; returns timings and counts."""
    graph = harness.fresh_graph()
    started = time.perf_counter()
    registry = generate(size, seed=seed, today=TODAY)
    counts = load_synthetic(Context(graph=graph, settings=harness.settings(), today=TODAY), registry)
    seconds = time.perf_counter() - started
    conflict = next(o["id"] for o in registry.organizations if o["kind"] == "enterprise")
    return {"graph": graph, "seconds": seconds, "counts": counts, "conflict_org_id": conflict}


def latency(ctx: Context, queries: list[dict[str, Any]], key: str, repeat: int) -> list[dict[str, Any]]:
    """p50/p95/p99 of each query through HTTP (gunicorn) and through the driver.

    The two sides alternate request by request, so JIT warm-up, caches and the neighbours' load on this
    shared machine affect both alike.
    """
    client = harness.HttpClient(key)
    rows = []
    for query in queries:
        method, path, body = query["http"]
        http_samples, driver_samples = [], []
        for i in range(repeat + WARMUP):
            started = time.perf_counter()
            client.request(method, path, body)
            middle = time.perf_counter()
            query["driver"](ctx)
            ended = time.perf_counter()
            if i >= WARMUP:
                http_samples.append((middle - started) * 1000)
                driver_samples.append((ended - middle) * 1000)
        http, driver = harness.Latency(http_samples), harness.Latency(driver_samples)
        rows.append({"name": query["name"], "http": http, "driver": driver, "ratio": http.p50 / driver.p50})
    return rows


def throughput(queries: list[dict[str, Any]], key: str, clients: int, seconds: float) -> dict[str, float]:
    """Requests per second for the five-query mix with `clients` concurrent keep-alive connections."""
    stop = time.monotonic() + seconds
    counts = [0] * clients
    errors = [0] * clients

    def run(index: int) -> None:
        client = harness.HttpClient(key)
        i = index
        while time.monotonic() < stop:
            method, path, body = queries[i % len(queries)]["http"]
            try:
                client.request(method, path, body)
                counts[index] += 1
            except Exception:
                errors[index] += 1
                client = harness.HttpClient(key)
            i += 1

    threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
    started = time.monotonic()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    elapsed = time.monotonic() - started
    return {"rps": sum(counts) / elapsed, "requests": sum(counts), "errors": sum(errors), "clients": clients}


def run_size(size: int, args: argparse.Namespace) -> dict[str, Any]:
    print(f"== {size:,} practitioners ==", flush=True)
    loaded = load(size)
    graph = loaded["graph"]
    print(f"load: {loaded['seconds']:.1f} s {loaded['counts']}", flush=True)
    ctx = Context(graph, harness.settings(), today=TODAY)
    key, _ = keys.create(ctx, "client", "bench")
    queries = typical_queries(loaded["conflict_org_id"])
    with harness.gunicorn(args.workers, args.threads):
        rows = latency(ctx, queries, key, args.repeat)
        for row in rows:
            print(
                f"{row['name']:<50} http p50 {row['http'].p50:7.1f} p95 {row['http'].p95:7.1f} "
                f"p99 {row['http'].p99:7.1f} | driver p50 {row['driver'].p50:7.1f} | ratio {row['ratio']:.2f}",
                flush=True,
            )
        load_result = throughput(queries, key, args.clients, args.duration)
        print(f"throughput: {load_result['rps']:.1f} req/s with {args.clients} clients", flush=True)
    imported = import_benchmark(size) if not args.skip_import else None
    graph.close()
    return {"size": size, "load": loaded, "latency": rows, "throughput": load_result, "import": imported}


def report(results: list[dict[str, Any]], args: argparse.Namespace) -> str:
    machine = harness.machine()
    lines = [
        "# Benchmark results",
        "",
        f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} with `python -m bench.run "
        f"--sizes {','.join(str(r['size']) for r in results)} --repeat {args.repeat}`.",
        "",
        "Machine: " + "; ".join(f"{k}: {v}" for k, v in machine.items()) + ".",
        f"gunicorn: {args.workers} workers × {args.threads} threads (gthread); client and server share the machine.",
        "",
        "## Full load (generate + write a synthetic registry)",
        "",
        "| practitioners | seconds | practitioners/s | certificates | engagements | organizations |",
        "|---:|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        c = r["load"]["counts"]
        lines.append(
            f"| {r['size']:,} | {r['load']['seconds']:.1f} | {r['size'] / r['load']['seconds']:,.0f} | "
            f"{c['certificates']:,} | {c['engagements']:,} | {c['organizations']:,} |"
        )
    if any(r["import"] for r in results):
        lines += [
            "",
            "## Bulk import (CSV, one row per certificate) vs a minimal raw-driver UNWIND script",
            "",
            "| practitioners | rows | import rows/s | raw UNWIND rows/s | import / raw | import peak RSS |",
            "|---:|---:|---:|---:|---:|---:|",
        ]
        for r in results:
            if r["import"]:
                i = r["import"]
                lines.append(
                    f"| {r['size']:,} | {i['rows']:,} | {i['import_rate']:,.0f} | {i['raw_rate']:,.0f} | "
                    f"{i['import_rate'] / i['raw_rate']:.0%} | {i['peak_rss_mb']:.0f} MB |"
                )
    lines += ["", "## Search latency: HTTP through gunicorn vs the same Cypher through the driver (ms)", ""]
    for r in results:
        lines += [
            f"### {r['size']:,} practitioners",
            "",
            "| query | HTTP p50 | HTTP p95 | HTTP p99 | driver p50 | driver p95 | API/driver (p50) |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for row in r["latency"]:
            h, d = row["http"], row["driver"]
            lines.append(
                f"| {row['name']} | {h.p50:.1f} | {h.p95:.1f} | {h.p99:.1f} | {d.p50:.1f} | {d.p95:.1f} | "
                f"{row['ratio']:.2f} |"
            )
        ratios = [row["ratio"] for row in r["latency"]]
        lines += ["", f"Median API/driver ratio: {statistics.median(ratios):.2f}.", ""]
    lines += [
        "## Throughput (the five-query mix, concurrent keep-alive clients on loopback)",
        "",
        "| practitioners | clients | requests/s | errors |",
        "|---:|---:|---:|---:|",
    ]
    for r in results:
        t = r["throughput"]
        lines.append(f"| {r['size']:,} | {t['clients']} | {t['rps']:.1f} | {t['errors']} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="10000,100000")
    parser.add_argument("--repeat", type=int, default=200, help="timed requests per query")
    parser.add_argument("--duration", type=float, default=20, help="seconds of the throughput run")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--skip-import", action="store_true")
    parser.add_argument("--no-write", action="store_true", help="do not write bench/RESULTS.md")
    parser.add_argument(
        "--keep-neo4j",
        action="store_true",
        default=os.environ.get("BENCH_KEEP_NEO4J") == "1",
        help="leave the bench Neo4j running at the end (default: stop it; also BENCH_KEEP_NEO4J=1)",
    )
    args = parser.parse_args(argv)
    try:
        results = [run_size(int(size), args) for size in args.sizes.split(",")]
    finally:
        if args.keep_neo4j:
            print(
                "The bench Neo4j keeps running (--keep-neo4j); `make bench-neo4j-stop` stops it.", flush=True
            )
        else:
            harness.stop_neo4j()
    text = report(results, args)
    print(text)
    if not args.no_write:
        RESULTS.write_text(text + "\n" + kept_analysis() + NOTES)


def kept_analysis() -> str:
    """The hand-written analysis of the previous RESULTS.md, kept so a new run does not erase it."""
    if not RESULTS.exists():
        return ""
    old = RESULTS.read_text()
    start, end = old.find(ANALYSIS_HEADING), old.find("## Notes")
    return old[start:end] if start >= 0 and end > start else ""


ANALYSIS_HEADING = "## Targets at"
NOTES = """## Notes

A new run rewrites the tables and keeps the analysis section, which was written for the run recorded when it
was last edited: re-read it against new numbers.
"""

if __name__ == "__main__":
    main()
