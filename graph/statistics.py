"""The facts statistics aggregate, read from the graph in one read transaction (a snapshot per revision).

Each query streams one kind of fact as flat lists (dates as ISO strings: `date.fromisoformat` is far faster
than converting driver temporals, and 100 000 people mean ~150 000 certificates). No name, ID card, phone
or e-mail is read: people are numbered in the order they come, the number only counts them once.
"""

from __future__ import annotations

from datetime import date
from typing import Any

import neo4j

from registry.statistics import (
    CertificateRecord,
    EmitterRecord,
    EngagementRecord,
    ExamRecord,
    Facts,
    MembershipRecord,
    PersonRecord,
    StatusEventRecord,
    TeamMember,
)

# A practitioner's region: where they are BASED_IN (a province or a city), or null.
_PERSON_REGION = "COLLECT { MATCH (p)-[:BASED_IN]->(home:Region) RETURN home.code }[0]"

PEOPLE = (
    """
MATCH (p:Practitioner)
RETURN p.id AS id, p.status AS status, """
    + _PERSON_REGION
    + """ AS region,
       COLLECT { MATCH (p)-[:HOLDS]->(c:Certificate)
                 RETURN [c.work_type, c.level, c.status, toString(c.issued_on), toString(c.expires_on),
                         toString(date(c.status_changed_at))] } AS certificates
"""
)

# Suspensions and revocations as recorded; an import of an already suspended or revoked certificate is its
# first record of that status.
STATUS_EVENTS = (
    """
MATCH (p:Practitioner)-[:HOLDS]->(c:Certificate)-[:HAS_EVENT]->(e:CertificateEvent)
WHERE e.to_status IN ['suspended', 'revoked'] AND e.action IN ['suspend', 'revoke', 'import']
RETURN c.work_type AS work_type, c.level AS level, """
    + _PERSON_REGION
    + """ AS region, e.to_status AS status,
       toString(date(e.at)) AS on
"""
)

# A current membership whose certificates have lapsed ended on its valid_until day (rederive will say so).
MEMBERSHIPS = (
    """
MATCH (p:Practitioner)-[m:MEMBER_OF|WAS_MEMBER_OF]->(pool:Pool)
OPTIONAL MATCH (c:Certificate {number: m.via})
RETURN pool.code AS pool, """
    + _PERSON_REGION
    + """ AS region, toString(date(m.since)) AS since,
       toString(CASE WHEN type(m) = 'WAS_MEMBER_OF' THEN m.until
                     WHEN m.valid_until < $today THEN m.valid_until END) AS until,
       c.work_type AS work_type, c.level AS level
"""
)

# Exams (issue 14): a result of an application, sat on its session's day.
EXAMS = (
    """
MATCH (r:ExamResult)-[:OF]->(a:Application)-[:BY]->(p:Practitioner)
OPTIONAL MATCH (r)-[:IN_SESSION]->(s:ExamSession)
RETURN a.work_type AS work_type, a.level AS level, """
    + _PERSON_REGION
    + """ AS region,
       toString(coalesce(s.day, date(r.recorded_at))) AS sat_on, coalesce(r.passed, false) AS passed
"""
)

EMITTERS = """
MATCH (o:Organization)
WHERE size(coalesce(o.listed_years, [])) > 0
RETURN COLLECT { MATCH (o)-[:LOCATED_IN]->(r:Region) RETURN r.code }[0] AS region,
       COLLECT { MATCH (o)-[:IN_INDUSTRY]->(i:Industry) RETURN i.code ORDER BY i.code }[0] AS industry,
       o.listed_years AS listed_years
"""

# Deleted practitioners are left out of teams, as every engagement view leaves them out.
ENGAGEMENTS = """
MATCH (e:Engagement)
RETURN e.kind AS kind, COLLECT { MATCH (e)-[:IN_REGION]->(r:Region) RETURN r.code }[0] AS region,
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
  COUNT { ()-[:WAS_MEMBER_OF]->() } AS ended, COUNT { (:ExamResult) } AS exams
"""


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def read_facts(tx: neo4j.ManagedTransaction, today: date) -> Facts:
    """Every fact the statistics need, in one read transaction."""
    keys: dict[str, int] = {}
    people = []
    for record in tx.run(PEOPLE):
        key = keys.setdefault(record["id"], len(keys))
        certificates = tuple(
            CertificateRecord(w, level, status, date.fromisoformat(issued), _day(expires), _day(changed))
            for w, level, status, issued, expires, changed in record["certificates"]
            if issued is not None and level is not None
        )
        people.append(PersonRecord(key, record["region"], record["status"], certificates))
    province_of_key = {person.key: person.province for person in people}
    status_events = [
        StatusEventRecord(r["work_type"], r["level"], r["region"], r["status"], date.fromisoformat(r["on"]))
        for r in tx.run(STATUS_EVENTS)
    ]
    memberships = [
        MembershipRecord(
            r["pool"],
            r["region"],
            date.fromisoformat(r["since"]),
            _day(r["until"]),
            r["work_type"],
            r["level"],
        )
        for r in tx.run(MEMBERSHIPS, today=today)
        if r["since"]
    ]
    exams = [
        ExamRecord(
            r["work_type"], r["level"], r["region"], date.fromisoformat(r["sat_on"]), bool(r["passed"])
        )
        for r in tx.run(EXAMS)
        if r["sat_on"] and r["work_type"] and r["level"] is not None
    ]
    emitters = [
        EmitterRecord(r["region"], r["industry"], frozenset(int(y) for y in r["listed_years"]))
        for r in tx.run(EMITTERS)
    ]
    engagements = []
    for r in tx.run(ENGAGEMENTS):
        team = tuple(
            TeamMember(keys[pid], province_of_key.get(keys[pid]))
            for pid in dict.fromkeys(r["team"])
            if pid in keys
        )
        engagements.append(EngagementRecord(r["kind"], r["region"], _day(r["start_on"]), r["status"], team))
    region_names = {r["code"]: r["name_zh"] for r in tx.run(REGION_NAMES)}
    return Facts(people, status_events, memberships, exams, emitters, engagements, region_names)


def revision(tx: neo4j.ManagedTransaction) -> tuple[Any, ...]:
    """A key that changes whenever a fact the statistics read may have changed."""
    return tuple(tx.run(REVISION).single(strict=True).values())
