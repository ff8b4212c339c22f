"""诚信风险 in the browser (issue 23 §4): a government user opens a finding from the queue, sees its evidence drawn by
ECharts (a canvas, with the finding's people, organizations and engagements as nodes) and decides it."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from services import integrity
from tests import integrity_graph
from tests.browser.conftest import log_in, screenshot


@pytest.fixture(scope="module")
def planted(app, as_role, context):
    found = integrity_graph.build(app.test_client(), as_role("admin"))
    integrity.scan(context)
    return found


def test_a_supervisor_opens_a_finding_sees_its_evidence_graph_and_decides_it(
    page: Page, keys, context, planted
):
    [finding] = integrity.list(context, {"kind": "familiar_pair", "person": planted["F1"]}, 1, 5).items
    log_in(page, keys["government"])
    page.get_by_role("link", name="诚信风险").click()
    expect(page).to_have_url(re.compile(r"/integrity$"))
    page.get_by_label("类型").select_option("familiar_pair")
    page.get_by_role("button", name="筛选").click()
    expect(page.get_by_test_id("findings")).to_contain_text("熟面孔")
    page.locator(f'a[href="/integrity/findings/{finding["id"]}"]').click()
    expect(page.locator("h1")).to_have_text("熟面孔")

    graph = page.get_by_test_id("finding-graph")
    expect(graph.locator("canvas")).to_have_count(1)
    drawn = page.evaluate(
        """() => {
            const chart = echarts.getInstanceByDom(document.getElementById("finding-graph"));
            const series = chart.getOption().series[0];
            return {nodes: series.data.map(n => n.id), links: series.links.length};
        }"""
    )
    engagements = {planted[f"E_F1_{year}"] for year in (2022, 2023, 2024)}
    assert {planted["F1"], planted["FC"]} | engagements <= set(drawn["nodes"])
    assert drawn["links"] == 6  # F1 verified each of the three, each for FC
    box = graph.bounding_box()
    assert box and box["height"] >= 300 and box["width"] >= 300
    screenshot(page, "integrity-finding")

    page.get_by_label("处理结果").select_option("dismissed")
    page.get_by_role("button", name="提交").click()
    expect(page.locator("#d-reason-error")).to_have_text("此项必填。")  # the reason is required, in Chinese
    page.get_by_label("处理结果").select_option("dismissed")
    page.get_by_label("理由（必填）").fill("轮换已于 2025 年落实，另有核查机构承接")
    page.get_by_role("button", name="提交").click()
    expect(page.get_by_test_id("finding-done")).to_have_text("已处理：已排除")
    expect(page.get_by_test_id("finding-status")).to_have_text("已排除")
    expect(page.get_by_test_id("finding-decisions")).to_contain_text("轮换已于 2025 年落实")
    assert integrity.get(context, finding["id"])["status"] == "dismissed"
