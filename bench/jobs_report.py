"""The jobs bench's measuring and reporting (bench/jobs_bench.py): the machine's load while a job runs, timed
requests, where a request's time goes, and the report of both sizes side by side.

Each size's results are saved to var/bench/jobs-results-<size>.json when measured, so a run of one size (the
million runs late, under the memory lock) writes the table with the other size's latest results beside it.
Notes written by hand below the marker `<!-- jobs-notes -->` inside the section of bench/RESULTS.md are kept.
"""

from __future__ import annotations

import cProfile
import json
import os
import pstats
import threading
import time
from pathlib import Path
from typing import Any

from bench import harness

WARMUP = 2
RESULTS = Path(__file__).with_name("JOBS_RESULTS.md")
SUMMARY = Path(__file__).with_name("RESULTS.md")
SAVED = harness.ROOT / "var" / "bench"
START, END = "<!-- jobs: written by bench/jobs_bench.py -->", "<!-- /jobs -->"
NOTES = "<!-- jobs-notes -->"
API = "/api/v1"


class Load:
    """The machine's load while a job runs: the 1-minute load average (sampled every second) and the share of
    CPU time busy over the whole job (from /proc/stat at its start and end)."""

    def __init__(self) -> None:
        self.loads: list[float] = []
        self.busy = 0.0
        self.stop = threading.Event()
        self.thread = threading.Thread(target=self._run, daemon=True)

    @staticmethod
    def _cpu() -> tuple[int, int]:
        values = [int(v) for v in Path("/proc/stat").read_text().split("\n", 1)[0].split()[1:]]
        return sum(values), values[3] + values[4]  # total, idle + iowait

    def _run(self) -> None:
        self.loads.append(os.getloadavg()[0])
        while not self.stop.wait(1.0):
            self.loads.append(os.getloadavg()[0])

    def __enter__(self) -> Load:
        self.start = self._cpu()
        self.thread.start()
        return self

    def __exit__(self, *_: Any) -> None:
        self.stop.set()
        self.thread.join()
        total, idle = self._cpu()
        self.busy = 1 - (idle - self.start[1]) / max(1, total - self.start[0])

    def text(self) -> str:
        return f"{sum(self.loads) / len(self.loads):.1f} / {self.busy:.0%}"


def timed(send: Any, requests: list[Any], warmup: int = WARMUP) -> harness.Latency:
    """Each request sent in turn (the first `warmup` untimed); latencies in ms."""
    samples = []
    for i, request in enumerate(requests):
        started = time.perf_counter()
        send(request)
        if i >= warmup:
            samples.append((time.perf_counter() - started) * 1000)
    return harness.Latency(samples)


def where_time_goes(graph: Any, key: str, row: dict[str, Any], runs: int = 3) -> list[tuple[str, float]]:
    """The request run in this process (the Flask app, the same code as gunicorn's) under cProfile: the share of
    its time per layer, the driver's share being mostly the wait for Neo4j to answer."""
    from application import create_app

    app = create_app()
    client = app.test_client()
    target = API + row["sample"]
    client.get(target, headers={"X-API-Key": key})  # warm, as in the timed runs
    profile = cProfile.Profile()
    profile.enable()
    for _ in range(runs):
        client.get(target, headers={"X-API-Key": key})
    profile.disable()
    totals: dict[str, float] = {}
    stats = pstats.Stats(profile).stats  # type: ignore[attr-defined]
    for (filename, _, _), (_, _, tottime, _, _) in stats.items():
        totals[_layer(filename)] = totals.get(_layer(filename), 0.0) + tottime
    whole = sum(totals.values()) or 1.0
    return sorted(((layer, seconds / whole) for layer, seconds in totals.items()), key=lambda x: -x[1])[:5]


LAYERS = (("/neo4j/", "neo4j driver (waiting for Neo4j, decoding)"), ("/graph/", "graph/"),
          ("/registry/", "registry/"), ("/services/", "services/"), ("/interface/", "interface/"), ("/api/", "api/"),
          ("/web/", "web/"), ("/marshmallow/", "marshmallow"), ("/json/", "json"), ("/flask", "flask / werkzeug"),
          ("/werkzeug/", "flask / werkzeug"))  # fmt: skip


