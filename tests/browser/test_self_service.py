"""A practitioner keeps their own record in the browser: visibility, declarations, availability, invitations,
their data — and the public profile follows their choices."""

from __future__ import annotations

import json
import re
from datetime import date, timedelta

from playwright.sync_api import Page, expect

from services import draws
from services import keys as api_keys
from tests.browser.conftest import log_in, screenshot


def _key_for(context, practitioner_id: str) -> str:
    key, _ = api_keys.create(context, "practitioner", "网页自助测试", practitioner_id=practitioner_id)
    return key


def test_a_practitioner_hides_a_field_and_the_public_profile_stops_showing_it(page: Page, browser, live_server,
                                                                                ids, context):  # fmt: skip
    profile = f"/practitioners/{ids['A']}"
    public = browser.new_context(base_url=live_server, locale="zh-CN")
    visitor = public.new_page()
    visitor.goto(profile)
    expect(visitor.locator("article.profile")).to_contain_text("专注水泥行业碳核查")

    log_in(page, _key_for(context, ids["A"]))
    expect(page).to_have_url(re.compile(r"/me$"))
    expect(page.get_by_test_id("me-record")).to_contain_text("张伟")
    expect(page.get_by_test_id("me-record")).to_contain_text("13800000011")  # the person sees their own phone
    page.get_by_label("简介：仅本人与管理员").check()
    page.get_by_role("button", name="保存公开范围").click()
    expect(page.get_by_test_id("me-done")).to_contain_text("公开范围已保存")
    expect(page.get_by_label("简介：仅本人与管理员")).to_be_checked()
    screenshot(page, "me")

    visitor.goto(profile)
    expect(visitor.get_by_test_id("profile-name")).to_have_text("张伟")
    expect(visitor.locator("article.profile")).not_to_contain_text("专注水泥行业碳核查")
    assert "张伟" not in visitor.title() and "张伟" not in page.title()

    page.get_by_label("简介：公开").check()
    page.get_by_role("button", name="保存公开范围").click()
    expect(page.get_by_test_id("me-done")).to_be_visible()
    visitor.goto(profile)
    expect(visitor.locator("article.profile")).to_contain_text("专注水泥行业碳核查")
    public.close()


def test_a_practitioner_declares_a_relationship_and_a_period_with_errors_in_chinese(page: Page, ids, context):
    log_in(page, _key_for(context, ids["C"]))
    page.get_by_role("button", name="登记关联关系").click()
    expect(page.locator("#organization-error")).to_have_text("此项必填。")
    expect(page.locator("#relationship-error")).to_have_text("此项必填。")
    expect(page.get_by_label("单位全称")).to_have_attribute("aria-invalid", "true")
    page.get_by_label("单位全称").fill("湖北示范水泥有限公司")
    page.get_by_label("关系", exact=True).select_option("adviser")
    page.get_by_label("开始日期").fill("2021-03-01")
    page.get_by_role("button", name="登记关联关系").click()
    expect(page.get_by_test_id("me-done")).to_contain_text("已登记关联关系")
    expect(page.get_by_test_id("declarations")).to_contain_text("湖北示范水泥有限公司")
    expect(page.get_by_test_id("declarations")).to_contain_text("顾问")

    start = date.today() + timedelta(days=10)
    page.get_by_label("第一天").fill(start.isoformat())
    page.get_by_label("最后一天").fill((start - timedelta(days=2)).isoformat())
    page.get_by_role("button", name="登记时段").click()
    expect(page.locator("#away-to-error")).to_have_text("结束日期早于开始日期。")
    page.get_by_label("最后一天").fill((start + timedelta(days=2)).isoformat())
    page.get_by_label("原因（仅本人与管理员可见）").fill("出国培训")
    page.get_by_role("button", name="登记时段").click()
    expect(page.get_by_test_id("periods")).to_contain_text("出国培训")
    page.get_by_test_id("periods").get_by_role("button", name="撤回").click()
    expect(page.get_by_test_id("me-done")).to_contain_text("已撤回")
    expect(page.get_by_test_id("periods")).not_to_contain_text("出国培训")

    with page.expect_download() as download:
        page.get_by_role("link", name="下载（JSON）").click()
    exported = json.loads(download.value.path().read_text(encoding="utf-8"))
    assert exported["practitioner"]["name"] == "王芳"


def test_a_practitioner_declines_an_invitation_only_with_a_reason_then_accepts_another(
    page: Page, ids, context, keys
):
    body = {"purpose": "policy_advice", "title": "网页邀请测试", "organization_id": ids["consultancy"],
            "work_type": "verification", "min_level": 2, "region": "420100", "specialty": "carbon_verification",
            "size": 1, "reserves": 0, "panel_date": date.today() + timedelta(days=45)}  # fmt: skip
    first = draws.create(context, body)
    second = draws.create(
        context, body | {"title": "网页邀请测试二", "panel_date": date.today() + timedelta(days=75)}
    )
    log_in(page, _key_for(context, ids["A"]))
    cards = page.get_by_test_id("invitation")
    expect(cards).to_have_count(2)
    card = cards.filter(has_text="网页邀请测试二")
    card.get_by_role("button", name="谢绝邀请").click()
    expect(page.locator(f"#invitation-{second['id']}-reason-error")).to_contain_text("谢绝时请说明原因")
    card = page.get_by_test_id("invitation").filter(has_text="网页邀请测试二")
    card.get_by_label("谢绝原因（谢绝时必填）").fill("当日已有安排")
    card.get_by_role("button", name="谢绝邀请").click()
    expect(page.get_by_test_id("me-done")).to_contain_text("已谢绝")
    card = page.get_by_test_id("invitation").filter(has_text=re.compile(r"网页邀请测试(?!二)"))
    card.get_by_role("button", name="接受邀请").click()
    expect(page.get_by_test_id("me-done")).to_contain_text("已接受")
    statuses = page.get_by_test_id("invitation-status").all_inner_texts()
    assert sorted(statuses) == ["已接受", "已谢绝"], (statuses, first["id"])

    # The accepted seat counts as a draw served in the credit summary clients see on the profile once the panel is
    # disclosed (until then the count would reveal it).
    page.get_by_role("button", name=re.compile("退出")).click()
    log_in(page, keys["client"])
    page.goto(f"/practitioners/{ids['A']}")
    expect(page.get_by_test_id("credit-draws")).to_have_text("0 次")
    draws.disclose(context, first["id"])
    page.goto(f"/practitioners/{ids['A']}")
    expect(page.get_by_test_id("credit-draws")).to_have_text("1 次")
    expect(page.get_by_test_id("credit-sanctions")).to_have_text("0 项")


def test_other_roles_cannot_open_the_self_service_pages(page: Page, keys):
    page.goto("/me")
    expect(page).to_have_url(re.compile(r"/login$"))
    log_in(page, keys["client"])
    response = page.request.get("/me")
    assert response.status == 403


def test_self_service_forms_need_their_csrf_token_and_fit_a_phone(browser, live_server, ids, context):
    phone = browser.new_context(base_url=live_server, viewport={"width": 390, "height": 844}, is_mobile=True)
    page = phone.new_page()
    log_in(page, _key_for(context, ids["C"]))
    overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
    assert overflow <= 1, overflow
    forged = page.request.post("/me/visibility", form={"visibility-bio": "private"})
    assert forged.status == 400 and "CSRF" in forged.text()
    phone.close()
