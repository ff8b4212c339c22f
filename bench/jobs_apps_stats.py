"""Jobs benchmark (issue 24): statistics after a start, a restart and warm, draw statistics, open data and
application lists at 100 000 applications, over HTTP (gunicorn 2 × 4, STATS_SNAPSHOTS in var/bench).

    BENCH_INSTANCE=h6b NEO4J_BOLT_PORT=7726 NEO4J_HEAP=1g NEO4J_PAGECACHE=2g \\
        .venv/bin/python -m bench.jobs_apps_stats --size 100000 --applications 100000   # --no-load: as loaded

Loads the synthetic registry, then applications with their training, sittings, results and certificates written
straight into the graph as a registry holds them after three years (their progress computed as create_schema does
for applications without it). Writes bench/JOBS_APPS_STATS.md (a section per size, others kept).
"""

from __future__ import annotations

import argparse
import http.client
import os
import random
import re
import shutil
import time
import uuid
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

from bench import harness
from graph import local_server
from graph.applications import sync_unsynced
from graph.schema import create_schema
from registry.exams import CHINA_TIME, monthly_sessions
from seed.synthetic import generate
from services import keys
from services.context import Context
from services.synthetic import load_synthetic

TODAY = date.today()
RESULTS = Path(__file__).with_name("JOBS_APPS_STATS.md")
SNAPSHOTS = harness.ROOT / "var" / "bench" / f"statistics-{harness.BENCH_INSTANCE}"
WARMUP = 5

STATS: list[str] = [
    "/api/v1/stats/supply",
    "/api/v1/stats/supply?table=pools",
    "/api/v1/stats/trends",
    "/api/v1/stats/demand",
    "/api/v1/stats/expiring?within=90",
    "/api/v1/stats/engagements",
    "/api/v1/stats/supply?region=420000",
]
OTHERS: list[str] = [
    "/api/v1/health",
    "/dashboards",
    "/api/v1/draws/stats",
    f"/api/v1/open-data/{TODAY.isoformat()}.csv",
]
STATUSES = ("registered", "training", "ready", "sat", "passed", "failed", "retake", "expired", "certified")


# --- Applications, the offline way --------------------------------------------------------------------------

SESSIONS = """
UNWIND $rows AS row
MERGE (s:ExamSession {id: row.id})
SET s.starts_at = row.starts_at, s.ends_at = row.ends_at, s.day = row.day, s.subject = row.subject,
    s.capacity = 100000, s.mode = 'online', s.created_at = datetime()
"""

APPLICATIONS = """
UNWIND $rows AS row
MATCH (p:Practitioner {id: row.practitioner_id})
CREATE (a:Application {id: row.id, work_type: row.work_type, level: row.level, registered_on: row.registered_on,
                       valid_until: row.valid_until, fee_cny: 3900, related_work_years: 3,
                       created_at: row.created_at})
CREATE (a)-[:BY]->(p)
WITH a, row
CALL (a, row) {
  UNWIND row.training AS t
  CREATE (a)-[:HAS_TRAINING]->(:TrainingRecord {id: randomUUID(), part: t.part, hours: t.hours,
                                                completed_on: t.completed_on, created_at: datetime()})
}
CALL (a, row) {
  UNWIND row.sittings AS sitting
  MATCH (s:ExamSession {id: sitting.session_id})
  CREATE (a)-[:REGISTERED_FOR {at: row.created_at}]->(s)
  WITH a, s, sitting WHERE sitting.score IS NOT NULL
  CREATE (r:ExamResult {id: randomUUID(), score: sitting.score, passed: sitting.score >= 60,
                        attempt: sitting.attempt, free: sitting.attempt > 1, source: 'bench',
                        recorded_at: datetime()})
  CREATE (r)-[:OF]->(a), (r)-[:IN_SESSION]->(s)
  WITH r, sitting WHERE sitting.certificate IS NOT NULL
  MATCH (c:Certificate {number: sitting.certificate})
  CREATE (c)-[:FROM_RESULT]->(r)
}
"""


def _sessions(first: date, months: int) -> list[dict[str, Any]]:
    rows = []
    year, month = first.year, first.month
    for _ in range(months):
        for plan in monthly_sessions(year, month):
            starts = plan.starts_at.astimezone(CHINA_TIME)
            rows.append(
                {
                    "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"bench-session-{starts:%Y%m%d%H%M}")),
                    "starts_at": starts,
                    "ends_at": plan.ends_at.astimezone(CHINA_TIME),
                    "day": starts.date(),
                    "subject": plan.subject,
                }
            )
        year, month = (year + 1, 1) if month == 12 else (year, month + 1)
    return rows


