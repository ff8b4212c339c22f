"""The audit chain at scale: the full check of a long chain in the CLI, GET /audit/verify from the last signed
checkpoint, and how many writes a second go through the one chain head.

    .venv/bin/python -m bench.audit_bench --entries 10000000     # writes bench/AUDIT_RESULTS.md

Wipes BENCH_INSTANCE and imports a chain of `--entries` entries alone (seed/volumes.py's filler: entries of the
services' kinds, chained and hashed by the real builder) with `neo4j-admin database import`, signs today's
checkpoint, writes a few hundred entries after it through the application, then times `flask registry audit verify`
(the real command, progress bar and all) and GET /audit/verify over HTTP. Stops Neo4j unless --keep-neo4j.
"""

from __future__ import annotations

import argparse
import os
import shutil
import subprocess
import threading
import time
import uuid
from collections.abc import Iterable
from datetime import date
from pathlib import Path
from typing import Any

from bench import harness, volume_csv
from bench.admin_import import _cell, start_with_schema
from graph import audit as audit_repo
from graph import local_server
from graph.driver import Graph, graph_from_settings
from registry.audit import Actor
from services import audit, keys
from services.context import Context

TODAY = date.today()
RESULTS = Path(__file__).with_name("AUDIT_RESULTS.md")

# An unrelated change per write (a node of its own), so two writes share nothing but the audit chain's head.
TOUCH = "CREATE (:BenchWrite {id: $id, at: datetime()})"


def write_throughput(
    graph: Graph, seconds: float = 10, clients: tuple[int, ...] = (1, 8)
) -> dict[Any, float]:
    """Writes per second of small unrelated changes, each with its audit entry, by 1 and by 8 concurrent clients;
    and by 8 clients without the audit entry ("8 unaudited"), what the chain's one head lock costs."""
    actor = Actor("key", "admin", "bench0", "audit bench")

    def audited(tx: Any, key: str) -> None:
        tx.run(TOUCH, id=key).consume()
        audit_repo.record(tx, actor, entity="bench", entity_id=key, action="touch", changes={"n": 1})

    def plain(tx: Any, key: str) -> None:
        tx.run(TOUCH, id=key).consume()

    result: dict[Any, float] = {}
    for label, work, count in [*((n, audited, n) for n in clients), ("8 unaudited", plain, 8)]:
        done = [0] * count
        stop = time.monotonic() + seconds

        def run(index: int, work: Any = work, done: list[int] = done, stop: float = stop) -> None:
            while time.monotonic() < stop:
                graph.write(work, f"{index}-{uuid.uuid4()}")
                done[index] += 1

        threads = [threading.Thread(target=run, args=(i,)) for i in range(count)]
        started = time.monotonic()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        result[label] = sum(done) / (time.monotonic() - started)
        print(f"writes/s, {label} client(s): {result[label]:.0f}", flush=True)
    return result


def prepare(entries: int) -> tuple[Path, float]:
    """The chain's CSV files, written once per (entries, day) into var/bench/audit-csv (no Neo4j needed, so it can
    run while another benchmark holds the machine's memory); the folder and the seconds writing took."""
    folder = harness.ROOT / "var" / "bench" / "audit-csv" / f"{entries}-{TODAY.isoformat()}"
    done = folder / "done.txt"
    if done.exists():
        return folder, float(done.read_text())
    shutil.rmtree(folder, ignore_errors=True)
    started = time.perf_counter()
    volume_csv.write_filler_audit(folder, entries, TODAY, _cell)
    seconds = time.perf_counter() - started
    done.write_text(str(seconds))
    return folder, seconds


def import_chain(entries: int) -> dict[str, float]:
    """Wipe the bench instance and import a chain of `entries` entries alone; timings."""
    inst = local_server.instance(harness.BENCH_INSTANCE)
    local_server.wipe(inst)
    folder, written = prepare(entries)
    started = time.perf_counter()
    neo4j_import(inst, volume_csv.arguments(folder, volumes=False))
    return {"generate_and_csv": written, "import": time.perf_counter() - started}


def neo4j_import(inst: local_server.Instance, files: Iterable[str]) -> None:
    """`neo4j-admin database import full` of the CSV files named (--nodes=…, --relationships=…) into the stopped,
    wiped instance."""
    conf = local_server._write_config(inst)
    env = {**os.environ, "NEO4J_HOME": str(inst.home), "NEO4J_CONF": str(conf)}
    command = [local_server._java(), "-Xmx2g", "-cp", f"{local_server.resolve_jars()}/*", local_server.ADMIN_CLASS,
               "database", "import", "full", "neo4j", "--overwrite-destination", "--array-delimiter=;", "--threads=2",
               "--report-file", str(inst.home / "logs" / "import.report"), *files]  # fmt: skip
    subprocess.run(command, env=env, check=True, capture_output=True, text=True)


