"""GET /applications' status filter, answered in the graph from each application's stored progress, against the
direct computation: every application read on its own and its status derived in Python (derive_state), for
every status and filter, on a graph holding applications in every state (and a moved session, and applications
whose progress and region keys were never stored)."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta

import pytest

from graph.applications import sync_region_keys, sync_unsynced
from registry.applications import STATUSES
from registry.exams import CHINA_TIME
from services import applications, exam_results, exams, practitioners
from tests.support import unique_id_card

TODAY = date.today()
RECENT, OLD = TODAY - timedelta(days=40), TODAY - timedelta(days=250)


def _person(context, region: str) -> str:
    body = {
        "name": "考生",
        "id_card": unique_id_card(),
        "education": "bachelor",
        "work_start_year": 2015,
        "region": region,
    }
    return practitioners.register(context, body)["id"]


def _session(context, day: date, hour: int = 9) -> str:
    starts_at = datetime(day.year, day.month, day.day, hour, uuid.uuid4().int % 60, tzinfo=CHINA_TIME)
    return exams.create(context, {"starts_at": starts_at, "capacity": 50})["id"]


class Registry:
    """Applications in every state, made through the services."""

    def __init__(self, context) -> None:
        self.context = context
        self.first = _session(context, RECENT + timedelta(days=3))
        self.second = _session(context, RECENT + timedelta(days=9))
        self.early = _session(context, OLD + timedelta(days=3))
        self.future = _session(context, TODAY + timedelta(days=20))
        self.moving = _session(context, TODAY + timedelta(days=21), hour=14)

    def apply(self, registered: date, work_type: str = "accounting", region: str = "420100") -> str:
        data = {"practitioner_id": _person(self.context, region), "work_type": work_type, "level": 4,
                "registered_on": registered}  # fmt: skip
        return applications.create(self.context, data)["id"]

    def train(
        self, application_id: str, basic: float, module: float, day: date, work_type="accounting"
    ) -> str:
        for part, hours in (("basic", basic), (work_type, module)):
            if hours:
                record = {"part": part, "hours": hours, "completed_on": day}
                applications.add_training(self.context, application_id, record)
        return application_id

    def sit(self, application_id: str, session_id: str, score: float | None = None) -> str:
        applications.register(self.context, session_id, application_id)
        if score is not None:
            data = {"application_id": application_id, "session_id": session_id, "score": score}
            exam_results.record_result(self.context, data)
        return application_id


@pytest.fixture(scope="module")
def made(context) -> dict[str, str]:
    """One application (at least) of every status, by the name of the case."""
    r = Registry(context)
    cases = {
        "registered": r.apply(RECENT),
        "registered elsewhere": r.apply(RECENT, "monitoring", "110000"),
        "training": r.train(r.apply(RECENT), 8, 0, RECENT),
        "training in parts": r.train(r.apply(RECENT), 0.1, 0.2, RECENT),
        "ready": r.train(r.apply(RECENT), 40, 20, RECENT),
        "ready, booked later": r.sit(r.train(r.apply(RECENT), 40, 20, RECENT), r.future),
        "training, booked later": r.sit(r.train(r.apply(RECENT), 3, 0, RECENT), r.future),
        "sat": r.sit(r.apply(RECENT), r.first),
        "failed": r.sit(r.apply(RECENT), r.first, 40),
        "retake": r.sit(r.sit(r.apply(RECENT), r.first, 40), r.second),
        "failed for good": r.sit(r.sit(r.apply(RECENT), r.first, 40), r.second, 50),
        "passed": r.sit(r.apply(RECENT, "monitoring", "110000"), r.first, 80),
        "certified": r.sit(r.train(r.apply(RECENT), 40, 20, RECENT), r.first, 90),
        "expired": r.apply(OLD),
        "expired, trained": r.train(r.apply(OLD), 40, 20, OLD),
        "expired after a failure": r.sit(r.apply(OLD), r.early, 30),
        "sat, session moved": r.sit(r.apply(RECENT), r.moving),
    }
    result_id = applications.get(context, cases["certified"])["passed_result_id"]
    exam_results.issue_certificate(context, result_id, {"number": f"STI-{uuid.uuid4().hex[:8]}"})
    # Moved to a sitting that has begun (it keeps its validity): the waiting application has sat.
    moved_to = datetime.combine(TODAY - timedelta(days=1), datetime.min.time(), CHINA_TIME).replace(hour=9)
    exams.move(context, r.moving, {"starts_at": moved_to})
    cases |= {"session:first": r.first, "session:future": r.future}
    return cases


def _all_ids(context) -> list[str]:
    records, _, _ = context.graph.driver.execute_query("MATCH (a:Application) RETURN a.id AS id")
    return [record["id"] for record in records]


def _within(code: str | None, region: str) -> bool:
    return code is not None and (code == region or (region.endswith("0000") and code[:2] == region[:2]))


def _direct(views: list[dict], filters: dict) -> set[str]:
    """The applications the filters keep, each read and its status derived on its own."""
    kept = set()
    for view in views:
        if filters.get("status") and view["status"] != filters["status"]:
            continue
        if filters.get("work_type") and view["work_type"] != filters["work_type"]:
            continue
        if filters.get("level") and view["level"] != filters["level"]:
            continue
        if filters.get("practitioner_id") and view["practitioner"]["id"] != filters["practitioner_id"]:
            continue
        if filters.get("session_id") and filters["session_id"] not in {s["id"] for s in view["sessions"]}:
            continue
        if filters.get("region") and not _within((view["region"] or {}).get("code"), filters["region"]):
            continue
        kept.add(view["id"])
    return kept


def _listed(context, filters: dict, per_page: int = 7) -> tuple[list[str], int]:
    ids, page = [], 1
    while True:
        items, total = applications.search(context, filters, page, per_page)
        ids += [item["id"] for item in items]
        if not items or len(ids) >= total:
            return ids, total
        page += 1


def _newest_first(views: list[dict], ids: list[str]) -> list[str]:
    """The ids in the list's order worked out directly: latest registration day, then latest created, then id."""
    by_id = {view["id"]: view for view in views}
    ordered = sorted(ids)
    ordered.sort(key=lambda i: by_id[i]["created_at"], reverse=True)
    ordered.sort(key=lambda i: by_id[i]["registered_on"], reverse=True)
    return ordered


