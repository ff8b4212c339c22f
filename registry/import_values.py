"""Cell values of an import file: the words people write for codes, and a parser per kind of cell.

A parser takes the raw cell (text, number, date or bool from CSV or XLSX) and returns the normalised value,
or raises BadValue with the reason shown to the person.
"""

from __future__ import annotations

import re
from collections.abc import Mapping, Set
from datetime import date, datetime
from typing import Any

from registry.formulas import FORMULA_RULE, looks_like_formula
from registry.identifiers import normalize_email, normalize_id_card, normalize_phone, normalize_uscc
from registry.taxonomy import CERTIFICATE_STATUSES, EDUCATION_LEVELS, LEVELS, WORK_TYPES

MASKED_COLUMNS: frozenset[str] = frozenset({"id_card", "phone", "email"})
NAME_MAX_LENGTH = 50
EMPLOYER_NAME_MAX_LENGTH = 200
MAX_CODES = 30  # as many specialties or qualifications as the API accepts
ECHOED_MAX_LENGTH = 200  # a report repeats cells: a 60 MB cell must not make a 60 MB answer
EARLIEST_WORK_START_YEAR = 1950
CERTIFICATE_NUMBER = re.compile(r"[A-Za-z0-9][A-Za-z0-9-]{3,39}")

GENDER_VALUES: dict[str, str] = {"男": "male", "女": "female", "male": "male", "female": "female"}
BOOLEAN_VALUES: dict[str, bool] = {
    "是": True,
    "否": False,
    "true": True,
    "false": False,
    "1": True,
    "0": False,
    "yes": True,
    "no": False,
}
EDUCATION_VALUES: dict[str, str] = {
    **{code: code for code, _ in EDUCATION_LEVELS},
    **{label: code for code, label in EDUCATION_LEVELS},
    "小学": "junior_high",  # 初中及以下 includes it
    "初中": "junior_high",
    "中专": "secondary",
    "中职": "secondary",
    "高中": "secondary",
    "大学专科": "college",
    "大学本科": "bachelor",
    "研究生": "master",
    "硕士研究生": "master",
    "博士研究生": "doctorate",
}
_WORK_TYPE_SHORT: dict[str, str] = {
    "monitoring": "监测",
    "accounting": "核算",
    "verification": "核查",
    "consulting": "咨询",
    "trading": "交易",
    "aviation": "民航",
}
WORK_TYPE_VALUES: dict[str, str] = {
    **{w.code: w.code for w in WORK_TYPES},
    **{w.name_zh: w.code for w in WORK_TYPES},
    **{w.name_en.lower(): w.code for w in WORK_TYPES},
    **{short: code for code, short in _WORK_TYPE_SHORT.items()},
    **{short + "员": code for code, short in _WORK_TYPE_SHORT.items()},
}
LEVEL_VALUES: dict[str, int] = {
    **{str(level.rank): level.rank for level in LEVELS},
    **{f"{level.rank}级": level.rank for level in LEVELS},
    **{level.name_zh: level.rank for level in LEVELS},
    **{level.name_en.lower(): level.rank for level in LEVELS},
}
STATUS_VALUES: dict[str, str] = {
    **{status: status for status in CERTIFICATE_STATUSES},
    "有效": "valid",
    "暂停": "suspended",
    "已暂停": "suspended",
    "撤销": "revoked",
    "已撤销": "revoked",
    "过期": "expired",
    "已过期": "expired",
}
_CODE_SEPARATORS = re.compile(r"[;；,，、\s]+")
_DATE_NUMERIC = re.compile(
    r"([0-9]{4})([-/.])([0-9]{1,2})\2([0-9]{1,2})(?:[ T][0-9]{1,2}:[0-9]{2}(?::[0-9]{2})?)?"
)
_DATE_CHINESE = re.compile(r"([0-9]{4})年([0-9]{1,2})月([0-9]{1,2})日")
_REGION = re.compile(r"[0-9]{6}")
_YEAR = re.compile(r"([0-9]{4})年?")


class BadValue(ValueError):
    """A cell's value is not acceptable; the message is the reason shown to the person."""


def mask(text: str) -> str:
    # First 3 and last 2 characters: enough to find the cell, too little to use the identifier.
    return text[:3] + "***" + text[-2:] if len(text) >= 8 else "***"


def as_text(value: Any) -> str:
    """The cell as text: numbers without a spurious ".0", dates as YYYY-MM-DD."""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return "TRUE" if value else "FALSE"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, datetime):
        return value.date().isoformat() if value.time() == datetime.min.time() else value.isoformat(" ")
    if isinstance(value, date):
        return value.isoformat()
    return str(value)


def shown(column: str, value: Any) -> str:
    if value is None:
        return ""
    text = as_text(value)
    return mask(text) if column in MASKED_COLUMNS else text


