"""Benchmarks: load, search latency (HTTP through the search index vs the Cypher path through the driver),
a write followed by a search that must see it, index build time and memory, and throughput.

    .venv/bin/python -m bench.run                      # 100k and 1M practitioners (make bench)
    .venv/bin/python -m bench.run --sizes 10000 --repeat 50 --duration 10   # a quick look
    .venv/bin/python -m bench.run --keep-neo4j         # leave the bench Neo4j running afterwards

The bench Neo4j (heap 4 GB + page cache 6 GB) is stopped at the end, failed runs included, unless
--keep-neo4j (or BENCH_KEEP_NEO4J=1) asks to keep it for a look at the loaded graph.

Registries up to --import-above people are written through the application's transactional bulk writer
(services/batches.py); bigger ones through `neo4j-admin database import` (bench/admin_import.py, bench only).
The bench's Neo4j is stopped at the end unless --keep-neo4j.

Writes bench/RESULTS.md (tables + machine description) and prints the same tables. Ratios are measured side
by side in one run, since the machines are shared and noisy.
"""

from __future__ import annotations

import argparse
import os
import threading
import time
from datetime import date
from pathlib import Path
from typing import Any

from bench import harness, index_bench, index_build
from bench.admin_import import import_registry, start_with_schema
from bench.import_bench import import_benchmark
from graph.driver import graph_from_settings
from graph.search import SearchFilters
from registry.matching import MatchRequest
from seed.synthetic import generate
from services import keys, matching
from services.context import Context
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
            "driver": lambda ctx: matching.match(
                ctx,
                MatchRequest(work_type="verification", industry="building_materials", region="420000",
                             min_level=3, conflict_org_id=conflict_org_id, limit=10),
            ),
        },
    ]  # fmt: skip


def unseen_pages() -> dict[str, Any]:
    """The single filter on pages 2, 3, 4, … in turn: each request shows 20 people no earlier request showed, so
    every page view is read from Neo4j (the search index keeps the views of pages already shown)."""
    path = "/api/v1/practitioners?work_type=verification&page={}"
    return {
        "name": "single filter, a page not shown before",
        "http": lambda i: ("GET", path.format(2 + i), None),
        "driver": lambda ctx, i: search(ctx, SearchFilters(work_type="verification"), page=2 + i),
    }


def load(size: int, args: argparse.Namespace, seed: int = 42) -> dict[str, Any]:
    """Wipe, then generate and load a registry of `size` practitioners; returns timings and counts."""
    if size > args.import_above:
        loaded = import_registry(size, harness.settings().id_card_key, TODAY, seed=seed)
        started = time.perf_counter()
        graph = start_with_schema(lambda: graph_from_settings(harness.settings()))
        loaded["schema_seconds"] = time.perf_counter() - started
        return loaded | {"graph": graph, "method": "neo4j-admin database import"}
    graph = harness.fresh_graph()
    started = time.perf_counter()
    registry = generate(size, seed=seed, today=TODAY)
    counts = load_synthetic(Context(graph=graph, settings=harness.settings(), today=TODAY), registry)
    seconds = time.perf_counter() - started
    conflict = next(o["id"] for o in registry.organizations if o["kind"] == "enterprise")
    return {"graph": graph, "seconds": seconds, "counts": counts, "conflict_org_id": conflict,
            "method": "transactional bulk writer (services/batches.py)"}  # fmt: skip


