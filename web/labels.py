"""Chinese labels the pages show for the registry's codes and for form errors."""

from __future__ import annotations

import json
import re
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from registry import activities
from registry.draw_rules import RULE_CODES
from registry.integrity import KINDS as FINDING_KIND_BY_CODE
from registry.taxonomy import EDUCATION_LEVELS, LEVEL_BY_RANK, POOL_BY_CODE, WORK_TYPE_BY_CODE

CERTIFICATE_STATUS = {"valid": "有效", "suspended": "暂停", "revoked": "撤销", "expired": "过期"}
PERSON_STATUS = {"active": "正常", "suspended": "暂停", "deleted": "已删除"}
VERIFY_REASONS = {
    "certificate_suspended": "证书已暂停",
    "certificate_revoked": "证书已撤销",
    "certificate_expired": "证书已过期",
    "holder_suspended": "持证人已被暂停",
    "holder_deleted": "持证人记录已注销",
}
SORTS = {"level": "等级从高到低", "experience": "从业年限", "name": "姓名", "relevance": "相关度"}
FACET_TITLES = {
    "work_type": "工种",
    "level": "等级",
    "pool": "人才库/专家库",
    "region": "地区",
    "industry": "行业经验",
}

# marshmallow's English messages, as the forms show them next to the field.
MESSAGES = {
    "Only an administrator opens a misconduct record (as POST .../records); confirm without it.": (
        "只有管理员可以记入不良记录；请不勾选此项确认。"
    ),
    "Missing data for required field.": "此项必填。",
    "Field may not be null.": "此项必填。",
    "Shorter than minimum length 1.": "此项必填。",
    "Not a valid integer.": "请输入整数。",
    "Not a valid date.": "请输入有效日期（YYYY-MM-DD）。",
    "Unknown field.": "不支持此项。",
    "Only a confirmed finding can open a misconduct record.": "只有确认的线索才能同时记入不良记录。",
    "Not a valid UUID.": "请输入有效的编号。",
    "The end date is before the start date.": "结束日期早于开始日期。",
    "The period is already over; declare periods from today on.": "该时段已过去，请登记今天及以后的时段。",
    "Say why you decline; the draw's record keeps the reason.": "谢绝时请说明原因（将记入抽取记录）。",
    "When the relationship began is required.": "请填写关系开始的日期。",
    "A declaration records a relationship that has begun: from must not be in the future.": "开始日期不能晚于今天。",
}
# Messages that contain a fixed text among details.
PREFIXES = {
    "Must be one of": "请从列表中选择。",
    "Overlaps a period already declared": "与已登记的时段重叠，请先修改或撤回那一段。",
    "This invitation is": "该邀请已答复或已结束，不能再答复。",
    "The deadline (": "已过答复期限，请联系平台管理员。",
    "Must not be before": "日期过早。",
    "This record is deleted": "该档案已注销，不能再修改。",
    "with this organization is already declared": "与该单位的同一关系在这段时间已登记过。",
    "Name the person the misconduct record is for": "请选择不良记录所针对的人员（须为该线索涉及的人员）。",
    "a decided finding stays decided": "该线索已确认或已排除，不能再改。",
    "Unknown region code": "没有这个地区，请从列表中选择。",
    "A finding that is": "该线索当前的状态不能改为所选状态，请刷新后重试。",
    # Public-welfare activities (registry/activities.py, services/activities.py)
    "You have already signed up for this activity.": "您已报名该活动。",
    "The activity is full": "活动名额已满。",
    "only an open activity takes sign-ups": "活动不在报名中，不能报名。",
    "This person never signed up for the activity.": "此人未报名该活动。",
    "has not signed up for this activity": "此人未报名该活动。",
    "Hours per person must be more than 0.": "服务时长须大于 0。",
    "Hours per person cannot exceed": "服务时长不能超过活动天数×24 小时。",
    "Someone absent gives no hours": "缺席人员不记时长。",
    "does not accept activity invitations": "此人已关闭公益活动邀请。",
    "Already invited to this activity.": "已邀请过此人。",
    "Already takes part in this activity.": "此人已报名该活动。",
    "only an open activity sends invitations": "活动不在报名中，不能发出邀请。",
    "only a sign-up can be confirmed": "只有“已报名”的人员可以确认。",
    "sign-ups are confirmed while it is open or closed": "活动已结束或已取消，不能再确认报名。",
    "attendance is recorded once it has begun": "活动开始后才能记录出勤。",
    "attendance is recorded for activities that took place": "该活动不能记录出勤。",
    "Suggestions are made for open activities": "推荐人员只对报名中的活动提供。",
    "Say why you decline; the organizer sees the reason.": "谢绝时请说明原因（组织方可见）。",
}


