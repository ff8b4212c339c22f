"""Reads of public-welfare participation: a person's counted record, their participations for the export, and
the facts `/stats/activities` aggregates. What counts is `graph.activities.COUNTED`, the one Cypher statement of
the rule (registry/activities.py), for an activity `a` and a participation `j`.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import neo4j

from graph.activities import COUNTED
from graph.cypher import cypher, spelled
from graph.records import native
from registry.statistics.activities import PUBLISHED_STATUSES, ActivityFact, PoolCount

_COUNTED = spelled("(", COUNTED, ")")  # the rule as one term of a larger expression

# A person's counted participation per year of the activity's first day.
RECORD = cypher(
    "MATCH (:Practitioner {id: $id})-[j:JOINED]->(a:Activity)",
    "WHERE",
    COUNTED,
    """WITH a.starts_on.year AS year, count(DISTINCT a) AS activities, sum(coalesce(j.hours, 0.0)) AS hours
RETURN year, activities, hours ORDER BY year""",
)

# Every sign-up of the person, counted or not, with the activity and its organizer (for the export and /me).
PARTICIPATIONS = cypher(
    """MATCH (:Practitioner {id: $id})-[j:JOINED]->(a:Activity)
RETURN j {.id, .status, .via, .signed_up_at, .confirmed_at, .attended, .hours, .recorded_at,
          .certificate_code} AS participation,
       a {.id, .title, .kind, .region, .online, .place, .starts_on, .ends_on, .status} AS activity,
       COLLECT { MATCH (a)-[:ORGANIZED_BY]->(o:Organization) RETURN o.name }[0] AS organizer,""",
    _COUNTED,
    "AS counted ORDER BY a.starts_on DESC, a.id",
)

# The year's published activities, each with the people whose participation counts and their hours.
ACTIVITY_FACTS = cypher(
    """MATCH (a:Activity)
WHERE a.starts_on >= $start AND a.starts_on < $end AND a.status IN $statuses
RETURN a.kind AS kind, a.region AS region, toString(a.starts_on) AS starts_on,
       COLLECT { MATCH (p:Practitioner)-[j:JOINED]->(a) WHERE""",
    COUNTED,
    """RETURN [p.id, coalesce(j.hours, 0.0)] } AS participants""",
)

# Current members of each pool by where they are based, and whether they took part in a counted activity that
# began in the year.
POOL_COUNTS = cypher(
    """MATCH (p:Practitioner)-[:MEMBER_OF]->(pool:Pool)
WHERE p.status = 'active'
WITH p, pool.code AS pool, COLLECT { MATCH (p)-[:BASED_IN]->(home:Region) RETURN home.code }[0] AS region,
     EXISTS { MATCH (p)-[j:JOINED]->(a:Activity)
              WHERE a.starts_on >= $start AND a.starts_on < $end AND""",
    _COUNTED,
    """} AS took_part
RETURN pool, region, took_part, count(p) AS people""",
)

# What an answer was read from, all by index seeks and count-store reads: the activities' revision (bumped by every
# create and status change, graph/activities.py BUMP_CATALOGUE) and its attendance counter (BUMP_ATTENDANCE), the
# numbers of activities and sign-ups (bulk loads that bump nothing), and — for the pools table, which reads who is
# an active member of which pool and where — the registry's revision, stamped by every change of a person's pools,
# status or region (graph/revision.py). Writes elsewhere in the registry leave the kept answers standing.
CHANGE_KEY = """
OPTIONAL MATCH (r:Revision {id: 'activities'})
RETURN r.epoch AS epoch, r.value AS revision, r.attendance AS attendance, COUNT { (:Activity) } AS activities,
       COUNT { ()-[:JOINED]->() } AS joins,
       CASE WHEN $people THEN COLLECT { MATCH (g:Revision {id: 'registry'}) RETURN [g.epoch, g.value] }[0] END
         AS people
"""

REGION_NAMES = "MATCH (r:Region) WHERE r.level = 'province' RETURN r.code AS code, r.name_zh AS name_zh"


def record(tx: neo4j.ManagedTransaction, practitioner_id: str) -> list[dict[str, Any]]:
    """The person's counted participation per year: `[{year, activities, hours}]`, oldest first."""
    return [r.data() for r in tx.run(RECORD, id=practitioner_id)]


def participations(tx: neo4j.ManagedTransaction, practitioner_id: str) -> list[dict[str, Any]]:
    """Every sign-up of the person with its activity, organizer and whether it counts, newest activity first."""
    return [
        native(
            {
                **r["participation"],
                "activity": r["activity"],
                "organizer": r["organizer"],
                "counted": bool(r["counted"]),
            }
        )
        for r in tx.run(PARTICIPATIONS, id=practitioner_id)
    ]


def _year(year: int) -> tuple[date, date]:
    return date(year, 1, 1), date(year + 1, 1, 1)


def activity_facts(tx: neo4j.ManagedTransaction, year: int) -> list[ActivityFact]:
    """The year's published activities with their counted participants (people as opaque numbers)."""
    keys: dict[str, int] = {}
    facts = []
    start, end = _year(year)
    for r in tx.run(ACTIVITY_FACTS, statuses=list(PUBLISHED_STATUSES), start=start, end=end):
        participants = tuple(
            (keys.setdefault(person, len(keys)), float(hours)) for person, hours in r["participants"]
        )
        facts.append(ActivityFact(r["kind"], r["region"], date.fromisoformat(r["starts_on"]), participants))
    return facts


def pool_counts(tx: neo4j.ManagedTransaction, year: int) -> list[PoolCount]:
    """Current pool members by pool, region and whether they took part in the year."""
    start, end = _year(year)
    return [
        PoolCount(r["pool"], r["region"], bool(r["took_part"]), r["people"])
        for r in tx.run(POOL_COUNTS, start=start, end=end)
    ]


def change_key(tx: neo4j.ManagedTransaction, people: bool = False) -> tuple[Any, ...]:
    """A key that changes with every write the activity statistics depend on; `people` for the pools table."""
    values = tx.run(CHANGE_KEY, people=people).single(strict=True).values()
    return tuple(tuple(v) if isinstance(v, list) else v for v in values)


def province_names(tx: neo4j.ManagedTransaction) -> dict[str, str]:
    """Province code → Chinese name."""
    return {r["code"]: r["name_zh"] for r in tx.run(REGION_NAMES)}
