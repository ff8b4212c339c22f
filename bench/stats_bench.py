"""Statistics benchmark: each /stats answer's HTTP latency at a registry size, and what a graph change costs.

    .venv/bin/python -m bench.stats_bench                        # 100 000 practitioners, 200 samples each
    .venv/bin/python -m bench.stats_bench --size 10000 --repeat 50
    .venv/bin/python -m bench.stats_bench --no-load              # reuse what the bench instance holds

Uses the `bench` Neo4j instance (wiped unless --no-load) and gunicorn like bench/run.py; writes
bench/STATS_RESULTS.md. Three numbers per statistic: warm HTTP p50/p95/p99 (the answer of this revision is
cached), the first answer after a write (the snapshot is read again), and the pure aggregation time in
process (what a cold answer costs on top of the snapshot).
"""

from __future__ import annotations

import argparse
import http.client
import json
import os
import resource
import time
from datetime import date
from pathlib import Path
from typing import Any

from bench import harness
from graph import local_server
from graph import statistics as statistics_repo
from graph.schema import create_schema
from seed.synthetic import generate
from services import certificates, keys
from services import statistics as stats_service
from services.context import Context
from services.synthetic import load_synthetic

TODAY = date.today()
WARMUP = 10
RESULTS = Path(__file__).with_name("STATS_RESULTS.md")

QUERIES: list[tuple[str, str]] = [
    ("supply (province × work type × level)", "/api/v1/stats/supply"),
    ("supply, one province", "/api/v1/stats/supply?region=420000"),
    ("supply, pools by province", "/api/v1/stats/supply?table=pools"),
    ("trends, 12 months", "/api/v1/stats/trends"),
    ("trends, quarters since 2021, verification",
     "/api/v1/stats/trends?interval=quarter&from=2021-07-01&work_type=verification"),
    ("demand: coverage and shortfall", "/api/v1/stats/demand"),
    ("demand: key emitters by province × industry", "/api/v1/stats/demand?table=key_emitters"),
    ("demand: engagements per province per year", "/api/v1/stats/demand?table=engagements"),
    ("expiring within 90 days", "/api/v1/stats/expiring?within=90"),
    ("expiring within 30 days, one city", "/api/v1/stats/expiring?within=30&region=130200"),
    ("engagements per province", "/api/v1/stats/engagements"),
    ("engagements per expert (distribution)", "/api/v1/stats/engagements?table=distribution"),
    ("supply as CSV, Chinese headers", "/api/v1/stats/supply?format=csv&lang=zh"),
    ("demand as XLSX", "/api/v1/stats/demand?format=xlsx"),
    ("open data of the day (public)", f"/api/v1/open-data/{TODAY.isoformat()}.csv"),
]  # fmt: skip


class Client:
    """Keep-alive GET returning the body's size; raises on anything but 200."""

    def __init__(self, key: str) -> None:
        self.connection = http.client.HTTPConnection("127.0.0.1", harness.API_PORT, timeout=300)
        self.headers = {"X-API-Key": key}

    def get_json(self, path: str) -> Any:
        self.get(path)
        return json.loads(self.body)

    def get(self, path: str) -> int:
        for attempt in (0, 1):
            try:
                self.connection.request("GET", path, headers=self.headers)
                response = self.connection.getresponse()
                break
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self.connection.close()
                self.connection = http.client.HTTPConnection("127.0.0.1", harness.API_PORT, timeout=300)
                if attempt:
                    raise
        body = self.body = response.read()
        if response.status != 200:
            raise RuntimeError(f"GET {path} → {response.status}: {body[:300]!r}")
        return len(body)


def timed(call: Any) -> float:
    started = time.perf_counter()
    call()
    return (time.perf_counter() - started) * 1000


def in_process(graph: Any) -> dict[str, Any]:
    """Snapshot read time and size, and the pure aggregation time of each default table."""
    rss_before = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    started = time.perf_counter()
    facts = graph.read(statistics_repo.read_facts, TODAY)
    read_seconds = time.perf_counter() - started
    rss_after = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss
    settings = stats_service.StatisticsSettings()
    compute = {}
    for statistic, tables in stats_service.STATISTICS.items():
        for table in tables:
            request = stats_service.StatisticsRequest(statistic=statistic, as_of=TODAY, table=table)
            compute[f"{statistic}/{table}"] = min(
                timed(lambda request=request: stats_service.compute(facts, request, settings))
                for _ in range(3)
            )
    return {
        "read_seconds": read_seconds,
        "rss_mb": (rss_after - rss_before) / 1024,
        "people": len(facts.people),
        "certificates": sum(len(p.certificates) for p in facts.people),
        "engagements": len(facts.engagements),
        "emitters": len(facts.emitters),
        "compute_ms": compute,
    }


