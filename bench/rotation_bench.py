"""Rotation reads at scale (issue 23 part 3): `familiar_pairs` over the whole graph, one client's independence
table, and the warnings for a 200-person candidate set.

    NEO4J_LOCAL_INSTANCE=h1 NEO4J_BOLT_PORT=7711 .venv/bin/python -m bench.rotation_bench --people 100000

It WIPES the instance it is pointed at (never `test` or `serve`) and writes a market of the issue's shape: clients
served by 2–5 verification bodies over the years, one verification a year per client with a team of three drawn
from that body's staff, and as many other engagements (consulting, accounting, …) again; half an engagement per
practitioner in all. Prints the timings; nothing is asserted.
"""

from __future__ import annotations

import argparse
import os
import random
import statistics
import time
from datetime import date

from graph import rotation
from graph.driver import Graph, graph_from_settings
from graph.schema import create_schema
from services import independence
from services.settings import Settings

BATCH = 10_000
YEARS = range(2015, 2027)
OTHER_KINDS = ("consulting", "accounting", "monitoring")

PEOPLE = "UNWIND $rows AS r CREATE (:Practitioner {id: r.id, name: r.name, status: 'active'})"
ORGS = "UNWIND $rows AS r CREATE (:Organization {id: r.id, name: r.name, kind: r.kind})"
EMPLOY = """
UNWIND $rows AS r MATCH (p:Practitioner {id: r.p}), (o:Organization {id: r.o})
CREATE (p)-[:EMPLOYED_BY {since: date('2014-01-01')}]->(o)
"""
ENGAGE = """
UNWIND $rows AS r
MATCH (c:Organization {id: r.client}), (v:Organization {id: r.provider})
CREATE (e:Engagement {id: r.id, kind: r.kind, status: r.status, start_on: date(r.start_on)})
CREATE (e)-[:FOR_CLIENT]->(c), (e)-[:PERFORMED_BY]->(v)
WITH e, r UNWIND r.team AS pid MATCH (p:Practitioner {id: pid})
CREATE (p)-[:WORKED_ON {role: 'member', roles: ['member']}]->(e)
"""


def _write(graph: Graph, statement: str, rows: list[dict]) -> None:
    for start in range(0, len(rows), BATCH):
        chunk = rows[start : start + BATCH]
        graph.write(lambda tx, chunk=chunk: tx.run(statement, rows=chunk).consume())  # type: ignore[arg-type]


