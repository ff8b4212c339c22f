"""Key emitter lists in the graph: one year's list merged into organizations by USCC."""

from __future__ import annotations

from typing import Any

import neo4j

# What a list's rows are checked against: region codes with their names, and industry codes.
REFERENCE = """
RETURN COLLECT { MATCH (r:Region) RETURN [r.code, r.name_zh] } AS regions,
       COLLECT { MATCH (i:Industry) RETURN i.code } AS industries
"""

# A unit is found by its USCC or registered as an enterprise; the year joins its listed_years (kept sorted);
# its place and sector are filled in where the graph does not know them yet.
MERGE_LISTED = """
UNWIND $units AS row
MERGE (o:Organization {uscc: row.uscc})
ON CREATE SET o.id = randomUUID(), o.name = row.name, o.kind = 'enterprise', o.created_at = datetime(),
              o._created = true
SET o.listed_years = COLLECT { UNWIND coalesce(o.listed_years, []) + [row.year] AS y
                               WITH DISTINCT y RETURN y ORDER BY y },
    o.key_emitter = true, o.updated_at = datetime()
WITH o, row, coalesce(o._created, false) AS created
REMOVE o._created
WITH o, row, created
CALL (o, row) {
  WITH o, row WHERE row.region IS NOT NULL AND NOT EXISTS { (o)-[:LOCATED_IN]->() }
  MATCH (r:Region {code: row.region}) MERGE (o)-[:LOCATED_IN]->(r)
}
CALL (o, row) { MATCH (i:Industry {code: row.industry}) MERGE (o)-[:IN_INDUSTRY]->(i) }
RETURN count(o) AS units, sum(CASE WHEN created THEN 1 ELSE 0 END) AS created, collect(o.id) AS ids
"""

# The file is the whole list of its year: a unit it no longer names leaves that year's list.
DELIST_OTHERS = """
MATCH (o:Organization)
WHERE $year IN coalesce(o.listed_years, []) AND NOT coalesce(o.uscc, '') IN $usccs
SET o.listed_years = [y IN o.listed_years WHERE y <> $year], o.updated_at = datetime()
SET o.key_emitter = size(o.listed_years) > 0
RETURN collect(o.id) AS ids
"""


# Synthetic units (seed/key_emitters.py) by USCC: a unit whose USCC is already registered is left as it is.
UPSERT_SYNTHETIC = """
UNWIND $units AS row
MERGE (o:Organization {uscc: row.uscc})
ON CREATE SET o.id = row.id, o.name = row.name, o.kind = row.kind, o.key_emitter = row.key_emitter,
              o.listed_years = row.listed_years, o.created_at = datetime(), o.updated_at = datetime()
WITH o, row WHERE o.id = row.id
CALL (o, row) { MATCH (r:Region {code: row.region}) MERGE (o)-[:LOCATED_IN]->(r) }
CALL (o, row) { MATCH (i:Industry {code: row.industry}) MERGE (o)-[:IN_INDUSTRY]->(i) }
RETURN count(o) AS units
"""


def regions_and_industries(tx: neo4j.ManagedTransaction) -> dict[str, list[Any]]:
    """{regions: [[code, name]], industries: [code]}: what a list's regions and industries are checked against."""
    return tx.run(REFERENCE).single(strict=True).data()


def upsert_synthetic(tx: neo4j.ManagedTransaction, units: list[dict[str, Any]]) -> int:
    """MERGE synthetic key emitters by USCC (services/synthetic.py load_synthetic); the number now in the graph."""
    return tx.run(UPSERT_SYNTHETIC, units=units).single(strict=True)["units"]


def merge_list(tx: neo4j.ManagedTransaction, year: int, units: list[dict[str, Any]]) -> dict[str, Any]:
    """Write one year's list in the caller's transaction; returns counts and the ids touched."""
    merged = tx.run(MERGE_LISTED, units=units).single(strict=True)
    delisted = tx.run(DELIST_OTHERS, year=year, usccs=[u["uscc"] for u in units]).single(strict=True)
    return {
        "units": merged["units"],
        "created": merged["created"],
        "delisted": len(delisted["ids"]),
        "ids": list(merged["ids"]),
        "delisted_ids": list(delisted["ids"]),
    }
