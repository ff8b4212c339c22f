"""The columns of an import file: header names and aliases, and finding the header row among rows of cells.

Works on rows of cell values, whatever file they came from (`adapters.spreadsheets` reads the files).
"""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterator, Mapping, Sequence, Set
from dataclasses import dataclass, field
from typing import Any

from registry.errors import ImportFileError
from registry.import_values import echoed

# key → the header a Chinese template uses for it; also names columns in messages to people.
CHINESE_HEADERS: dict[str, str] = {
    "name": "姓名",
    "id_card": "身份证号",
    "gender": "性别",
    "education": "学历",
    "enrolled": "在读",
    "work_start_year": "参加工作年份",
    "region": "地区代码",
    "phone": "手机",
    "email": "邮箱",
    "employer_uscc": "单位统一社会信用代码",
    "employer_name": "单位名称",
    "public_profile": "公开",
    "work_type": "工种",
    "level": "等级",
    "certificate_number": "证书编号",
    "issued_on": "发证日期",
    "expires_on": "有效期至",
    "status": "状态",
    "specialties": "专业领域",
    "qualifications": "资质",
    # Exam-result files (POST /exam-results/import, registry/result_rows.py): same reader, two more columns.
    "session": "考试场次",
    "score": "成绩",
}

# Other spellings seen in real lists; every key and its Chinese header are accepted as well.
_MORE_ALIASES: dict[str, tuple[str, ...]] = {
    "name": ("full_name",),
    "id_card": ("身份证号码", "公民身份号码", "id_card_number", "id_card_no", "id_number"),
    "gender": ("sex",),
    "enrolled": ("是否在读",),
    "region": ("行政区划代码", "region_code"),
    "phone": ("手机号", "手机号码", "mobile"),
    "email": ("电子邮箱", "e_mail"),
    "employer_uscc": ("统一社会信用代码", "uscc"),
    "employer_name": ("工作单位", "employer"),
    "public_profile": ("是否公开",),
    "level": ("级别",),
    "certificate_number": ("certificate_no",),
    "issued_on": ("issue_date",),
    "expires_on": ("expiry_date",),
    "status": ("证书状态", "certificate_status"),
    "session": ("场次", "场次编号", "考试时间", "session_id", "exam_session"),
    "score": ("分数", "考试成绩", "总分"),
}

REQUIRED_COLUMNS: tuple[str, ...] = ("name", "id_card")
CERTIFICATE_COLUMNS: tuple[str, ...] = (
    "work_type",
    "level",
    "certificate_number",
    "issued_on",
    "expires_on",
    "status",
)
# A file that carries certificates at all must carry these four; expires_on and status may be left out.
CERTIFICATE_REQUIRED_COLUMNS: tuple[str, ...] = ("work_type", "level", "certificate_number", "issued_on")
# Only rows within this many non-empty rows from the top are searched for the header (a title row may come first).
HEADER_SEARCH_ROWS = 10


def _header_text(text: Any) -> str:
    """The comparable form of a header cell: NFKC, lower case, no markers or hints, `_` between words."""
    value = unicodedata.normalize("NFKC", str(text).replace("\ufeff", "")).strip()
    value = value.strip("*").strip()  # "*姓名" / "姓名*" mark required columns in many templates
    value = re.sub(r"\s*\([^()]*\)$", "", value)  # a trailing hint, e.g. 发证日期（YYYY-MM-DD）
    return re.sub(r"[\s_.\-]+", "_", value.lower()).strip("_")


HEADER_ALIASES: dict[str, str] = {
    _header_text(alias): key
    for key, chinese in CHINESE_HEADERS.items()
    for alias in (key, chinese, *_MORE_ALIASES.get(key, ()))
}


def normalize_header(text: Any) -> str | None:
    """Return the column key a header cell means (e.g. " 身份证号码 " → "id_card"), or None if unknown."""
    if text is None:
        return None
    return HEADER_ALIASES.get(_header_text(text))


def column_label(key: str) -> str:
    return f"{CHINESE_HEADERS[key]} ({key})"


