"""Every job of issue 24 over HTTP, at 100 000 and 1 000 000 practitioners side by side, on a registry holding the
volumes a national registry holds (seed/volumes.py): draws, verification, statistics cold and warm, open data,
applications, exam sessions, the audit check and every portal page; p50/p95/p99, the machine's load while each job
ran, and where the time goes for the slowest three.

    .venv/bin/python -m bench.jobs_bench                           # 100k and 1M (make bench)
    .venv/bin/python -m bench.jobs_bench --sizes 100000 --repeat 20

Loads with `neo4j-admin database import` (bench/admin_import.py + bench/volume_csv.py) into BENCH_INSTANCE, serves
it with gunicorn (2 workers × 4 threads) on BENCH_API_PORT, stops Neo4j at the end unless --keep-neo4j. Writes
bench/JOBS_RESULTS.md and the "Jobs" section of bench/RESULTS.md.
"""

from __future__ import annotations

import argparse
import json
import os
import shutil
import threading
import time
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from bench import audit_bench, harness, volume_csv
from bench.admin_import import _arguments, _cell, start_with_schema, write_csv
from bench.jobs_report import API, WARMUP, Load, save, saved, timed, where_time_goes, write
from bench.portal_bench import Browserless
from graph import local_server
from graph.applications import sync_unsynced
from graph.driver import graph_from_settings
from seed.synthetic import generate
from services import audit, keys
from services.context import Context

TODAY = date.today()
CACHE = harness.ROOT / "var" / "bench" / "jobs-csv"
WORK_TYPES = ("verification", "accounting", "monitoring", "consulting")
PROVINCES = ("420000", "440000", "370000", "320000", "130000", "410000", "330000", "510000")
STATS = ("/stats/supply", "/stats/supply?table=pools", "/stats/trends", "/stats/demand", "/stats/expiring?within=90",
         "/stats/engagements")  # fmt: skip


def niches(graph: Any) -> dict[str, Any]:
    """What the requests point at: an enterprise to avoid, a generated draw, a busy exam session, people."""

    def read(tx: Any) -> dict[str, Any]:
        one = lambda q: tx.run(q).single()[0]  # noqa: E731
        return {
            "organization": one("MATCH (o:Organization {kind: 'enterprise'}) RETURN o.id LIMIT 1"),
            "session": one("MATCH (s:ExamSession)<-[:REGISTERED_FOR]-() WITH s, count(*) AS n "
                           "RETURN s.id ORDER BY n DESC LIMIT 1"),
            "person": one("MATCH (p:Practitioner {public_profile: true, status: 'active'})-[:HOLDS]->() "
                          "RETURN p.id LIMIT 1"),
            "invited": one("MATCH (:Draw)-[:DREW]->(p:Practitioner) RETURN p.id LIMIT 1"),
        }  # fmt: skip

    return graph.read(read)


def draw_body(
    n: int, organization: str, region: str | None = None, work_type: str | None = None
) -> dict[str, Any]:
    """A review panel of 5 + 2 reserves, level 2 or better, avoiding the organization (every rule on)."""
    body = {"purpose": "review_panel", "title": f"bench draw {n}", "organization_id": organization,
            "work_type": work_type or WORK_TYPES[n % len(WORK_TYPES)], "min_level": 2, "size": 5, "reserves": 2,
            "panel_date": (TODAY + timedelta(days=10 + n)).isoformat(), "allow_shortfall": True}  # fmt: skip
    if region:
        body["region"] = region
    return body


def prepare(size: int, seed: int = 42) -> tuple[Path, dict[str, Any]]:
    """The registry's CSV files with its volumes, written once per (size, seed, day) and kept in var/bench/jobs-csv
    (a million people take most of an hour to generate on this machine; `--prepare` writes them ahead)."""
    folder = CACHE / f"{size}-{seed}-{TODAY.isoformat()}"
    done = folder / "done.json"
    if done.exists():
        return folder, json.loads(done.read_text())
    shutil.rmtree(folder, ignore_errors=True)
    started = time.perf_counter()
    registry = generate(size, seed=seed, today=TODAY)
    counts = write_csv(registry, folder, harness.settings().id_card_key, TODAY)
    counts |= volume_csv.write_volumes(registry, folder, _cell)
    info = {"counts": counts, "generate_and_csv_seconds": time.perf_counter() - started}
    done.write_text(json.dumps(info))
    return folder, info


