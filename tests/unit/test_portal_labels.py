"""The draw page's Chinese for the registry's English: avoidance facts as registry/draws.py writes them, and every
rule's source (issue 22 item 15)."""

from __future__ import annotations

import re

import pytest

from registry.draw_record import employer_clash
from registry.draw_rules import RULE_CODES
from web import labels

FACTS = {
    "employed by the organization currently (window 3 years)": "受雇于被评审单位（目前仍在；回避期 3 年）",
    "employed by the organization until 2024-05-01 (window 3 years)": "受雇于被评审单位（至 2024-05-01；回避期 3 年）",
    "engagement e-1 for the organization, ended 2025-01-31": "为被评审单位承担项目 e-1（2025-01-31 结束）",
    "engagement e-1 for the organization, not ended": "为被评审单位承担项目 e-1（尚未结束）",
    "declared employment by the organization (ongoing), declaration d-1": "申报受雇于被评审单位（持续中），申报 d-1",
    "declared director of the organization (until 2025-02-02), d-2":
        "申报与被评审单位的关系：董事（至 2025-02-02），申报 d-2",
    "certificate FX-1 is revoked": "证书 FX-1 已撤销",
    "bar s-1 active on 2026-03-01 (until indefinite)": "禁止参加抽取与专家库 s-1 于 2026-03-01 有效（无期限）",
    "unavailable 2026-03-01 to 2026-03-05": "2026-03-01 至 2026-03-05 无法到场",
    "on the panel of draw x-1 on 2026-03-02": "2026-03-02 已在抽取 x-1 的评审组中",
    "6 panel seats in 2026; the cap is 6 a year": "2026 年已参加评审 6 次，每年上限 6 次",
    "deadline passed": "已过答复期限",
}  # fmt: skip


@pytest.mark.parametrize(("english", "chinese"), FACTS.items())
def test_an_avoidance_fact_reads_in_chinese(english, chinese):
    assert labels.avoidance_fact(english) == chinese


def test_a_same_employer_skip_names_the_employer_and_the_expert_in_chinese():
    clash = employer_clash(["org-1"], {"org-1": ("p-1", 2)})
    assert labels.avoidance_fact(clash) == "同一单位 org-1 已有专家 p-1 入选本次抽取（顺序 2）"


def test_free_text_such_as_a_reason_is_shown_as_written():
    assert labels.avoidance_fact("电话确认当日出差") == "电话确认当日出差"
    assert labels.avoidance_fact(None) == ""


def test_every_avoidance_rule_has_a_source_in_chinese():
    for code in RULE_CODES:
        source = labels.rule_source(code)
        assert source and not re.search(r"[A-Za-z]{3,}", source), (code, source)
