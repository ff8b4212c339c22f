"""Integrity benchmark (issue 23 §5): the anomaly scan against planted truth, and conflict paths, at scale.

    .venv/bin/python -m bench.integrity_bench --sizes 100000            # one size (make bench-integrity)
    .venv/bin/python -m bench.integrity_bench --sizes 100000,1000000    # the 1M run needs ~10 GB: run it
                                                                         # under flock var/bench-1m.lock

For each size: load a synthetic registry (seed/synthetic.py: a market-shaped background with anomalies planted
at known rates, seed/plants.py) into the bench instance — through the application's transactional writer up to
--import-above people, through `neo4j-admin database import` above — and write what was planted to
var/bench/planted-<size>.json (read by this benchmark only, never by the application). Then:

- run the scan (`services.integrity.scan`) and time it;
- compare its findings with the planted truth per kind by the finding's key (the subject it is about): recall is
  the share of planted subjects found, precision the share of findings that were planted — every finding on the
  unplanted background counts against it;
- time conflict paths (`services.conflicts.find`) for 200-person candidate sets that hold a planted conflict
  case, against that case's organization, and check the case is found by its rule;
- time `GET /engagements/{id}/risk` over HTTP when the API has it.

Writes the "Integrity" section of bench/INTEGRITY_RESULTS.md with the machine's load.
"""

from __future__ import annotations

import argparse
import json
import os
import random
import time
from datetime import date
from pathlib import Path
from typing import Any

from bench import harness
from registry.integrity import finding_key

ROOT = harness.ROOT
RESULTS = Path(__file__).with_name("INTEGRITY_RESULTS.md")
CANDIDATES = 200
GOALS = {"scan_seconds_1m": 300, "recall": 0.9, "precision": 0.8, "conflicts_p95_ms": 100, "risk_p95_ms": 50}


def truth_path(size: int) -> Path:
    """Where the planted truth of a registry of `size` people is written (var/, never read by the app)."""
    return ROOT / "var" / "bench" / f"planted-{size}.json"


def planted_keys(truth: dict[str, Any]) -> dict[str, set[str]]:
    """The planted subjects, as the keys the scan gives its findings (services/integrity.py) or, for overload,
    whose subject also holds the year of the peak, as the person."""
    anomalies = truth["anomalies"]
    return {
        "signed_not_on_site": {
            finding_key("signed_not_on_site", t["engagement_id"], t["practitioner_id"])
            for t in anomalies["signed_not_on_site"]
        },
        "two_places": {
            finding_key("two_places", t["practitioner_id"], t["date"]) for t in anomalies["two_places"]
        },
        "overload": {t["practitioner_id"] for t in anomalies["overload"]},
        "familiar_pair": {
            finding_key("familiar_pair", t["verifier_type"], t["verifier_id"], t["client_id"])
            for t in anomalies["familiar_pair"]
        },
        "closed_circle": {finding_key("closed_circle", t["subject"]) for t in anomalies["closed_circle"]},
    }


def found_keys(graph: Any) -> dict[str, set[str]]:
    """The scan's findings by kind, keyed as planted_keys keys them."""
    records, _, _ = graph.driver.execute_query(
        "MATCH (f:Finding) RETURN f.kind AS kind, f.key AS key", database_=graph.database
    )
    found: dict[str, set[str]] = {}
    for record in records:
        key = record["key"]
        if record["kind"] == "overload":
            key = key.split(":")[1]  # overload:<person>:<year> → the person
        found.setdefault(record["kind"], set()).add(key)
    return found


def score(planted: dict[str, set[str]], found: dict[str, set[str]]) -> dict[str, dict[str, Any]]:
    """Recall and precision per kind."""
    rows = {}
    for kind, subjects in planted.items():
        hits = found.get(kind, set())
        true = len(subjects & hits)
        rows[kind] = {
            "planted": len(subjects), "found": len(hits), "true": true,
            "recall": true / len(subjects) if subjects else None,
            "precision": true / len(hits) if hits else None,
        }  # fmt: skip
    return rows


def load(size: int, import_above: int, today: date) -> tuple[Any, dict[str, Any], float]:
    """Load a registry of `size` into the wiped bench instance; the graph, the truth and the load's seconds."""
    from seed.synthetic import generate
    from services.context import Context
    from services.synthetic import load_synthetic

    started = time.perf_counter()
    if size > import_above:
        from bench.admin_import import import_registry, start_with_schema
        from graph.driver import graph_from_settings

        imported = import_registry(size, harness.settings().id_card_key, today)
        graph = start_with_schema(lambda: graph_from_settings(harness.settings()))
        truth = imported["truth"]
    else:
        graph = harness.fresh_graph()
        registry = generate(size, seed=42, today=today)
        load_synthetic(Context(graph=graph, settings=harness.settings(), today=today), registry)
        truth = registry.truth
    seconds = time.perf_counter() - started
    path = truth_path(size)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(json.dumps(truth, ensure_ascii=False, indent=1, default=str), encoding="utf-8")
    return graph, truth, seconds


