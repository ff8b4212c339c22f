"""Cypher for the in-memory search index (services/search_index): what it loads, and the graph reads it still needs.

The index holds, per active practitioner, exactly the facts that graph/search.py and graph/matching.py read:
the derived search keys (`cert_keys`, `pool_keys`, `region_key`, `industry_keys`, `evaluation_mean`,
`evaluation_keys`, see graph/pools.py), the based-in region, declared industries, specialties, qualifications
(with whether the registry confirmed them), consent, work start year, name, the completed engagements (kind,
industry, region, dates) that the match score counts, and the fields the person hides from the public and from
clients (with, for those who hide their industries, the industries of their engagements, which stay searchable),
and whether they may be suggested for public-welfare activities (`contact_for_activities`).
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any, LiteralString

import neo4j

from graph.cypher import cypher, spelled
from graph.reference import WITHIN_REGION
from graph.revision import CURRENT, MARK
from graph.schema import PRACTITIONER_FULLTEXT

# One row per practitioner, as (name, expression) pairs. Completed engagements once each (DISTINCT), as the match
# score counts them; their dates as ISO strings, which decode far faster than driver Date objects.
_FIELDS: tuple[tuple[LiteralString, LiteralString], ...] = (
    ("id", "p.id"),
    ("status", "p.status"),
    ("name", "p.name"),
    ("public", "p.public_profile"),
    ("year", "p.work_start_year"),
    ("region_key", "p.region_key"),
    ("cert_keys", "p.cert_keys"),
    ("pool_keys", "p.pool_keys"),
    ("industry_keys", "p.industry_keys"),
    ("mark", spelled("p.", MARK)),
    ("region", "[link IN links WHERE link[0] = 'BASED_IN' | link[1]][0]"),
    ("declared", "[link IN links WHERE link[0] = 'EXPERIENCED_IN' | link[1]]"),
    ("specialties", "[link IN links WHERE link[0] = 'HAS_SPECIALTY' | link[1]]"),
    ("qualifications", "[link IN links WHERE link[0] = 'HAS_QUALIFICATION'"
                       " | [link[1], coalesce(link[2], 'confirmed') = 'confirmed']]"),
    ("engagements", "COLLECT { MATCH (p)-[:WORKED_ON]->(g:Engagement {status: 'completed'}) WITH DISTINCT g"
                    " RETURN [g.kind, COLLECT { MATCH (g)-[:IN_INDUSTRY]->(i:Industry) RETURN i.code }[0],"
                    " COLLECT { MATCH (g)-[:IN_REGION]->(r:Region) RETURN r.code }[0],"
                    " toString(g.start_on), toString(g.end_on)] }"),
    ("hidden_public", "p.hidden_public"),
    ("hidden_clients", "p.hidden_clients"),
    ("engaged_industries", "CASE WHEN 'industries' IN coalesce(p.hidden_public, []) + coalesce(p.hidden_clients, [])"
                           " THEN COLLECT { MATCH (p)-[:WORKED_ON]->(:Engagement)-[:IN_INDUSTRY]->(i:Industry)"
                           " RETURN DISTINCT i.code } ELSE [] END"),
    ("evaluation_mean", "p.evaluation_mean"),
    ("evaluation_keys", "p.evaluation_keys"),
    # Whether the person may be suggested for public-welfare activities (absent = yes; docs/activities.md).
    ("contact", "p.contact_for_activities"),
)  # fmt: skip
# The region, declared industries, specialties and qualifications come from one walk of the person's relationships
# (`links`): a walk per type went over the whole chain each time (certificates, pools, engagements too). At a
# million people a page of 2 000 took 44–45 ms in Neo4j with four walks, 41–42 ms with one (measured alternately).
_LINKS = (
    "WITH p, COLLECT { MATCH (p)-[r:BASED_IN|EXPERIENCED_IN|HAS_SPECIALTY|HAS_QUALIFICATION]->(x)"
    " RETURN [type(r), x.code, r.status] } AS links\n"
)
ROW_KEYS = tuple(name for name, _ in _FIELDS)
COLUMN = {name: i for i, name in enumerate(ROW_KEYS)}  # a row's values by name
_ROW = cypher("RETURN", ",\n       ".join(cypher(expression, "AS", key) for key, expression in _FIELDS))
_ROW_LIST = cypher("[", ", ".join(expression for _, expression in _FIELDS), "]")

# The cold build reads everyone in pages of ids (`p.id > $after`, in id order from the unique index), each page
# one record holding a list of rows: one record per person would cost the driver several times more to decode.
# Pages of disjoint id ranges are read in parallel; inactive people are skipped (never found by search).
_PAGE_END = cypher(
    "WITH p ORDER BY p.id LIMIT $size",
    _LINKS,
    "RETURN collect(CASE WHEN p.status = 'active' THEN",
    _ROW_LIST,
    "END) AS rows, max(p.id) AS last",
)
PAGE = cypher("MATCH (p:Practitioner) WHERE p.id > $after", _PAGE_END)
PAGE_BELOW = cypher("MATCH (p:Practitioner) WHERE p.id > $after AND p.id < $before", _PAGE_END)

# Everyone stamped after `$since`, whatever their status now (a suspension removes them from the index).
CHANGED_SINCE = cypher("MATCH (p:Practitioner) WHERE", spelled("p.", MARK), "> $since", _LINKS, _ROW)

# How much the cold build will hold, from Neo4j's count store (no scan): it reserves its arrays up front
# instead of growing them step by step.
SIZES = """
CALL () { MATCH (p:Practitioner) RETURN count(p) AS practitioners }
CALL () { MATCH ()-[r:HOLDS]->() RETURN count(r) AS certs }
CALL () { MATCH ()-[r:MEMBER_OF]->() RETURN count(r) AS pools }
CALL () { MATCH ()-[r:EXPERIENCED_IN]->() RETURN count(r) AS declared }
CALL () { MATCH ()-[r:HAS_SPECIALTY]->() RETURN count(r) AS specialty }
CALL () { MATCH ()-[r:HAS_QUALIFICATION]->() RETURN count(r) AS qualification }
CALL () { MATCH ()-[r:WORKED_ON]->() RETURN count(r) AS engagements }
RETURN practitioners, certs, pools, declared, specialty, qualification, engagements,
       declared + engagements AS industry_keys