def run(args: argparse.Namespace) -> dict[str, Any]:
    if args.no_load:
        local_server.start(local_server.instance(harness.BENCH_INSTANCE))
        graph = harness.graph_from_settings(harness.settings())
        create_schema(graph)  # indexes added since the registry was loaded
        load = None
    else:
        graph = harness.fresh_graph()
        started = time.perf_counter()
        registry = generate(args.size, seed=42, today=TODAY)
        counts = load_synthetic(Context(graph=graph, settings=harness.settings(), today=TODAY), registry)
        load = {"seconds": time.perf_counter() - started, "counts": counts}
        print(f"loaded {counts} in {load['seconds']:.0f} s", flush=True)
    context = Context(graph=graph, settings=harness.settings(), today=TODAY)
    key, _ = keys.create(context, "government", "stats bench")
    process = in_process(graph)
    print(f"snapshot read {process['read_seconds']:.1f} s", flush=True)
    number = graph.read(
        lambda tx: tx.run(
            "MATCH (c:Certificate {status: 'valid'}) WHERE c.expires_on IS NULL OR c.expires_on > $today "
            "RETURN c.number AS number LIMIT 1",
            today=TODAY,
        ).single()["number"]
    )
    rows = []
    with harness.gunicorn(args.workers, args.threads):
        client = Client(key)
        first_ms = timed(lambda: client.get(QUERIES[0][1]))  # a worker reads its first snapshot
        for name, path in QUERIES:
            samples = []
            for i in range(args.repeat + WARMUP):
                ms = timed(lambda path=path: client.get(path))
                if i >= WARMUP:
                    samples.append(ms)
            latency = harness.Latency(samples)
            rows.append(
                {"name": name, "path": path, "p50": latency.p50, "p95": latency.p95, "p99": latency.p99}
            )
            print(f"{name}: p50 {latency.p50:.1f} p95 {latency.p95:.1f} p99 {latency.p99:.1f} ms", flush=True)
        # A write moves the revision: the worker reads a new snapshot in the background while the old one
        # answers. Measured: the slowest answer meanwhile, and how long until the answer is fresh.
        after_write = []
        for action in ("suspend", "reinstate"):
            before = client.get_json(QUERIES[0][1])["snapshot"]["read_at"]
            certificates.change_status(context, number, action, "bench")
            started, slowest = time.perf_counter(), 0.0
            while True:
                request_started = time.perf_counter()
                answer = client.get_json(QUERIES[0][1])
                slowest = max(slowest, (time.perf_counter() - request_started) * 1000)
                if answer["snapshot"]["fresh"] and answer["snapshot"]["read_at"] != before:
                    break
                time.sleep(0.1)
            after_write.append({"seconds": time.perf_counter() - started, "slowest_ms": slowest})
    return {"size": args.size, "load": load, "process": process, "rows": rows, "first_ms": first_ms,
            "after_write_ms": after_write}  # fmt: skip


def report(result: dict[str, Any], args: argparse.Namespace) -> str:
    machine = harness.machine()
    process = result["process"]
    lines = [
        "# Statistics benchmark",
        "",
        f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} with "
        f"`python -m bench.stats_bench --size {args.size} --repeat {args.repeat}`"
        + (" --no-load" if args.no_load else "")
        + ".",
        "",
        "Machine: " + "; ".join(f"{k}: {v}" for k, v in machine.items()) + ".",
        f"Neo4j memory: heap {os.environ.get('NEO4J_HEAP', 'default')}, page cache "
        f"{os.environ.get('NEO4J_PAGECACHE', 'default')}. gunicorn: {args.workers} workers × {args.threads} threads; "
        "client and server share the machine with other work.",
        "",
        f"Registry: {process['people']:,} practitioners, {process['certificates']:,} certificates, "
        f"{process['engagements']:,} engagements, {process['emitters']:,} key emitters.",
    ]
    if result["load"]:
        lines.append(f"Load (generate + write): {result['load']['seconds']:.0f} s.")
    lines += [
        "",
        "## HTTP latency per statistic, same revision (ms, government key, suppression on)",
        "",
        "| statistic | request | p50 | p95 | p99 |",
        "|---|---|---:|---:|---:|",
    ]
    for row in result["rows"]:
        lines.append(
            f"| {row['name']} | `{row['path'].removeprefix('/api/v1')}` | {row['p50']:.1f} | {row['p95']:.1f} | "
            f"{row['p99']:.1f} |"
        )
    worst = max(row["p95"] for row in result["rows"])
    lines += [
        "",
        f"Worst p95: {worst:.1f} ms (target ≤ 20 ms).",
        "",
        "## After a graph change",
        "",
        f"The first request of a fresh worker took {result['first_ms']:.0f} ms (it reads the snapshot itself). "
        "After a write (a certificate suspended, then reinstated, through the services) the worker kept "
        "answering from the previous snapshot while it read the new one in the background: "
        + "; ".join(
            f"fresh again after {w['seconds']:.1f} s, slowest answer meanwhile {w['slowest_ms']:.0f} ms"
            for w in result["after_write_ms"]
        )
        + ".",
        "",
        f"In process: reading the snapshot took {process['read_seconds']:.1f} s and about "
        f"{process['rss_mb']:.0f} MB; each table's pure aggregation over it (ms, best of 3):",
        "",
        "| table | ms |",
        "|---|---:|",
    ]
    lines += [f"| {name} | {ms:.1f} |" for name, ms in process["compute_ms"].items()]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=200)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument(
        "--no-load", action="store_true", help="measure the registry the bench instance holds"
    )
    parser.add_argument("--keep", action="store_true", help="leave the bench Neo4j running afterwards")
    args = parser.parse_args()
    try:
        result = run(args)
    finally:
        if not args.keep:
            harness.stop_neo4j()
    text = report(result, args)
    RESULTS.write_text(text)
    print(text)


if __name__ == "__main__":
    main()