def work_type(code: str | None) -> str:
    return WORK_TYPE_BY_CODE[code].name_zh if code in WORK_TYPE_BY_CODE else (code or "")


def level(rank: int | str | None) -> str:
    try:
        return LEVEL_BY_RANK[int(rank)].name_zh  # type: ignore[arg-type]
    except (KeyError, TypeError, ValueError):
        return str(rank or "")


def pool(code: str | None) -> str:
    return POOL_BY_CODE[code].name_zh if code in POOL_BY_CODE else (code or "")


def education(code: str | None) -> str:
    return dict(EDUCATION_LEVELS).get(code or "", code or "")


def message(text: str) -> str:
    """A validation message in Chinese (the English one when there is no translation yet)."""
    if text in MESSAGES:
        return MESSAGES[text]
    return next((zh for start, zh in PREFIXES.items() if start in text), text)


# --- Draws: avoidance facts and rule sources ------------------------------------------------------------------
# The API keeps the English of registry/draw_rules.py and registry/draws.py (a draw's sealed record stores the
# facts as written); the portal shows them in Chinese.

UNSTATED_REGION = "未注明地区"  # people and units whose record names no province
SANCTION_KINDS = {"expert_suspension": "暂停专家资格", "bar": "禁止参加抽取与专家库"}
RELATIONSHIPS = {
    "employment": "劳动关系", "director": "董事", "supervisor": "监事", "shareholder": "控股股东或实际控制人",
    "adviser": "顾问", "relative": "近亲属在该单位任职",
}  # fmt: skip
_ART9 = "《政府采购法实施条例》第九条"
_CAIKU = "财库〔2016〕198号"
_NDRC26 = "国家发展改革委令2024年第26号"
RULE_SOURCES = {
    "employment": f"{_ART9}第（一）项；{_CAIKU}",
    "engagement": f"{_ART9}第（五）项：其他可能影响公正评审的关系",
    "declaration": f"{_ART9}第（二）至（四）项；{_CAIKU}",
    "certificate_status": f"评价项目简章：人才库、专家库以有效证书为准；{_CAIKU}（违规专家退出专家库）",
    "sanction": f"{_CAIKU}；{_NDRC26}（有不良记录的专家不得参加抽取）",
    "same_employer": f"平台规则，参照{_CAIKU}（评审组不受单一单位左右）",
    "unavailable": f"{_CAIKU}（专家须确认能够到场）",
    "draw_cap": f"平台默认值（可配置）；{_NDRC26}要求专家库管理方管理专家参评频次",
    "manual": _CAIKU,
}
assert set(RULE_SOURCES) == set(RULE_CODES), "every avoidance rule needs a Chinese source"
# The indirect conflicts' sources (registry/conflicts.py), in Chinese.
_GROUP = "《公司法》（2023）第二百六十五条（关联关系：控制与共同控制）"
CONFLICT_SOURCES = {
    "group_employment": f"{_ART9}第（一）项；{_GROUP}",
    "group_engagement": f"{_ART9}第（五）项；{_GROUP}",
    "colleague": f"{_ART9}第（五）项：其他可能影响公正评审的关系",
    "consult_then_verify": "ISO/IEC 17029:2019 第 5.2 条；ISO 14065:2020 第 5.4 条"
    "（公正性：不核查本机构或本人参与编制的报告）",
}
VERIFY_CHECKS = {
    "seed_commitment": "种子承诺", "committed_before_sealing": "先承诺后封存", "candidate_hash": "候选名单哈希",
    "seed": "随机种子", "selection": "抽中顺序", "refills": "递补顺序", "seats": "席位与事件一致",
    "signature": "登记机构签名", "criteria": "抽取条件", "dates": "日期", "candidates": "候选名单",
    "seeding": "种子与承诺", "exclusions": "回避记录", "events": "事件链",
}  # fmt: skip

