"""The page views a search index keeps between requests (services/search_index/page_views.py) are the views the
graph gives: after every kind of write that changes what a page shows, in the process that wrote and in another.

The people: four level-2 monitoring experts in 西藏 (540000), a region no other suite uses.
"""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta

import pytest

from graph import views
from graph.search import SearchFilters
from services import certificates, draws, organizations, personal_data, practitioners, profiles
from services.search_index import SearchIndex
from tests.support import unique_id_card

TODAY = date.today()
REGION = "540000"
FILTERS = SearchFilters(region=REGION, work_type="monitoring", min_level=2)


def page(index: SearchIndex, graph, today: date = TODAY) -> list[dict]:
    """Everyone the filters find, as the search answer shows them (views kept by `index` or read now)."""

    def work(tx):
        found = index.search(FILTERS, today=today, per_page=100, sort="name", tx=tx)
        return found, index.views(tx, found.ids, today)

    found, shown = graph.write(work)
    assert found.total == len(found.ids) <= 100
    return views.in_order(shown, found.ids)


def fresh(graph, shown: list[dict], today: date = TODAY) -> list[dict]:
    ids = [view["id"] for view in shown]
    return views.in_order(graph.read(lambda tx: views.practitioners(tx, ids, today)), ids)


def _certificate(context, holder: str, level: int = 2) -> str:
    number = f"PV-{uuid.uuid4().hex[:10].upper()}"
    certificates.issue(context, {"number": number, "practitioner_id": holder, "work_type": "monitoring",
                                 "level": level, "issued_on": date(2023, 3, 1)})  # fmt: skip
    return number


@pytest.fixture(scope="module")
def people(context) -> dict[str, str]:
    employer = organizations.create(
        context, {"name": "页面视图测试监测站", "kind": "enterprise", "region": REGION}
    )
    ids = {"employer": employer["id"]}
    for name in ("甲", "乙", "丙", "丁"):
        person = practitioners.register(context, {
            "name": f"视图{name}", "id_card": unique_id_card(), "region": REGION, "education": "master",
            "employer_id": employer["id"], "bio": "高原监测",
        })  # fmt: skip
        ids[name] = person["id"]
        ids[f"{name}-certificate"] = _certificate(context, person["id"])
    return ids


@pytest.fixture()
def two_processes(graph, people) -> tuple[SearchIndex, SearchIndex]:
    """Two API processes' indexes over the same graph, each keeping the page's views before the write."""
    indexes = (SearchIndex(graph), SearchIndex(graph))
    for index in indexes:
        index.build(TODAY)
        page(index, graph)
    return indexes


def _rename_employer(context, people):
    organizations.update(context, people["employer"], {"name": f"更名监测站{uuid.uuid4().hex[:6]}"})
    return [people[name] for name in ("甲", "乙", "丙", "丁")]


def _change_employer_kind(context, people):
    before = organizations.get(context, people["employer"])["kind"]
    kind = "consultancy" if before != "consultancy" else "enterprise"
    organizations.update(context, people["employer"], {"kind": kind})
    return [people["甲"]]


def _move_to_another_employer(context, people):
    other = organizations.create(context, {"name": f"新东家{uuid.uuid4().hex[:6]}", "kind": "consultancy"})
    practitioners.update(context, people["乙"], {"employer_id": other["id"]})
    return [people["乙"]]


def _issue_a_certificate(context, people):
    _certificate(context, people["丙"], level=3)
    return [people["丙"]]


def _suspend_a_certificate(context, people):
    number = _certificate(context, people["丙"], level=1)
    certificates.change_status(context, number, "suspend", "page view test")
    return [people["丙"]]


def _edit_the_bio_oneself(context, people):
    profiles.update_own(context, people["丁"], {"bio": f"自述{uuid.uuid4().hex[:6]}"})
    return [people["丁"]]


def _claim_and_confirm_a_qualification(context, people):
    profiles.update_own(context, people["甲"], {"qualifications": ["ccaa_ghg_verifier"]})
    profiles.confirm_qualification(context, people["甲"], "ccaa_ghg_verifier")
    return [people["甲"]]


