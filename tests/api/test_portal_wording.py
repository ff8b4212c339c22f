"""What the portal's pages say, in Chinese: people with no province, a draw's avoidance facts and their sources,
and what the showcase's counts leave out (issue 22 item 15)."""

from __future__ import annotations

import html
import json
import re
from dataclasses import replace
from datetime import date, timedelta

import pytest

from services.statistics import cache_for


@pytest.fixture(autouse=True)
def exact_statistics(app):
    """Dashboards wait for the snapshot of the latest write."""
    cache = cache_for(app.extensions["graph"])
    cache.settings = replace(cache.settings, refresh="sync")


def visitor(app, key: str | None = None):
    """A browser on the portal: anonymous, or logged in with `key`."""
    browser = app.test_client()
    if key is not None:
        form = browser.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
        assert browser.post("/login", data={"key": key, "csrf_token": token}).status_code == 302
    return browser


def chart_option(page: str, element_id: str) -> dict:
    found = re.search(rf'id="{element_id}" class="chart" data-chart="([^"]*)"', page)
    assert found, element_id
    return json.loads(html.unescape(found.group(1)))


def section(page: str, test_id: str) -> str:
    """The text of the element with this data-testid, tags stripped."""
    found = re.search(rf'data-testid="{test_id}"[^>]*>(.*?)</(?:table|span|p|section|ol)>', page, re.S)
    assert found, test_id
    return re.sub(r"<[^>]+>", " ", found.group(1))


def test_people_with_no_province_are_named_未注明地区_and_left_out_of_the_coverage_chart(
    app, keys, ids, new_practitioner, issue
):
    nowhere = new_practitioner()  # registered without a region
    issue(nowhere["id"], "verification", 3)
    page = visitor(app, keys["admin"]).get("/dashboards").get_data(as_text=True)

    supply = chart_option(page, "stat-supply-provinces")["yAxis"]["data"]
    assert "未注明地区" in supply and None not in supply and "None" not in supply
    coverage = chart_option(page, "stat-coverage")["yAxis"]["data"]
    assert coverage and None not in coverage and "未注明地区" not in coverage
    assert "未注明地区" in section(page, "stat-coverage-table")  # the table keeps the row, named
    assert ">None<" not in page


def test_the_draw_page_says_avoidance_facts_and_their_sources_in_chinese(app, client, admin, keys, ids):
    body = {
        "purpose": "verification_review", "title": "钢铁集团核查报告复核", "organization_id": ids["steel"],
        "work_type": "verification", "size": 1, "reserves": 1,
        "panel_date": (date.today() + timedelta(days=30)).isoformat(),
    }  # fmt: skip
    created = client.post("/api/v1/draws", json=body, headers=admin)
    assert created.status_code == 201, created.get_json()
    draw = created.get_json()
    by_rule = {x["rule"]: x["detail"] for x in draw["excluded"]}
    assert by_rule["engagement"].startswith("engagement ")  # the API keeps the registry's English
    assert by_rule["certificate_status"].endswith(" is suspended")

    page = visitor(app, keys["admin"]).get(f"/admin/draws/{draw['id']}").get_data(as_text=True)
    avoidance = section(page, "excluded")
    assert "为被评审单位承担项目" in avoidance and "已暂停" in avoidance
    assert "《政府采购法实施条例》第九条第（五）项" in avoidance
    assert "for the organization" not in avoidance and " is suspended" not in avoidance
    assert "art. 9" not in avoidance and "brochure" not in avoidance and "registry rule" not in avoidance
    events = section(page, "events")
    assert "业务往来" in events and "for the organization" not in events


def test_a_visitor_who_sees_only_consenting_people_is_told_so_with_the_whole_pool(app, keys, ids):
    public = visitor(app)
    home = public.get("/").get_data(as_text=True)
    talent = re.search(r'data-testid="talent-size">(\d+)<', home).group(1)
    expert = re.search(r'data-testid="expert-size">(\d+)<', home).group(1)

    note = section(public.get("/talent").get_data(as_text=True), "showcase-note")
    assert "仅显示同意公开展示的人员" in note and f"人才库共 {talent} 人" in note
    note = section(public.get("/experts").get_data(as_text=True), "showcase-note")
    assert "仅显示同意公开展示的人员" in note and f"专家库共 {expert} 人" in note
    note = section(public.get("/search").get_data(as_text=True), "showcase-note")
    assert f"人才库共 {talent} 人" in note and f"专家库共 {expert} 人" in note

    seen_by_client = visitor(app, keys["client"]).get("/talent").get_data(as_text=True)
    assert 'data-testid="total"' in seen_by_client and "showcase-note" not in seen_by_client
