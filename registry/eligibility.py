"""Application eligibility (报考条件): may this person sit the assessment for this level?

The rule table is data (`LevelRule`), so a JSON config can override it through `rules_from_mapping`.
Default rules, from the source brochure:

- 四级 (any one suffices): 中职以上学历（含在读）; 累计从事相关职业工作3年（含）以上.
- 三级 (any one suffices): 大学本科毕业（含）以上学历;
  已取得碳排放管理员职业能力等级四级证书后累计从事相关工作满1年.
- 二级, 一级: 待定.
"""

from __future__ import annotations

from calendar import monthrange
from collections.abc import Mapping
from dataclasses import dataclass, fields, replace
from datetime import date
from typing import Any

from registry.taxonomy import EDUCATION_LEVELS, EDUCATION_RANK, LEVEL_BY_RANK, LEVEL_RANKS, WORK_TYPE_BY_CODE

_EDUCATION_ZH: dict[str, str] = dict(EDUCATION_LEVELS)


@dataclass(frozen=True)
class HeldCertificate:
    work_type: str
    level: int
    issued_on: date


@dataclass(frozen=True)
class Application:
    level: int
    work_type: str | None
    education: str | None  # when enrolled, the level of the programme being studied
    enrolled: bool
    related_work_years: float
    certificates: tuple[HeldCertificate, ...]
    as_of: date


@dataclass(frozen=True)
class Reason:
    code: str
    met: bool | None
    zh: str
    en: str

    def to_dict(self) -> dict[str, Any]:
        """Return the reason as a JSON-ready dict."""
        return {"code": self.code, "met": self.met, "zh": self.zh, "en": self.en}


@dataclass(frozen=True)
class Decision:
    eligible: bool | None  # None: the level's requirements are not defined yet
    reasons: tuple[Reason, ...]

    def to_dict(self) -> dict[str, Any]:
        """Return the decision as a JSON-ready dict."""
        return {"eligible": self.eligible, "reasons": [reason.to_dict() for reason in self.reasons]}


@dataclass(frozen=True)
class LevelRule:
    """What qualifies an applicant for one level; each condition set is an alternative ("any one suffices").

    - education path: `min_education` or above; an enrolled student counts only if `enrolled_counts`.
    - work path: `min_related_work_years` on its own, when `prior_level` is None.
    - prior-certificate path, when `prior_level` is set: a certificate at `prior_level` (of the applied-for
      work type if `prior_same_work_type`) held for `prior_level_min_months` full months, AND
      `min_related_work_years` of related work — the years then belong to this path, not one of their own.
    """

    level: int
    defined: bool
    min_education: str | None
    enrolled_counts: bool
    min_related_work_years: float | None
    prior_level: int | None
    prior_level_min_months: int | None
    prior_same_work_type: bool


UNDEFINED_CODE = "undetermined"

DEFAULT_RULES: dict[int, LevelRule] = {
    4: LevelRule(
        level=4,
        defined=True,
        min_education="secondary",
        enrolled_counts=True,
        min_related_work_years=3,
        prior_level=None,
        prior_level_min_months=None,
        prior_same_work_type=False,
    ),
    3: LevelRule(
        level=3,
        defined=True,
        min_education="bachelor",
        enrolled_counts=False,
        min_related_work_years=1,
        prior_level=4,
        prior_level_min_months=12,
        prior_same_work_type=False,
    ),
    2: LevelRule(2, False, None, False, None, None, None, False),
    1: LevelRule(1, False, None, False, None, None, None, False),
}


# --- Loading overrides -------------------------------------------------------------------------------------

_RULE_FIELDS = tuple(f.name for f in fields(LevelRule))


def _is_number(value: Any) -> bool:
    return isinstance(value, int | float) and not isinstance(value, bool)


