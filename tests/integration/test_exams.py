"""The exam services against the real graph: seat counting under concurrency, statistics, imports by start time,
and the status read back from stored facts."""

from __future__ import annotations

import io
import threading
import uuid
from datetime import UTC, date, datetime, timedelta

import openpyxl
import pytest

from registry.applications import RuleRefused, SessionFull, valid_until
from registry.exams import CHINA_TIME
from services import applications, exam_imports, exam_results, exams, practitioners
from tests.support import unique_id_card

TODAY = date.today()


def person(context, region: str = "420100", name: str = "考生", id_card: str | None = None) -> str:
    body = {
        "name": name,
        "id_card": id_card or unique_id_card(),
        "education": "bachelor",
        "work_start_year": 2015,
        "region": region,
    }
    return practitioners.register(context, body)["id"]


def apply(context, practitioner_id: str, registered_on: date, work_type: str = "accounting") -> str:
    data = {
        "practitioner_id": practitioner_id,
        "work_type": work_type,
        "level": 4,
        "registered_on": registered_on,
    }
    return applications.create(context, data)["id"]


def session(context, day: date, hour: int = 9, minute: int = 0, capacity: int = 50) -> dict:
    starts_at = datetime(day.year, day.month, day.day, hour, minute, tzinfo=CHINA_TIME)
    return exams.create(context, {"starts_at": starts_at, "capacity": capacity})


def test_two_candidates_racing_for_the_last_seat_get_one_seat_between_them(context):
    registered = TODAY - timedelta(days=5)
    seat = session(context, TODAY + timedelta(days=10), minute=17, capacity=1)
    candidates = [apply(context, person(context), registered) for _ in range(4)]
    outcomes: list[str] = []
    barrier = threading.Barrier(len(candidates))

    def register(application_id: str) -> None:
        barrier.wait()
        try:
            applications.register(context, seat["id"], application_id)
            outcomes.append("seat")
        except SessionFull:
            outcomes.append("full")

    threads = [threading.Thread(target=register, args=(candidate,)) for candidate in candidates]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["full", "full", "full", "seat"]
    assert exams.get(context, seat["id"])["registered"] == 1


def test_statistics_give_pass_rates_per_work_type_and_province_for_a_period(context):
    day = TODAY - timedelta(days=400)  # a period no other test uses
    registered = day - timedelta(days=3)
    held = session(context, day, minute=41)
    for region, work_type, score in (
        ("420100", "monitoring", 90),
        ("420500", "monitoring", 30),
        ("440100", "monitoring", 70),
        ("440100", "consulting", 50),
    ):
        application_id = apply(context, person(context, region), registered, work_type)
        applications.register(context, held["id"], application_id)
        exam_results.record_result(
            context, {"application_id": application_id, "session_id": held["id"], "score": score}
        )
    stats = exams.statistics(context, {"from": day, "to": day})
    assert (stats["session_count"], stats["registered"], stats["sat"], stats["passed"]) == (1, 4, 4, 2)
    assert stats["pass_rate"] == 0.5
    assert {(g["work_type"], g["sat"], g["passed"]) for g in stats["by_work_type"]} == {
        ("monitoring", 3, 2),
        ("consulting", 1, 0),
    }
    assert {(g["region"], g["pass_rate"]) for g in stats["by_region"]} == {("420000", 0.5), ("440000", 0.5)}


def test_an_xlsx_results_file_may_name_the_session_by_its_start(context):
    registered = TODAY - timedelta(days=20)
    held = session(context, registered + timedelta(days=2), hour=14, minute=33)
    id_card = unique_id_card()
    application_id = apply(context, person(context, name="考生丁", id_card=id_card), registered)
    applications.register(context, held["id"], application_id)
    book = openpyxl.Workbook()
    sheet = book.active
    sheet.append(["成绩单"])  # a title row above the header
    sheet.append(["身份证号", "姓名", "考试时间", "成绩"])
    start = held["starts_at"].astimezone(CHINA_TIME).replace(tzinfo=None)
    sheet.append([id_card, "考生丁", start, 61])
    data = io.BytesIO()
    book.save(data)
    data.seek(0)
    report = exam_imports.import_results(context, data, "results.xlsx")
    assert (report.rows_read, report.results_created, report.rows_invalid) == (1, 1, 0), report.errors
    assert applications.get(context, application_id)["status"] == "passed"