@dataclass(frozen=True)
class FileColumns:
    """The columns of one kind of import file: their Chinese headers, other spellings, and which it must carry.

    Each entry of `required` is a column, or alternatives of which one will do (a person named by id or by ID
    card); each entry of `together` says that a file with any of the first columns must carry all the second."""

    headers: Mapping[str, str]  # key → the Chinese header
    more_aliases: Mapping[str, tuple[str, ...]]
    required: tuple[tuple[str, ...], ...]
    together: tuple[tuple[tuple[str, ...], tuple[str, ...]], ...] = ()
    aliases: Mapping[str, str] = field(init=False, repr=False, compare=False)

    def __post_init__(self) -> None:
        aliases = {
            _header_text(alias): key
            for key, chinese in self.headers.items()
            for alias in (key, chinese, *self.more_aliases.get(key, ()))
        }
        object.__setattr__(self, "aliases", aliases)

    def key(self, text: Any) -> str | None:
        """The column key a header cell means in this kind of file, or None."""
        return None if text is None else self.aliases.get(_header_text(text))

    def label(self, key: str) -> str:
        return f"{self.headers[key]} ({key})"

    def is_header(self, keys: Set[str | None]) -> bool:
        """Whether a row naming these columns carries every required one (so it is the header row)."""
        return all(any(key in keys for key in group) for group in self.required)

    def missing(self, keys: Set[str | None]) -> str:
        """What the header lacks, as a sentence naming the columns; empty when nothing."""
        missing = [
            " or ".join(self.label(key) for key in group)
            for group in self.required
            if not any(key in keys for key in group)
        ]
        for triggers, needed in self.together:
            if any(key in keys for key in triggers):
                missing += [self.label(key) for key in needed if key not in keys]
        return "Missing required columns: " + ", ".join(missing) + "." if missing else ""


# The certificate import (and the exam results, read with the same columns).
CERTIFICATE_FILE = FileColumns(
    CHINESE_HEADERS,
    _MORE_ALIASES,
    tuple((key,) for key in REQUIRED_COLUMNS),
    ((CERTIFICATE_COLUMNS, CERTIFICATE_REQUIRED_COLUMNS),),
)


def records(
    cells: Iterator[tuple[int, Sequence[Any]]], notes: list[str], kind: FileColumns = CERTIFICATE_FILE
) -> Iterator[tuple[int, dict[str, Any]]]:
    """The data rows below the header as {column key: cell}, for the columns `kind` knows."""
    columns, width = _find_header(cells, notes, kind)
    warned_headerless = False
    for index, values in cells:
        raw = {key: _clean(values[position]) for position, key in columns if position < len(values)}
        if all(value is None for value in raw.values()):
            # Nothing to import; a note in an unknown column ("备注") alone is not a row either.
            continue
        if not warned_headerless and any(_clean(value) is not None for value in values[width:]):
            warned_headerless = True
            notes.append(
                f"Values to the right of the last header column were ignored (first at row {index})."
            )
        yield index, raw


def _find_header(
    cells: Iterator[tuple[int, Sequence[Any]]], notes: list[str], kind: FileColumns
) -> tuple[list[tuple[int, str]], int]:
    """Consume rows up to the header; return the (position, key) pairs of known columns and the header width."""
    first: tuple[int, Sequence[Any]] | None = None
    seen = 0
    for index, values in cells:
        if all(_clean(value) is None for value in values):
            continue
        keys = {kind.key(value) for value in values}
        if kind.is_header(keys):
            if first is not None:
                above = (
                    f"Row {first[0]} was" if first[0] == index - 1 else f"Rows {first[0]}–{index - 1} were"
                )
                notes.append(f"{above} above the header row ({index}) and ignored.")
            width = max(position for position, value in enumerate(values) if _clean(value) is not None) + 1
            return _header_columns(values, notes, kind), width
        if first is None:
            first = (index, values)
        seen += 1
        if seen >= HEADER_SEARCH_ROWS:
            break
    if first is None:
        raise ImportFileError("The file has no header row: it is empty.")
    # No row names both required columns: say what the first non-empty row, taken as the header, lacks.
    keys = {kind.key(value) for value in first[1]}
    # Only cells that are column names are quoted: a data row taken for the header holds personal data.
    cells = [text for value in first[1] if (text := _clean(value)) is not None]
    headers = [repr(str(text)) for text in cells if kind.key(text)]
    others = len(cells) - len(headers)
    found = ", ".join(headers) or "no known column names"
    raise ImportFileError(
        f"{kind.missing(keys)} The first row ({first[0]}) has: {found}"
        + (f" and {others} other cell(s)." if others else ".")
    )


def _header_columns(values: Sequence[Any], notes: list[str], kind: FileColumns) -> list[tuple[int, str]]:
    columns: list[tuple[int, str]] = []
    where: dict[str, str] = {}
    for position, value in enumerate(values):
        text = _clean(value)
        if text is None:
            continue
        key = kind.key(text)
        if key is None:
            notes.append(f"Column {echoed(str(text))!r} is not recognised and was ignored.")
            continue
        if key in where:
            raise ImportFileError(
                f"Columns {echoed(where[key])!r} and {echoed(str(text))!r} both mean {kind.label(key)}; keep only "
                "one of them."
            )
        where[key] = str(text)
        columns.append((position, key))
    if message := kind.missing(where.keys()):
        raise ImportFileError(message)
    return columns


def _clean(value: Any) -> Any:
    """Trim text; blank text becomes None so that "empty" means the same in CSV and XLSX."""
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value