def load(size: int) -> dict[str, Any]:
    """Wipe the bench instance and import the registry of `size` people with its volumes; timings and counts."""
    folder, info = prepare(size)
    inst = local_server.instance(harness.BENCH_INSTANCE)
    local_server.wipe(inst)
    started = time.perf_counter()
    audit_bench.neo4j_import(inst, [*_arguments(folder), *volume_csv.arguments(folder)])
    return info | {"import_seconds": time.perf_counter() - started}


def run_size(size: int, args: argparse.Namespace) -> dict[str, Any] | None:
    print(f"== {size:,} practitioners ==", flush=True)
    folder, _ = prepare(size) if args.no_load else (None, None)
    # --no-load: the registry the bench instance holds from the last load of this size (its timings kept beside the
    # CSV files), restarted with today's schema.
    loaded = json.loads((folder / "loaded.json").read_text()) if folder else load(size)
    started = time.perf_counter()
    graph = start_with_schema(lambda: graph_from_settings(harness.settings()))
    synced = sync_unsynced(graph)  # the applications' stored progress (graph/applications.py)
    if folder is None:
        loaded["schema_seconds"] = time.perf_counter() - started
        (CACHE / f"{size}-42-{TODAY.isoformat()}" / "loaded.json").write_text(json.dumps(loaded))
    print(f"loaded in {loaded['import_seconds'] + loaded['schema_seconds']:.0f} s ({synced} applications' progress "
          f"stored): {loaded['counts']}", flush=True)  # fmt: skip
    if args.load_only:
        graph.close()
        return None
    ctx = Context(graph, harness.settings(), today=TODAY)
    admin_key = keys.create(ctx, "admin", "jobs bench")[0]
    government_key = keys.create(ctx, "government", "jobs bench")[0]
    signed = audit.checkpoint(ctx)  # GET /audit/verify checks from here
    spots = niches(graph)
    rows: list[dict[str, Any]] = []

    def job(name: str, method: str, requests: list[Any], send: Any, note: str = "") -> None:
        if len(requests) <= WARMUP:  # nothing to time (e.g. no draw was made to verify)
            rows.append({"job": name, "latency": None, "load": "", "method": method, "sample": None,
                         "note": "not run: nothing to request"})  # fmt: skip
            return
        try:
            with Load() as load:
                latency = timed(send, requests)
        except Exception as error:  # a job that fails is reported as such; the others still run
            rows.append({"job": name, "latency": None, "load": "", "method": method, "sample": None,
                         "note": f"failed: {str(error)[:120]}"})  # fmt: skip
            print(f"{name:58} FAILED: {str(error)[:200]}", flush=True)
            return
        sample = requests[-1] if isinstance(requests[-1], str) else None
        rows.append({"job": name, "latency": latency, "load": load.text(), "method": method, "note": note,
                     "sample": sample})  # fmt: skip
        print(f"{name:58} p50 {latency.p50:8.1f} p95 {latency.p95:8.1f} p99 {latency.p99:8.1f} ms "
              f"(n={len(latency.samples_ms)}, load {load.text()})", flush=True)  # fmt: skip

    with harness.gunicorn(2, 4, timeout=1800) as _:
        client = harness.HttpClient(admin_key)
        get = lambda path: client.request("GET", API + path)  # noqa: E731
        # The first answer of each statistic after the start, as a government key (a dashboard) asks: no warm-up,
        # one sample each (an admin's unsuppressed answers are computed when first asked, then kept).
        government = harness.HttpClient(government_key)
        cold = [(path, timed(lambda p: government.request("GET", API + p), [path], warmup=0).samples_ms[0])
                for path in STATS]  # fmt: skip
        rows.append({"job": "`/stats/*`, first request after a start",
                     "latency": harness.Latency([c for _, c in cold]),
                     "load": f"{os.getloadavg()[0]:.1f}", "method": "GET", "sample": None,
                     "note": "one each of " + ", ".join(f"`{p}` {c:.0f} ms" for p, c in cold)})  # fmt: skip
        print("first requests after the start:", ", ".join(f"{p} {c:.0f} ms" for p, c in cold), flush=True)
        made: list[str] = []
        post = lambda body: made.append(client.request("POST", API + "/draws", body)["id"])  # noqa: E731
        n = args.draws
        job(
            "`POST /draws` (panel 5 + 2, level 2+, avoidance)",
            "POST",
            [draw_body(i, spots["organization"]) for i in range(n + WARMUP)],
            post,
            "work types in turn",
        )
        job(
            "`POST /draws` inside one province (Hubei)",
            "POST",
            [draw_body(100 + i, spots["organization"], "420000") for i in range(n + WARMUP)],
            post,
        )
        job(
            "`GET /draws/{id}/verify`",
            "GET",
            [f"/draws/{d}/verify" for d in made],
            get,
            "the draws just made",
        )
        job("`GET /draws/{id}`", "GET", [f"/draws/{d}" for d in made], get)
        job("`GET /draws/stats`", "GET", ["/draws/stats"] * (args.repeat + WARMUP), get)
        job(
            "`GET /open-data/{day}.csv`",
            "GET",
            [f"/open-data/{TODAY.isoformat()}.csv"] * (args.repeat + WARMUP),
            lambda path: _text(client, API + path),
        )
        for path in STATS:
            job(f"`{path}` warm", "GET", [path] * (args.repeat + WARMUP), get)
        filters = ["status=registered", "status=passed", "status=failed", "status=certified", "work_type=verification",
                   "work_type=accounting&level=3", "region=420000", f"session_id={spots['session']}",
                   "status=passed&region=440000"]  # fmt: skip
        for query in filters:
            job(f"`GET /applications?{query.split('=')[0]}=…`" if "session" in query else f"`GET /applications?{query}`",
                "GET", [f"/applications?{query}"] * (args.repeat + WARMUP), get)  # fmt: skip
        job("`GET /exam-sessions/{id}` (registration list)", "GET", [f"/exam-sessions/{spots['session']}"] *
            (args.repeat + WARMUP), get, "the session with most registrations")  # fmt: skip
        job("`GET /audit/verify` (from the last signed checkpoint)", "GET", ["/audit/verify"] * (args.repeat + WARMUP),
            get, f"checkpoint at entry {signed.seq:,}; the bench's own draws after it")  # fmt: skip
        concurrent = concurrent_draws(admin_key, spots["organization"], args.clients)
        for who, paths in portal_pages(spots).items():
            browser = Browserless(harness.API_PORT)
            if who == "admin":
                try:
                    browser.log_in(admin_key)
                except Exception as error:  # the pages are then reported as failed
                    print(f"portal login failed: {error}", flush=True)
            for path in paths:
                job(
                    f"portal `{path}` ({who})",
                    "GET",
                    [path] * (args.repeat + WARMUP),
                    lambda p, b=browser: _page(b, p),
                )
    writes = audit_bench.write_throughput(graph, seconds=args.write_seconds)
    slowest = sorted((r for r in rows if r["method"] == "GET" and r["sample"] and r["latency"] and "portal" not in r["job"]),
                     key=lambda r: -r["latency"].p95)[:3]  # fmt: skip
    profiles = [(r["job"], where_time_goes(graph, admin_key, r)) for r in slowest]
    graph.close()
    return {"size": size, "load": loaded, "rows": rows, "concurrent": concurrent, "writes": writes,
            "profiles": profiles, "audit_entries": signed.seq}  # fmt: skip


