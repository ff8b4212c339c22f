"""The portal's main journeys in Debian's chromium: verify, search and facets, profiles, charts, admin, CSRF."""

from __future__ import annotations

import re

import openpyxl
from playwright.sync_api import Page, expect

from tests.browser.conftest import log_in, screenshot
from tests.import_files import HEADERS_ZH, csv_bytes, mixed_rows


def test_anyone_verifies_a_certificate_and_sees_the_holder_masked_with_a_qr_code(page: Page, ids):
    page.goto("/")
    screenshot(page, "home")
    page.get_by_role("link", name="证书查询").first.click()
    page.get_by_label("证书编号").fill(ids["A:verification"])
    page.get_by_label("持证人姓名").fill("张伟")
    page.get_by_role("button", name="查询").click()
    result = page.get_by_test_id("verify-result")
    expect(result).to_contain_text("有效")
    expect(result).to_contain_text("张*")
    expect(result).not_to_contain_text("张伟")
    qr = result.get_by_role("img", name="扫码打开此证书的查验页面")
    expect(qr).to_be_visible()
    page.wait_for_function("img => img.complete && img.naturalWidth > 0", arg=qr.element_handle())
    assert "张伟" not in page.url  # the name is posted, never put in a URL
    screenshot(page, "verify")


def test_a_wrong_name_and_an_empty_form_answer_in_chinese_next_to_the_fields(page: Page, ids):
    page.goto("/verify")
    page.get_by_role("button", name="查询").click()
    expect(page.locator("#number-error")).to_have_text("此项必填。")
    expect(page.get_by_label("证书编号")).to_have_attribute("aria-invalid", "true")
    page.get_by_label("证书编号").fill(ids["A:verification"])
    page.get_by_label("持证人姓名").fill("李四")
    page.get_by_role("button", name="查询").click()
    expect(page.get_by_test_id("verify-missing")).to_be_visible()


def test_search_a_facet_narrows_the_results_paging_keeps_the_state_and_a_card_opens_the_profile(
    page: Page, ids, keys
):
    log_in(page, keys["client"])
    page.goto("/search?per_page=3&sort=name")
    expect(page.get_by_test_id("total")).to_contain_text("10")
    screenshot(page, "search")
    page.get_by_role("navigation", name="分页").get_by_role("link", name="2").click()
    expect(page).to_have_url(re.compile(r"page=2"))
    expect(page.get_by_test_id("result-card")).to_have_count(3)
    page.locator("a[data-facet=work_type]", has_text="碳排放核查员").click()
    expect(page).to_have_url(re.compile(r"work_type=verification"))
    expect(page).not_to_have_url(re.compile(r"page=2"))
    expect(page.get_by_test_id("total")).to_contain_text("5")
    page.get_by_role("link", name="张伟").click()
    expect(page.get_by_test_id("profile-name")).to_have_text("张伟")
    expect(page.get_by_test_id("certificates")).to_contain_text("碳排放核查员")
    expect(page.locator("#neighbourhood canvas").first).to_be_visible()
    screenshot(page, "profile")


def test_the_public_sees_only_the_consenting_showcase(page: Page, ids):
    page.goto("/search")
    expect(page.get_by_test_id("total")).to_contain_text("2")  # 张伟 and 王芳 consented
    page.goto(f"/practitioners/{ids['B']}")
    expect(page.get_by_test_id("error-page")).to_contain_text("页面不存在")


def _painted(page: Page, test_id: str) -> bool:
    canvas = page.get_by_test_id(test_id).locator("canvas").first
    expect(canvas).to_be_visible()
    return page.evaluate(
        """canvas => { const d = canvas.getContext('2d').getImageData(0, 0, canvas.width, canvas.height).data;
                       for (let i = 3; i < d.length; i += 4) { if (d[i] > 0) return true; } return false; }""",
        canvas.element_handle(),
    )


def test_the_dashboard_draws_its_charts(page: Page, ids):
    page.goto("/dashboards")
    for chart in ("provinces", "work_types", "levels"):
        assert _painted(page, f"chart-{chart}"), chart
    expect(page.get_by_role("link", name="下载 CSV").first).to_have_attribute("href", re.compile(r"\.csv$"))
    expect(page.get_by_test_id("stat-supply-provinces")).to_have_count(0)  # statistics need a key
    screenshot(page, "dashboards")


def test_government_sees_the_statistics_charts_and_downloads_their_data(page: Page, ids, keys):
    log_in(page, keys["government"])
    page.goto("/dashboards")
    for chart in ("supply-provinces", "work-type-level", "trends", "coverage", "expiring"):
        assert _painted(page, f"stat-{chart}"), chart
    href = page.get_by_test_id("stat-supply-provinces-csv").get_attribute("href")
    download = page.request.get(href)
    assert download.status == 200 and download.headers["content-type"].startswith("text/csv")
    assert "有效持证人数" in download.body().decode("utf-8-sig")
    xlsx = page.request.get(href.replace(".csv", ".xlsx"))
    assert xlsx.status == 200 and xlsx.body()[:2] == b"PK"
    anonymous = page.context.browser.new_context(base_url=page.url.split("/dashboards")[0])
    assert anonymous.request.get(href).status == 401
    anonymous.close()


