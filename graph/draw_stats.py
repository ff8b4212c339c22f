"""Draw statistics in the graph (GET /draws/stats): draws per month and purpose, seats, spread, exclusions."""

from __future__ import annotations

from datetime import date

import neo4j

from graph.cypher import cypher

IN_PERIOD = " ($from IS NULL OR date(d.created_at) >= $from) AND ($to IS NULL OR date(d.created_at) <= $to) "

STATS_DRAWS = cypher(
    "MATCH (d:Draw) WHERE",
    IN_PERIOD,
    """RETURN substring(toString(date(d.created_at)), 0, 7) AS month, d.purpose AS purpose, count(*) AS draws,
       sum(CASE WHEN d.shortfall > 0 THEN 1 ELSE 0 END) AS short
ORDER BY month, purpose
""",
)

STATS_SEATS = cypher(
    "MATCH (d:Draw)-[r:DREW]->(:Practitioner) WHERE",
    IN_PERIOD,
    "RETURN r.role AS role, r.status AS status, count(*) AS seats",
)

# "Drawn" = put on a panel by the draw, a reserve call or a replacement; appointments are not draws.
STATS_PER_EXPERT = cypher(
    "MATCH (d:Draw)-[r:DREW {role: 'panel'}]->(p:Practitioner) WHERE",
    IN_PERIOD,
    "AND r.via <> 'appointed' RETURN p.id AS id, count(*) AS seats",
)

# The pool-wide exclusions are counted on the draw (registry/draw_pool.py: one sealed row set, no EXCLUDED rows).
STATS_EXCLUSIONS = cypher(
    "CALL () { MATCH (d:Draw)-[x:EXCLUDED]->(:Practitioner) WHERE",
    IN_PERIOD,
    "RETURN x.rule AS rule, count(*) AS n UNION ALL MATCH (d:Draw) WHERE",
    IN_PERIOD,
    """AND d.pool_rules IS NOT NULL
           UNWIND range(0, size(d.pool_rules) - 1) AS i RETURN d.pool_rules[i] AS rule, d.pool_rule_counts[i] AS n }
RETURN rule, sum(n) AS exclusions""",
)

EXPERT_POOL_SIZE = """
MATCH (p:Practitioner {status: 'active'})-[m:MEMBER_OF]->(:Pool {code: 'expert'})
WHERE m.valid_until IS NULL OR m.valid_until >= $today
RETURN count(DISTINCT p) AS members
"""


# What the draw counts are of: every change to a draw appends to its event chain (graph/draws.py, the seats are
# the replay of the events) and writes its seats and exclusions, so these counts, read from the count store, change
# whenever a fact STATS_* count may have.
DRAWS_REVISION = """
RETURN COUNT { (:Draw) } AS draws, COUNT { (:DrawEvent) } AS events, COUNT { ()-[:DREW]->() } AS seats,
       COUNT { ()-[:EXCLUDED]->() } AS exclusions
"""


def draws_revision(tx: neo4j.ManagedTransaction) -> tuple[int, ...]:
    """A key that changes whenever a draw, seat, answer or exclusion does (four count-store reads)."""
    record = tx.run(DRAWS_REVISION).single(strict=True)
    return tuple(record.values())


def draw_counts(tx: neo4j.ManagedTransaction, period_from: date | None, period_to: date | None) -> dict:
    """Draws per month and purpose, seats by role and answer, seats per expert drawn, exclusions by rule."""
    period = {"from": period_from, "to": period_to}
    return {
        "draws": [dict(r) for r in tx.run(STATS_DRAWS, period)],
        "seats": [dict(r) for r in tx.run(STATS_SEATS, period)],
        "per_expert": [r["seats"] for r in tx.run(STATS_PER_EXPERT, period)],
        "exclusions": {r["rule"]: r["exclusions"] for r in tx.run(STATS_EXCLUSIONS, period)},
    }


def pool_size(tx: neo4j.ManagedTransaction, today: date) -> int:
    """Active members of the expert pool on `today`."""
    return tx.run(EXPERT_POOL_SIZE, today=today).single(strict=True)["members"]


def statistics(
    tx: neo4j.ManagedTransaction, period_from: date | None, period_to: date | None, today: date
) -> dict:
    """The raw counts the statistics are computed from, read directly."""
    return draw_counts(tx, period_from, period_to) | {"pool_size": pool_size(tx, today)}
