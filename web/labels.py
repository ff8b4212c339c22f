"""Chinese labels the pages show for the registry's codes and for form errors."""

from __future__ import annotations

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
    "Missing data for required field.": "此项必填。",
    "Field may not be null.": "此项必填。",
    "Shorter than minimum length 1.": "此项必填。",
    "Not a valid integer.": "请输入整数。",
    "Not a valid date.": "请输入有效日期（YYYY-MM-DD）。",
    "Unknown field.": "不支持此项。",
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


FILTERS = {
    "work_type": work_type,
    "level_name": level,
    "pool_name": pool,
    "education_name": education,
    "cert_status": lambda s: CERTIFICATE_STATUS.get(s, s),
    "person_status": lambda s: PERSON_STATUS.get(s, s),
}
