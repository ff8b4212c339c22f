"""Derived state of a practitioner in the graph: pool membership and search keys, never set by hand.

`services/pools.py` `rederive` reads a person's facts here (`holder_facts`), applies `registry.pools`, and writes
the result back here (`write_derived`), inside the transaction of whatever changed a certificate, a practitioner,
or an engagement team, so pools and search keys can never disagree with the facts they come from. An ended
membership is kept as WAS_MEMBER_OF (history). A current MEMBER_OF carries `valid_until`, the day its
certificates lapse, so reads drop it at once even before the expiry job has run.

Search keys let the search filter, sort and count facets from one node's properties instead of expanding
five relationship types per match (see graph/search.py): `cert_keys` (`work_type|level|until`),
`pool_keys` (`pool|until`), `region_key` (the province it rolls up to), `industry_keys` (declared or
from engagements), and `evaluation_mean`, `evaluation_count`, `evaluation_keys` (`work_type|mean|count`) from the
evaluations that still count. An active sanction (`expert_suspension`, `bar`) is a rule input of the pools.
"""

from __future__ import annotations

from datetime import UTC, date, datetime
from typing import Any

import neo4j

from graph.cypher import cypher
from graph.records import native
from graph.reference import HOME_REGION_CODE
from registry.certificates import CertificateFacts
from registry.misconduct import Sanction

# One record with a list: a batch of thousands of holders decodes far faster than thousands of records.
HOLDER_CERTIFICATES = """
UNWIND $ids AS id
MATCH (p:Practitioner {id: id})
RETURN collect({id: p.id, status: p.status,
                certificates: COLLECT { MATCH (p)-[:HOLDS]->(c:Certificate)
                                        RETURN c {.number, .work_type, .level, .status, .issued_on, .expires_on} },
                sanctions: COLLECT { MATCH (p)-[:SANCTIONED]->(s:Sanction)
                                     RETURN s {.id, .kind, .from, .until, .lifted_on} },
                evaluations: COLLECT { MATCH (ev:Evaluation)-[:OF]->(p) WHERE ev.effective
                                       RETURN [ev.work_type, ev.score] }
               }) AS holders
"""

WRITE_MEMBERSHIPS = cypher(
    """
UNWIND $rows AS row
MATCH (p:Practitioner {id: row.id})
CALL (p, row) {
  // Memberships no longer granted, or lapsed before today (then they ended on their valid_until day),
  // become history; a new membership starts afresh.
  MATCH (p)-[m:MEMBER_OF]->(pool:Pool)
  WHERE NOT pool.code IN [x IN row.memberships | x.pool] OR m.valid_until < $today
  // A sanction (issue 12) says why the person left and the first day they may return (null: barred).
  WITH p, row, m, pool, [x IN row.exclusions WHERE x.pool = pool.code][0] AS excluded
  CREATE (p)-[:WAS_MEMBER_OF {since: m.since, via: m.via,
                              until: CASE WHEN m.valid_until < $today THEN m.valid_until ELSE $today END,
                              left_because: excluded.why, returns_on: excluded.returns_on}]->(pool)
  DELETE m
}
CALL (p, row) {
  UNWIND row.memberships AS x
  MATCH (pool:Pool {code: x.pool})
  MERGE (p)-[m:MEMBER_OF]->(pool)
  ON CREATE SET m.since = $now
  SET m.via = x.via, m.valid_until = x.valid_until
}
SET p.cert_keys = row.cert_keys,
    p.pool_keys = row.pool_keys,
    p.evaluation_mean = row.evaluation_mean,
    p.evaluation_count = row.evaluation_count,
    p.evaluation_keys = row.evaluation_keys,
    p.region_key = COLLECT { MATCH (p)-[:BASED_IN]->(r:Region)
                             RETURN coalesce(COLLECT { MATCH (r)-[:PART_OF]->(up:Region) RETURN up.code }[0], r.code) }[0],
    p.industry_keys = COLLECT { MATCH (p)-[:EXPERIENCED_IN]->(i:Industry) RETURN i.code AS code
                                UNION
                                MATCH (p)-[:WORKED_ON]->(:Engagement)-[:IN_INDUSTRY]->(i:Industry) RETURN i.code AS code }
WITH p
// Their applications keep the province and region too (graph/applications.py UNKEYED_REGIONS): lists filter on them.
CALL (p) {
  WITH p, coalesce(p.region_key, '') AS province,""",
    HOME_REGION_CODE,
    """AS code
  MATCH (p)<-[:BY]-(a:Application)
  WHERE a.region_key IS NULL OR a.region_key <> province OR a.region_code IS NULL OR a.region_code <> code
  SET a.region_key = province, a.region_code = code
}
""",
)

