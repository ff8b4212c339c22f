"""Notifications: the kinds, their Chinese messages, the channels people choose, and the sender's back-off.

A message says no more than the person may already see: about a draw, what `/me/invitations` shows them (and,
when the draw keeps its project confidential, neither its title nor its organization until they accept — Hebei's
2025 expert-draw rules: the call must not reveal the project); never another person's personal data (a complaint's
decision names no complainant, a complainant's message names no practitioner).
"""

from __future__ import annotations

import string
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, datetime
from typing import Any

from registry.draws import PURPOSE_BY_CODE
from registry.taxonomy import WORK_TYPE_BY_CODE

IN_APP, EMAIL, SMS = "in_app", "email", "sms"
CHANNELS: tuple[str, ...] = (IN_APP, EMAIL, SMS)
CHANNEL_NAMES = {IN_APP: "站内消息", EMAIL: "电子邮件", SMS: "短信"}

# Delivery states: in_app is delivered when written; e-mail and SMS wait for the sender.
PENDING, SENDING, SENT, FAILED, SKIPPED = "pending", "sending", "sent", "failed", "skipped"
DELIVERY_STATES: tuple[str, ...] = (PENDING, SENDING, SENT, FAILED, SKIPPED)

# Registry defaults (no published rule): five tries, one minute doubling to at most six hours between them.
MAX_ATTEMPTS = 5
BACKOFF_SECONDS = 60
BACKOFF_CAP_SECONDS = 6 * 3600
EXPIRY_THRESHOLDS: tuple[int, ...] = (90, 30)  # days before a certificate expires (issue 26)

DECLINE_REASONS: tuple[str, ...] = (
    "评审时间冲突",
    "存在利益冲突，需要回避",
    "身体原因",
    "出差在外",
    "专业不对口",
    "其他原因",
)


@dataclass(frozen=True)
class Kind:
    code: str
    name_zh: str
    title: str  # str.format templates over the message's data
    body: str
    mandatory: bool = False  # cannot be switched off, only moved to another channel
    channels: tuple[str, ...] = (IN_APP, EMAIL)  # the default choice


_DRAW_LINE = "用途：{purpose_name}；角色：{role_name}；评审日期：{panel_date}。{project_line}"
KINDS: tuple[Kind, ...] = (
    Kind("draw_invitation", "专家抽取邀请", "专家抽取邀请：{purpose_name}",
         "您已被抽取参加{purpose_name}。" + _DRAW_LINE + "请于 {deadline} 前答复。\n接受：{accept_url}\n谢绝：{decline_url}",
         mandatory=True, channels=(IN_APP, EMAIL, SMS)),
    Kind("draw_reminder", "抽取邀请答复提醒", "请答复专家抽取邀请：{purpose_name}",
         "您尚未答复{purpose_name}的邀请，答复截止时间为 {deadline}。\n接受：{accept_url}\n谢绝：{decline_url}",
         channels=(IN_APP, EMAIL, SMS)),
    Kind("draw_replacement", "专家递补邀请", "专家递补邀请：{purpose_name}",
         "因原抽取专家未能参加，您已递补参加{purpose_name}。" + _DRAW_LINE
         + "请于 {deadline} 前答复。\n接受：{accept_url}\n谢绝：{decline_url}",
         mandatory=True, channels=(IN_APP, EMAIL, SMS)),
    Kind("draw_confirmed", "评审确认", "评审确认：{purpose_name}",
         "您参加{purpose_name}已确认。" + _DRAW_LINE + "请按时参加。"),
    Kind("certificate_expiring", "证书即将到期", "证书将于 {days} 天后到期",
         "您的{work_type_name}{level_name}证书（编号 {number}）将于 {expires_on} 到期，请及时办理延续。"),
    Kind("complaint_decided", "投诉处理结果", "投诉处理结果：{status_name}",
         "编号 {reference} 的投诉已处理，结果：{status_name}。详情请登录平台查看。"),
    Kind("complaint_outcome", "您提交的投诉处理结果", "您提交的投诉处理结果：{status_name}",
         "您提交的编号 {reference} 的投诉已处理，结果：{status_name}。"),
    Kind("appeal_decided", "申诉处理结果", "申诉处理结果：{status_name}",
         "编号 {reference} 的申诉已处理，结果：{status_name}。详情请登录平台查看。"),
    Kind("appeal_deadline", "申诉期限", "如有异议，请于 {deadline} 前申诉",
         "平台已记录一项关于您的{subject_name}（编号 {reference}）。如有异议，可于 {deadline} 前提出申诉。"),
    Kind("exam_registered", "考试报名成功", "考试报名成功：{work_type_name}{level_name}",
         "您已报名{work_type_name}{level_name}考试，考试时间：{starts_at}。请按时参加。"),
    Kind("exam_result", "考试成绩", "考试成绩：{work_type_name}{level_name}",
         "您参加的{work_type_name}{level_name}考试（{exam_day}）成绩 {score} 分，结果：{outcome_name}。"),
    Kind("activity_invitation", "公益活动邀请", "公益活动邀请：{title}", "您受邀参加公益活动“{title}”，时间：{starts_on}。"),
    Kind("activity_cancelled", "公益活动取消", "公益活动取消：{title}",
         "公益活动“{title}”（{starts_on}）已取消。原因：{reason}"),
)  # fmt: skip
KIND_BY_CODE: dict[str, Kind] = {k.code: k for k in KINDS}
KIND_CODES: tuple[str, ...] = tuple(KIND_BY_CODE)
INVITATION_KINDS: frozenset[str] = frozenset({"draw_invitation", "draw_reminder", "draw_replacement"})

