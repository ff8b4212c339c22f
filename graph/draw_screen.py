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

import neo4j

from graph.cypher import cypher
from graph.draw_records import candidate_facts, pool_facts
from graph.draws import FACTS_PROJECTION, RULE_FACTS_PROJECTION
from registry.draw_rules import DrawRules
from registry.draws import SEATED_STATUSES, CandidateFacts

# The people who meet the criteria (registry.draws.meets_criteria, in Cypher): active; a certificate of the work
# type at the level or higher that has not expired (a suspended or revoked one counts, so its holder is listed as
# excluded); based in the region or one of its cities; the industry and specialty when asked for. It starts from
# the certificates (the work type's index, or the level's), and the region's cities are read once, not per person.
_REGIONS = """
OPTIONAL MATCH (home:Region)
WHERE $region IS NOT NULL AND (home.code = $region OR EXISTS { (home)-[:PART_OF*1..3]->(:Region {code: $region}) })
WITH collect(home.code) AS within
"""
_OF_WORK_TYPE = "MATCH (c:Certificate) WHERE c.work_type = $work_type AND c.level <= $min_level"
_OF_ANY_WORK_TYPE = "MATCH (c:Certificate) WHERE c.level <= $min_level"
_PEOPLE = """
  AND coalesce(c.status, '') <> 'expired'
  AND NOT (c.status = 'valid' AND c.expires_on IS NOT NULL AND c.expires_on < $today)
MATCH (p:Practitioner)-[:HOLDS]->(c) WHERE p.status = 'active'
WITH DISTINCT p, within
WHERE ($region IS NULL OR EXISTS { MATCH (p)-[:BASED_IN]->(r:Region) WHERE r.code IN within })
  AND ($industry IS NULL OR $industry IN coalesce(p.industry_keys,
                                                 COLLECT { MATCH (p)-[:EXPERIENCED_IN]->(i:Industry) RETURN i.code }))
  AND ($specialty IS NULL OR EXISTS { MATCH (p)-[:HAS_SPECIALTY]->(:Specialty {code: $specialty}) })
"""
# The pool-wide facts of a person: certificates of a barring status (of any work type) and every sanction.
_POOL_FACTS = """
WITH p, COLLECT { MATCH (p)-[:HOLDS]->(b:Certificate) WHERE b.status IN $barring
                  RETURN b {.number, .work_type, .level, .status, .issued_on, .expires_on} } AS certificates,
        COLLECT { MATCH (p)-[:SANCTIONED]->(s:Sanction)
                  RETURN {id: s.id, kind: s.kind, starts_on: s.`from`, until: s.until, lifted_on: s.lifted_on}
                } AS sanctions
"""
# One row of lists: thousands of rows cost the driver several times what the server spends finding them. The
# practitioners' count comes from the count store (no scan), once: it decides how the pool-wide facts are read.
_IDS = """
WITH collect(p.id) AS ids
RETURN ids, COUNT { MATCH (:Practitioner) } AS everyone
"""
_POOLED = """
WITH p, certificates, sanctions WHERE size(certificates) > 0 OR size(sanctions) > 0
RETURN collect({id: p.id, certificates: certificates, sanctions: sanctions}) AS pooled
"""
MATCHED_IDS = cypher(_REGIONS, _OF_WORK_TYPE, _PEOPLE, _IDS)
MATCHED_IDS_ANY_WORK_TYPE = cypher(_REGIONS, _OF_ANY_WORK_TYPE, _PEOPLE, _IDS)

# The reference (what draws read before, and what the tests hold the two ways below to): the pool-wide facts
# gathered person by person while matching.
_REFERENCE = """
RETURN collect(p.id) AS ids,
       collect(CASE WHEN size(certificates) > 0 OR size(sanctions) > 0
               THEN {id: p.id, certificates: certificates, sanctions: sanctions} END) AS pooled
"""
MATCHED_REFERENCE = cypher(_REGIONS, _OF_WORK_TYPE, _PEOPLE, _POOL_FACTS, _REFERENCE)
MATCHED_REFERENCE_ANY_WORK_TYPE = cypher(_REGIONS, _OF_ANY_WORK_TYPE, _PEOPLE, _POOL_FACTS, _REFERENCE)

# The pool-wide facts of the matched, two ways with one answer. Gathering them person by person walks each
# matched person's relationships twice (~41 db hits a person); reading who holds a barring certificate
# (Certificate.status index) or any sanction from their side costs ~9 a certificate whatever the pool, and then
# ~30 for each matched among them. At 100 000 (7 300 such certificates; PROFILE): a national draw's 4 508 matched
# 187 000 hits person by person, 67 000 + 13 600 from the side; a province's 232 matched 9 500 person by person.
# POOL_SIDE_SHARE picks: the side when more than that share of all practitioners match.
POOL_SIDE_SHARE = 0.02
POOL_SIDE = """
CALL () {
  MATCH (b:Certificate) WHERE b.status IN $barring
  MATCH (p:Practitioner)-[:HOLDS]->(b) RETURN p.id AS id
  UNION MATCH (p:Practitioner)-[:SANCTIONED]->(:Sanction) RETURN p.id AS id
}
RETURN collect(id) AS ids
"""
POOLED_OF = cypher("UNWIND $ids AS pid MATCH (p:Practitioner {id: pid})", _POOL_FACTS, _POOLED)

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
    (certificates of a `barring` status, sanctions) of those who have any, sorted by id; `side` forces how those
    are found (None: by POOL_SIDE_SHARE)."""
    result = tx.run(
        MATCHED_IDS if work_type is not None else MATCHED_IDS_ANY_WORK_TYPE,
        work_type=work_type,
        min_level=min_level,
        region=region,
        industry=industry,
        specialty=specialty,
        today=today,
    )
    record = result.single(strict=True)
    ids: list[str] = list(record["ids"])
    if side is None:
        side = len(ids) > POOL_SIDE_SHARE * record["everyone"]
    if side:
        holders = tx.run(POOL_SIDE, barring=list(barring)).single(strict=True)["ids"]
        among = sorted(set(holders).intersection(ids))
    else:
        among = sorted(ids)
    if not among:
        return ids, []
    pooled = tx.run(POOLED_OF, ids=among, barring=list(barring)).single(strict=True)["pooled"]
    return ids, [pool_facts(row) for row in pooled]


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
    result = tx.run(
        MATCHED_REFERENCE if work_type is not None else MATCHED_REFERENCE_ANY_WORK_TYPE,
        work_type=work_type,
        min_level=min_level,
        region=region,
        industry=industry,
        specialty=specialty,
        today=today,
        barring=list(barring),
    )
    record = result.single(strict=True)
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
