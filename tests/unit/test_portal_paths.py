"""Conflict paths and findings as the portal says and draws them (issue 23): a path as one Chinese chain, each
rule's name and source in Chinese, and a finding's evidence graph that never shows a hidden node's id or name."""

from __future__ import annotations

import json
import re

import pytest

from registry.conflicts import KIND_CODES
from registry.integrity import KIND_CODES as FINDING_KINDS
from web import labels
from web.integrity import evidence_graph

ZHANG = {"type": "Practitioner", "id": "p-1", "name": "张三"}
PLANT = {"type": "Organization", "id": "o-1", "name": "某电厂"}
GROUP = {"type": "Organization", "id": "o-2", "name": "某集团"}
SISTER = {"type": "Organization", "id": "o-3", "name": "某二厂"}
JOB = {"type": "Engagement", "id": "e-1", "name": "2024 年度核查"}
FIRM = {"type": "Organization", "id": "o-4", "name": "某咨询公司"}


def step(source: dict, rel: str, target: dict) -> dict:
    return {"from": source, "rel": rel, "to": target, "since": None, "until": None}


@pytest.mark.parametrize(
    ("path", "chain"),
    [
        (
            [step(ZHANG, "EMPLOYED_BY", PLANT), step(PLANT, "CONTROLLED_BY", GROUP)],
            "张三 —任职于→ 某电厂 —隶属于→ 某集团",
        ),
        (
            [
                step(ZHANG, "EMPLOYED_BY", SISTER),
                step(SISTER, "CONTROLLED_BY", GROUP),
                step(PLANT, "CONTROLLED_BY", GROUP),
            ],
            "张三 —任职于→ 某二厂 —隶属于→ 某集团 —控股→ 某电厂",
        ),
        (
            [
                step(ZHANG, "EMPLOYED_BY", FIRM),
                step(JOB, "PERFORMED_BY", FIRM),
                step(JOB, "FOR_CLIENT", PLANT),
            ],
            "张三 —任职于→ 某咨询公司 ←承担机构— 2024 年度核查 —委托方→ 某电厂",
        ),
        (
            [
                step({"type": "Practitioner", "hidden": True}, "WORKED_ON", JOB),
                step(JOB, "FOR_CLIENT", PLANT),
            ],
            "（不公开的人员） —参与→ 2024 年度核查 —委托方→ 某电厂",
        ),
        ([step(ZHANG, "DECLARED", PLANT)], "张三 —申报→ 某电厂"),
        ([], ""),
    ],
)
def test_a_path_reads_as_one_chinese_chain(path, chain):
    assert labels.path_chain(path) == chain


def test_a_path_sealed_in_a_draw_record_as_json_text_reads_the_same():
    path = [step(ZHANG, "EMPLOYED_BY", PLANT), step(PLANT, "CONTROLLED_BY", GROUP)]
    assert labels.path_chain(json.dumps(path, ensure_ascii=False)) == "张三 —任职于→ 某电厂 —隶属于→ 某集团"


def test_every_conflict_rule_has_a_chinese_name_and_source_and_no_english_article():
    for code in KIND_CODES:
        assert labels.conflict_rule(code) != code
        source = labels.rule_source(code)
        assert source and "art." not in source and "impartiality" not in source


def test_a_conflict_detail_in_the_event_log_names_its_relations_in_chinese():
    said = labels.avoidance_fact("集团内劳动关系: EMPLOYED_BY 某电厂 · CONTROLLED_BY 某集团")
    assert said == "集团内劳动关系：任职于 某电厂；隶属于 某集团"


def test_every_finding_kind_and_status_is_named_in_chinese():
    for code in FINDING_KINDS:
        assert re.fullmatch(r"[\u4e00-\u9fff]+", labels.FINDING_KINDS[code]), code
    assert labels.FILTERS["finding_status"]("dismissed") == "已排除"


def _finding(kind: str, evidence: dict, **subjects) -> dict:
    return {"id": "f-1", "kind": kind, "evidence": evidence, "practitioners": subjects.get("people", []),
            "organizations": subjects.get("organizations", []), "engagements": subjects.get("engagements", [])}  # fmt: skip


def test_a_familiar_pair_ties_the_verifier_to_each_engagement_and_each_engagement_to_the_client():
    finding = _finding(
        "familiar_pair",
        {"verifier": {"type": "practitioner", "id": "p-1"}, "client_id": "o-1", "engagement_ids": ["e-1", "e-2"]},
        people=[{"id": "p-1", "name": "张三"}], organizations=[{"id": "o-1", "name": "某电厂"}],
        engagements=[{"id": "e-1", "title": "2023 年度核查"}, {"id": "e-2", "title": "2024 年度核查"}],
    )  # fmt: skip
    drawn = evidence_graph(finding)
    assert {n["id"]: n["name"] for n in drawn["nodes"]} == {
        "p-1": "张三", "o-1": "某电厂", "e-1": "2023 年度核查", "e-2": "2024 年度核查"
    }  # fmt: skip
    assert {(x["source"], x["value"], x["target"]) for x in drawn["links"]} == {
        ("p-1", "核查", "e-1"), ("e-1", "委托方", "o-1"), ("p-1", "核查", "e-2"), ("e-2", "委托方", "o-1"),
    }  # fmt: skip


def test_a_node_the_finding_does_not_show_stays_hidden_in_the_drawing():
    hidden_person = {"type": "Practitioner", "hidden": True}
    evidence = {
        "practitioner_id": "p-secret",  # not among the people the finding shows
        "engagement_ids": ["e-1"],
        "paths": [{"path": [step(hidden_person, "WORKED_ON", JOB), step(JOB, "FOR_CLIENT", PLANT)]}],
    }
    drawn = evidence_graph(
        _finding("overload", evidence, engagements=[{"id": "e-1", "title": "2024 年度核查"}])
    )
    text = json.dumps(drawn, ensure_ascii=False)
    assert "p-secret" not in text
    hidden = [n for n in drawn["nodes"] if n["id"].startswith("hidden-")]
    assert len(hidden) == 2 and {n["name"] for n in hidden} == {"（不公开的人员）"}
    assert ("e-1", "委托方", "o-1") in {(x["source"], x["value"], x["target"]) for x in drawn["links"]}
