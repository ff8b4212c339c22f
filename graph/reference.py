"""Loads the reference data (taxonomy) idempotently: MERGE on each key, SET the descriptive fields."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from typing import Any, LiteralString

import neo4j

from registry import reference, taxonomy

# The code of the region `p` is based in, '' when none: what an application keeps as `region_code`
# (graph/applications.py) and the membership writer brings up to date (graph/pools.py).
HOME_REGION_CODE: LiteralString = (
    "coalesce(COLLECT { MATCH (p)-[:BASED_IN]->(r:Region) RETURN r.code }[0], '')"
)

# A stable id, so every registry names the occupation's certificate issuer the same way.
DEFAULT_ISSUER_ID = str(uuid.uuid5(uuid.NAMESPACE_URL, "carbon-registry:issuer:cpcif"))

LOAD_REFERENCE = """
UNWIND $work_types AS w
MERGE (n:WorkType {code: w.code}) SET n.name_zh = w.name_zh, n.name_en = w.name_en
WITH count(*) AS _
UNWIND $levels AS l
MERGE (n:Level {rank: l.rank}) SET n.name_zh = l.name_zh, n.name_en = l.name_en
WITH count(*) AS _
UNWIND $pools AS p
MERGE (n:Pool {code: p.code}) SET n.name_zh = p.name_zh, n.name_en = p.name_en, n.levels = p.levels
WITH count(*) AS _
UNWIND $regions AS r
MERGE (n:Region {code: r.code}) SET n.name_zh = r.name_zh, n.level = r.level
WITH count(*) AS _
UNWIND $cities AS c
MATCH (city:Region {code: c.code}), (province:Region {code: c.province})
MERGE (city)-[:PART_OF]->(province)
WITH count(*) AS _
UNWIND $industries AS i
MERGE (n:Industry {code: i.code}) SET n.name_zh = i.name_zh, n.name_en = i.name_en
WITH count(*) AS _
UNWIND $specialties AS s
MERGE (n:Specialty {code: s.code}) SET n.name_zh = s.name_zh, n.category = s.category
WITH count(*) AS _
UNWIND $qualifications AS q
MERGE (n:Qualification {code: q.code}) SET n.name_zh = q.name_zh, n.issuer = q.issuer
WITH count(*) AS _
MERGE (issuer:Organization {id: $issuer.id})
ON CREATE SET issuer.name = $issuer.name, issuer.kind = 'issuer', issuer.created_at = datetime()
"""


# A region `r` lies within the requested `$region`: the region itself, or one of its cities (PART_OF).
WITHIN_REGION = "(r.code = $region OR EXISTS { (r)-[:PART_OF]->(:Region {code: $region}) })"


def reference_parameters() -> dict[str, Any]:
    """The reference data as query parameters."""
    regions = [{"code": c, "name_zh": n, "level": "province"} for c, n in reference.PROVINCES]
    regions += [{"code": c, "name_zh": n, "level": "city"} for c, n in reference.CITIES]
    return {
        "work_types": [vars(w) for w in taxonomy.WORK_TYPES],
        "levels": [vars(level) for level in taxonomy.LEVELS],
        "pools": [
            {"code": p.code, "name_zh": p.name_zh, "name_en": p.name_en, "levels": sorted(p.levels)}
            for p in taxonomy.POOLS
        ],
        "regions": regions,
        "cities": [{"code": c, "province": reference.province_of(c)} for c, _ in reference.CITIES],
        "industries": [{"code": c, "name_zh": zh, "name_en": en} for c, zh, en in reference.INDUSTRIES],
        "specialties": [{"code": c, "name_zh": zh, "category": cat} for c, zh, cat in reference.SPECIALTIES],
        "qualifications": [
            {"code": c, "name_zh": zh, "issuer": iss} for c, zh, iss in reference.QUALIFICATIONS
        ],
        "issuer": {"id": DEFAULT_ISSUER_ID, "name": taxonomy.DEFAULT_ISSUER_NAME},
    }


def load_reference_data(tx: neo4j.ManagedTransaction) -> neo4j.SummaryCounters:
    """MERGE the taxonomy into the graph; a second load creates nothing."""
    return tx.run(LOAD_REFERENCE, reference_parameters()).consume().counters


TAXONOMY_QUERIES: Mapping[str, LiteralString] = {
    "work-types": "MATCH (n:WorkType) RETURN n {.code, .name_zh, .name_en} AS item ORDER BY n.code",
    "levels": "MATCH (n:Level) RETURN n {.rank, .name_zh, .name_en} AS item ORDER BY n.rank DESC",
    "pools": "MATCH (n:Pool) RETURN n {.code, .name_zh, .name_en, .levels} AS item ORDER BY n.code DESC",
    "regions": (
        "MATCH (n:Region) OPTIONAL MATCH (n)-[:PART_OF]->(p:Region) "
        "RETURN n {.code, .name_zh, .level, parent: p.code} AS item ORDER BY n.code"
    ),
    "industries": "MATCH (n:Industry) RETURN n {.code, .name_zh, .name_en} AS item ORDER BY n.code",
    "specialties": "MATCH (n:Specialty) RETURN n {.code, .name_zh, .category} AS item ORDER BY n.category, n.code",
    "qualifications": "MATCH (n:Qualification) RETURN n {.code, .name_zh, .issuer} AS item ORDER BY n.code",
}


def taxonomy_items(tx: neo4j.ManagedTransaction, kind: str) -> list[dict[str, Any]]:
    """All items of one taxonomy, in a stable order."""
    return [record["item"] for record in tx.run(TAXONOMY_QUERIES[kind])]


KNOWN_CODES = """
CALL { MATCH (n:Region) RETURN collect(n.code) AS regions }
CALL { MATCH (n:Industry) RETURN collect(n.code) AS industries }
CALL { MATCH (n:Specialty) RETURN collect(n.code) AS specialties }
CALL { MATCH (n:Qualification) RETURN collect(n.code) AS qualifications }
RETURN regions, industries, specialties, qualifications
"""


def known_codes(tx: neo4j.ManagedTransaction) -> dict[str, set[str]]:
    """Every taxonomy code, by kind: used to validate input without a round trip per field."""
    return {key: set(values) for key, values in tx.run(KNOWN_CODES).single().data().items()}