"""

REFERENCE = """
RETURN COLLECT { MATCH (r:Region)
                 RETURN [r.code, COLLECT { MATCH (r)-[:PART_OF]->(up:Region) RETURN up.code }[0], r.name_zh] }
         AS regions,
       COLLECT { MATCH (i:Industry) RETURN [i.code, i.name_zh] } AS industries,
       COLLECT { MATCH (s:Specialty) RETURN [s.code, s.name_zh, s.category] } AS specialties,
       COLLECT { MATCH (q:Qualification) RETURN [q.code, q.name_zh] } AS qualifications
"""

FULLTEXT = cypher(
    "CALL db.index.fulltext.queryNodes(", spelled("'", PRACTITIONER_FULLTEXT, "'"), ", $lucene) YIELD node, score",
    "RETURN collect(node.id) AS ids, collect(score) AS scores",
)  # fmt: skip

__all__ = ["CURRENT", "WITHIN_REGION"]


def pages(graph: Any, after: str, before: str | None, size: int) -> Iterator[list[list[Any]]]:
    """The active people with `after` < id < `before` (no upper bound: None), `size` ids a page, in id order."""
    statement = PAGE if before is None else PAGE_BELOW

    def read(tx: Any, after: str) -> Any:
        return tx.run(statement, after=after, before=before, size=size).single()

    while True:
        record = graph.read(read, after)
        if record["last"] is None:
            return
        yield record["rows"]
        after = record["last"]


def reference(tx: neo4j.ManagedTransaction) -> dict[str, Any]:
    """The names the index shows: regions (code, parent, name), industries, specialties and qualifications."""
    return tx.run(REFERENCE).single(strict=True).data()


def sizes(tx: neo4j.ManagedTransaction) -> dict[str, int]:
    """How many people, certificates, pool memberships, industries, specialties, qualifications and engagements
    the cold build will hold (from the count store)."""
    return tx.run(SIZES).single(strict=True).data()


def changed_since(tx: neo4j.ManagedTransaction, since: int) -> list[list[Any]]:
    """The rows (ROW_KEYS order) of everyone stamped after revision `since`, whatever their status now."""
    return [list(record.values()) for record in tx.run(CHANGED_SINCE, since=since)]


def fulltext_candidates(tx: neo4j.ManagedTransaction, lucene: str) -> tuple[list[str], list[float]]:
    """The ids the full-text index finds for a Lucene query, with their scores."""
    record = tx.run(FULLTEXT, lucene=lucene).single(strict=True)
    return record["ids"], record["scores"]
