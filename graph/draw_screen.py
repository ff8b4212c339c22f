"""The fast screen of a draw (issue 24): who meets the criteria as ids only, and the few people any avoidance rule
could touch, read from the organization's and the date's side; and the per-person yearly loads draws lock.

The avoidance rules rest on sparse facts — ties to one organization, suspended or revoked certificates, sanctions,
unavailability on one date, seats in one year — so instead of loading everyone's facts (graph/draws.py
CANDIDATE_FACTS, kept as the reference), the draw asks who holds any such fact, and reads the full facts of those
people only (registry.draws.avoidance decides exactly, as before).

`(:DrawLoad {key: "<practitioner id>|<year>", practitioner_id, year, seats, panel_days})`: a person's panel seats
held (invited or accepted) in a calendar year and the panel dates among them, recomputed from the DREW seats in every
transaction that changes them. It is also the lock a draw takes on the people it seats: two draws seating the same
person in a year run one after the other, draws seating different people do not wait for each other.
"""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from typing import LiteralString

import neo4j

from graph.cypher import cypher
from graph.draw_records import candidate_facts, pool_facts
from graph.draws import FACTS_PROJECTION, RULE_FACTS_PROJECTION
from registry.draw_rules import DrawRules
from registry.draws import SEATED_STATUSES, CandidateFacts

# The people who meet the criteria (registry.draws.meets_criteria, in Cypher): active; a certificate of the work
# type at the level or higher that has not expired (a suspended or revoked one counts, so its holder is listed as
# excluded); based in the region or one of its cities; the industry and specialty when asked for. Nationally it
# starts from the certificates (the work type's index, or the level's); inside a region from the region and its
# cities' people (a region's Region nodes are dense, so their BASED_IN people are read without walking each
# person's relationships: at 100 000 a province's 232 matched cost 83 000 db hits instead of 141 000, a city's 36
# 13 000).
_REGIONS = """
OPTIONAL MATCH (home:Region)
WHERE $region IS NOT NULL AND (home.code = $region OR EXISTS { (home)-[:PART_OF*1..3]->(:Region {code: $region}) })
WITH collect(home.code) AS within
"""
_OF_WORK_TYPE = "MATCH (c:Certificate) WHERE c.work_type = $work_type AND c.level <= $min_level"
_OF_ANY_WORK_TYPE = "MATCH (c:Certificate) WHERE c.level <= $min_level"
_UNEXPIRED = """
  AND coalesce(c.status, '') <> 'expired'
  AND NOT (c.status = 'valid' AND c.expires_on IS NOT NULL AND c.expires_on < $today)
"""
_INDUSTRY_SPECIALTY = """
  AND ($industry IS NULL OR $industry IN coalesce(p.industry_keys,
                                                 COLLECT { MATCH (p)-[:EXPERIENCED_IN]->(i:Industry) RETURN i.code }))
  AND ($specialty IS NULL OR EXISTS { MATCH (p)-[:HAS_SPECIALTY]->(:Specialty {code: $specialty}) })
"""
_PEOPLE = cypher(
    _UNEXPIRED,
    """
MATCH (p:Practitioner)-[:HOLDS]->(c) WHERE p.status = 'active'
WITH DISTINCT p, within
WHERE ($region IS NULL OR EXISTS { MATCH (p)-[:BASED_IN]->(r:Region) WHERE r.code IN within })
""",
    _INDUSTRY_SPECIALTY,
)
_REGION_PEOPLE = """
OPTIONAL MATCH (home:Region)
WHERE home.code = $region OR EXISTS { (home)-[:PART_OF*1..3]->(:Region {code: $region}) }
WITH collect(home) AS homes
UNWIND homes AS home
MATCH (p:Practitioner)-[:BASED_IN]->(home) WHERE p.status = 'active'
WITH DISTINCT p
"""
_HOLDING = "WHERE EXISTS { MATCH (p)-[:HOLDS]->(c:Certificate) WHERE c.level <= $min_level"
_HOLDING_WORK_TYPE = cypher(_HOLDING, "  AND c.work_type = $work_type")
# The pool-wide facts of a person: certificates of a barring status (of any work type) and every sanction, as
# maps of `b` and `s`.
_BARRING = "b {.number, .work_type, .level, .status, .issued_on, .expires_on}"
_SANCTION = "{id: s.id, kind: s.kind, starts_on: s.`from`, until: s.until, lifted_on: s.lifted_on}"
# The pool-wide facts of the matched, two ways with one answer, inside the matching statement. Person by person
# walks each matched person's relationships twice (~41 db hits a person). From the side: the holders of a barring
# certificate (Certificate.status index) and the sanctioned, ~9 hits a certificate whatever the pool, kept if
# among the matched (an IN over one list, which Neo4j turns into a set), and only their facts read. At 100 000
# (7 300 such certificates) a national draw's 4 508 matched: 148 000 db hits and half the time of the reference's
# 257 000 (in process, same load: p50 146 vs 299 ms); a province's few hundred are cheaper person by person.
_FROM_SIDE = """
WITH collect(p) AS people
CALL () {
  CALL () {
    MATCH (b:Certificate) WHERE b.status IN $barring
    MATCH (q:Practitioner)-[:HOLDS]->(b) RETURN q
    UNION MATCH (q:Practitioner)-[:SANCTIONED]->(:Sanction) RETURN q
  }
  RETURN collect(q) AS side
}
WITH people, [q IN side WHERE q IN people] AS among
"""
_PER_PERSON = "WITH collect(p) AS people WITH people, people AS among"
# One row of lists: thousands of rows cost the driver several times what the server spends finding them.
_POOLED = cypher(
    """
WITH people, [p IN among | {id: p.id,
        certificates: [(p)-[:HOLDS]->(b:Certificate) WHERE b.status IN $barring |""",
    _BARRING,
    """],
        sanctions: [(p)-[:SANCTIONED]->(s:Sanction) |""",
    _SANCTION,
    """]}] AS facts
RETURN [p IN people | p.id] AS ids,
       [f IN facts WHERE size(f.certificates) > 0 OR size(f.sanctions) > 0] AS pooled
""",
)
_NATIONALLY: dict[bool, LiteralString] = {
    True: cypher(_REGIONS, _OF_WORK_TYPE, _PEOPLE),
    False: cypher(_REGIONS, _OF_ANY_WORK_TYPE, _PEOPLE),
}
_IN_REGION: dict[bool, LiteralString] = {
    True: cypher(_REGION_PEOPLE, _HOLDING_WORK_TYPE, _UNEXPIRED, "}", _INDUSTRY_SPECIALTY),
    False: cypher(_REGION_PEOPLE, _HOLDING, _UNEXPIRED, "}", _INDUSTRY_SPECIALTY),
}
# (in a region, of a work type, from the side) -> statement
MATCHED: dict[tuple[bool, bool, bool], LiteralString] = {
    (in_region, of_work_type, side): cypher(
        (_IN_REGION if in_region else _NATIONALLY)[of_work_type], _FROM_SIDE if side else _PER_PERSON, _POOLED
    )
    for in_region in (True, False)
    for of_work_type in (True, False)
    for side in (True, False)
}

