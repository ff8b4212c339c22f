"""A session's page (graph/exam_lists.py: counts from relationship counts, registrations from the
`registration_order` index) answers exactly what the straightforward reading of the graph answers (graph/exams.py
GET_SESSION, REGISTRANTS, SESSION_RESULT_COUNTS), over registrations made by the service and generated ones:
ties in registration time, withdrawn registrations, results passed, failed and absent, bulk-loaded registrations
without their keys, applications without their province kept."""

from __future__ import annotations

import random
from datetime import UTC, date, datetime, timedelta

from graph import exams as repo
from graph.exam_lists import sync_registration_keys
from services import applications, exam_results, exams
from tests.integration.test_exams import apply, person, session

TODAY = date.today()

# Generated applications of the given people, registered at a few instants only (ties broken by application id),
# some written as a bulk load writes them (no session and application ids on the registration, no province kept
# on the application), some with a result.
GENERATE = """
UNWIND $rows AS row
MATCH (p:Practitioner {id: row.person}), (s:ExamSession {id: $session_id})
CREATE (a:Application {id: row.id, work_type: row.work_type, level: 4, registered_on: date($day)})
CREATE (a)-[:BY]->(p)
SET a.region_key = CASE WHEN row.keyed THEN coalesce(p.region_key, '') END
CREATE (a)-[reg:REGISTERED_FOR {at: row.at}]->(s)
SET reg.session_id = CASE WHEN row.keyed THEN s.id END, reg.application_id = CASE WHEN row.keyed THEN a.id END
FOREACH (score IN CASE WHEN row.score IS NULL THEN [] ELSE [row.score] END |
  CREATE (r:ExamResult {id: randomUUID(), score: score, passed: score >= 60, attempt: 1, free: false})
  CREATE (r)-[:OF]->(a), (r)-[:IN_SESSION]->(s))
"""

# The generated applications carry no progress: removed afterwards, so that lists by status elsewhere never see them.
REMOVE_GENERATED = """
MATCH (a:Application) WHERE a.id IN $ids
OPTIONAL MATCH (r:ExamResult)-[:OF]->(a)
DETACH DELETE r, a
"""


def _straightforward(context, session_id: str, page: int, per_page: int) -> dict:
    def work(tx):
        stored = repo.view(tx, session_id)
        counts = repo.result_counts(tx, {"session_id": session_id})
        return exams.present(stored) | {
            "registrations": repo.registrants(tx, session_id, (page - 1) * per_page, per_page),
            "page": page,
            "per_page": per_page,
            "by_work_type": exams._grouped(counts, "work_type"),
            "by_region": exams._grouped(counts, "region"),
        }

    return context.graph.read(work)


def test_a_sessions_pages_and_counts_equal_the_straightforward_reading(context):
    day = TODAY - timedelta(days=530)  # a day no other test uses
    held = session(context, day, hour=14, minute=23, capacity=500)
    rng = random.Random(24)
    people = [person(context, region) for region in ("420100", "420500", "440100", "110000", "420100")]
    made = [apply(context, people[n % len(people)], day - timedelta(days=3), "monitoring") for n in range(6)]
    for application_id in made:
        applications.register(context, held["id"], application_id)
    applications.cancel_registration(context, held["id"], made[5])  # withdrawn: no longer listed nor counted
    for application_id, score in zip(made[:3], (88, 41, 60), strict=True):
        exam_results.record_result(
            context, {"application_id": application_id, "session_id": held["id"], "score": score}
        )
    instants = [datetime(day.year, day.month, day.day, 1, minute, tzinfo=UTC) for minute in (0, 0, 5, 9)]
    rows = [
        {
            "id": f"gen-{held['id'][:8]}-{n:03d}-{rng.randrange(10**6):06d}",
            "person": rng.choice(people),
            "work_type": rng.choice(("monitoring", "consulting", "accounting")),
            "at": rng.choice(instants),
            "keyed": rng.random() < 0.5,
            "score": rng.choice((None, None, 35, 59.5, 60, 95)),
        }
        for n in range(57)
    ]
    context.graph.write(lambda tx: tx.run(GENERATE, rows=rows, session_id=held["id"], day=str(day)).consume())
    try:
        _compare(context, held["id"], made, rows)
    finally:
        ids = [row["id"] for row in rows]
        context.graph.write(lambda tx: tx.run(REMOVE_GENERATED, ids=ids).consume())


def _compare(context, session_id: str, made: list[str], rows: list[dict]) -> None:
    assert sync_registration_keys(context.graph) >= sum(not row["keyed"] for row in rows)

    expected_total = 5 + len(rows)
    for per_page in (1, 7, 20, 100):
        listed = []
        for page in range(1, expected_total // per_page + 3):  # up to and past the last page
            new = exams.get(context, session_id, page, per_page)
            old = _straightforward(context, session_id, page, per_page)
            assert new == old
            listed += new["registrations"]
        assert len(listed) == new["registered"] == expected_total
        assert len({item["application_id"] for item in listed}) == expected_total
    answer = exams.get(context, session_id, 1, 100)
    assert made[5] not in {item["application_id"] for item in answer["registrations"]}
    assert answer["sat"] == 3 + sum(row["score"] is not None for row in rows)
    assert answer["passed"] == 2 + sum(row["score"] is not None and row["score"] >= 60 for row in rows)
    assert {group["region"] for group in answer["by_region"]} >= {"420000", "440000", "110000"}
