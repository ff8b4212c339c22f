"""The admin queues (graph/curation.py), read a page at a time from indexes, against the straightforward reading
of the whole graph: every page put together is the whole queue in its order, and each total is its length —
a deleted person's certificates and qualifications left out, complaints received before those under
investigation. And the portal page pages them."""

from __future__ import annotations

import re
import uuid
from datetime import date, timedelta

import pytest

from graph import curation
from services import certificates, complaints, practitioners, profiles
from services.credit import Caller
from tests.support import unique_id_card

TODAY = date.today()
UNTIL = TODAY + timedelta(days=90)

DIRECT_EXPIRING = """
MATCH (p:Practitioner)-[:HOLDS]->(c:Certificate)
WHERE c.status = 'valid' AND c.expires_on >= $today AND c.expires_on <= $until
  AND coalesce(p.status, 'active') <> 'deleted'
RETURN c.number AS number ORDER BY c.expires_on, c.number
"""
DIRECT_DECLARED = """
MATCH (p:Practitioner)-[h:HAS_QUALIFICATION]->(q:Qualification)
WHERE h.status = 'declared' AND coalesce(p.status, 'active') <> 'deleted'
RETURN p.id AS id, q.code AS code ORDER BY h.declared_at, p.id, q.code
"""
DIRECT_COMPLAINTS = """
MATCH (c:Complaint) WHERE c.status IN ['received', 'investigating']
RETURN c.id AS id ORDER BY CASE c.status WHEN 'received' THEN 0 ELSE 1 END, c.created_at DESC, c.id
"""


def _person(context) -> str:
    body = {"name": "待办", "id_card": unique_id_card(), "education": "bachelor", "work_start_year": 2014}
    return practitioners.register(context, body)["id"]


@pytest.fixture(scope="module")
def queued(context) -> dict[str, list[str]]:
    """Expiring certificates (some on one day), declared qualifications and complaints in both open states; one
    holder deleted afterwards."""
    people = [_person(context) for _ in range(4)]
    for n in range(7):
        certificates.issue(context, {
            "number": f"QUEUE-{uuid.uuid4().hex[:8]}", "practitioner_id": people[n % 4], "work_type": "monitoring",
            "level": 4, "issued_on": date(2024, 1, 1), "expires_on": TODAY + timedelta(days=(n % 3) * 20),
        })  # fmt: skip
    for person in people[:3]:
        profiles.update_own(context, person, {"qualifications": ["ccaa_ghg_verifier", "carbon_verifier"]})
    filed = [
        complaints.file_complaint(
            context, {"practitioner_id": people[n % 4], "text": f"投诉 {n}"}, Caller(role="admin")
        )
        for n in range(5)
    ]
    for complaint in filed[:2]:
        complaints.decide_complaint(context, complaint["id"], {"status": "investigating", "reason": "受理"})
    practitioners.soft_delete(context, people[3])
    return {"people": people}


def _paged(read, limit: int) -> tuple[list, int]:
    everything, skip = [], 0
    while True:
        items, total = read(limit, skip)
        everything += items
        if not items:
            return everything, total
        skip += limit


def _rows(context, query: str) -> list[dict]:
    records, _, _ = context.graph.driver.execute_query(query, today=TODAY, until=UNTIL)
    return [record.data() for record in records]


@pytest.mark.parametrize("limit", [1, 3, 50])
def test_the_pages_of_each_queue_put_together_are_the_whole_queue_in_order(context, queued, limit):
    expiring, total = _paged(lambda n, s: context.graph.read(curation.expiring, TODAY, UNTIL, n, s), limit)
    direct = [row["number"] for row in _rows(context, DIRECT_EXPIRING)]
    assert [item["number"] for item in expiring] == direct and total == len(direct)
    assert len(direct) >= 5  # the fixture's, less the deleted holder's

    declared, total = _paged(lambda n, s: context.graph.read(curation.declared_qualifications, n, s), limit)
    direct_declared = [(row["id"], row["code"]) for row in _rows(context, DIRECT_DECLARED)]
    assert [(item["practitioner"]["id"], item["code"]) for item in declared] == direct_declared
    assert total == len(direct_declared) >= 6

    open_complaints, total = _paged(lambda n, s: context.graph.read(curation.open_complaints, n, s), limit)
    direct_ids = [row["id"] for row in _rows(context, DIRECT_COMPLAINTS)]
    assert [item["id"] for item in open_complaints] == direct_ids and total == len(direct_ids) >= 5


def test_a_deleted_persons_certificates_leave_the_expiring_queue_and_its_total(context, queued):
    deleted = queued["people"][3]
    items, total = context.graph.read(curation.expiring, TODAY, UNTIL, 1000, 0)
    assert all(item["practitioner"]["id"] != deleted for item in items)
    assert total == len(items)


def test_the_portal_page_pages_the_queues_and_reads_a_bad_page_number_as_the_first(app, keys, queued):
    browser = app.test_client()
    form = browser.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    assert browser.post("/login", data={"key": keys["admin"], "csrf_token": token}).status_code == 302
    first = browser.get("/admin/queues").get_data(as_text=True)
    assert browser.get("/admin/queues?page=abc").get_data(as_text=True).count('data-testid="complaint"') == (
        first.count('data-testid="complaint"')
    )
    assert "待处理的投诉" in first
    assert browser.get("/admin/queues?page=99999").status_code == 200