def _check_rule(rule: LevelRule) -> None:
    where = f"eligibility rule for level {rule.level}"
    for name in ("defined", "enrolled_counts", "prior_same_work_type"):
        if not isinstance(getattr(rule, name), bool):
            raise ValueError(f"{where}: {name} must be true or false")
    if rule.min_education is not None and rule.min_education not in EDUCATION_RANK:
        raise ValueError(f"{where}: min_education must be one of {', '.join(EDUCATION_RANK)}")
    if rule.min_related_work_years is not None and (
        not _is_number(rule.min_related_work_years) or rule.min_related_work_years < 0
    ):
        raise ValueError(f"{where}: min_related_work_years must be a number of years, 0 or more")
    if rule.prior_level is not None:
        # Levels count down: the prior level is an entry-side level, a larger number than this one.
        if isinstance(rule.prior_level, bool) or rule.prior_level not in LEVEL_RANKS:
            raise ValueError(f"{where}: prior_level must be one of {sorted(LEVEL_RANKS)}")
        if rule.prior_level <= rule.level:
            raise ValueError(
                f"{where}: prior_level must be a lower level (a larger number) than {rule.level}"
            )
    if rule.prior_level_min_months is not None:
        if rule.prior_level is None:
            raise ValueError(f"{where}: prior_level_min_months needs prior_level")
        if (
            not isinstance(rule.prior_level_min_months, int)
            or isinstance(rule.prior_level_min_months, bool)
            or rule.prior_level_min_months < 0
        ):
            raise ValueError(f"{where}: prior_level_min_months must be a whole number of months, 0 or more")
    if rule.defined and not (
        rule.min_education is not None
        or rule.min_related_work_years is not None
        or rule.prior_level is not None
    ):
        raise ValueError(f"{where}: a defined level needs at least one condition")


def rules_from_mapping(data: Mapping[Any, Any]) -> dict[int, LevelRule]:
    """Return DEFAULT_RULES with the levels in `data` (level → field overrides, e.g. from JSON) replaced."""
    if not isinstance(data, Mapping):
        raise ValueError("eligibility rules must be a mapping of level to rule")
    rules = dict(DEFAULT_RULES)
    for key, overrides in data.items():
        try:
            level = int(key)
        except (TypeError, ValueError):
            raise ValueError(f"eligibility rules: {key!r} is not a level") from None
        if isinstance(key, bool) or level not in LEVEL_RANKS or str(level) != str(key).strip():
            raise ValueError(f"eligibility rules: {key!r} is not a level")
        if not isinstance(overrides, Mapping):
            raise ValueError(f"eligibility rule for level {level} must be a mapping of fields")
        unknown = set(overrides) - set(_RULE_FIELDS)
        if unknown:
            raise ValueError(
                f"eligibility rule for level {level}: unknown fields {', '.join(sorted(unknown))}"
            )
        if "level" in overrides and overrides["level"] != level:
            raise ValueError(f"eligibility rule for level {level}: level field says {overrides['level']!r}")
        rule = replace(rules[level], **overrides)
        _check_rule(rule)
        rules[level] = rule
    return rules


# --- Deciding ----------------------------------------------------------------------------------------------


def _add_months(day: date, months: int) -> date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    # Clamp to the month's end: 12 months after 2024-02-29 is 2025-02-28.
    return date(year, month, min(day.day, monthrange(year, month)[1]))


def _full_months(start: date, end: date) -> int:
    months = (end.year - start.year) * 12 + end.month - start.month
    if _add_months(start, months) > end:
        months -= 1
    return months


def _years(value: float) -> str:
    return f"{value:g}"


def _count_en(value: float, unit: str) -> str:
    return f"{value:g} {unit}" if value == 1 else f"{value:g} {unit}s"


def _met_zh(met: bool) -> str:
    return "满足" if met else "不满足"


def _met_en(met: bool) -> str:
    return "met" if met else "not met"


def _education_reason(rule: LevelRule, application: Application) -> Reason:
    assert rule.min_education is not None
    rank = EDUCATION_RANK.get(application.education) if application.education is not None else None
    met = (
        rank is not None
        and rank >= EDUCATION_RANK[rule.min_education]
        and (rule.enrolled_counts or not application.enrolled)
    )
    required_zh = _EDUCATION_ZH[rule.min_education]
    scope_zh = "含在读" if rule.enrolled_counts else "已毕业"
    scope_en = "enrolled students count" if rule.enrolled_counts else "graduated"
    if application.education is None:
        has_zh, has_en = "未填写", "not given"
    else:
        has_zh = _EDUCATION_ZH.get(application.education, application.education)
        has_en = application.education
        if application.enrolled:
            has_zh, has_en = f"{has_zh}，在读", f"{has_en}, enrolled"
    return Reason(
        code="education",
        met=met,
        zh=f"学历{required_zh}及以上（{scope_zh}）：{_met_zh(met)}（申请人：{has_zh}）",
        en=f"education {rule.min_education} or above ({scope_en}): {_met_en(met)} (applicant: {has_en})",
    )