_DAY = r"(\d{4}-\d{2}-\d{2})"
CERTIFICATE_STATUS_FACT = {"suspended": "已暂停", "revoked": "已撤销"}


def _until(text: str | None) -> str:
    """`until 2026-01-01` or `2026-01-01` / `currently` / `ongoing` / `indefinite` → 至 2026-01-01 / 目前仍在 / …"""
    text = (text or "").removeprefix("until ")
    if re.fullmatch(_DAY, text):
        return f"至 {text}"
    return {"currently": "目前仍在", "ongoing": "持续中", "indefinite": "无期限"}.get(text, text)


def _order(number: str | None) -> str:
    return f"（顺序 {number}）" if number else ""


# The facts registry/draws.py, draw_record.py and draw_log.py write (as they write them), each said in Chinese.
_FACTS: tuple[tuple[str, Callable[[re.Match[str]], str]], ...] = (
    (rf"employed by the organization (until {_DAY}|currently) \(window (\d+) years\)",
     lambda m: f"受雇于被评审单位（{_until(m[1])}；回避期 {m[3]} 年）"),
    (rf"engagement (\S+) for the organization, (?:ended {_DAY}|not ended)",
     lambda m: f"为被评审单位承担项目 {m[1]}（{m[2] + ' 结束' if m[2] else '尚未结束'}）"),
    (rf"declared employment by the organization \((until {_DAY}|ongoing)\), declaration (\S+)",
     lambda m: f"申报受雇于被评审单位（{_until(m[1])}），申报 {m[3]}"),
    (rf"declared (\w+) of the organization \((until {_DAY}|ongoing)\), (\S+)",
     lambda m: f"申报与被评审单位的关系：{RELATIONSHIPS.get(m[1], m[1])}（{_until(m[2])}），申报 {m[4]}"),
    (r"certificate (\S+) is (suspended|revoked)", lambda m: f"证书 {m[1]} {CERTIFICATE_STATUS_FACT[m[2]]}"),
    (rf"(\w+) (\S+) active on {_DAY} \(until ({_DAY}|indefinite)\)",
     lambda m: f"{SANCTION_KINDS.get(m[1], m[1])} {m[2]} 于 {m[3]} 有效（{_until(m[4])}）"),
    (rf"unavailable {_DAY} to {_DAY}", lambda m: f"{m[1]} 至 {m[2]} 无法到场"),
    (rf"on the panel of draw (\S+) on {_DAY}", lambda m: f"{m[2]} 已在抽取 {m[1]} 的评审组中"),
    (r"(\d+) panel seats in (\d{4}); the cap is (\d+) a year",
     lambda m: f"{m[2]} 年已参加评审 {m[1]} 次，每年上限 {m[3]} 次"),
    (r"employer (\S+) already has practitioner (\S+)(?: \(order (\d+)\))? in this draw",
     lambda m: f"同一单位 {m[1]} 已有专家 {m[2]} 入选本次抽取{_order(m[3])}"),
    (r"no longer active in the registry", lambda m: "已不在册（人员状态非正常）"),
    (r"deadline passed", lambda m: "已过答复期限"),
    (r"the pool cannot fill the panel", lambda m: "符合条件的人数不足以组成评审组"),
    (r"reserves and the sealed order are used up", lambda m: "候补与封存顺序均已用尽"),
)  # fmt: skip
# A conflict path step's relationship (registry/conflicts.py) in Chinese, on the draw page and a finding's graph.
RELATIONS = {
    "EMPLOYED_BY": "任职于", "CONTROLLED_BY": "隶属于", "WORKED_ON": "参与", "FOR_CLIENT": "委托方",
    "PERFORMED_BY": "承担机构", "DECLARED": "申报",
}  # fmt: skip
_RELATION_WORD = re.compile(r"\b(EMPLOYED_BY|CONTROLLED_BY|WORKED_ON|FOR_CLIENT|PERFORMED_BY|DECLARED)\b")