def _compare_everything(context, made: dict[str, str]) -> int:
    views = [applications.get(context, application_id) for application_id in _all_ids(context)]
    one = applications.get(context, made["failed"])
    filter_sets = [
        {},
        {"work_type": "monitoring"},
        {"level": 4},
        {"region": "420000"},
        {"region": "110000"},
        {"region": "420100", "work_type": "accounting"},
        {"session_id": made["session:first"]},
        {"session_id": made["session:future"], "level": 4},
        {"practitioner_id": one["practitioner"]["id"]},
    ]
    checked = 0
    for status in (None, *STATUSES):
        for base in filter_sets:
            filters = base | {"status": status}
            ids, total = _listed(context, filters)
            assert len(ids) == len(set(ids)) == total, filters
            assert set(ids) == _direct(views, filters), filters
            assert ids == _newest_first(views, ids), filters
            checked += 1
    return checked


def test_every_case_has_the_status_its_facts_give(context, made):
    expected = {
        "registered": "registered", "registered elsewhere": "registered", "training": "training",
        "training in parts": "training", "ready": "ready", "ready, booked later": "ready",
        "training, booked later": "training", "sat": "sat", "failed": "failed", "retake": "retake",
        "failed for good": "failed", "passed": "passed", "certified": "certified", "expired": "expired",
        "expired, trained": "expired", "expired after a failure": "expired", "sat, session moved": "sat",
    }  # fmt: skip
    for case, status in expected.items():
        assert applications.get(context, made[case])["status"] == status, case


def test_every_status_and_filter_lists_what_the_direct_computation_finds(context, made):
    assert _compare_everything(context, made) == 10 * 9


def test_applications_stored_before_their_progress_was_kept_get_it_and_list_the_same(context, made):
    context.graph.driver.execute_query(
        "MATCH (a:Application) WHERE a.id IN $ids "
        "REMOVE a.stage, a.sittings, a.pending_at, a.basic_hours, a.module_hours, a.region_key, a.region_code",
        ids=list(made.values()),
    )
    assert sync_unsynced(context.graph) >= len(made) - 2  # two of the values are sessions
    assert sync_region_keys(context.graph) >= len(made) - 2
    _compare_everything(context, made)