def _text(client: harness.HttpClient, path: str) -> None:
    """A GET whose answer is not JSON (a CSV file)."""
    client.connection.request("GET", path, headers=client.headers)
    response = client.connection.getresponse()
    response.read()
    if response.status != 200:
        raise RuntimeError(f"GET {path} → {response.status}")


def _page(browser: Browserless, path: str) -> None:
    status, _ = browser.request("GET", path)
    if status != 200:
        raise RuntimeError(f"GET {path} → {status}")


def portal_pages(spots: dict[str, Any]) -> dict[str, list[str]]:
    """Every portal page: public, logged in as an administrator (bench/portal_bench.py's list and the rest)."""
    return {
        "anonymous": ["/", "/verify", "/search", "/talent?work_type=verification", "/experts?region=420000",
                      "/search?q=%E6%A0%B8%E6%9F%A5", f"/practitioners/{spots['person']}", "/dashboards"],
        "admin": ["/admin", "/search?work_type=verification&page=3", f"/practitioners/{spots['invited']}",
                  f"/admin/practitioners/{spots['invited']}", "/dashboards", "/admin/queues"],
    }  # fmt: skip


def concurrent_draws(key: str, organization: str, clients: int, each: int = 3) -> dict[str, Any]:
    """`clients` administrators drawing at once, each for its own work type and province: draws per second, and
    whether anyone was seated on two panels of the same day."""
    made: list[dict[str, Any]] = []
    errors: list[str] = []

    def run(index: int) -> None:
        client = harness.HttpClient(key)
        for i in range(each):
            body = draw_body(1000 + i, organization, PROVINCES[index % len(PROVINCES)], WORK_TYPES[index % 4])
            try:
                made.append(client.request("POST", API + "/draws", body))
            except RuntimeError as error:
                errors.append(str(error)[:200])

    threads = [threading.Thread(target=run, args=(i,)) for i in range(clients)]
    started = time.perf_counter()
    with Load() as load:
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
    seconds = time.perf_counter() - started
    seated: dict[tuple[str, str], int] = {}
    for draw in made:
        for seat in draw.get("seats", []):
            if seat.get("role") == "panel":
                who = (seat["practitioner"]["id"], draw.get("panel_date"))
                seated[who] = seated.get(who, 0) + 1
    doubles = sum(1 for count in seated.values() if count > 1)
    result = {"clients": clients, "draws": len(made), "seconds": seconds, "per_second": len(made) / seconds,
              "double_seated": doubles, "errors": errors[:3], "load": load.text()}  # fmt: skip
    print(f"{clients} administrators at once: {result}", flush=True)
    return result


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000,1000000")
    parser.add_argument("--repeat", type=int, default=30, help="timed requests per job")
    parser.add_argument("--draws", type=int, default=12, help="timed draws per draw job")
    parser.add_argument("--clients", type=int, default=8, help="administrators drawing at once")
    parser.add_argument("--write-seconds", type=float, default=10, help="seconds of each audit write run")
    parser.add_argument("--no-write", action="store_true")
    parser.add_argument(
        "--keep-neo4j", action="store_true", default=os.environ.get("BENCH_KEEP_NEO4J") == "1"
    )
    parser.add_argument("--prepare", action="store_true", help="only write the CSV files of each size")
    parser.add_argument(
        "--load-only", action="store_true", help="load (and keep with --keep-neo4j), no requests"
    )
    parser.add_argument(
        "--no-load", action="store_true", help="measure what the running bench instance holds"
    )
    parser.add_argument("--report-only", action="store_true", help="write the reports from the saved results")
    args = parser.parse_args(argv)
    if args.report_only:
        write([r for size in (100_000, 1_000_000) if (r := saved(size))], args)
        return
    if args.prepare:
        for size in args.sizes.split(","):
            print(prepare(int(size)), flush=True)
        return
    try:
        measured = {int(size): run_size(int(size), args) for size in args.sizes.split(",")}
    finally:
        if not args.keep_neo4j:
            harness.stop_neo4j()
    for result in measured.values():
        if result is not None:
            save(result)
    # Both sizes side by side: a size not measured now comes from its latest saved run.
    results = [r for size in (100_000, 1_000_000, *measured) if (r := measured.get(size) or saved(size))]
    results = list({r["size"]: r for r in results}.values())
    if not args.no_write and any(measured.values()):
        write(results, args)


if __name__ == "__main__":
    main()