def test_a_status_is_derived_from_the_stored_facts_at_each_read(context):
    registered = TODAY - timedelta(days=200)
    application_id = apply(context, person(context), registered)
    view = applications.get(context, application_id)
    assert view["valid_until"] == valid_until(registered)
    assert view["status"] == ("expired" if valid_until(registered) < TODAY else "registered")
    # The store holds facts only: no status property anywhere.
    records, _, _ = context.graph.driver.execute_query(
        "MATCH (a:Application {id: $id}) RETURN keys(a) AS keys", id=application_id
    )
    assert "status" not in records[0]["keys"]


@pytest.mark.parametrize("month", [1, 5])
def test_generating_a_month_creates_its_two_sittings_once(context, month):
    made = exams.generate_month(context, 2031, month)
    again = exams.generate_month(context, 2031, month)
    assert [created for _, created in again] == [False, False]
    assert [s["id"] for s, _ in made] == [s["id"] for s, _ in again]
    # January 2031 ends on a Friday, May 2031 on a Saturday: the last whole weekend is the one before.
    expected = {1: date(2031, 1, 25), 5: date(2031, 5, 24)}[month]
    assert {s["day"] for s, _ in made} == {expected}


def _all(context, filters: dict) -> list[dict]:
    items, page = [], 1
    while True:
        batch, total = applications.search(context, filters, page, 100)
        items += batch
        if len(items) >= total or not batch:
            return items
        page += 1


def test_filtering_by_status_finds_exactly_the_applications_whose_derived_status_it_is(context):
    recent, old = TODAY - timedelta(days=40), TODAY - timedelta(days=250)
    first, second = (
        session(context, recent + timedelta(days=3), minute=3),
        session(context, recent + timedelta(days=9), minute=4),
    )

    def trained(registered: date) -> str:
        application_id = apply(context, person(context), registered)
        applications.add_training(
            context, application_id, {"part": "basic", "hours": 40, "completed_on": registered}
        )
        applications.add_training(
            context, application_id, {"part": "accounting", "hours": 20, "completed_on": registered}
        )
        return application_id

    def sit(application_id: str, held: dict, score: float | None) -> None:
        applications.register(context, held["id"], application_id)
        if score is not None:
            exam_results.record_result(
                context, {"application_id": application_id, "session_id": held["id"], "score": score}
            )

    expected = {"registered": apply(context, person(context), recent)}
    expected["training"] = apply(context, person(context), recent)
    applications.add_training(
        context, expected["training"], {"part": "basic", "hours": 8, "completed_on": recent}
    )
    expected["ready"] = trained(recent)
    expected["sat"] = apply(context, person(context), recent)
    sit(expected["sat"], first, None)
    expected["failed"] = apply(context, person(context), recent)
    sit(expected["failed"], first, 40)
    expected["retake"] = apply(context, person(context), recent)
    sit(expected["retake"], first, 40)
    sit(expected["retake"], second, None)
    expected["passed"] = apply(context, person(context), recent)
    sit(expected["passed"], first, 80)
    expected["certified"] = trained(recent)
    sit(expected["certified"], first, 80)
    result_id = applications.get(context, expected["certified"])["passed_result_id"]
    exam_results.issue_certificate(context, result_id, {"number": f"EXI-{uuid.uuid4().hex[:8]}"})
    expected["expired"] = apply(context, person(context), old)

    everything = {view["id"]: view["status"] for view in _all(context, {})}
    for status, application_id in expected.items():
        assert everything[application_id] == status
        found = {view["id"] for view in _all(context, {"status": status})}
        assert found == {i for i, s in everything.items() if s == status}, status


def test_two_simultaneous_applications_for_the_same_work_type_and_level_make_one(context):
    practitioner_id = person(context)
    outcomes: list[str] = []
    barrier = threading.Barrier(3)

    def attempt() -> None:
        barrier.wait()
        try:
            apply(context, practitioner_id, TODAY)
            outcomes.append("created")
        except RuleRefused:
            outcomes.append("refused")

    threads = [threading.Thread(target=attempt) for _ in range(3)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert sorted(outcomes) == ["created", "refused", "refused"]
    assert applications.search(context, {"practitioner_id": practitioner_id}, 1, 10)[1] == 1


def test_a_results_file_naming_the_start_in_utc_finds_the_session_stored_in_china_time(context):
    registered = TODAY - timedelta(days=12)
    held = session(context, registered + timedelta(days=2), hour=9, minute=51)
    id_card = unique_id_card()
    application_id = apply(context, person(context, name="考生己", id_card=id_card), registered)
    applications.register(context, held["id"], application_id)
    utc = held["starts_at"].astimezone(UTC).isoformat()
    data = io.BytesIO(f"身份证号,姓名,考试时间,成绩\n{id_card},考生己,{utc},64\n".encode())
    report = exam_imports.import_results(context, data, "utc.csv")
    assert (report.results_created, report.rows_invalid) == (1, 0), report.errors