def build(graph: Graph, people: int, rng: random.Random) -> dict[str, list[str]]:
    """Wipe the graph and write the market; the ids of clients and people."""
    with graph.driver.session(database=graph.database) as session:
        session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()
    create_schema(graph)
    person_ids = [f"p{i}" for i in range(people)]
    bodies = [f"v{i}" for i in range(max(people // 1000, 5))]
    clients = [f"c{i}" for i in range(max(people // 40, 10))]
    _write(graph, PEOPLE, [{"id": i, "name": f"核查员{i}"} for i in person_ids])
    _write(graph, ORGS, [{"id": i, "name": f"核查机构{i}", "kind": "verification_body"} for i in bodies]
           + [{"id": i, "name": f"企业{i}", "kind": "enterprise"} for i in clients])  # fmt: skip
    staff: dict[str, list[str]] = {body: [] for body in bodies}
    for person in person_ids:
        staff[rng.choice(bodies)].append(person)
    _write(graph, EMPLOY, [{"p": p, "o": body} for body, members in staff.items() for p in members])
    rows: list[dict] = []
    budget = people // 2
    for client in clients:
        served_by = rng.sample(bodies, rng.randint(2, 5))
        body = rng.choice(served_by)
        for year in YEARS:
            if len(rows) >= budget:
                break
            if rng.random() < 0.35:  # the client changes body
                body = rng.choice(served_by)
            team = rng.sample(staff[body], min(3, len(staff[body])))
            status = "cancelled" if rng.random() < 0.03 else "completed"
            for kind in ("verification", rng.choice(OTHER_KINDS)):
                rows.append({"id": f"e{len(rows)}", "kind": kind, "status": status, "client": client,
                             "provider": body, "start_on": f"{year}-04-01", "team": team})  # fmt: skip
    _write(graph, ENGAGE, rows)
    return {"clients": clients, "people": person_ids, "engagements": [str(len(rows))]}


# The same market generated inside Neo4j, for a million people (sending the rows from Python takes an hour on
# a loaded machine): person i works for body i % bodies; client c keeps one body for three-year stretches (so
# long runs exist) and its team is three of that body's staff drawn at random; 3 % are cancelled.
CYPHER_BUILD: tuple[str, ...] = (
    """UNWIND range(0, $people - 1) AS i CALL (i) { CREATE (:Practitioner {id: 'p' + i, name: '核查员' + i,
       status: 'active'}) } IN TRANSACTIONS OF 50000 ROWS""",
    """UNWIND range(0, $bodies - 1) AS i CREATE (:Organization {id: 'v' + i, name: '核查机构' + i,
       kind: 'verification_body'})""",
    """UNWIND range(0, $clients - 1) AS i CREATE (:Organization {id: 'c' + i, name: '企业' + i, kind: 'enterprise'})""",
    """UNWIND range(0, $people - 1) AS i CALL (i) { MATCH (p:Practitioner {id: 'p' + i}),
       (o:Organization {id: 'v' + (i % $bodies)}) CREATE (p)-[:EMPLOYED_BY {since: date('2014-01-01')}]->(o) }
       IN TRANSACTIONS OF 50000 ROWS""",
    """UNWIND range(0, $engagements - 1) AS n
       CALL (n) {
         WITH n, n / 2 AS slot, n % 2 AS other
         WITH n, other, slot / 12 AS c, 2015 + slot % 12 AS year
         WITH n, other, c, year, (c * 13 + (year - 2015 + c % 3) / 3) % $bodies AS body
         MATCH (client:Organization {id: 'c' + c}), (v:Organization {id: 'v' + body})
         CREATE (e:Engagement {id: 'e' + n, start_on: date({year: year, month: 4, day: 1}),
                 kind: CASE other WHEN 0 THEN 'verification' ELSE 'consulting' END,
                 status: CASE WHEN rand() < 0.03 THEN 'cancelled' ELSE 'completed' END})
         CREATE (e)-[:FOR_CLIENT]->(client), (e)-[:PERFORMED_BY]->(v)
         WITH e, body UNWIND range(1, 3) AS k
         MATCH (p:Practitioner {id: 'p' + (body + $bodies * toInteger(rand() * ($people / $bodies)))})
         CREATE (p)-[:WORKED_ON {role: 'member', roles: ['member']}]->(e)
       } IN TRANSACTIONS OF 20000 ROWS""",
)


def cypher_build(graph: Graph, people: int) -> dict[str, list[str]]:
    """Wipe the graph and generate the market inside Neo4j; the ids of clients and people."""
    with graph.driver.session(database=graph.database) as session:
        session.run("MATCH (n) CALL (n) { DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()
    create_schema(graph)
    clients = max(people // 40, 10)
    params = {"people": people, "bodies": max(people // 1000, 5), "clients": clients,
              "engagements": min(people // 2, clients * 24)}  # fmt: skip
    with graph.driver.session(database=graph.database) as session:
        for statement in CYPHER_BUILD:
            session.run(statement, params).consume()  # type: ignore[arg-type]
    return {"clients": [f"c{i}" for i in range(clients)], "people": [f"p{i}" for i in range(people)],
            "engagements": [str(params["engagements"])]}  # fmt: skip


def timed(label: str, runs: int, call) -> float:
    """Run `call` `runs` times; print and return the p95 in ms."""
    times = []
    for _ in range(runs):
        start = time.perf_counter()
        call()
        times.append((time.perf_counter() - start) * 1000)
    p95 = statistics.quantiles(times, n=20)[-1] if len(times) >= 2 else times[0]
    print(f"{label}: median {statistics.median(times):.1f} ms, p95 {p95:.1f} ms ({runs} runs)")
    return p95


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--people", type=int, default=100_000)
    parser.add_argument("--skip-build", action="store_true")
    parser.add_argument("--cypher-build", action="store_true", help="generate the market inside Neo4j (1M)")
    args = parser.parse_args()
    if os.environ.get("NEO4J_LOCAL_INSTANCE", "test") in ("test", "serve"):
        raise SystemExit("Point NEO4J_LOCAL_INSTANCE at your own instance: this wipes it.")
    rng = random.Random(23)
    graph = graph_from_settings(Settings.from_env())
    start = time.perf_counter()
    if args.skip_build:
        ids = {"clients": [f"c{i}" for i in range(max(args.people // 40, 10))],
               "people": [f"p{i}" for i in range(args.people)]}  # fmt: skip
    else:
        ids = cypher_build(graph, args.people) if args.cypher_build else build(graph, args.people, rng)
        print(
            f"built {args.people} people, {ids['engagements'][0]} engagements in {time.perf_counter() - start:.0f} s"
        )
    start = time.perf_counter()
    pairs = graph.read(rotation.familiar_pairs, 3)
    kinds = {t: sum(1 for p in pairs if p["verifier"]["type"] == t) for t in ("organization", "practitioner")}
    print(f"familiar_pairs(3): {len(pairs)} pairs {kinds} in {time.perf_counter() - start:.1f} s")
    clients = rng.sample(ids["clients"], 50)
    timed("client table", 50, lambda: graph.read(rotation.client_table, clients.pop()))
    today = date(2026, 6, 1)

    def warnings() -> None:
        candidates = rng.sample(ids["people"], 200)
        graph.read(independence.warnings, rng.choice(ids["clients"]), candidates, today, "client")

    timed("warnings for 200 candidates", 50, warnings)
    graph.close()


if __name__ == "__main__":
    main()