def _work_years_reason(rule: LevelRule, application: Application) -> Reason:
    assert rule.min_related_work_years is not None
    need, has = rule.min_related_work_years, application.related_work_years
    met = has >= need
    return Reason(
        code="related_work_years",
        met=met,
        zh=f"累计从事相关职业工作{_years(need)}年（含）以上：{_met_zh(met)}（申请人：{_years(has)}年）",
        en=(
            f"at least {_count_en(need, 'year')} of related work: {_met_en(met)} "
            f"(applicant: {_count_en(has, 'year')})"
        ),
    )


def _prior_certificate_reason(rule: LevelRule, application: Application) -> Reason:
    assert rule.prior_level is not None
    prior_zh = LEVEL_BY_RANK[rule.prior_level].name_zh
    need_months = rule.prior_level_min_months or 0
    need_years = rule.min_related_work_years or 0
    has_years = application.related_work_years
    same_type = rule.prior_same_work_type
    candidates = [
        cert
        for cert in application.certificates
        if cert.level == rule.prior_level and (not same_type or cert.work_type == application.work_type)
    ]
    kind_en = f"a level-{rule.prior_level} certificate" + (
        f" of work type {application.work_type}" if same_type else ""
    )
    kind_zh = (
        f"本工种（{_work_type_zh(application.work_type)}）{prior_zh}证书" if same_type else f"{prior_zh}证书"
    )
    needs_zh = f"要求：满{need_months}个月且累计相关工作满{_years(need_years)}年"
    needs_en = f"needs {_count_en(need_months, 'month')} and {_count_en(need_years, 'year')} of related work"
    if not candidates:
        return Reason(
            code="prior_certificate",
            met=False,
            zh=f"已取得{kind_zh}后累计从事相关工作：不满足（未持有{kind_zh}；{needs_zh}）",
            en=f"holds {kind_en}: not met (none held; {needs_en})",
        )
    # The longest-held certificate is the applicant's best case.
    cert = min(candidates, key=lambda held: held.issued_on)
    months = _full_months(cert.issued_on, application.as_of)
    met = months >= need_months and has_years >= need_years
    issued = cert.issued_on.isoformat()
    return Reason(
        code="prior_certificate",
        met=met,
        zh=(
            f"已取得{prior_zh}证书（{_work_type_zh(cert.work_type)}，{issued}发证）满{months}个月，"
            f"累计相关工作{_years(has_years)}年：{_met_zh(met)}（{needs_zh}）"
        ),
        en=(
            f"holds a level-{cert.level} certificate ({cert.work_type}, issued {issued}) "
            f"with {_count_en(months, 'month')} since issue "
            f"and {_count_en(has_years, 'year')} of related work: "
            f"{_met_en(met)} ({needs_en})"
        ),
    )


def _work_type_zh(code: str | None) -> str:
    if code is None:
        return "未指定工种"
    work_type = WORK_TYPE_BY_CODE.get(code)
    return work_type.name_zh if work_type else code


def is_eligible(application: Application, rules: Mapping[int, LevelRule] = DEFAULT_RULES) -> Decision:
    """Decide whether the applicant may sit `application.level`, with one Reason per condition checked."""
    rule = rules.get(application.level)
    if rule is None:
        raise ValueError(f"unknown level {application.level!r}")
    if not rule.defined:
        level = LEVEL_BY_RANK.get(application.level)
        name_zh = level.name_zh if level else f"{application.level}级"
        reason = Reason(
            code=UNDEFINED_CODE,
            met=None,
            zh=f"{name_zh}报考条件尚未公布（待定）",
            en=f"Level {application.level} requirements are not yet defined (待定)",
        )
        return Decision(eligible=None, reasons=(reason,))
    reasons: list[Reason] = []
    if rule.min_education is not None:
        reasons.append(_education_reason(rule, application))
    if rule.prior_level is not None:
        reasons.append(_prior_certificate_reason(rule, application))
    elif rule.min_related_work_years is not None:
        reasons.append(_work_years_reason(rule, application))
    return Decision(eligible=any(reason.met for reason in reasons), reasons=tuple(reasons))