# The reference (what draws read before, and what the tests hold the ways above to): every matched person's
# pool-wide facts gathered while matching.
_POOL_FACTS = cypher(
    "WITH p, COLLECT { MATCH (p)-[:HOLDS]->(b:Certificate) WHERE b.status IN $barring RETURN",
    _BARRING,
    "} AS certificates, COLLECT { MATCH (p)-[:SANCTIONED]->(s:Sanction) RETURN",
    _SANCTION,
    "} AS sanctions",
)
_REFERENCE = """
RETURN collect(p.id) AS ids,
       collect(CASE WHEN size(certificates) > 0 OR size(sanctions) > 0
               THEN {id: p.id, certificates: certificates, sanctions: sanctions} END) AS pooled
"""
MATCHED_REFERENCE = cypher(_REGIONS, _OF_WORK_TYPE, _PEOPLE, _POOL_FACTS, _REFERENCE)
MATCHED_REFERENCE_ANY_WORK_TYPE = cypher(_REGIONS, _OF_ANY_WORK_TYPE, _PEOPLE, _POOL_FACTS, _REFERENCE)

# Everyone a rule of the organization, the date or the person could touch (a superset: the rules decide with the
# full facts), read from their side, so the cost does not grow with the pool: ties to the organization, the
# unavailable on the day, the seats of that day's panels (Draw.panel_date index), the loads at the cap
# (DrawLoad.seats index), the manual exclusions. The pool-wide rules (suspended or revoked certificates,
# sanctions) are read with the matched people (`matched`).
FLAGGED_IDS = """
CALL () {
  MATCH (p:Practitioner)-[:EMPLOYED_BY]->(:Organization {id: $organization_id}) RETURN p.id AS id
  UNION MATCH (p:Practitioner)-[:WORKED_ON]->(:Engagement)-[:FOR_CLIENT]->(:Organization {id: $organization_id})
        RETURN p.id AS id
  UNION MATCH (p:Practitioner)-[:DECLARED]->(:Declaration)-[:CONCERNS]->(:Organization {id: $organization_id})
        RETURN p.id AS id
  UNION MATCH (p:Practitioner)-[:UNAVAILABLE]->(a:Availability)
        WHERE $day IS NOT NULL AND a.`from` <= $day AND a.`to` >= $day RETURN p.id AS id
  UNION MATCH (d:Draw)-[:DREW]->(p:Practitioner) WHERE $day IS NOT NULL AND d.panel_date = $day RETURN p.id AS id
  UNION MATCH (l:DrawLoad) WHERE l.seats >= $cap AND l.year = $year RETURN l.practitioner_id AS id
  UNION UNWIND $manual AS id RETURN id
}
RETURN collect(id) AS ids
"""

