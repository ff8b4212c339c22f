"""The facts statistics aggregate, read from the graph in one read transaction (a snapshot per revision).

Each query streams one kind of fact as flat lists (dates as ISO strings: `date.fromisoformat` is far faster
than converting driver temporals, and 100 000 people mean ~150 000 certificates). No name, ID card, phone
or e-mail is read: people are numbered in the order they come, the number only counts them once.
"""

from __future__ import annotations

from datetime import date, timedelta
from typing import Any, LiteralString

import neo4j

from graph.cypher import cypher
from registry.statistics import (
    CertificateRecord,
    EmitterRecord,
    EngagementRecord,
    ExamRecord,
    Facts,
    FactStore,
    MembershipRecord,
    PersonRecord,
    StatusEventRecord,
    TeamMember,
)

# A practitioner's region: where they are BASED_IN (a province or a city), or null.
_PERSON_REGION = "COLLECT { MATCH (p)-[:BASED_IN]->(home:Region) RETURN home.code }[0]"

# Where the per-person queries start: every practitioner, or the ones a refresh names.
ALL_PEOPLE = "MATCH (p:Practitioner)\n"
SOME_PEOPLE = "UNWIND $ids AS id MATCH (p:Practitioner {id: id})\n"

PEOPLE = cypher(
    """RETURN p.id AS id, p.status AS status,""",
    _PERSON_REGION,
    """AS region,
       COLLECT { MATCH (p)-[:HOLDS]->(c:Certificate)
                 RETURN [c.work_type, c.level, c.status, toString(c.issued_on), toString(c.expires_on),
                         toString(date(c.status_changed_at))] } AS certificates
""",
)

# Suspensions and revocations as recorded; an import of an already suspended or revoked certificate is its
# first record of that status.
STATUS_EVENTS = cypher(
    """MATCH (p)-[:HOLDS]->(c:Certificate)-[:HAS_EVENT]->(e:CertificateEvent)
WHERE e.to_status IN ['suspended', 'revoked'] AND e.action IN ['suspend', 'revoke', 'import']
RETURN p.id AS id, c.work_type AS work_type, c.level AS level,""",
    _PERSON_REGION,
    """AS region,
       e.to_status AS status, toString(date(e.at)) AS on
""",
)

# A current membership whose certificates have lapsed ended on its valid_until day (rederive will say so):
# `lapses_on`, applied for the day asked (registry.statistics.MembershipRecord.on), so no fact read depends on it.
MEMBERSHIPS = cypher(
    """MATCH (p)-[m:MEMBER_OF|WAS_MEMBER_OF]->(pool:Pool)
OPTIONAL MATCH (c:Certificate {number: m.via})
RETURN p.id AS id, pool.code AS pool,""",
    _PERSON_REGION,
    """AS region, toString(date(m.since)) AS since,
       toString(CASE WHEN type(m) = 'WAS_MEMBER_OF' THEN m.until END) AS until,
       toString(CASE WHEN type(m) = 'MEMBER_OF' THEN m.valid_until END) AS lapses_on,
       c.work_type AS work_type, c.level AS level
""",
)

# Exams (issue 14): a result of an application, sat on its session's day.
EXAMS = cypher(
    """MATCH (r:ExamResult)-[:OF]->(a:Application)-[:BY]->(p)
OPTIONAL MATCH (r)-[:IN_SESSION]->(s:ExamSession)
RETURN p.id AS id, a.work_type AS work_type, a.level AS level,""",
    _PERSON_REGION,
    """AS region,
       toString(coalesce(s.day, date(r.recorded_at))) AS sat_on, coalesce(r.passed, false) AS passed
""",
)

# Who changed since a point of the graph's clock: a person edited, a certificate issued or changed (the
# same transaction re-derived their pools), an exam result recorded.
CHANGED_PEOPLE = """
CALL () {
  MATCH (p:Practitioner) WHERE p.updated_at >= $since RETURN p.id AS id
  UNION
  MATCH (c:Certificate) WHERE c.status_changed_at >= $since
  MATCH (p:Practitioner)-[:HOLDS]->(c) RETURN p.id AS id
  UNION
  MATCH (r:ExamResult) WHERE r.recorded_at >= $since
  MATCH (r)-[:OF]->(:Application)-[:BY]->(p:Practitioner) RETURN p.id AS id
}
RETURN collect(id) AS ids
"""

