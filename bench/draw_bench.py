"""Draw benchmark (issue 24): POST /draws with every avoidance rule on, verify and read, the stored record's size,
eight administrators drawing at once, and the audit chain's single head lock — in process, through the services.

    BENCH_INSTANCE=h5b NEO4J_BOLT_PORT=7725 NEO4J_HEAP=1g NEO4J_PAGECACHE=2g .venv/bin/python -m bench.draw_bench
    ... -m bench.draw_bench --size 1000000 --no-load      # reuse what the instance holds (wrap 1M in flock)

Loads the synthetic registry (wiping the instance) unless --no-load, adds the sparse facts the rules read (bars,
suspended certificates, unavailability, declarations) and earlier draws (seats and yearly loads), then times each
job. Writes bench/JOBS_DRAWS.md (--out) and prints the numbers as JSON.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import threading
import time
import uuid
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from bench import harness
from graph import draw_screen as screen_repo
from graph import local_server
from graph.draw_records import as_day
from graph.driver import graph_from_settings
from graph.schema import create_schema
from registry.audit import Actor
from registry.draws import SEATED_STATUSES, Criteria, DrawContext
from seed.synthetic import generate
from services import audit, draw_reports, draws
from services import draw_screen as screening
from services.context import Context
from services.synthetic import load_synthetic

TODAY = date.today()
OUT = Path(__file__).with_name("JOBS_DRAWS.md")
PROVINCES = ("420000", "440000", "320000", "110000", "510000", "370000", "330000", "410000")
WORK_TYPES = ("verification", "monitoring", "consulting", "accounting")


def _ms(seconds: float) -> float:
    return round(seconds * 1000, 1)


def _summary(samples: list[float]) -> dict[str, float]:
    latency = harness.Latency([s * 1000 for s in samples])
    return {"n": len(samples), "p50": round(latency.p50, 1), "p95": round(latency.p95, 1),
            "p99": round(latency.p99, 1), "max": round(max(latency.samples_ms), 1)}  # fmt: skip


def _context(graph: Any, settings: Any) -> Context:
    return Context(graph=graph, settings=settings, actor=Actor.cli(), today=TODAY)


def _load(graph: Any, ctx: Context, size: int) -> dict[str, Any]:
    started = time.perf_counter()
    counts = load_synthetic(ctx, generate(size, seed=42, today=TODAY))
    return {"counts": counts, "seconds": round(time.perf_counter() - started, 1)}


SPARSE = """
MATCH (p:Practitioner {status: 'active'}) WITH p ORDER BY p.id SKIP $skip LIMIT $n
WITH collect(p) AS people
CALL { WITH people UNWIND people[0..$k] AS p
       CREATE (p)-[:SANCTIONED]->(:Sanction {id: randomUUID(), kind: 'bar', `from`: $start, until: null}) }
CALL { WITH people UNWIND people[$k..2 * $k] AS p
       CREATE (p)-[:UNAVAILABLE]->(:Availability {id: randomUUID(), `from`: $start, `to`: $end, reason: 'bench'}) }
CALL { WITH people UNWIND people[2 * $k..3 * $k] AS p MATCH (p)-[:HOLDS]->(c:Certificate)
       SET c.status = 'suspended' }