ROLE_NAMES = {"panel": "评审专家", "reserve": "备选专家"}
STATUS_NAMES = {"upheld": "成立", "dismissed": "不成立", "investigating": "调查中", "rejected": "驳回"}
OUTCOME_NAMES = {True: "合格", False: "不合格"}
LEVEL_NAMES = {1: "一级", 2: "二级", 3: "三级", 4: "四级"}


def placeholders(template: str) -> set[str]:
    """The names a template fills in."""
    return {name for _, name, _, _ in string.Formatter().parse(template) if name}


def render(kind: str, data: Mapping[str, Any]) -> tuple[str, str]:
    """The message's title and body in Chinese; a KeyError names a value the caller forgot."""
    spec = KIND_BY_CODE[kind]
    values = {k: _shown(v) for k, v in data.items()}
    return spec.title.format_map(values), spec.body.format_map(values)


def _shown(value: Any) -> str:
    if value is None:
        return "待定"
    if isinstance(value, datetime):
        return value.strftime("%Y-%m-%d %H:%M") + (" UTC" if value.utcoffset() is not None else "")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def draw_message_data(invitation: Mapping[str, Any], concealed: bool) -> dict[str, Any]:
    """What a draw message may say: what the invitation shows the expert, the project only when not concealed."""
    purpose = PURPOSE_BY_CODE.get(str(invitation.get("purpose")))
    project_line = ""
    if not concealed:
        parts = [f"项目：{invitation['title']}" if invitation.get("title") else ""]
        org = invitation.get("organization_name")
        parts.append(f"委托单位：{org}" if org else "")
        project_line = "".join(p + "；" for p in parts if p)
    return {
        "purpose_name": purpose.name_zh if purpose else invitation.get("purpose"),
        "role_name": ROLE_NAMES.get(str(invitation.get("role")), "评审专家"),
        "panel_date": invitation.get("panel_date"),
        "deadline": invitation.get("deadline"),
        "project_line": project_line,
    }


def certificate_data(certificate: Mapping[str, Any], days: int) -> dict[str, Any]:
    """A certificate-expiry message's values (the holder's own certificate)."""
    work_type = WORK_TYPE_BY_CODE.get(str(certificate.get("work_type")))
    return {
        "number": certificate["number"],
        "work_type_name": work_type.name_zh if work_type else "",
        "level_name": LEVEL_NAMES.get(int(certificate.get("level") or 0), ""),
        "expires_on": certificate["expires_on"],
        "days": days,
    }


def exam_data(facts: Mapping[str, Any], **extra: Any) -> dict[str, Any]:
    """An exam message's values: the application's work type and level, the session's start, `extra`."""
    work_type = WORK_TYPE_BY_CODE.get(str(facts.get("work_type")))
    return {
        "work_type_name": work_type.name_zh if work_type else "",
        "level_name": LEVEL_NAMES.get(int(facts.get("level") or 0), ""),
        "starts_at": facts.get("starts_at"),
        "exam_day": facts.get("day"),
        **extra,
    }


def expiry_threshold(
    today: date, expires_on: date, thresholds: Iterable[int] = EXPIRY_THRESHOLDS
) -> int | None:
    """The smallest threshold the certificate is within today (90 or 30 days), None when neither applies."""
    left = (expires_on - today).days
    if left < 0:
        return None
    within = [t for t in thresholds if left <= t]
    return min(within) if within else None


def channels_for(kind: str, chosen: Iterable[str] | None, available: Iterable[str]) -> tuple[str, ...]:
    """The channels to deliver on: the person's choice (or the kind's default) that they can receive;
    a mandatory kind falls back to in-app rather than be lost."""
    spec = KIND_BY_CODE[kind]
    wanted = spec.channels if chosen is None else tuple(chosen)
    reachable = set(available)
    channels = tuple(c for c in CHANNELS if c in wanted and c in reachable)
    if not channels and spec.mandatory:
        return (IN_APP,)
    return channels


def preference_problems(preferences: Mapping[str, Any]) -> dict[str, list[str]]:
    """Errors in a person's choice of channels per kind (unknown kinds or channels; a mandatory kind left off)."""
    errors: dict[str, list[str]] = {}
    for kind, channels in preferences.items():
        if kind not in KIND_BY_CODE:
            errors[kind] = [f"Unknown notification kind; use one of {', '.join(KIND_CODES)}."]
            continue
        if not isinstance(channels, list | tuple) or any(c not in CHANNELS for c in channels):
            errors[kind] = [f"A list of channels from {', '.join(CHANNELS)}."]
        elif KIND_BY_CODE[kind].mandatory and not channels:
            errors[kind] = ["This notification cannot be switched off; choose at least one channel."]
    return errors


def next_attempt_in(attempts: int, base: int = BACKOFF_SECONDS, cap: int = BACKOFF_CAP_SECONDS) -> int:
    """Seconds before the next try after `attempts` failed ones: base, 2×base, 4×base … at most `cap`."""
    return int(min(cap, base * 2 ** max(0, attempts - 1)))


def gives_up(attempts: int, max_attempts: int = MAX_ATTEMPTS) -> bool:
    """Whether a delivery that failed `attempts` times is marked failed rather than tried again."""
    return attempts >= max_attempts