def echoed(text: str, max_length: int = ECHOED_MAX_LENGTH) -> str:
    """Text as a report repeats it: longer text cut to `max_length` characters that end "… (N characters)"."""
    if len(text) <= max_length:
        return text  # so a value cut once is never cut again
    tail = f"… ({len(text):,} characters)"
    return text[: max_length - len(tail)] + tail


def is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _plain_text(value: Any, max_length: int) -> str:
    text = as_text(value)
    if len(text) > max_length:
        raise BadValue(f"must be at most {max_length} characters")
    if any(ord(char) < 32 for char in text):
        raise BadValue("must not contain control characters")
    _refuse_formula(text)
    return text


def _refuse_formula(text: str) -> None:
    # Stored text comes back in exports and in other people's spreadsheets; a formula there would run.
    if looks_like_formula(text):
        raise BadValue(FORMULA_RULE)


def parse_name(value: Any) -> str:
    return _plain_text(value, NAME_MAX_LENGTH)


def parse_employer_name(value: Any) -> str:
    return _plain_text(value, EMPLOYER_NAME_MAX_LENGTH)


def parse_id_card(value: Any, today: date) -> str:
    if isinstance(value, float):
        raise BadValue("was stored as a number, which loses its last digits; format the column as text")
    return normalize_id_card(as_text(value), today=today)


def _lookup(table: Mapping[str, Any], value: Any, reason: str) -> Any:
    key = as_text(value).lower()
    if key not in table:
        raise BadValue(reason)
    return table[key]


def parse_gender(value: Any) -> str:
    return _lookup(GENDER_VALUES, value, "must be 男/女 or male/female")


def parse_education(value: Any) -> str:
    return _lookup(
        EDUCATION_VALUES,
        value,
        "is not a known education level; use a code (bachelor, …) or a label such as 本科 or 硕士",
    )


def parse_boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return _lookup(BOOLEAN_VALUES, value, "must be 是/否, yes/no, true/false or 1/0")


def parse_year(value: Any, today: date) -> int:
    if isinstance(value, bool | date):  # date covers datetime
        raise BadValue("must be a year such as 2015")
    match = _YEAR.fullmatch(as_text(value))
    if not match:
        raise BadValue("must be a year such as 2015")
    year = int(match.group(1))
    if not EARLIEST_WORK_START_YEAR <= year <= today.year:
        raise BadValue(f"must be between {EARLIEST_WORK_START_YEAR} and {today.year}")
    return year


def parse_region(value: Any, known: Set[str]) -> str:
    code = as_text(value)
    if not _REGION.fullmatch(code):
        raise BadValue("must be a 6-digit GB/T 2260 code such as 420100")
    if code not in known:
        raise BadValue("is not a known region code")
    return code


def parse_level(value: Any) -> int:
    if isinstance(value, bool):
        raise BadValue("must be 1–4 (一级, 二级, 三级 or 四级)")
    return _lookup(LEVEL_VALUES, value, "must be 1–4 (一级, 二级, 三级 or 四级)")


def parse_work_type(value: Any) -> str:
    return _lookup(
        WORK_TYPE_VALUES,
        value,
        "is not a known work type; use a code ("
        + ", ".join(w.code for w in WORK_TYPES)
        + ") or a name such as 碳排放核查员",
    )


def parse_status(value: Any) -> str:
    return _lookup(STATUS_VALUES, value, "must be valid/suspended/revoked/expired or 有效/暂停/撤销/过期")


def parse_certificate_number(value: Any) -> str:
    number = as_text(value)
    if not CERTIFICATE_NUMBER.fullmatch(number):
        raise BadValue("must be 4–40 letters, digits and hyphens, e.g. CPCIF-2024-000123")
    return number


def parse_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float):
        # An unformatted Excel date cell arrives as a serial number; guessing would hide typing errors.
        raise BadValue("is a number, not a date; write YYYY-MM-DD or format the cell as a date")
    text = as_text(value)
    match = _DATE_NUMERIC.fullmatch(text)
    parts = (match.group(1), match.group(3), match.group(4)) if match else None
    if parts is None and (match := _DATE_CHINESE.fullmatch(text)):
        parts = match.groups()
    if parts is None:
        raise BadValue("must be a date as YYYY-MM-DD, YYYY/MM/DD, YYYY.MM.DD or YYYY年M月D日")
    try:
        return date(*(int(part) for part in parts))
    except ValueError:
        raise BadValue("is not a real date") from None


def split_codes(value: Any) -> tuple[str, ...]:
    """The codes a cell lists (separated by ; ， 、 or spaces), lower case, each once, in order."""
    return tuple(dict.fromkeys(code.lower() for code in _CODE_SEPARATORS.split(as_text(value)) if code))


def parse_email(value: Any) -> str:
    email = normalize_email(as_text(value))
    _refuse_formula(email)
    return email


def parse_phone(value: Any) -> str:
    return normalize_phone(as_text(value))


def parse_uscc(value: Any) -> str:
    return normalize_uscc(as_text(value))