# A membership counts while its certificates have not lapsed (`valid_until`); `rederive` (services/pools.py)
# removes the memberships of people who are not active.
CURRENT_MEMBER = "(m.valid_until IS NULL OR m.valid_until >= $today)"

POOL_SIZES = cypher(
    """
MATCH (pool:Pool)
RETURN {code: pool.code, name_zh: pool.name_zh, name_en: pool.name_en, levels: pool.levels,
  members: COUNT { MATCH (p:Practitioner {status: 'active'})-[m:MEMBER_OF]->(pool) WHERE""",
    CURRENT_MEMBER,
    """}
} AS pool
ORDER BY pool.code DESC
""",
)


def holder_facts(tx: neo4j.ManagedTransaction, ids: list[str]) -> list[dict[str, Any]]:
    """What the pool rules read of each of these people: {id, status, certificates (CertificateFacts),
    sanctions (Sanction), evaluations ((work_type, score) of those that still count)}."""
    return [
        {
            "id": record["id"],
            "status": record["status"],
            "certificates": [CertificateFacts(**native(c)) for c in record["certificates"]],
            "sanctions": [_sanction(native(s)) for s in record["sanctions"]],
            "evaluations": [(work_type, score) for work_type, score in record["evaluations"]],
        }
        for record in tx.run(HOLDER_CERTIFICATES, ids=ids).single()["holders"]
    ]


def write_derived(tx: neo4j.ManagedTransaction, rows: list[dict[str, Any]], today: date) -> None:
    """Store each person's derived memberships (ending the ones no longer granted) and search keys (rows as
    WRITE_MEMBERSHIPS reads them)."""
    tx.run(WRITE_MEMBERSHIPS, rows=rows, now=datetime.now(UTC), today=today).consume()


def _sanction(row: dict[str, Any]) -> Sanction:
    return Sanction(
        id=row["id"], kind=row["kind"], from_=row["from"], until=row.get("until"), reason="",
        lifted_on=row.get("lifted_on"),
    )  # fmt: skip


def pool_sizes(tx: neo4j.ManagedTransaction, today: date) -> list[dict[str, Any]]:
    """Each pool with its current number of members."""
    return [r["pool"] for r in tx.run(POOL_SIZES, today=today)]


MISSING_KEYS = "MATCH (p:Practitioner) WHERE p.cert_keys IS NULL RETURN collect(p.id) AS ids"


def without_search_keys(tx: neo4j.ManagedTransaction) -> list[str]:
    """Ids of practitioners stored before search keys existed."""
    return tx.run(MISSING_KEYS).single()["ids"]


# Current and ended memberships, newest first; an ended one says why it ended when a sanction ended it.
MEMBERSHIP_HISTORY = """
MATCH (p:Practitioner {id: $id})
CALL (p) {
  MATCH (p)-[m:MEMBER_OF]->(pool:Pool)
  RETURN {pool: pool.code, since: m.since, until: null, via: m.via, valid_until: m.valid_until,
          current: true, left_because: null, returns_on: null} AS membership
  UNION ALL
  MATCH (p)-[m:WAS_MEMBER_OF]->(pool:Pool)
  RETURN {pool: pool.code, since: m.since, until: m.until, via: m.via, valid_until: null,
          current: false, left_because: m.left_because, returns_on: m.returns_on} AS membership
}
WITH membership ORDER BY membership.current DESC, membership.since DESC, membership.pool
RETURN collect(membership) AS history
"""


def membership_history(tx: neo4j.ManagedTransaction, practitioner_id: str) -> list[dict[str, Any]]:
    """A person's pool memberships, current first, each ended one with why (a sanction) and when back."""
    return native(tx.run(MEMBERSHIP_HISTORY, id=practitioner_id).single()["history"])