def conflict_paths(graph: Any, truth: dict[str, Any], today: date, rounds: int = 40) -> dict[str, Any]:
    """p50/p95 of conflicts.find over 200-person candidate sets holding a planted case, and how many cases were
    found by their rule."""
    from services import conflicts
    from services.context import Context

    ctx = Context(graph=graph, settings=harness.settings(), today=today)
    rules = conflicts.rules_of(ctx)
    records, _, _ = graph.driver.execute_query(
        "MATCH (p:Practitioner) WHERE p.status = 'active' RETURN p.id AS id", database_=graph.database
    )
    everyone = [r["id"] for r in records]
    rng = random.Random(23)
    cases = [(rule, case) for rule, listed in truth["conflicts"].items() for case in listed]
    rng.shuffle(cases)
    samples: list[float] = []
    found = {rule: [0, 0] for rule in truth["conflicts"]}
    for rule, case in (cases * (1 + rounds // max(1, len(cases))))[:rounds] if cases else []:
        candidates = {case["practitioner_id"], *rng.sample(everyone, CANDIDATES - 1)}
        started = time.perf_counter()
        answer = graph.read(
            conflicts.find, case["organization_id"], today, rules, "verification", list(candidates)
        )
        samples.append((time.perf_counter() - started) * 1000)
        hit = any(c.rule == rule for c in answer.get(case["practitioner_id"], ()))
        found[rule][0] += hit
        found[rule][1] += 1
    latency = harness.Latency(samples) if samples else None
    return {
        "runs": len(samples),
        "p50_ms": latency.p50 if latency else None,
        "p95_ms": latency.p95 if latency else None,
        "cases_found": {rule: f"{hit}/{runs}" for rule, (hit, runs) in found.items()},
    }


def risk_latency(graph: Any, truth: dict[str, Any], requests: int = 200) -> dict[str, Any] | None:
    """p50/p95 of GET /engagements/{id}/risk over HTTP, or None when the API does not have it."""
    if not any("/risk" in path.read_text(encoding="utf-8") for path in (ROOT / "api").glob("*.py")):
        return None
    from services import keys
    from services.context import Context

    ctx = Context(graph=graph, settings=harness.settings(), today=date.today())
    key = keys.create(ctx, "admin", "integrity-bench")[0]
    engagements = [t["engagement_id"] for t in truth["anomalies"]["signed_not_on_site"]]
    records, _, _ = graph.driver.execute_query(
        "MATCH (e:Engagement) RETURN e.id AS id LIMIT 2000", database_=graph.database
    )
    engagements += [r["id"] for r in records]
    rng = random.Random(5)
    samples = []
    with harness.gunicorn(workers=2, threads=4, timeout=300):
        client = harness.HttpClient(key)
        for _ in range(20):
            client.request("GET", f"/api/v1/engagements/{rng.choice(engagements)}/risk")
        for _ in range(requests):
            started = time.perf_counter()
            client.request("GET", f"/api/v1/engagements/{rng.choice(engagements)}/risk")
            samples.append((time.perf_counter() - started) * 1000)
    latency = harness.Latency(samples)
    return {"requests": requests, "p50_ms": latency.p50, "p95_ms": latency.p95}


def run_size(size: int, import_above: int, reuse: bool = False) -> dict[str, Any]:
    """Load (or, with `reuse`, take the registry loaded by an earlier run and its truth file), scan, score,
    conflict paths and risk at one size."""
    from graph.driver import graph_from_settings
    from services import integrity
    from services.context import Context

    today = date.today()
    if reuse:
        harness.local_server.start(harness.local_server.instance(harness.BENCH_INSTANCE))
        graph = graph_from_settings(harness.settings())
        truth, load_seconds = json.loads(truth_path(size).read_text(encoding="utf-8")), None
    else:
        graph, truth, load_seconds = load(size, import_above, today)
    ctx = Context(graph=graph, settings=harness.settings(), today=today)
    started = time.perf_counter()
    scan = integrity.scan(ctx)
    scan_seconds = time.perf_counter() - started
    scores = score(planted_keys(truth), found_keys(graph))
    result = {
        "size": size, "load_seconds": load_seconds, "scan_seconds": scan_seconds, "scan": scan["counts"],
        "scores": scores, "conflicts": conflict_paths(graph, truth, today),
    }  # fmt: skip
    print(json.dumps(result, indent=1, default=str), flush=True)
    try:
        result["risk"] = risk_latency(graph, truth)
    except RuntimeError as error:  # the API would not start: the report says so
        result["risk"] = {"error": str(error)}
    graph.close()
    return result


def _number(value: Any, digits: int = 2) -> str:
    return "—" if value is None else f"{value:.{digits}f}"


def report(results: list[dict[str, Any]]) -> str:
    """The "Integrity" section as Markdown."""
    lines = [
        "## Integrity",
        "",
        "`python -m bench.integrity_bench` (issue 23 §5). A synthetic registry shaped like the market (clients "
        "served by 2–5 providers, providers of very unequal size across provinces, careers between consultancies "
        "and verification bodies, groups of 5–50 plants) with each anomaly kind planted at a known rate "
        "(seed/distributions.py `ANOMALY_RATES`, per 100 000 practitioners); the truth goes to "
        "var/bench/planted-<size>.json, which only this benchmark reads. Recall: planted subjects the scan found; "
        "precision: findings that were planted (any finding on the background counts against it). Goals: scan "
        f"≤ {GOALS['scan_seconds_1m'] // 60} min at 1M, recall ≥ {GOALS['recall']} and precision ≥ "
        f"{GOALS['precision']} per kind, conflict paths ≤ {GOALS['conflicts_p95_ms']} ms p95 at 1M, "
        f"`GET /engagements/{{id}}/risk` ≤ {GOALS['risk_p95_ms']} ms p95.",
        "",
        "| practitioners | load (s) | scan (s) | conflict paths, 200 candidates p50 / p95 (ms) | cases found | "
        "risk p50 / p95 (ms) |",
        "|---:|---:|---:|---:|---|---:|",
    ]
    for r in results:
        c, risk = r["conflicts"], r.get("risk")
        found = ", ".join(f"{rule} {share}" for rule, share in c["cases_found"].items())
        risk_text = (
            f"{_number(risk['p50_ms'], 1)} / {_number(risk['p95_ms'], 1)}" if risk else "not in the API yet"
        )
        lines.append(
            f"| {r['size']:,} | {_number(r['load_seconds'], 0)} | {r['scan_seconds']:.1f} | "
            f"{_number(c['p50_ms'], 1)} / {_number(c['p95_ms'], 1)} | {found} | {risk_text} |"
        )
    lines += [
        "",
        "| practitioners | kind | planted | findings | true | recall | precision |",
        "|---:|---|---:|---:|---:|---:|---:|",
    ]
    for r in results:
        for kind, s in r["scores"].items():
            lines.append(
                f"| {r['size']:,} | {kind} | {s['planted']} | {s['found']} | {s['true']} | "
                f"{_number(s['recall'])} | {_number(s['precision'])} |"
            )
    lines += ["", "Machine:", ""]
    lines += [f"- {name}: {value}" for name, value in harness.machine().items()]
    return "\n".join(lines) + "\n"


def write_report(section: str) -> None:
    """Replace (or add) the Integrity section of bench/INTEGRITY_RESULTS.md."""
    head = "# Integrity benchmark results\n\nWritten by `python -m bench.integrity_bench`; do not edit by hand.\n\n"
    text = RESULTS.read_text(encoding="utf-8") if RESULTS.exists() else head
    if "## Integrity" in text:
        start = text.index("## Integrity")
        end = text.find("\n## ", start + 1)
        text = text[:start] + section + (text[end + 1 :] if end != -1 else "")
    else:
        text = text.rstrip("\n") + "\n\n" + section
    RESULTS.write_text(text, encoding="utf-8")


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--sizes", default="100000", help="comma-separated registry sizes")
    parser.add_argument("--import-above", type=int, default=0,
                        help="sizes above this are loaded with neo4j-admin import")  # fmt: skip
    parser.add_argument("--reuse", action="store_true",
                        help="scan the registry an earlier run left loaded, with its truth file")  # fmt: skip
    parser.add_argument("--keep-neo4j", action="store_true", help="leave the bench instance running")
    args = parser.parse_args()
    results = []
    try:
        for size in (int(s) for s in args.sizes.split(",")):
            result = run_size(size, args.import_above, args.reuse)
            results.append(result)
            write_report(report(results))
    finally:
        if not (args.keep_neo4j or os.environ.get("BENCH_KEEP_NEO4J")):
            harness.stop_neo4j()
    print(report(results))


if __name__ == "__main__":
    main()