def _conflict_fact(found: re.Match[str]) -> str:
    """registry/conflicts.py's one-line detail ('集团内劳动关系: EMPLOYED_BY 某电厂 · CONTROLLED_BY 某集团')."""
    return f"{found[1]}：" + _RELATION_WORD.sub(lambda m: RELATIONS[m[1]], found[2]).replace(" · ", "；")


_FACTS += ((r"(集团内劳动关系|集团内业务往来|同事关系|先咨询后核查): (.*)", _conflict_fact),)
_COMPILED = tuple((re.compile(pattern), say) for pattern, say in _FACTS)


def avoidance_fact(detail: str | None) -> str:
    """A draw's recorded fact (an avoidance, a skip, an event's detail) in Chinese; free text (a reason) as is."""
    text = detail or ""
    for pattern, say in _COMPILED:
        found = pattern.fullmatch(text)
        if found:
            return say(found)
    return text


def rule_source(code: str | None) -> str:
    return RULE_SOURCES.get(code or "") or CONFLICT_SOURCES.get(code or "", "")


# --- Integrity: conflict paths (draws, /match) and the anomaly queue (诚信风险) ------------------------------------
# A step read against its direction (the chain reaches its `to` first): a parent controls its subsidiary.
RELATIONS_BACKWARDS = {"CONTROLLED_BY": "控股"}
CONFLICT_RULES = {
    "group_employment": "集团内劳动关系", "group_engagement": "集团内业务往来", "colleague": "同事关系",
    "consult_then_verify": "先咨询后核查",
}  # fmt: skip
NODE_TYPES = {"practitioner": "人员", "organization": "单位", "engagement": "项目"}
ORGANIZATION_KINDS = {
    "enterprise": "企业", "consultancy": "咨询机构", "verification_body": "核查机构", "training_base": "培训基地",
    "issuer": "评价机构", "government": "政府部门", "other": "其他",
}  # fmt: skip
FINDING_KINDS = {code: kind.name_zh for code, kind in FINDING_KIND_BY_CODE.items()}
FINDING_STATUS = {"open": "待处理", "reviewing": "核实中", "confirmed": "已确认", "dismissed": "已排除"}
ENGAGEMENT_STATUS = {"planned": "计划中", "active": "进行中", "completed": "已完成", "cancelled": "已取消"}
# Public-welfare activities (issue 25; codes in registry/activities.py).
ACTIVITY_KINDS = {
    "publicity": "宣传活动", "sme_assistance": "中小企业帮扶", "lecture": "公益讲座", "carbon_inclusion": "碳普惠",
    "policy_consultation": "政策征求意见", "other": "其他",
}  # fmt: skip
ACTIVITY_STATUS = {
    "draft": "草稿", "open": "报名中", "closed": "报名截止", "completed": "已完成", "cancelled": "已取消",
}  # fmt: skip
JOIN_STATUS = {"signed_up": "已报名", "confirmed": "已确认", "attended": "已参加", "absent": "缺席"}
ACTIVITY_INVITATION_STATUS = {"pending": "待答复", "accepted": "已接受", "declined": "已谢绝"}
assert set(ACTIVITY_KINDS) == set(activities.KINDS) and set(ACTIVITY_STATUS) == set(activities.STATUSES)
assert set(JOIN_STATUS) == set(activities.JOIN_STATUSES)
GROUP_RELATION_KINDS = {
    "subsidiary": "子公司",
    "controlling_shareholder": "控股股东",
    "group_member": "集团成员",
}