# The same people, asked person by person from the side of the matched (kept as the second way the tests hold
# the first to): `FLAGGED_AMONG` for up to AMONG_LIMIT matched, `FLAGGED_IDS` beyond — by default always.
AMONG_LIMIT = 0
FLAGGED_AMONG = """
UNWIND $matched AS pid
MATCH (p:Practitioner {id: pid})
WITH p
WHERE EXISTS { (p)-[:EMPLOYED_BY]->(:Organization {id: $organization_id}) }
   OR EXISTS { (p)-[:WORKED_ON]->(:Engagement)-[:FOR_CLIENT]->(:Organization {id: $organization_id}) }
   OR EXISTS { (p)-[:DECLARED]->(:Declaration)-[:CONCERNS]->(:Organization {id: $organization_id}) }
   OR EXISTS { MATCH (p)-[:UNAVAILABLE]->(a:Availability)
               WHERE $day IS NOT NULL AND a.`from` <= $day AND a.`to` >= $day }
   OR EXISTS { MATCH (l:DrawLoad {key: p.id + '|' + toString($year)})
               WHERE l.seats >= $cap OR ($day IS NOT NULL AND $day IN l.panel_days) }
   OR p.id IN $manual
RETURN collect(p.id) AS ids
"""

FACTS_OF = cypher("UNWIND $ids AS pid MATCH (p:Practitioner {id: pid}) RETURN", FACTS_PROJECTION)
RULE_FACTS_OF = cypher("UNWIND $ids AS pid MATCH (p:Practitioner {id: pid}) RETURN", RULE_FACTS_PROJECTION)

# Taking a person's load for a year locks it until commit: the next draw seating them waits, then reads fresh.
LOCK_LOADS = """
UNWIND $ids AS pid
MERGE (l:DrawLoad {key: pid + '|' + toString($year)})
ON CREATE SET l.practitioner_id = pid, l.year = $year, l.seats = 0, l.panel_days = []
SET l.locked_at = datetime()
"""

# A load is the count of the DREW seats themselves, so it cannot drift from them.
REFRESH_LOADS = """
UNWIND $ids AS pid
MERGE (l:DrawLoad {key: pid + '|' + toString($year)})
ON CREATE SET l.practitioner_id = pid, l.year = $year
WITH l, pid
OPTIONAL MATCH (p:Practitioner {id: pid})
WITH l, COLLECT { MATCH (d:Draw)-[s:DREW {role: 'panel'}]->(p)
                  WHERE s.status IN $seated AND d.panel_date.year = $year  // dated panels: a list holds no null
                  RETURN d.panel_date AS day } AS days,
        COUNT { MATCH (d:Draw)-[s:DREW {role: 'panel'}]->(p)
                WHERE s.status IN $seated AND coalesce(d.panel_date, date(d.created_at)).year = $year } AS seats
SET l.seats = seats, l.panel_days = days
"""

CALENDAR = "OPTIONAL MATCH (c:DrawCalendar {year: $year}) RETURN c.loads_built AS built"

# Every load of the year from the seats (once per year before its first fast draw, and by `registry draw loads`).
REBUILD_LOADS = """
MERGE (c:DrawCalendar {year: $year}) SET c.locked_at = datetime()
WITH c
CALL { MATCH (l:DrawLoad {year: $year}) SET l.seats = 0, l.panel_days = [] }
CALL { MATCH (d:Draw)-[s:DREW {role: 'panel'}]->(p:Practitioner)
       WHERE s.status IN $seated AND coalesce(d.panel_date, date(d.created_at)).year = $year
       WITH p.id AS pid, collect(d.panel_date) AS days, count(*) AS seats
       MERGE (l:DrawLoad {key: pid + '|' + toString($year)})
       ON CREATE SET l.practitioner_id = pid, l.year = $year
       SET l.seats = seats, l.panel_days = days
       RETURN count(*) AS people }
SET c.loads_built = true
RETURN people
"""

YEARS_WITH_SEATS = """
MATCH (d:Draw) WHERE EXISTS { (d)-[:DREW]->() }
RETURN DISTINCT coalesce(d.panel_date, date(d.created_at)).year AS year ORDER BY year
"""