def latency(
    graph: Any, queries: list[dict[str, Any]], key: str, repeat: int, cypher_repeat: int
) -> list[dict[str, Any]]:
    """p50/p95/p99 of each query through HTTP (gunicorn, answered by the search index) and of the old Cypher
    path through the driver.

    The two sides alternate, so JIT warm-up, caches and the neighbours' load on this shared machine affect
    both alike; the Cypher path runs on every `repeat // cypher_repeat`-th round only (seconds each at 1M).
    """
    every = max(1, repeat // max(1, cypher_repeat))
    cypher = Context(
        graph, harness.settings(), today=TODAY
    )  # no search index in this process: the Cypher path
    client = harness.HttpClient(key)
    rows = []
    for query in queries:
        varies = callable(query["http"])  # a request of its own each time (`unseen_pages`)
        http_samples, driver_samples = [], []
        for i in range(repeat + WARMUP):
            method, path, body = query["http"](i) if varies else query["http"]
            started = time.perf_counter()
            client.request(method, path, body)
            middle = time.perf_counter()
            if i >= WARMUP:
                http_samples.append((middle - started) * 1000)
            if i >= WARMUP and (i - WARMUP) % every == 0:
                query["driver"](cypher, i) if varies else query["driver"](cypher)
                driver_samples.append((time.perf_counter() - middle) * 1000)
        http, driver = harness.Latency(http_samples), harness.Latency(driver_samples)
        rows.append({"name": query["name"], "http": http, "driver": driver, "ratio": driver.p50 / http.p50})
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


def _key(graph: Any, role: str) -> str:
    return keys.create(Context(graph, harness.settings(), today=TODAY), role, "bench")[0]


def run_size(size: int, args: argparse.Namespace) -> dict[str, Any]:
    print(f"== {size:,} practitioners ==", flush=True)
    loaded = load(size, args)
    graph = loaded["graph"]
    print(f"load: {loaded['seconds']:.1f} s ({loaded['method']}) {loaded['counts']}", flush=True)
    key, admin_key = _key(graph, "client"), _key(graph, "admin")
    queries = typical_queries(loaded["conflict_org_id"])
    cypher_repeat = args.cypher_repeat if size <= args.import_above else args.cypher_repeat_big
    with harness.gunicorn(args.workers, args.threads, timeout=900) as master:
        started = time.perf_counter()
        warm = index_bench.wait_warm(args.workers)
        warm_seconds = time.perf_counter() - started
        rss = index_bench.worker_rss_mb(master.pid)
        print(
            f"index warm in every worker after {warm_seconds:.1f} s: {warm}; worker RSS {rss} MB", flush=True
        )
        rows = latency(graph, [*queries, unseen_pages()], key, args.repeat, cypher_repeat)
        for row in rows:
            print(
                f"{row['name']:<50} http p50 {row['http'].p50:7.1f} p95 {row['http'].p95:7.1f} "
                f"p99 {row['http'].p99:7.1f} | cypher p50 {row['driver'].p50:8.1f} | x{row['ratio']:.0f}",
                flush=True,
            )
        fresh = index_bench.write_then_search(admin_key, key, rounds=args.write_rounds)
        print(
            f"write then search: search p50 {fresh['search'].p50:.1f} p95 {fresh['search'].p95:.1f} ms",
            flush=True,
        )
        load_result = throughput(queries, key, args.clients, args.duration)
        print(f"throughput: {load_result['rps']:.1f} req/s with {args.clients} clients", flush=True)
        after = {
            "workers": index_bench.wait_warm(args.workers),
            "rss_mb": index_bench.worker_rss_mb(master.pid),
        }
        print(f"after the runs: {after}", flush=True)
    # With Neo4j warm (as when an API process restarts next to a running database), once more in a process alone.
    rebuild = index_build.measure()
    print(f"rebuild on a warm Neo4j: {rebuild}", flush=True)
    imported = import_benchmark(size) if args.with_import and size <= args.import_above else None
    graph.close()
    return {"size": size, "load": loaded, "latency": rows, "throughput": load_result, "import": imported,
            "index": {"workers": warm, "rss_mb": rss, "warm_seconds": warm_seconds, "rebuild": rebuild,
                      "after": after},
            "fresh": fresh,
            "cypher_samples": len(rows[0]["driver"].samples_ms)}  # fmt: skip


def report(results: list[dict[str, Any]], args: argparse.Namespace) -> str:
    machine = harness.machine()
    lines = [
        "# Benchmark results",
        "",
        f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} with `python -m bench.run "
        f"--sizes {','.join(str(r['size']) for r in results)} --repeat {args.repeat}`.",
        "",
        "Machine: " + "; ".join(f"{k}: {v}" for k, v in machine.items()) + ".",
        f"gunicorn: {args.workers} workers × {args.threads} threads (gthread), each worker with its own search "
        "index; client and server share the machine.",
        "",
        "## Load (generate + write a synthetic registry)",
        "",
        "| practitioners | how | seconds | certificates | engagements | organizations |",
        "|---:|---|---:|---:|---:|---:|",
    ]
    for r in results:
        c, load_ = r["load"]["counts"], r["load"]
        how = load_["method"]
        if "import_seconds" in load_:
            how += (
                f" (generate + CSV {load_['generate_and_csv_seconds']:.0f} s, import {load_['import_seconds']:.0f} s;"
                f" then schema and index population {load_['schema_seconds']:.0f} s)"
            )
        lines.append(f"| {r['size']:,} | {how} | {load_['seconds']:.1f} | {c['certificates']:,} | "
                     f"{c['engagements']:,} | {c['organizations']:,} |")  # fmt: skip
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
    lines += [
        "",
        "## Search index: cold build and memory per API process",
        "",
        "At gunicorn start, right after the load (Neo4j just started: its page cache and query plans still cold). One",
        "worker builds from the graph and saves the snapshot, the other waits for it and loads it (`built from`).",
        "",
        "| practitioners | build (s, per worker) | built from | arrays (MB) | worker RSS (MB) | all warm after (s) |",
        "|---:|---:|---|---:|---:|---:|",
    ]
    for r in results:
        ix = r["index"]
        builds = ", ".join(f"{w['build_seconds']:.1f}" for w in ix["workers"])
        sources = ", ".join(w.get("built_from", "graph") for w in ix["workers"])
        memory = ", ".join(f"{w['memory_mb']:.0f}" for w in ix["workers"])
        rss = ", ".join(f"{m:.0f}" for m in ix["rss_mb"])
        lines.append(
            f"| {r['size']:,} | {builds} | {sources} | {memory} | {rss} | {ix['warm_seconds']:.1f} |"
        )
    lines += [
        "",
        "Rebuilt after the throughput run (Neo4j warm, as when an API process restarts next to a running database),",
        "from the graph in a process of its own (`python -m bench.index_build`):",
        "",
        "| practitioners | build (s) | index arrays (MB) | process peak RSS (MB) | process RSS after (MB) |",
        "|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        rb = r["index"]["rebuild"]
        lines.append(f"| {r['size']:,} | {rb['seconds']:.1f} | {rb['memory_mb']:.0f} | {rb['peak_rss_mb']:.0f} | "
                     f"{rb['rss_mb']:.0f} |")  # fmt: skip
    lines += [
        "",
        "## Search latency: HTTP answered by the search index vs the old Cypher path (driver), ms",
        "",
    ]
    for r in results:
        lines += [
            f"### {r['size']:,} practitioners",
            "",
            f"HTTP: {len(r['latency'][0]['http'].samples_ms)} timed requests per query; Cypher: "
            f"{r['cypher_samples']} per query, interleaved.",
            "",
            "| query | HTTP p50 | HTTP p95 | HTTP p99 | Cypher p50 | Cypher p95 | Cypher / HTTP (p50) |",
            "|---|---:|---:|---:|---:|---:|---:|",
        ]
        for row in r["latency"]:
            h, d = row["http"], row["driver"]
            lines.append(
                f"| {row['name']} | {h.p50:.1f} | {h.p95:.1f} | {h.p99:.1f} | {d.p50:.1f} | {d.p95:.1f} | "
                f"{row['ratio']:.0f}× |"
            )
        f = r["fresh"]
        lines += ["", f"Write then search ({f['rounds']} rounds: `POST /certificates` as admin, then at once "
                  f"`GET /practitioners` that must count it): search p50 {f['search'].p50:.1f} ms, "
                  f"p95 {f['search'].p95:.1f} ms, p99 {f['search'].p99:.1f} ms (the write: p50 "
                  f"{f['write'].p50:.1f} ms).", ""]  # fmt: skip
    lines += [
        "## Throughput (the five-query mix, concurrent keep-alive clients on loopback, search index)",
        "",
        "| practitioners | clients | requests/s | errors |",
        "|---:|---:|---:|---:|",
    ]
    for r in results:
        t = r["throughput"]
        lines.append(f"| {r['size']:,} | {t['clients']} | {t['rps']:.1f} | {t['errors']} |")
    lines += [
        "",
        "## After the runs: page views kept and worker memory",
        "",
        "Each worker keeps the views of the people its pages showed until a write changes them (`SEARCH_PAGE_VIEWS`).",
        "",
        "| practitioners | views kept (per worker) | hits | misses | worker RSS (MB) |",
        "|---:|---|---|---|---|",
    ]
    for r in results:
        after = r["index"]["after"]
        views = [w.get("page_views", {}) for w in after["workers"]]
        kept, hits, misses = (", ".join(str(v.get(k, 0)) for v in views) for k in ("kept", "hits", "misses"))
        rss = ", ".join(f"{m:.0f}" for m in after["rss_mb"])
        lines.append(f"| {r['size']:,} | {kept} | {hits} | {misses} | {rss} |")
    return "\n".join(lines) + "\n"


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument(
        "--import-above",
        type=int,
        default=200_000,
        help="bigger registries are loaded with neo4j-admin database import",
    )
    parser.add_argument("--cypher-repeat", type=int, default=40, help="timed Cypher-path runs per query")
    parser.add_argument("--cypher-repeat-big", type=int, default=5, help="the same above --import-above")
    parser.add_argument("--write-rounds", type=int, default=30)
    parser.add_argument("--repeat", type=int, default=200, help="timed requests per query")
    parser.add_argument("--duration", type=float, default=20, help="seconds of the throughput run")
    parser.add_argument("--clients", type=int, default=8)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--with-import", action="store_true", help="also the CSV import benchmark")
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
        RESULTS.write_text(text + "\n" + kept_jobs() + kept_analysis() + NOTES)


def kept_analysis() -> str:
    """The hand-written analysis of the previous RESULTS.md, kept so a new run does not erase it."""
    if not RESULTS.exists():
        return ""
    old = RESULTS.read_text()
    start, end = old.find(ANALYSIS_HEADING), old.find("## Notes")
    return old[start:end] if start >= 0 and end > start else ""


def kept_jobs() -> str:
    """The "Jobs" section bench/jobs_bench.py wrote (its own run), kept so this run does not erase it."""
    from bench.jobs_report import END, START

    old = RESULTS.read_text() if RESULTS.exists() else ""
    start, end = old.find(START), old.find(END)
    return old[start : end + len(END)] + "\n\n" if start >= 0 and end > start else ""


ANALYSIS_HEADING = "## Targets at"
NOTES = """## Notes

A new run rewrites the tables and keeps the analysis section, which was written for the run recorded when it
was last edited: re-read it against new numbers.
"""

if __name__ == "__main__":
    main()