# Engagements edited since then, and those of the people who changed (a team member's place or status).
CHANGED_ENGAGEMENTS = """
CALL () {
  MATCH (e:Engagement) WHERE e.updated_at >= $since RETURN e.id AS id
  UNION
  UNWIND $ids AS pid
  MATCH (:Practitioner {id: pid})-[:WORKED_ON]->(e:Engagement) RETURN e.id AS id
}
RETURN collect(id) AS ids
"""

NOW = "RETURN datetime() AS now"

# A refresh reads changes from a little before the last read: a write that began before it and committed
# after it carries earlier timestamps than the read saw.
REFRESH_OVERLAP = timedelta(seconds=60)

EMITTERS = """
MATCH (o:Organization)
WHERE size(coalesce(o.listed_years, [])) > 0
RETURN COLLECT { MATCH (o)-[:LOCATED_IN]->(r:Region) RETURN r.code }[0] AS region,
       COLLECT { MATCH (o)-[:IN_INDUSTRY]->(i:Industry) RETURN i.code ORDER BY i.code }[0] AS industry,
       o.listed_years AS listed_years
"""

# Deleted practitioners are left out of teams, as every engagement view leaves them out.
ALL_ENGAGEMENTS = "MATCH (e:Engagement)\n"
SOME_ENGAGEMENTS = "UNWIND $engagement_ids AS eid MATCH (e:Engagement {id: eid})\n"
ENGAGEMENTS = """RETURN e.id AS id, e.kind AS kind,
       COLLECT { MATCH (e)-[:IN_REGION]->(r:Region) RETURN r.code }[0] AS region,
       toString(e.start_on) AS start_on, e.status AS status,
       COLLECT { MATCH (p:Practitioner)-[:WORKED_ON]->(e) WHERE p.status <> 'deleted' RETURN p.id } AS team
"""

REGION_NAMES = "MATCH (r:Region) RETURN r.code AS code, r.name_zh AS name_zh"

# What a snapshot is of: the registry revision (graph/revision.py, stamped by every write that changes a
# person), and — for writes that change no person (an organization's key-emitter years, an engagement's
# status) — the latest organization and engagement change and a few counts, each an index seek or a
# count-store read.
REVISION = """
OPTIONAL MATCH (r:Revision) WITH coalesce(max(r.value), 0) AS revision
RETURN revision,
  COLLECT { MATCH (p:Practitioner) WHERE p.updated_at IS NOT NULL
            RETURN p.updated_at AS at ORDER BY at DESC LIMIT 1 }[0] AS people_changed,
  COLLECT { MATCH (o:Organization) WHERE o.updated_at IS NOT NULL
            RETURN o.updated_at AS at ORDER BY at DESC LIMIT 1 }[0] AS organizations_changed,
  COLLECT { MATCH (e:Engagement) WHERE e.updated_at IS NOT NULL
            RETURN e.updated_at AS at ORDER BY at DESC LIMIT 1 }[0] AS engagements_changed,
  COUNT { (:Organization) } AS organizations, COUNT { (:Engagement) } AS engagements,
  COUNT { (:Practitioner) } AS people, COUNT { (:CertificateEvent) } AS events,
  COUNT { ()-[:WAS_MEMBER_OF]->() } AS ended, COUNT { (:ExamResult) } AS exams,
  COLLECT { MATCH (r:Revision {id: 'registry'}) RETURN r.epoch }[0] AS epoch
"""


# A graph never stamped has no revision epoch; a saved snapshot needs one to know the graph it was read from.
ENSURE_EPOCH = """
MERGE (r:Revision {id: 'registry'})
ON CREATE SET r.value = 0
SET r.epoch = coalesce(r.epoch, randomUUID())
RETURN r.epoch AS epoch
"""


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _people(
    store: FactStore, tx: neo4j.ManagedTransaction, start: LiteralString, **params: Any
) -> dict[str, PersonRecord]:
    people = {}
    for record in tx.run(cypher(start, PEOPLE), **params):
        certificates = tuple(
            CertificateRecord(w, level, status, date.fromisoformat(issued), _day(expires), _day(changed))
            for w, level, status, issued, expires, changed in record["certificates"]
            if issued is not None and level is not None
        )
        people[record["id"]] = PersonRecord(
            store.key(record["id"]), record["region"], record["status"], certificates
        )
    return people


def _grouped(rows: Any, build: Any) -> dict[str, tuple[Any, ...]]:
    grouped: dict[str, list[Any]] = {}
    for row in rows:
        item = build(row)
        if item is not None:
            grouped.setdefault(row["id"], []).append(item)
    return {key: tuple(items) for key, items in grouped.items()}


def _status_event(r: Any) -> StatusEventRecord:
    return StatusEventRecord(
        r["work_type"], r["level"], r["region"], r["status"], date.fromisoformat(r["on"])
    )