def matched(
    tx: neo4j.ManagedTransaction,
    *,
    work_type: str | None,
    min_level: int,
    region: str | None,
    industry: str | None,
    specialty: str | None,
    today: date,
    barring: Sequence[str],
    side: bool | None = None,
) -> tuple[list[str], list[CandidateFacts]]:
    """Ids of the people who meet the criteria on `today` (the reference date), and the pool-wide facts
    (certificates of a `barring` status, sanctions) of those who have any; `side` forces how those are found
    (None: from their side for a national draw, person by person inside a region)."""
    statement = MATCHED[(region is not None, work_type is not None, region is None if side is None else side)]
    criteria = dict(
        work_type=work_type, min_level=min_level, region=region, industry=industry, specialty=specialty
    )
    record = tx.run(statement, criteria, today=today, barring=list(barring)).single(strict=True)
    return list(record["ids"]), [pool_facts(row) for row in record["pooled"]]


def matched_reference(
    tx: neo4j.ManagedTransaction,
    *,
    work_type: str | None,
    min_level: int,
    region: str | None,
    industry: str | None,
    specialty: str | None,
    today: date,
    barring: Sequence[str],
) -> tuple[list[str], list[CandidateFacts]]:
    """`matched` as draws read it before: the pool-wide facts gathered person by person (sorted by id)."""
    statement = MATCHED_REFERENCE if work_type is not None else MATCHED_REFERENCE_ANY_WORK_TYPE
    criteria = dict(
        work_type=work_type, min_level=min_level, region=region, industry=industry, specialty=specialty
    )
    record = tx.run(statement, criteria, today=today, barring=list(barring)).single(strict=True)
    pooled = sorted(record["pooled"], key=lambda row: row["id"])
    return list(record["ids"]), [pool_facts(row) for row in pooled]


def flagged_ids(
    tx: neo4j.ManagedTransaction,
    *,
    organization_id: str | None,
    day: date | None,
    year: int,
    rules: DrawRules,
    manual: Sequence[str],
    matched: Sequence[str] | None = None,
) -> set[str]:
    """Ids of everyone whom an avoidance rule of this draw could exclude (a superset), among `matched` when given."""
    result = tx.run(
        FLAGGED_IDS if matched is None else FLAGGED_AMONG,
        matched=list(matched or ()),
        organization_id=organization_id,
        day=day,
        year=year,
        cap=rules.draws_per_year_cap,
        manual=list(manual),
    )
    return set(result.single(strict=True)["ids"])


def facts_of(
    tx: neo4j.ManagedTransaction, ids: Sequence[str], draw_id: str, organization_id: str | None, year: int
) -> list[CandidateFacts]:
    """The full facts (graph/draws.py FACTS_PROJECTION) of the given people."""
    if not ids:
        return []
    result = tx.run(FACTS_OF, ids=list(ids), draw_id=draw_id, organization_id=organization_id, year=year)
    return [candidate_facts(record) for record in result]


def rule_facts_of(
    tx: neo4j.ManagedTransaction, ids: Sequence[str], draw_id: str, organization_id: str | None, year: int
) -> list[CandidateFacts]:
    """The facts the rules of the organization, the date and the person read (no certificates, sanctions,
    regions, industries nor specialties: graph/draws.py RULE_FACTS_PROJECTION) of the given people."""
    if not ids:
        return []
    result = tx.run(RULE_FACTS_OF, ids=list(ids), draw_id=draw_id, organization_id=organization_id, year=year)
    return [candidate_facts(record) for record in result]


def lock_loads(tx: neo4j.ManagedTransaction, ids: Sequence[str], year: int) -> None:
    """Lock the people's loads of `year` (in id order, so two draws take shared locks in the same order)."""
    if ids:
        tx.run(LOCK_LOADS, ids=sorted(set(ids)), year=year).consume()


def refresh_loads(tx: neo4j.ManagedTransaction, ids: Sequence[str], year: int) -> None:
    """Recount the people's seats of `year` from the DREW seats."""
    if ids:
        tx.run(REFRESH_LOADS, ids=sorted(set(ids)), year=year, seated=list(SEATED_STATUSES)).consume()


def ensure_loads(tx: neo4j.ManagedTransaction, year: int) -> None:
    """Build the year's loads from its seats if that was never done (draws made before loads existed)."""
    record = tx.run(CALENDAR, year=year).single()
    if not (record and record["built"]):
        rebuild_loads(tx, year)


def rebuild_loads(tx: neo4j.ManagedTransaction, year: int) -> int:
    """Recount every load of `year` from the seats; the people with a seat that year."""
    record = tx.run(REBUILD_LOADS, year=year, seated=list(SEATED_STATUSES)).single()
    return int(record["people"]) if record else 0


def years_with_seats(tx: neo4j.ManagedTransaction) -> list[int]:
    """The calendar years some draw has seats in."""
    return [record["year"] for record in tx.run(YEARS_WITH_SEATS)]