def _accept_a_panel_seat(context, people):
    # A panel day in a year of its own per run, so the yearly seat cap never refuses the draw.
    panel_date = date(TODAY.year + 2, 3, 1) + timedelta(days=uuid.uuid4().int % 300)
    drawn = draws.create(context, {
        "purpose": "policy_advice", "title": "页面视图抽取", "work_type": "monitoring", "min_level": 2,
        "region": REGION, "size": 1, "reserves": 0, "panel_date": panel_date, "exclusions": [],
    })  # fmt: skip
    seat = next(s for s in drawn["seats"] if s["role"] == "panel")
    person = seat["practitioner"]["id"]
    draws.respond(context, drawn["id"], {"practitioner_id": person, "response": "accepted"},
                  now=datetime.now(UTC))  # fmt: skip
    return [person]


def _request_deletion(context, people):
    person = practitioners.register(context, {
        "name": "视图将删", "id_card": unique_id_card(), "region": REGION, "employer_id": people["employer"],
    })  # fmt: skip
    _certificate(context, person["id"])
    return [person["id"]], lambda: personal_data.request_deletion(context, person["id"])


CHANGES = [
    _rename_employer, _change_employer_kind, _move_to_another_employer, _issue_a_certificate,
    _suspend_a_certificate, _edit_the_bio_oneself, _claim_and_confirm_a_qualification, _accept_a_panel_seat,
]  # fmt: skip


@pytest.mark.parametrize("change", CHANGES, ids=[c.__name__.strip("_") for c in CHANGES])
def test_a_kept_view_is_never_served_after_a_write_changes_it(graph, context, people, two_processes, change):
    before = {view["id"]: view for view in page(two_processes[0], graph)}
    changed = change(context, people)
    for index in two_processes:
        shown = page(index, graph)
        assert shown == fresh(graph, shown)
        for person in changed:
            now = next(view for view in shown if view["id"] == person)
            assert now != before.get(person)  # the write did change what the page shows


def test_views_are_served_from_what_was_kept_until_a_write_changes_them(
    graph, context, people, two_processes
):
    index = two_processes[0]
    kept = page(index, graph)
    hits = index.page_views.status()["hits"]
    assert page(index, graph) == kept == fresh(graph, kept)
    assert index.page_views.status()["hits"] == hits + len(kept)  # nobody read again
    changed = _edit_the_bio_oneself(context, people)
    misses = index.page_views.status()["misses"]
    page(index, graph)
    assert index.page_views.status()["misses"] == misses + len(changed)  # only the changed person read again


def test_a_person_who_asks_for_deletion_leaves_the_kept_pages(graph, context, people):
    added, delete = _request_deletion(context, people)
    index = SearchIndex(graph)
    index.build(TODAY)
    assert added[0] in {view["id"] for view in page(index, graph)}
    delete()
    shown = page(index, graph)
    assert added[0] not in {view["id"] for view in shown}
    assert shown == fresh(graph, shown)


def test_views_are_kept_for_the_day_they_were_read_for(graph, context, people):
    index = SearchIndex(graph)
    index.build(TODAY)
    number = f"PV-{uuid.uuid4().hex[:10].upper()}"
    certificates.issue(context, {"number": number, "practitioner_id": people["丁"], "work_type": "accounting",
                                 "level": 3, "issued_on": TODAY, "expires_on": TODAY + timedelta(days=30)})  # fmt: skip
    later = TODAY + timedelta(days=400)
    for _ in range(2):  # read, then kept
        today_page, later_page = page(index, graph), page(index, graph, later)
        assert today_page == fresh(graph, today_page)
        assert later_page == fresh(graph, later_page, later)

    def status(shown):
        person = next(view for view in shown if view["id"] == people["丁"])
        return next(c["status"] for c in person["certificates"] if c["number"] == number)

    assert (status(today_page), status(later_page)) == ("valid", "expired")