def _layer(filename: str) -> str:
    for marker, layer in LAYERS:
        if marker in filename:
            return layer
    return "stdlib and builtins (mostly waiting on the socket for Neo4j)"


def save(result: dict[str, Any]) -> None:
    """Keep one size's results (latencies as their samples) for later reports of both sizes."""
    plain = result | {
        "rows": [
            row | {"latency": row["latency"].samples_ms if row["latency"] else None} for row in result["rows"]
        ],
        "writes": {str(k): v for k, v in result["writes"].items()},
        "measured": time.strftime("%Y-%m-%d %H:%M UTC", time.gmtime()),
        "machine_load": os.getloadavg(),
    }
    (SAVED / f"jobs-results-{result['size']}.json").write_text(
        json.dumps(plain, default=str), encoding="utf-8"
    )


def saved(size: int) -> dict[str, Any] | None:
    """One size's latest saved results, or None."""
    path = SAVED / f"jobs-results-{size}.json"
    if not path.exists():
        return None
    result = json.loads(path.read_text(encoding="utf-8"))
    for row in result["rows"]:
        row["latency"] = harness.Latency(row["latency"]) if row["latency"] else None
    return result


def report(results: list[dict[str, Any]], args: Any) -> str:
    sizes = [r["size"] for r in results]
    by_job: dict[str, dict[int, dict[str, Any]]] = {}
    for r in results:
        for row in r["rows"]:
            by_job.setdefault(row["job"], {})[r["size"]] = row
    head = "| job | " + " | ".join(f"{s:,}: p50 / p95 / p99 ms (n, load / CPU)" for s in sizes) + " |"
    lines = [head, "|---|" + "---|" * len(sizes)]
    for name, cells in by_job.items():
        parts = []
        for s in sizes:
            row = cells.get(s)
            lat = row["latency"] if row else None
            parts.append(f"{lat.p50:.0f} / {lat.p95:.0f} / {lat.p99:.0f} ({len(lat.samples_ms)}, {row['load']})"
                         if lat else (row["note"] if row else "—"))  # fmt: skip
        lines.append(f"| {name} | " + " | ".join(parts) + " |")
    lines += ["", "| registry | load (generate + CSV, import, schema) | audit entries | 8 administrators drawing at once "
              "| audit writes/s (1 client → 8 clients) |", "|---|---|---|---|---|"]  # fmt: skip
    for r in results:
        ld, c = r["load"], r["concurrent"]
        w = {str(k): v for k, v in r["writes"].items()}
        counts = ", ".join(f"{k} {v:,}" for k, v in ld["counts"].items())
        lines.append(f"| {r['size']:,} | {ld['generate_and_csv_seconds']:.0f} + {ld['import_seconds']:.0f} + "
                     f"{ld['schema_seconds']:.0f} s ({counts}) | {r['audit_entries']:,} | {c['draws']} draws in "
                     f"{c['seconds']:.1f} s = {c['per_second']:.2f}/s, double seatings {c['double_seated']}, "
                     f"errors {len(c['errors'])} | {w['1']:.0f} → {w['8']:.0f} |")  # fmt: skip
    lines += [
        "",
        "Where the time goes, the three slowest requests (run in process under cProfile, share of its time):",
        "",
    ]
    for r in results:
        for job, shares in r["profiles"]:
            lines.append(
                f"- {r['size']:,}, {job}: " + ", ".join(f"{layer} {share:.0%}" for layer, share in shares)
            )
    return "\n".join(lines)


