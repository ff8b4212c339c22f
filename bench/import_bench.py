"""Import throughput: the registry's import next to a minimal raw-driver UNWIND script, same rows, same server.

Each side runs in its own process (so its peak RSS is its own) against a freshly wiped bench database.

    .venv/bin/python -m bench.import_bench --size 10000
"""

from __future__ import annotations

import argparse
import csv
import hashlib
import json
import resource
import subprocess
import sys
import time
from datetime import date
from pathlib import Path
from typing import Any

from bench import harness

WORK = harness.ROOT / "var" / "bench"
RAW_BATCH = 2000

RAW_UNWIND = """
UNWIND $rows AS row
MERGE (p:Practitioner {id_card_hash: row.hash})
ON CREATE SET p.id = randomUUID(), p.name = row.name, p.status = 'active'
CREATE (c:Certificate {number: row.number, work_type: row.work_type, level: row.level, status: 'valid',
                       issued_on: date(row.issued_on)})
CREATE (p)-[:HOLDS]->(c)
"""

LEVELS = {"四级": 4, "三级": 3, "二级": 2, "一级": 1}


def write_file(size: int) -> tuple[Path, int]:
    """The import file for a synthetic registry of `size` practitioners (one row per certificate)."""
    from seed.import_file import import_rows, write_csv
    from seed.synthetic import generate

    WORK.mkdir(parents=True, exist_ok=True)
    path = WORK / f"import-{size}.csv"
    rows = write_csv(path, import_rows(generate(size, seed=7, today=date.today())))
    return path, rows


def run_ours(path: Path) -> dict[str, Any]:
    from services.context import Context
    from services.imports import import_file

    graph = harness.fresh_graph()
    started = time.perf_counter()
    report = import_file(Context(graph=graph, settings=harness.settings()), str(path), path.name)
    seconds = time.perf_counter() - started
    graph.close()
    return {
        "seconds": seconds,
        "rows": report.rows_read,
        "valid": report.rows_valid,
        "errors": report.error_count,
    }


def run_raw(path: Path) -> dict[str, Any]:
    graph = harness.fresh_graph()
    work_types = {"碳排放监测员": "monitoring", "碳排放核算员": "accounting", "碳排放核查员": "verification",
                  "碳排放咨询员": "consulting", "碳排放交易员": "trading", "民航碳排放管理员": "aviation"}  # fmt: skip
    started = time.perf_counter()
    rows = 0
    batch: list[dict[str, Any]] = []

    def flush() -> None:
        graph.write(lambda tx: tx.run(RAW_UNWIND, rows=batch).consume())
        batch.clear()

    with path.open(encoding="utf-8-sig", newline="") as handle:
        for record in csv.DictReader(handle):
            rows += 1
            batch.append({
                "hash": hashlib.sha256(record["身份证号"].encode()).hexdigest(),
                "name": record["姓名"],
                "number": record["证书编号"],
                "work_type": work_types[record["工种"]],
                "level": LEVELS[record["等级"]],
                "issued_on": record["发证日期"],
            })  # fmt: skip
            if len(batch) >= RAW_BATCH:
                flush()
    if batch:
        flush()
    seconds = time.perf_counter() - started
    graph.close()
    return {"seconds": seconds, "rows": rows}


def measure(mode: str, path: Path) -> dict[str, Any]:
    """Run one side in a child process; its result plus its peak RSS."""
    output = subprocess.run(
        [sys.executable, "-m", "bench.import_bench", "--run", mode, "--file", str(path)],
        cwd=harness.ROOT, check=True, capture_output=True, text=True,
    ).stdout  # fmt: skip
    return json.loads(output.strip().splitlines()[-1])


def import_benchmark(size: int) -> dict[str, Any]:
    """Both sides on the same file; rows per second and the ratio."""
    path, rows = write_file(size)
    ours = measure("ours", path)
    raw = measure("raw", path)
    result = {
        "rows": rows,
        "import_rate": rows / ours["seconds"],
        "raw_rate": rows / raw["seconds"],
        "peak_rss_mb": ours["peak_rss_mb"],
        "ours": ours,
        "raw": raw,
    }
    print(
        f"import {rows:,} rows: ours {result['import_rate']:,.0f} rows/s, raw {result['raw_rate']:,.0f} rows/s "
        f"({result['import_rate'] / result['raw_rate']:.0%}), peak RSS {ours['peak_rss_mb']:.0f} MB",
        flush=True,
    )
    return result


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--size", type=int, default=10000)
    parser.add_argument("--run", choices=("ours", "raw"), help=argparse.SUPPRESS)
    parser.add_argument("--file", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.run:
        result = (run_ours if args.run == "ours" else run_raw)(Path(args.file))
        result["peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024
        print(json.dumps(result))
        return
    import_benchmark(args.size)


if __name__ == "__main__":
    main()