def _application(rng: random.Random, person: dict[str, Any], sessions: list[dict[str, Any]], n: int) -> dict:
    """One application in a state drawn from what a registry holds after three years (most of them done)."""
    registered = TODAY - timedelta(days=rng.randrange(0, 3 * 365))
    work_type = person["work_type"] or "monitoring"
    later = [s for s in sessions if registered < s["day"] <= registered + timedelta(days=170)]
    past = [s for s in later if s["starts_at"] < datetime.now(UTC)]
    row = {
        "id": str(uuid.uuid5(uuid.NAMESPACE_URL, f"bench-application-{n}")),
        "practitioner_id": person["id"],
        "work_type": work_type,
        "level": person["level"] or 4,
        "registered_on": registered,
        "valid_until": registered + timedelta(days=182),
        "training": [],
        "sittings": [],
        "created_at": datetime.combine(registered, datetime.min.time(), UTC) + timedelta(seconds=n % 86400),
    }
    trained = rng.random()
    if trained < 0.85:
        row["training"].append(
            {"part": "basic", "hours": 40.0 if trained < 0.75 else 12.0, "completed_on": registered}
        )
    if trained < 0.75:
        row["training"].append({"part": work_type, "hours": 20.0, "completed_on": registered})
    fate = rng.random()
    if fate < 0.1 or not later:
        return row  # registered, training or ready, or expired without a sitting
    first = rng.choice(later[:4])
    if first not in past:  # booked for a coming sitting
        row["sittings"].append({"session_id": first["id"], "score": None, "attempt": 1, "certificate": None})
        return row
    if fate < 0.15:  # sat, result not in yet
        row["sittings"].append({"session_id": first["id"], "score": None, "attempt": 1, "certificate": None})
        return row
    certificate = person["certificate"] if fate < 0.7 and trained < 0.75 else None
    score = rng.randint(60, 99) if fate < 0.8 else rng.randint(20, 59)
    row["sittings"].append(
        {"session_id": first["id"], "score": score, "attempt": 1, "certificate": certificate}
    )
    if score < 60 and fate < 0.93:
        second = [s for s in later if s["starts_at"] > first["starts_at"]]
        if second:
            again = second[0]
            retake = rng.randint(30, 95) if again in past and fate < 0.9 else None
            row["sittings"].append(
                {"session_id": again["id"], "score": retake, "attempt": 2, "certificate": None}
            )
    return row


def load_applications(graph: Any, count: int) -> dict[str, Any]:
    """`count` applications (one a person, then a second for some) with their facts; seconds taken."""
    started = time.perf_counter()
    sessions = _sessions(TODAY - timedelta(days=3 * 365 + 31), 39)
    graph.write(lambda tx: tx.run(SESSIONS, rows=sessions).consume())
    people = graph.read(
        lambda tx: [
            r.data()
            for r in tx.run(
                "MATCH (p:Practitioner {status: 'active'}) "
                "OPTIONAL MATCH (p)-[:HOLDS]->(c:Certificate) "
                "WITH p, collect(c)[0] AS c "
                "RETURN p.id AS id, c.number AS certificate, c.work_type AS work_type, c.level AS level "
                "ORDER BY p.id LIMIT $count",
                count=count,
            )
        ]
    )
    rng = random.Random(24)
    rows = [_application(rng, people[n % len(people)], sessions, n) for n in range(count)]
    used: set[str] = set()  # a certificate comes from one result only
    for row in rows:
        first = row["sittings"][0] if row["sittings"] else None
        if first and first["certificate"]:
            if first["certificate"] in used:
                first["certificate"] = None
            else:
                used.add(first["certificate"])
    for at in range(0, len(rows), 2000):
        graph.write(lambda tx, batch=rows[at : at + 2000]: tx.run(APPLICATIONS, rows=batch).consume())
    written = time.perf_counter() - started
    synced = sync_unsynced(graph)
    return {
        "applications": count,
        "sessions": len(sessions),
        "write_seconds": written,
        "progress_seconds": time.perf_counter() - started - written,
        "synced": synced,
    }


# --- Measuring ------------------------------------------------------------------------------------------------


class Client(harness.HttpClient):
    def __init__(self, key: str) -> None:
        super().__init__(key, harness.API_PORT)
        # A cold first answer may take minutes.
        self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=900)

    def get(self, path: str) -> tuple[float, bytes]:
        """Milliseconds and body of a GET that must answer 200."""
        started = time.perf_counter()
        for attempt in (0, 1):
            try:
                self.connection.request("GET", path, headers=self.headers)
                response = self.connection.getresponse()
                break
            except (http.client.RemoteDisconnected, BrokenPipeError, ConnectionResetError):
                self.connection.close()
                self.connection = http.client.HTTPConnection("127.0.0.1", self.port, timeout=600)
                if attempt:
                    raise
        body = response.read()
        if response.status != 200:
            raise RuntimeError(f"GET {path} → {response.status}: {body[:300]!r}")
        return (time.perf_counter() - started) * 1000, body