def cli_verify() -> tuple[float, str]:
    """`flask --app wsgi registry audit verify` as an operator runs it: seconds and its last line."""
    started = time.perf_counter()
    done = subprocess.run([str(harness.ROOT / ".venv" / "bin" / "flask"), "--app", "wsgi", "registry", "audit",
                           "verify"], cwd=harness.ROOT, capture_output=True, text=True, env=os.environ.copy())  # fmt: skip
    seconds = time.perf_counter() - started
    return seconds, (done.stdout.strip().splitlines() or [done.stderr.strip()[-300:]])[-1]


def main(argv: list[str] | None = None) -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--entries", type=int, default=10_000_000)
    parser.add_argument("--after", type=int, default=500, help="entries written after the checkpoint")
    parser.add_argument("--repeat", type=int, default=30)
    parser.add_argument("--write-seconds", type=float, default=10)
    parser.add_argument("--keep-neo4j", action="store_true")
    parser.add_argument("--prepare", action="store_true", help="only write the chain's CSV files")
    args = parser.parse_args(argv)
    if args.prepare:
        print(prepare(args.entries), flush=True)
        return
    try:
        timings = import_chain(args.entries)
        print(f"chain of {args.entries:,} written and imported: {timings}", flush=True)
        started = time.perf_counter()
        graph = start_with_schema(lambda: graph_from_settings(harness.settings()))
        timings["schema"] = time.perf_counter() - started
        ctx = Context(graph, harness.settings(), today=TODAY)
        signed = audit.checkpoint(ctx)
        writes = write_throughput(graph, args.write_seconds)
        head = audit.length(ctx)
        seconds, line = cli_verify()
        print(f"CLI full check of {head:,} entries: {seconds:.0f} s — {line}", flush=True)
        admin_key = keys.create(ctx, "admin", "audit bench")[0]
        with harness.gunicorn(1, 4, timeout=600):
            client = harness.HttpClient(admin_key)
            answer = client.request("GET", "/api/v1/audit/verify")
            samples = []
            for _ in range(args.repeat):
                begun = time.perf_counter()
                client.request("GET", "/api/v1/audit/verify")
                samples.append((time.perf_counter() - begun) * 1000)
        latency = harness.Latency(samples)
        print(f"GET /audit/verify: {answer.get('verified')} from {answer.get('from_seq')} ({answer.get('entries')} "
              f"entries): p50 {latency.p50:.0f} p95 {latency.p95:.0f} ms", flush=True)  # fmt: skip
        write_results(args, timings, signed.seq, head, seconds, line, answer, latency, writes)
        graph.close()
    finally:
        if not args.keep_neo4j:
            harness.stop_neo4j()


def write_results(args, timings, signed, head, seconds, line, answer, latency, writes) -> None:
    machine = "; ".join(f"{k}: {v}" for k, v in harness.machine().items())
    rows = [
        ("chain written (generate, chain, hash, CSV) / imported / schema and index",
         f"{timings['generate_and_csv']:.0f} s / {timings['import']:.0f} s / {timings['schema']:.0f} s"),
        (f"`flask registry audit verify`: the whole chain, {head:,} entries",
         f"**{seconds:.0f} s** ({head / seconds:,.0f} entries/s): {line}"),
        (f"`GET /audit/verify` from the checkpoint at entry {signed:,} ({answer.get('entries')} entries to the head)",
         f"p50 {latency.p50:.0f} ms, p95 **{latency.p95:.0f} ms**, p99 {latency.p99:.0f} ms "
         f"({len(latency.samples_ms)} requests)"),
        ("writes/s, each a small unrelated change with its audit entry: 1 client → 8 clients",
         f"{writes[1]:.0f} → {writes[8]:.0f}"),
        ("the same 8 clients without the audit entry (no shared lock)", f"{writes['8 unaudited']:.0f}"),
    ]  # fmt: skip
    lines = [f"# The audit chain at {args.entries:,} entries", "",
             f"Measured {time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())} by "
             f"`python -m bench.audit_bench --entries {args.entries}`. Machine: {machine}.", "",
             "| what | result |", "|---|---|", *(f"| {a} | {b} |" for a, b in rows)]  # fmt: skip
    RESULTS.write_text("\n".join(lines) + "\n", encoding="utf-8")


if __name__ == "__main__":
    main()