def write(results: list[dict[str, Any]], args: Any) -> None:
    """bench/JOBS_RESULTS.md and the "Jobs" section of bench/RESULTS.md, with every size measured or saved."""
    machine = "; ".join(f"{k}: {v}" for k, v in harness.machine().items())
    when = ", ".join(
        f"{r['size']:,} measured {r.get('measured') or time.strftime('%Y-%m-%d %H:%M UTC', time.gmtime())}"
        + (f" (load average then {r['machine_load'][0]:.1f})" if r.get("machine_load") else "")
        for r in results
    )
    method = (f"By `python -m bench.jobs_bench` ({when}): a "
              f"registry imported with its volumes (seed/volumes.py), gunicorn 2 workers × 4 threads, one keep-alive "
              f"client on the same host; each job {WARMUP} untimed requests then {args.repeat} timed ones ({args.draws} "
              f"per draw job, the draws made on work types in turn; statistics cold: the first request of each after "
              f"the start). Load / CPU: the 1-minute load average and the CPU busy share while the job ran (other "
              f"sessions share this 2-core machine). Machine: {machine}.")  # fmt: skip
    table = report(results, args)
    RESULTS.write_text(f"# Jobs at national scale (issue 24)\n\n{method}\n\n{table}\n", encoding="utf-8")
    old = SUMMARY.read_text(encoding="utf-8") if SUMMARY.exists() else ""
    notes = ""
    if START in old and END in old and NOTES in old[old.index(START) : old.index(END)]:
        notes = old[old.index(NOTES) : old.index(END)]
    notes = notes or NOTES + "\n"
    section = f"{START}\n## Jobs (issue 24): every job at both sizes\n\n{method}\n\n{table}\n{notes}{END}\n"
    if START in old and END in old:
        new = old[: old.index(START)] + section + old[old.index(END) + len(END) + 1 :]
    else:
        at = old.find("## Throughput")
        new = old[:at] + section + "\n" + old[at:] if at >= 0 else old + "\n" + section
    SUMMARY.write_text(new, encoding="utf-8")
    write_portal(results)


PORTAL = Path(__file__).with_name("PORTAL_RESULTS.md")
PORTAL_START, PORTAL_END = (
    "<!-- portal-by-size: written by bench/jobs_bench.py -->",
    "<!-- /portal-by-size -->",
)


def write_portal(results: list[dict[str, Any]]) -> None:
    """Every portal page at each size measured (bench/PORTAL_RESULTS.md, a section of its own)."""
    sizes = [r["size"] for r in results]
    pages: dict[str, dict[int, Any]] = {}
    for r in results:
        for row in r["rows"]:
            if row["job"].startswith("portal ") and row["latency"]:
                pages.setdefault(row["job"].removeprefix("portal "), {})[r["size"]] = row
    lines = [PORTAL_START, "## Every portal page at both sizes (bench/jobs_bench.py)", "",
             "Two gunicorn workers × 4 threads on the registry with its volumes, one keep-alive client on the same host "
             "(times include loopback and the HTML transfer); " + ", ".join(f"{r['size']:,} measured "
             f"{r.get('measured', 'now')}" for r in results) + ". Load / CPU as in bench/JOBS_RESULTS.md.", "",
             "| page (visitor) | " + " | ".join(f"{s:,}: p50 / p95 / p99 ms (load / CPU)" for s in sizes) + " |",
             "|---|" + "---|" * len(sizes)]  # fmt: skip
    for page, cells in pages.items():
        parts = []
        for s in sizes:
            row = cells.get(s)
            lat = row["latency"] if row else None
            parts.append(f"{lat.p50:.0f} / {lat.p95:.0f} / {lat.p99:.0f} ({row['load']})" if lat else "—")
        lines.append(f"| {page} | " + " | ".join(parts) + " |")
    section = "\n".join([*lines, PORTAL_END]) + "\n"
    old = PORTAL.read_text(encoding="utf-8") if PORTAL.exists() else ""
    if PORTAL_START in old and PORTAL_END in old:
        new = old[: old.index(PORTAL_START)] + section + old[old.index(PORTAL_END) + len(PORTAL_END) + 1 :]
    else:
        new = old.rstrip("\n") + "\n\n" + section
    PORTAL.write_text(new, encoding="utf-8")