def test_a_client_sees_only_the_public_statistics(page: Page, ids, keys):
    log_in(page, keys["client"])
    page.goto("/dashboards")
    assert _painted(page, "stat-supply-provinces")
    expect(page.get_by_test_id("stat-trends")).to_have_count(0)
    assert page.request.get("/dashboards/statistics/trends/periods.csv").status == 403


def test_an_admin_sees_the_statistics_unsuppressed(page: Page, ids, keys):
    log_in(page, keys["admin"])
    page.goto("/dashboards")
    assert _painted(page, "stat-work-type-level")
    expect(page.get_by_text("已隐藏")).to_have_count(0)
    screenshot(page, "dashboards-statistics")


def test_an_admin_revokes_a_certificate_and_sees_the_expert_pool_shrink(page: Page, ids, keys):
    log_in(page, keys["admin"])
    expect(page).to_have_url(re.compile(r"/admin$"))
    before = int(page.get_by_test_id("admin-expert-size").inner_text())
    page.goto(f"/admin/practitioners/{ids['H']}")
    number = ids["H:verification"]
    page.get_by_label("撤销原因").fill("核查报告数据造假")
    page.locator(f"form[action$='/{number}/revoke'] button").click()
    expect(page.get_by_test_id("action-done")).to_contain_text("已撤销")
    expect(page.get_by_test_id(f"status-{number}")).to_have_text("撤销")
    screenshot(page, "admin-practitioner")
    page.goto("/admin")
    expect(page.get_by_test_id("admin-expert-size")).to_have_text(str(before - 1))


def test_a_form_post_without_its_csrf_token_is_refused(page: Page, ids, keys):
    log_in(page, keys["admin"])
    response = page.request.post(f"/admin/certificates/{ids['A:verification']}/suspend",
                                 form={"reason": "伪造请求", "holder": ids["A"]})  # fmt: skip
    assert response.status == 400
    assert "CSRF" in response.text()
    page.goto(f"/admin/practitioners/{ids['A']}")
    expect(page.get_by_test_id(f"status-{ids['A:verification']}")).to_have_text("有效")
    anonymous = page.request.post("/login", form={"key": keys["admin"]})
    assert anonymous.status == 400


def test_the_session_cookie_is_httponly_and_strict_and_logout_ends_it(page: Page, keys):
    log_in(page, keys["admin"])
    cookie = next(c for c in page.context.cookies() if c["name"] == "cmr_session")
    assert cookie["httpOnly"] is True and cookie["sameSite"] == "Strict"
    page.get_by_role("button", name=re.compile("退出")).click()
    page.goto("/admin")
    expect(page).to_have_url(re.compile(r"/login$"))


def test_pages_fit_a_phone_screen(browser, live_server, ids):
    context = browser.new_context(
        base_url=live_server, viewport={"width": 390, "height": 844}, is_mobile=True
    )
    page = context.new_page()
    for path in ("/", "/verify", "/search", "/dashboards"):
        page.goto(path)
        overflow = page.evaluate("document.documentElement.scrollWidth - window.innerWidth")
        assert overflow <= 1, (path, overflow)
    context.close()


def test_an_admin_imports_a_spreadsheet_and_sees_the_bad_rows_reported(page: Page, keys, tmp_path):
    rows, _ = mixed_rows("WEBIMP")
    upload = tmp_path / "导入.csv"
    upload.write_bytes(csv_bytes(HEADERS_ZH, rows))
    log_in(page, keys["admin"])
    page.goto("/admin/imports")
    page.get_by_label("导入文件").set_input_files(str(upload))
    page.get_by_role("button", name="导入", exact=True).click()
    report = page.get_by_test_id("import-report")
    expect(report).to_be_visible()
    expect(page.get_by_test_id("created-certificates")).to_have_text("3")  # the three good certificates
    errors = page.get_by_test_id("import-errors")
    expect(errors).to_contain_text("ID card check character is wrong")
    assert int(page.get_by_test_id("rows-rejected").inner_text()) >= 3
    screenshot(page, "admin-import")
    with page.expect_download() as download:
        page.get_by_role("button", name="下载错误清单（XLSX）").click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    assert saved.suffix == ".xlsx"
    workbook = openpyxl.load_workbook(saved)
    header, *lines = list(workbook.active.values)
    assert header == ("行号", "列", "内容", "原因")
    assert len(lines) >= 3
