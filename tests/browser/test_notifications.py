"""The notification count in the portal's header follows what a practitioner reads."""

from __future__ import annotations

import re

from playwright.sync_api import Page, expect

from services import keys as api_keys
from services import notifications, practitioners
from tests.browser.conftest import log_in
from tests.support import unique_id_card


def test_the_header_counts_unread_notifications_and_reading_one_lowers_it(page: Page, context, graph):
    person = practitioners.register(context, {"name": "通知读者", "id_card": unique_id_card()})["id"]
    for number in ("B-1", "B-2"):
        data = {"number": number, "work_type_name": "碳排放核算员", "level_name": "三级",
                "expires_on": "2027-03-01", "days": 30}  # fmt: skip
        graph.write(lambda tx, d=data: notifications.enqueue(tx, person, "certificate_expiring", d))
    key, _ = api_keys.create(context, "practitioner", "通知测试", practitioner_id=person)
    log_in(page, key)
    expect(page).to_have_url(re.compile(r"/me$"))
    expect(page.get_by_test_id("unread-count")).to_have_text("2")
    page.get_by_test_id("notifications-link").click()
    expect(page.get_by_test_id("notification")).to_have_count(2)
    page.get_by_test_id("mark-read").first.click()
    expect(page.get_by_test_id("unread-count")).to_have_text("1")
    page.get_by_test_id("mark-read").first.click()
    expect(page.get_by_test_id("unread-count")).to_have_count(0)
    expect(page.get_by_test_id("unread-total")).to_have_text("0")