def latency(client: Client, path: str, repeat: int) -> harness.Latency:
    samples = []
    for i in range(repeat + WARMUP):
        ms, _ = client.get(path)
        if i >= WARMUP:
            samples.append(ms)
    return harness.Latency(samples)


def started_server(key: str, label: str, admin: str | None = None) -> dict[str, Any]:
    """Start gunicorn, time it until it answers, then each statistic's first answers; the server keeps running."""
    # The production worker timeout: a worker waits at most half of it for its warm-up before taking requests.
    env = {"STATS_SNAPSHOTS": str(SNAPSHOTS), "GUNICORN_TIMEOUT": "60"}
    began = time.perf_counter()
    server = harness.gunicorn(2, 4, timeout=900, env_extra=env)
    server.__enter__()
    up = time.perf_counter() - began
    try:
        client = Client(key)
        first = {path: client.get(path)[0] for path in [*STATS, "/dashboards"]}
        if admin is not None:  # an administrator's answers (unsuppressed) are kept apart
            first |= {f"{path} (admin)": Client(admin).get(path)[0] for path in STATS}
        fresh = b'"fresh": true' in client.get(STATS[0])[1] or b'"fresh":true' in client.get(STATS[0])[1]
    except BaseException:
        server.__exit__(None, None, None)
        raise
    print(f"{label}: up after {up:.1f} s; first answers {first}", flush=True)
    return {"server": server, "up_seconds": up, "first_ms": first, "fresh": fresh}


def load_registry(args: argparse.Namespace) -> tuple[Any, dict[str, Any]]:
    """Wipe the bench instance and load the registry, then the applications; the graph and what it took."""
    graph = harness.fresh_graph()
    started = time.perf_counter()
    context = Context(graph=graph, settings=harness.settings(), today=TODAY)
    counts = load_synthetic(context, generate(args.size, seed=42, today=TODAY))
    load = {"seconds": time.perf_counter() - started, "counts": counts}
    load["applications"] = load_applications(graph, args.applications)
    print(f"loaded {load}", flush=True)
    return graph, load


def run(args: argparse.Namespace) -> dict[str, Any]:
    if args.no_load:
        local_server.start(local_server.instance(harness.BENCH_INSTANCE))
        graph, load = harness.graph_from_settings(harness.settings()), None
    else:
        graph, load = load_registry(args)
    # Ids as the API checks them (an earlier load named its sessions bench-…).
    graph.write(
        lambda tx: tx.run(
            "MATCH (s:ExamSession) WHERE s.id STARTS WITH 'bench-' SET s.id = randomUUID()"
        ).consume()
    )
    started = time.perf_counter()
    create_schema(graph)  # indexes, and the progress of applications stored without it
    schema_seconds = time.perf_counter() - started
    context = Context(graph=graph, settings=harness.settings(), today=TODAY)
    admin, _ = keys.create(context, "admin", "jobs bench")
    government, _ = keys.create(context, "government", "jobs bench")  # the statistics as dashboards read them
    probe = graph.read(
        lambda tx: (
            tx.run(
                "MATCH (s:ExamSession)<-[:REGISTERED_FOR]-(a:Application)-[:BY]->(p:Practitioner) "
                "WITH s, count(a) AS n, collect(p.id)[0] AS person ORDER BY n DESC LIMIT 1 "
                "RETURN s.id AS session, person, n, COUNT { (:Application) } AS applications"
            )
            .single()
            .data()
        )
    )
    shutil.rmtree(SNAPSHOTS, ignore_errors=True)
    first_start = started_server(government, "first start", admin)
    first_start["server"].__exit__(None, None, None)
    restart = started_server(government, "restart", admin)
    client, reader = Client(admin), Client(government)
    app_paths = [
        "/api/v1/applications",
        *(f"/api/v1/applications?status={s}" for s in STATUSES),
        "/api/v1/applications?work_type=verification",
        "/api/v1/applications?level=3",
        "/api/v1/applications?region=420000",
        "/api/v1/applications?region=420100&status=certified",
        "/api/v1/applications?status=expired&work_type=monitoring&level=4",
        f"/api/v1/applications?session_id={probe['session']}",
        f"/api/v1/applications?practitioner_id={probe['person']}",
        "/api/v1/applications?status=certified&page=40",
        f"/api/v1/exam-sessions/{probe['session']}",
        "/api/v1/exam-sessions?from=" + (TODAY - timedelta(days=365)).isoformat(),
    ]
    rows = []
    try:
        for path in [*STATS, *OTHERS, *app_paths]:
            who = reader if path in STATS or path in OTHERS else client
            lat = latency(who, path, args.repeat)
            _, body = who.get(path)
            total = re.search(rb'"total": ?(\d+)', body)
            rows.append(
                {
                    "path": path,
                    "p50": lat.p50,
                    "p95": lat.p95,
                    "p99": lat.p99,
                    "total": int(total.group(1)) if total else None,
                }
            )
            print(f"{path}: p50 {lat.p50:.1f} p95 {lat.p95:.1f} p99 {lat.p99:.1f} ms", flush=True)
    finally:
        restart["server"].__exit__(None, None, None)
    load_average = os.getloadavg()
    return {
        "size": args.size,
        "load": load,
        "schema_seconds": schema_seconds,
        "probe": probe,
        "first_start": first_start,
        "restart": restart,
        "rows": rows,
        "load_average": load_average,
    }