def _membership(r: Any) -> MembershipRecord | None:
    if not r["since"]:
        return None
    return MembershipRecord(
        r["pool"], r["region"], date.fromisoformat(r["since"]), _day(r["until"]), r["work_type"], r["level"],
        _day(r["lapses_on"]),
    )  # fmt: skip


def _exam(r: Any) -> ExamRecord | None:
    if not (r["sat_on"] and r["work_type"] and r["level"] is not None):
        return None
    return ExamRecord(
        r["work_type"], r["level"], r["region"], date.fromisoformat(r["sat_on"]), bool(r["passed"])
    )


def _emitters(tx: neo4j.ManagedTransaction) -> list[EmitterRecord]:
    return [
        EmitterRecord(r["region"], r["industry"], frozenset(int(y) for y in r["listed_years"]))
        for r in tx.run(EMITTERS)
    ]


def _engagements(
    store: FactStore,
    people: dict[str, PersonRecord],
    tx: neo4j.ManagedTransaction,
    start: LiteralString,
    **params: Any,
) -> dict[str, EngagementRecord]:
    def province(practitioner_id: str) -> str | None:
        person = people.get(practitioner_id) or store.people.get(practitioner_id)
        return person.province if person else None

    engagements = {}
    for r in tx.run(cypher(start, ENGAGEMENTS), **params):
        team = tuple(
            TeamMember(store.key(pid), province(pid))
            for pid in dict.fromkeys(r["team"])
            if pid in people or pid in store.people
        )
        engagements[r["id"]] = EngagementRecord(
            r["kind"], r["region"], _day(r["start_on"]), r["status"], team
        )
    return engagements


def read_store(tx: neo4j.ManagedTransaction) -> FactStore:
    """Every fact the statistics need, in one read transaction (none depends on the day)."""
    now = tx.run(NOW).single(strict=True)["now"]
    store = FactStore({}, {}, {}, {}, {}, {}, [], {})
    store.people = _people(store, tx, ALL_PEOPLE)
    store.status_events = _grouped(tx.run(cypher(ALL_PEOPLE, STATUS_EVENTS)), _status_event)
    store.memberships = _grouped(tx.run(cypher(ALL_PEOPLE, MEMBERSHIPS)), _membership)
    store.exams = _grouped(tx.run(cypher(ALL_PEOPLE, EXAMS)), _exam)
    store.emitters = _emitters(tx)
    store.engagements = _engagements(store, {}, tx, ALL_ENGAGEMENTS)
    store.region_names = {r["code"]: r["name_zh"] for r in tx.run(REGION_NAMES)}
    store.read_at = now
    return store


def read_changes(tx: neo4j.ManagedTransaction, store: FactStore) -> FactStore:
    """`store` brought up to date: the people, engagements and key emitters changed since it was read."""
    now = tx.run(NOW).single(strict=True)["now"]
    since = store.read_at.to_native() - REFRESH_OVERLAP
    ids = tx.run(CHANGED_PEOPLE, since=since).single(strict=True)["ids"]
    people = _people(store, tx, SOME_PEOPLE, ids=ids)
    engagement_ids = tx.run(CHANGED_ENGAGEMENTS, since=since, ids=ids).single(strict=True)["ids"]
    return store.updated(
        people,
        _grouped(tx.run(cypher(SOME_PEOPLE, STATUS_EVENTS), ids=ids), _status_event),
        _grouped(tx.run(cypher(SOME_PEOPLE, MEMBERSHIPS), ids=ids), _membership),
        _grouped(tx.run(cypher(SOME_PEOPLE, EXAMS), ids=ids), _exam),
        _engagements(store, people, tx, SOME_ENGAGEMENTS, engagement_ids=engagement_ids),
        _emitters(tx),
        now,
    )


def read_facts(tx: neo4j.ManagedTransaction, today: date) -> Facts:
    """Every fact the statistics need, flat, as known on `today` (a full read)."""
    return read_store(tx).facts(today)


def revision(tx: neo4j.ManagedTransaction) -> tuple[Any, ...]:
    """A key that changes whenever a fact the statistics read may have changed; its last item is the revision
    counter's epoch (graph/revision.py), which changes when the graph is wiped or replaced wholesale."""
    return tuple(tx.run(REVISION).single(strict=True).values())


def ensure_epoch(tx: neo4j.ManagedTransaction) -> str:
    """The revision counter's epoch, given one now if the graph has none yet."""
    return tx.run(ENSURE_EPOCH).single(strict=True)["epoch"]