def node_name(node: Mapping[str, Any] | None) -> str:
    """A path's node as the viewer may see it: its name, or what it is when hidden from this role."""
    node = node or {}
    kind = NODE_TYPES.get(str(node.get("type") or "").lower(), "对象")
    if node.get("hidden"):
        return f"（不公开的{kind}）"
    return str(node.get("name") or kind)


def _same(a: Mapping[str, Any] | None, b: Mapping[str, Any] | None) -> bool:
    a, b = a or {}, b or {}
    if a.get("id") or b.get("id"):
        return a.get("id") == b.get("id")
    return a == b  # hidden nodes carry no id: the same type and flag


def path_chain(path: Iterable[Mapping[str, Any]] | str | None) -> str:
    """A conflict path as one readable chain, each step in the direction the chain reads it, e.g.
    张三 —任职于→ 某电厂 —隶属于→ 某集团; a step met from its end reads backwards (某集团 —控股→ 某电厂).
    A draw record keeps the path as its sealed JSON text."""
    steps = list(json.loads(path) if isinstance(path, str) else path or [])
    if not steps:
        return ""
    first = steps[0]
    current = first.get("from")
    if len(steps) > 1 and (_same(current, steps[1].get("from")) or _same(current, steps[1].get("to"))):
        current = first.get("to")  # the chain meets the next step at the first's start: read it from its end
    words = [node_name(current)]
    for step in steps:
        rel = str(step.get("rel") or "")
        if _same(step.get("from"), current):
            words.append(f"—{RELATIONS.get(rel, rel)}→")
            current = step.get("to")
        elif rel in RELATIONS_BACKWARDS:
            words.append(f"—{RELATIONS_BACKWARDS[rel]}→")
            current = step.get("from")
        else:
            words.append(f"←{RELATIONS.get(rel, rel)}—")
            current = step.get("from")
        words.append(node_name(current))
    return " ".join(words)


def engagement_kind(code: str | None) -> str:
    """An engagement's work type as the work it is: verification → 核查."""
    return work_type(code).removeprefix("碳排放").removesuffix("员")


def conflict_rule(code: str | None) -> str:
    return CONFLICT_RULES.get(code or "", code or "")


FILTERS = {
    "work_type": work_type,
    "level_name": level,
    "pool_name": pool,
    "education_name": education,
    "cert_status": lambda s: CERTIFICATE_STATUS.get(s, s),
    "person_status": lambda s: PERSON_STATUS.get(s, s),
    "avoidance_fact": avoidance_fact,
    "rule_source": rule_source,
    "path_chain": path_chain,
    "conflict_rule": conflict_rule,
    "engagement_kind": engagement_kind,
    "engagement_status": lambda s: ENGAGEMENT_STATUS.get(s, s or ""),
    "group_relation": lambda s: GROUP_RELATION_KINDS.get(s, s),
    "finding_kind": lambda s: FINDING_KINDS.get(s, s),
    "finding_status": lambda s: FINDING_STATUS.get(s, s),
    "organization_kind": lambda s: ORGANIZATION_KINDS.get(s, s),
    "message": message,
    "activity_kind": lambda s: ACTIVITY_KINDS.get(s, s or ""),
    "activity_status": lambda s: ACTIVITY_STATUS.get(s, s or ""),
    "join_status": lambda s: JOIN_STATUS.get(s, s or ""),
    "activity_invitation_status": lambda s: ACTIVITY_INVITATION_STATUS.get(s, s or ""),
}