def report(result: dict[str, Any], args: argparse.Namespace) -> str:
    size = result["size"]
    lines = [
        f"## {size:,} practitioners, {result['probe']['applications']:,} applications",
        "",
        f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}: `python -m bench.jobs_apps_stats "
        f"--size {size} --applications {args.applications} --repeat {args.repeat}`"
        + (" --no-load" if args.no_load else "")
        + f". Neo4j heap {os.environ.get('NEO4J_HEAP', 'default')}, "
        f"page cache {os.environ.get('NEO4J_PAGECACHE', 'default')}; gunicorn 2 workers × 4 threads; load "
        f"average after the run {', '.join(f'{x:.1f}' for x in result['load_average'])} (2 cores, shared).",
        "",
    ]
    if result["load"]:
        apps = result["load"]["applications"]
        lines += [
            f"Load: registry {result['load']['seconds']:.0f} s; {apps['applications']:,} applications with "
            f"their facts over {apps['sessions']} sessions written in {apps['write_seconds']:.0f} s, their "
            f"progress computed in {apps['progress_seconds']:.0f} s.",
            "",
        ]
    lines += [
        "### After a start (ms)",
        "",
        "The seconds until the server answered (its workers read or load the statistics snapshot first), then "
        "the first answer of each (government key: statistics suppressed, as dashboards read them; then an admin "
        "key's, unsuppressed; applications with an admin key). First start: no saved snapshot (the graph is read "
        "whole); restart: the snapshot saved by the first start, then what changed since.",
        "",
        "| request | first start | restart |",
        "|---|---:|---:|",
        f"| server up (s) | {result['first_start']['up_seconds']:.1f} | {result['restart']['up_seconds']:.1f} |",
    ]
    for path in result["first_start"]["first_ms"]:
        lines.append(
            f"| `{path.removeprefix('/api/v1')}` | {result['first_start']['first_ms'][path]:.0f} | "
            f"{result['restart']['first_ms'][path]:.0f} |"
        )
    lines += [
        "",
        f"Fresh (`snapshot.fresh`) at the first answers after the restart: {result['restart']['fresh']}.",
        "",
        "### Warm (ms)",
        "",
        "| request | p50 | p95 | p99 | total |",
        "|---|---:|---:|---:|---:|",
    ]
    for row in result["rows"]:
        path = row["path"].removeprefix("/api/v1")
        path = path.replace(result["probe"]["session"], "{session}").replace(
            result["probe"]["person"], "{person}"
        )
        lines.append(
            f"| `{path}` | {row['p50']:.1f} | {row['p95']:.1f} | {row['p99']:.1f} | "
            f"{row['total'] if row['total'] is not None else ''} |"
        )
    return "\n".join(lines) + "\n"


def write(section: str, size: int) -> None:
    head = (
        "# Jobs at scale: statistics, draw statistics, open data, applications\n\n"
        "By `bench/jobs_apps_stats.py` (issue 24); one section per registry size, the latest run of each.\n\n"
    )
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else head
    sections = re.split(r"(?m)^(?=## )", text)
    kept = [s for s in sections[1:] if not s.startswith(f"## {size:,} practitioners")]
    RESULTS.write_text(sections[0] + "".join(sorted([*kept, section + "\n"], key=len)), encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(
        description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter
    )
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--applications", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=100)
    parser.add_argument("--no-load", action="store_true", help="measure what the bench instance holds")
    parser.add_argument("--load-only", action="store_true", help="load, then stop")
    parser.add_argument("--keep", action="store_true", help="leave the bench Neo4j running afterwards")
    args = parser.parse_args()
    try:
        if args.load_only:
            load_registry(args)
            return
        result = run(args)
    finally:
        if not args.keep:
            harness.stop_neo4j()
    write(report(result, args), args.size)


if __name__ == "__main__":
    main()
