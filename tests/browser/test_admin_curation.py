"""Administrators in the browser: expert draws (create, avoidance, answers, verification) and the curation queues
(expiring certificates, declared qualifications, complaints to triage)."""

from __future__ import annotations

import re
from datetime import date, timedelta

from playwright.sync_api import Page, expect

from services import certificates, complaints, profiles
from services.credit import Caller
from tests.browser.conftest import log_in, screenshot


def test_an_admin_draws_a_panel_sees_avoidance_records_a_decline_and_verifies_it(page: Page, ids, keys):
    log_in(page, keys["admin"])
    page.goto("/admin/draws")
    page.get_by_role("button", name="抽取").click()
    expect(page.locator("#title-error")).to_have_text("此项必填。")
    page.get_by_label("用途").select_option("verification_review")
    page.get_by_label("评审事项").fill("钢铁集团核查报告复核")
    page.get_by_label("被评审单位（检查回避）").select_option(label="河北示范钢铁集团")
    page.get_by_label("工种").select_option("verification")
    page.get_by_label("抽取人数").fill("1")
    page.get_by_label("候补人数").fill("1")
    page.get_by_label("评审日期").fill((date.today() + timedelta(days=30)).isoformat())
    page.get_by_role("button", name="抽取").click()
    expect(page).to_have_url(re.compile(r"/admin/draws/[0-9a-f-]+$"))
    excluded = page.get_by_test_id("excluded")
    avoided = excluded.locator("tr", has_text="张伟").first  # 张伟 verified the steel group
    expect(avoided).to_contain_text("业务往来")
    expect(page.get_by_test_id("panel").get_by_test_id("seat")).to_have_count(1)
    screenshot(page, "admin-draw")
    panel = page.get_by_test_id("panel")
    panel.get_by_label("答复").select_option("declined")
    panel.get_by_label("说明").fill("电话确认当日出差")
    panel.get_by_role("button", name="记录").click()
    expect(page.get_by_test_id("draw-done")).to_contain_text("谢绝")
    expect(page.get_by_test_id("panel")).to_contain_text("已谢绝")
    page.get_by_role("link", name="重算并核验此次抽取").click()
    expect(page.get_by_test_id("draw-verified")).to_contain_text("核验通过")
    page.goto("/admin/draws")
    expect(page.get_by_test_id("draws")).to_contain_text("钢铁集团核查报告复核")


def test_an_admin_works_through_the_curation_queues(page: Page, ids, keys, context):
    profiles.update_own(context, ids["C"], {"qualifications": ["ccaa_ghg_verifier"]})
    lapsing = {"number": "FX-LAPSING-01", "practitioner_id": ids["J"], "work_type": "monitoring", "level": 4,
               "issued_on": date(2024, 1, 1), "expires_on": date.today() + timedelta(days=30)}  # fmt: skip
    certificates.issue(context, lapsing)
    filed = complaints.file_complaint(
        context, {"practitioner_id": ids["G"], "text": "核算报告多处数据与原始凭证不符"}, Caller(role="admin")
    )
    log_in(page, keys["admin"])
    page.goto("/admin/queues")
    expect(page.get_by_test_id("queue-qualifications")).to_contain_text("王芳")
    expect(page.get_by_test_id("queue-expiring").locator("tr", has_text="FX-LAPSING-01")).to_contain_text(
        "吴刚"
    )
    complaint = page.get_by_test_id("complaint").filter(has_text="核算报告多处数据")
    expect(complaint.get_by_test_id("complaint-status")).to_have_text("已收到")
    screenshot(page, "admin-queues")
    complaint.get_by_role("button", name="提交").click()
    expect(page.locator("[id$='-reason-error']").first).to_have_text("此项必填。")
    complaint = page.get_by_test_id("complaint").filter(has_text="核算报告多处数据")
    complaint.get_by_label("理由").fill("已受理，开始调查")
    complaint.get_by_role("button", name="提交").click()
    expect(page.get_by_test_id("queue-done")).to_contain_text("调查中")
    complaint = page.get_by_test_id("complaint").filter(has_text="核算报告多处数据")
    expect(complaint.get_by_test_id("complaint-status")).to_have_text("调查中")
    page.get_by_test_id("queue-qualifications").locator("tr", has_text="王芳").get_by_role(
        "button", name="确认"
    ).click()
    expect(page.get_by_test_id("queue-done")).to_contain_text("资格已确认")
    expect(page.get_by_test_id("queue-qualifications")).not_to_contain_text("王芳")
    assert complaints.get_complaint(context, filed["id"])["status"] == "investigating"


def test_the_admin_pages_fit_a_phone(browser, live_server, ids, keys):
    phone = browser.new_context(base_url=live_server, viewport={"width": 390, "height": 844}, is_mobile=True)
    page = phone.new_page()
    log_in(page, keys["admin"])
    for path in ("/admin/draws", "/admin/queues"):
        page.goto(path)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, (path, overflow)
    phone.close()