RETURN size(people) AS n
"""


def _sparse_facts(graph: Any, size: int) -> None:
    """Bars, unavailability and suspended certificates for 0.3 % of people each (the rules' sparse facts)."""
    k = max(10, size * 3 // 1000)
    graph.write(
        lambda tx: tx.run(
            SPARSE,
            skip=size // 7,
            n=3 * k,
            k=k,
            start=TODAY - timedelta(days=30),
            end=TODAY + timedelta(days=800),
        ).consume()
    )


def _organizations(graph: Any, count: int) -> list[str]:
    query = (
        "MATCH (o:Organization) WITH o, COUNT { (o)<-[:EMPLOYED_BY]-() } + COUNT { (o)<-[:FOR_CLIENT]-() } AS ties "
        "RETURN o.id AS id ORDER BY ties DESC, o.id LIMIT $n"
    )
    return graph.read(lambda tx: [r["id"] for r in tx.run(query, n=count)])


def _body(rng: random.Random, org: str, *, province: str | None, work_type: str, day: date) -> dict[str, Any]:
    return {"purpose": "review_panel", "title": "基准评审", "organization_id": org, "work_type": work_type,
            "min_level": 2, "region": province, "size": 5, "reserves": 2, "panel_date": day,
            "exclusions": []}  # fmt: skip


def _record_bytes(graph: Any, draw_id: str) -> int:
    """The stored record: the Draw node's properties, its events and its EXCLUDED rows, as JSON."""
    query = """
    MATCH (d:Draw {id: $id})
    RETURN properties(d) AS draw,
           COLLECT { MATCH (d)-[:HAS_EVENT]->(e) RETURN properties(e) } AS events,
           COLLECT { MATCH (d)-[x:EXCLUDED]->() RETURN properties(x) } AS excluded
    """
    row = graph.read(lambda tx: tx.run(query, id=draw_id).single())

    def stored(value: Any) -> str:  # a byte array (the pool-wide exclusions) counts its length
        return "x" * len(value) if isinstance(value, bytes | bytearray) else str(value)

    return len(json.dumps({k: row[k] for k in ("draw", "events", "excluded")}, default=stored).encode())


def _day(year: int | None, i: int) -> date:
    """A panel's date: in the coming weeks (the pool as it is now), or in a far year of its own (--far)."""
    return TODAY + timedelta(days=14 + i % 60) if year is None else date(year, 1 + i % 12, 1 + i % 28)


def _draws(
    ctx: Context, orgs: list[str], count: int, province: bool, year: int | None, rng: random.Random
) -> dict:
    timings, ids = [], []
    for i in range(count):
        body = _body(rng, orgs[i % len(orgs)], province=PROVINCES[i % len(PROVINCES)] if province else None,
                     work_type="verification", day=_day(year, i))  # fmt: skip
        started = time.perf_counter()
        view = draws.create(ctx, body)
        timings.append(time.perf_counter() - started)
        ids.append(view["id"])
    return {"timings": timings, "ids": ids}


def _old_screen(ctx: Context, org: str, year: int | None) -> float:
    """The screen draws used before (every candidate's full facts, all rules in Python), for comparison."""
    day = _day(year, 30)
    context = DrawContext(day, day, org, {})
    started = time.perf_counter()
    ctx.graph.read(
        lambda tx: screening.reference_screen(
            tx, "bench", Criteria("verification", 2), context, draws.rules_for(ctx)
        )
    )
    return time.perf_counter() - started


def _matching(ctx: Context, repeat: int) -> dict[str, dict[str, float]]:
    """Who meets the criteria (verification, level 2+; nationally and per province), the statement used before
    (`matched_reference`: pool-wide facts person by person) and the one draws use, interleaved call by call."""
    rules, samples = draws.rules_for(ctx), {}
    ways = {"before": screen_repo.matched_reference, "now": screen_repo.matched}
    for i in range(repeat):
        for kind, region in (("national", None), ("province", PROVINCES[i % len(PROVINCES)])):
            for way in sorted(ways, reverse=bool(i % 2)):
                args = {"work_type": "verification", "min_level": 2, "region": region, "industry": None,
                        "specialty": None, "today": TODAY, "barring": rules.barring_certificate_statuses}  # fmt: skip
                started = time.perf_counter()
                ctx.graph.read(lambda tx, w=way, a=args: ways[w](tx, **a))
                samples.setdefault(f"{kind} {way}", []).append(time.perf_counter() - started)
    return {key: _summary(values) for key, values in samples.items()}


def _eight_way(ctx: Context, orgs: list[str], year: int | None, per_thread: int) -> dict[str, Any]:
    """Eight administrators drawing at once, each for its own work type or province, on shared days."""
    results: list[list[dict[str, Any]]] = [[] for _ in range(8)]
    errors: list[BaseException] = []
    barrier = threading.Barrier(8)

    def run(n: int) -> None:
        rng = random.Random(n)
        barrier.wait()
        try:
            for i in range(per_thread):
                kind = {"province": PROVINCES[n], "work_type": "verification"} if n % 2 else {
                    "province": None, "work_type": WORK_TYPES[n // 2]}  # fmt: skip
                day = TODAY + timedelta(days=70 + i % 5) if year is None else date(year, 3, 1 + i % 5)
                body = _body(rng, orgs[(n + i) % len(orgs)], day=day, **kind)
                results[n].append(draws.create(ctx, body))
        except BaseException as error:  # reported after the run
            errors.append(error)

    started = time.perf_counter()
    threads = [threading.Thread(target=run, args=(n,)) for n in range(8)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    if errors:
        raise errors[0]
    by_day: dict[Any, list[str]] = {}
    for view in (v for views in results for v in views):
        for seat in view["seats"]:
            if seat["role"] == "panel" and seat["status"] == "invited":
                by_day.setdefault(view["panel_date"], []).append(seat["practitioner"]["id"])
    doubles = sum(len(seated) - len(set(seated)) for seated in by_day.values())
    total = sum(len(views) for views in results)
    # The yearly cap, counted from the graph's seats (all draws of those years, earlier runs' too).
    people = sorted({pid for seated in by_day.values() for pid in seated})
    years = sorted({as_day(day).year for day in by_day})  # type: ignore[union-attr]
    over = ctx.graph.read(lambda tx: tx.run(OVER_CAP, ids=people, years=years, cap=draws.rules_for(ctx).draws_per_year_cap,
                                            seated=list(SEATED_STATUSES)).single()["over"])  # fmt: skip
    return {"draws": total, "seconds": round(wall, 2), "draws_per_second": round(total / wall, 2),
            "double_seatings": doubles, "over_cap": over}  # fmt: skip


OVER_CAP = """
UNWIND $ids AS pid UNWIND $years AS year
MATCH (d:Draw)-[s:DREW {role: 'panel'}]->(:Practitioner {id: pid})
WHERE s.status IN $seated AND coalesce(d.panel_date, date(d.created_at)).year = year
WITH pid, year, count(*) AS seats WHERE seats > $cap
RETURN count(*) AS over
"""


def _audit_writes(ctx: Context, clients: int, seconds: float) -> dict[str, Any]:
    """Writes per second through the audit chain's head lock: each a transaction recording one audit entry."""
    stop = time.monotonic() + seconds
    counts = [0] * clients

    def run(n: int) -> None:
        while time.monotonic() < stop:
            ctx.graph.write(
                lambda tx: audit.record(tx, ctx, "bench", str(uuid.uuid4()), "note", details={"n": n})
            )
            counts[n] += 1

    threads = [threading.Thread(target=run, args=(n,)) for n in range(clients)]
    started = time.perf_counter()
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    wall = time.perf_counter() - started
    return {"clients": clients, "writes": sum(counts), "writes_per_second": round(sum(counts) / wall, 1)}


def run(args: argparse.Namespace) -> dict[str, Any]:
    settings = harness.settings()
    inst = local_server.instance(harness.BENCH_INSTANCE)
    if args.no_load:
        local_server.start(inst)
        graph = graph_from_settings(settings)
        create_schema(graph)
        loaded = None
    else:
        graph = harness.fresh_graph()
        ctx = _context(graph, settings)
        loaded = _load(graph, ctx, args.size)
        _sparse_facts(graph, args.size)
    ctx = _context(graph, settings)
    rng = random.Random(24)
    orgs = _organizations(graph, 20)
    # --far: a year of its own (earlier runs' seats do not count, but most certificates have expired by then:
    # the pool is ~6 times smaller); by default the coming weeks, the pool as it is now.
    year = TODAY.year + 1 + rng.randrange(50) if args.far else None
    started = time.perf_counter()
    graph.write(lambda tx: screen_repo.rebuild_loads(tx, year or TODAY.year))
    rebuild = time.perf_counter() - started
    for i in range(3):  # warm the page cache and the query plans
        draws.create(
            ctx, _body(rng, orgs[0], province=None, work_type="verification", day=_day(year, 59 - i))
        )
    national = _draws(ctx, orgs, args.repeat, False, year, rng)
    provincial = _draws(ctx, orgs, args.repeat, True, year, rng)
    made = national["ids"] + provincial["ids"]
    verify, get = [], []
    for draw_id in made:
        t = time.perf_counter()
        assert draw_reports.verify(ctx, draw_id)["verified"]
        verify.append(time.perf_counter() - t)
        t = time.perf_counter()
        draws.get(ctx, draw_id)
        get.append(time.perf_counter() - t)
    sizes = [_record_bytes(graph, draw_id) for draw_id in made]
    counts = graph.read(
        lambda tx: tx.run(
            "MATCH (d:Draw) WHERE d.id IN $ids RETURN avg(d.candidate_count) AS c, avg(d.matched_count) AS m, "
            "avg(size(d.candidate_reach)) AS r, avg(d.pool_exclusion_count) AS pc, avg(size(d.pool_exclusions)) AS pb, "
            "avg(COUNT { (d)-[:EXCLUDED]->() }) AS x",
            ids=national["ids"],
        ).single()
    )
    old = [_old_screen(ctx, orgs[0], year) for _ in range(args.old)] if args.old else []
    matching = _matching(ctx, args.matching) if args.matching else {}
    skipped = {"draws": 0, "seconds": 0, "draws_per_second": 0, "double_seatings": 0, "over_cap": 0}
    eight = skipped if args.quick else _eight_way(ctx, orgs, year + 1 if year else None, args.per_thread)
    audit_one = _audit_writes(ctx, 1, 0 if args.quick else args.audit_seconds)
    audit_eight = _audit_writes(ctx, 8, 0 if args.quick else args.audit_seconds)
    return {
        "size": args.size,
        "loaded": loaded,
        "loads_rebuild_seconds": round(rebuild, 2),
        "post_draws_national": _summary(national["timings"]),
        "post_draws_province": _summary(provincial["timings"]),
        "verify": _summary(verify),
        "get": _summary(get),
        "record_bytes": {"max": max(sizes), "mean": round(sum(sizes) / len(sizes))},
        "candidates_mean_national": round(counts["c"] or 0),
        "matched_mean_national": round(counts["m"] or 0),
        "pooled_mean_national": round(counts["pc"] or 0),
        "pool_bytes_mean_national": round(counts["pb"] or 0),
        "excluded_rows_mean_national": round(counts["x"] or 0),
        "reach_bytes_mean": round(counts["r"] or 0),
        "old_screen_seconds": [round(s, 2) for s in old],
        "matching": matching,
        "eight_way": eight,
        "audit": [audit_one, audit_eight],
        "machine": harness.machine(),
        "raw_ms": {
            "national": [_ms(t) for t in national["timings"]],
            "province": [_ms(t) for t in provincial["timings"]],
            "verify": [_ms(t) for t in verify],
            "get": [_ms(t) for t in get],
        },
    }


def _load_average(result: dict[str, Any]) -> str:
    return next((v for k, v in result["machine"].items() if k.startswith("load average")), "?")


def report(result: dict[str, Any]) -> str:
    rows = [("`POST /draws` national (review panel 5 + 2, verification, level 2+, org + panel date: every rule)",
             result["post_draws_national"]),
            ("`POST /draws` inside one province", result["post_draws_province"]),
            ("`GET /draws/{id}/verify`", result["verify"]), ("`GET /draws/{id}`", result["get"])]  # fmt: skip
    lines = [f"### {result['size']:,} practitioners", "", "| job | n | p50 ms | p95 ms | p99 ms | max ms |",
             "|---|---|---|---|---|---|"]  # fmt: skip
    lines += [
        f"| {name} | {s['n']} | {s['p50']} | {s['p95']} | {s['p99']} | {s['max']} |" for name, s in rows
    ]
    eight, (one, many) = result["eight_way"], result["audit"]
    lines += [
        "",
        f"- national draws (means): {result['matched_mean_national']:,} matched, "
        f"{result['candidates_mean_national']:,} candidates, {result['pooled_mean_national']:,} pool-wide exclusions in "
        f"a set of {result['pool_bytes_mean_national']:,} B, {result['excluded_rows_mean_national']:,} EXCLUDED rows "
        f"(the organization's, the date's and the person's rules)",
        f"- stored record per draw "
        f"(node, events, exclusions as JSON): mean {result['record_bytes']['mean']:,} B, max "
        f"{result['record_bytes']['max']:,} B (the reach: {result['reach_bytes_mean']:,} B)",
        f"- the screen before (every candidate's facts): {result['old_screen_seconds']} s",
        "- who meets the criteria (ms, p50 / p95; before: pool-wide facts person by person): "
        + "; ".join(f"{k} {v['p50']} / {v['p95']}" for k, v in sorted(result.get("matching", {}).items())),
        f"- eight administrators at once (4 work types nationally, 4 provinces; shared panel days): "
        f"{eight['draws']} draws in {eight['seconds']} s = **{eight['draws_per_second']} draws/s**, "
        f"double seatings: {eight['double_seatings']}, people above the yearly cap: {eight['over_cap']}",
        f"- audit chain head lock: 1 client {one['writes_per_second']} writes/s, 8 clients "
        f"{many['writes_per_second']} writes/s",
        f"- yearly loads rebuilt from the seats in {result['loads_rebuild_seconds']} s",
        f"- load average at the end (1, 5, 15 min; other sessions share the machine): {_load_average(result)}",
    ]
    return "\n".join(lines) + "\n"


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--size", type=int, default=100_000)
    parser.add_argument("--repeat", type=int, default=40, help="draws timed per kind")
    parser.add_argument("--per-thread", type=int, default=6, help="draws per administrator in the 8-way run")
    parser.add_argument("--old", type=int, default=1, help="timings of the old full screen, for comparison")
    parser.add_argument(
        "--matching", type=int, default=10, help="rounds of the matching step, before and now"
    )
    parser.add_argument("--audit-seconds", type=float, default=10)
    parser.add_argument("--no-load", action="store_true")
    parser.add_argument(
        "--far", action="store_true", help="panel dates in a far year of their own (as before)"
    )
    parser.add_argument(
        "--quick", action="store_true", help="the draws, verify and get only (for A/B rounds)"
    )
    parser.add_argument("--out", type=Path, default=OUT)
    args = parser.parse_args()
    result = run(args)
    print(json.dumps(result, ensure_ascii=False, indent=1, default=str))
    section = report(result)
    existing = args.out.read_text() if args.out.exists() else ""
    args.out.write_text(existing + "\n" + section if existing else section)
    print(section)
    if os.environ.get("BENCH_STOP", "1") == "1":
        harness.stop_neo4j()


if __name__ == "__main__":
    main()
