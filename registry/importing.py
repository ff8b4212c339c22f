"""Bulk import of certificate lists (CSV or XLSX): streaming file reading and row validation.

One row is one certificate of one person, or a person alone when every certificate column is empty.
Nothing here touches the graph: the writer feeds the validated rows to the services in batches.
"""

from __future__ import annotations

import codecs
import csv
import io
import re
import shutil
import tempfile
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence, Set
from contextlib import ExitStack
from dataclasses import asdict, dataclass, field
from datetime import date, datetime
from pathlib import Path, PurePath
from typing import Any, BinaryIO

import openpyxl

from registry.certificates import validate_dates
from registry.errors import InvalidIdentifier
from registry.identifiers import normalize_email, normalize_id_card, normalize_phone, normalize_uscc
from registry.taxonomy import (
    CERTIFICATE_STATUSES,
    EDUCATION_LEVELS,
    LEVELS,
    WORK_TYPES,
)


class ImportFileError(ValueError):
    """The file as a whole cannot be imported: wrong type, unreadable, or missing required columns."""


# --- Columns and headers -------------------------------------------------------------------------------------

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


def _column_label(key: str) -> str:
    return f"{CHINESE_HEADERS[key]} ({key})"


# --- Reading files -------------------------------------------------------------------------------------------

SUPPORTED_EXTENSIONS: tuple[str, ...] = (".csv", ".xlsx")
_SNIFF_CHUNK = 64 * 1024
_SNIFF_LIMIT = 1024 * 1024


def read_rows(
    source: str | Path | BinaryIO, filename: str, *, warnings: list[str] | None = None
) -> Iterator[tuple[int, dict[str, Any]]]:
    """Stream (row number as a person sees it, {column key: raw value}) for each non-empty data row."""
    # A generator: ImportFileError (bad type, encoding, header) is raised by the first next(), before any row.
    # Warnings (unknown columns, rows above the header) go to `warnings`, e.g. an ImportReport's list.
    extension = PurePath(filename).suffix.lower()
    if extension not in SUPPORTED_EXTENSIONS:
        hint = (
            " Save it as .xlsx or as CSV UTF-8." if extension in (".xls", ".et", ".numbers", ".ods") else ""
        )
        raise ImportFileError(
            f"Unsupported file type {extension or '(none)'!r}: only .csv and .xlsx files can be imported.{hint}"
        )
    notes: list[str] = warnings if warnings is not None else []
    with ExitStack() as stack:
        if isinstance(source, str | Path):
            try:
                stream: BinaryIO = stack.enter_context(open(source, "rb"))
            except OSError as error:
                raise ImportFileError(f"Cannot open the file: {error.strerror or error}") from error
        else:
            stream = source  # the caller's stream: read it, never close it
        cells = _csv_cells(stream, stack) if extension == ".csv" else _xlsx_cells(stream, stack)
        yield from _records(cells, notes)


def _records(
    cells: Iterator[tuple[int, Sequence[Any]]], notes: list[str]
) -> Iterator[tuple[int, dict[str, Any]]]:
    columns, width = _find_header(cells, notes)
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
    cells: Iterator[tuple[int, Sequence[Any]]], notes: list[str]
) -> tuple[list[tuple[int, str]], int]:
    """Consume rows up to the header; return the (position, key) pairs of known columns and the header width."""
    first: tuple[int, Sequence[Any]] | None = None
    seen = 0
    for index, values in cells:
        if all(_clean(value) is None for value in values):
            continue
        keys = {normalize_header(value) for value in values}
        if set(REQUIRED_COLUMNS) <= keys:
            if first is not None:
                above = (
                    f"Row {first[0]} was" if first[0] == index - 1 else f"Rows {first[0]}–{index - 1} were"
                )
                notes.append(f"{above} above the header row ({index}) and ignored.")
            width = max(position for position, value in enumerate(values) if _clean(value) is not None) + 1
            return _header_columns(values, notes), width
        if first is None:
            first = (index, values)
        seen += 1
        if seen >= HEADER_SEARCH_ROWS:
            break
    if first is None:
        raise ImportFileError("The file has no header row: it is empty.")
    # No row names both required columns: say what the first non-empty row, taken as the header, lacks.
    keys = {normalize_header(value) for value in first[1]}
    # Only cells that are column names are quoted: a data row taken for the header holds personal data.
    cells = [text for value in first[1] if (text := _clean(value)) is not None]
    headers = [repr(str(text)) for text in cells if normalize_header(text)]
    others = len(cells) - len(headers)
    found = ", ".join(headers) or "no known column names"
    raise ImportFileError(
        f"{_missing_message(keys)} The first row ({first[0]}) has: {found}"
        + (f" and {others} other cell(s)." if others else ".")
    )


def _missing_message(keys: Set[str | None]) -> str:
    missing = [key for key in REQUIRED_COLUMNS if key not in keys]
    if any(key in keys for key in CERTIFICATE_COLUMNS):
        missing += [key for key in CERTIFICATE_REQUIRED_COLUMNS if key not in keys]
    if not missing:
        return ""
    return "Missing required columns: " + ", ".join(_column_label(key) for key in missing) + "."


def _header_columns(values: Sequence[Any], notes: list[str]) -> list[tuple[int, str]]:
    columns: list[tuple[int, str]] = []
    where: dict[str, str] = {}
    for position, value in enumerate(values):
        text = _clean(value)
        if text is None:
            continue
        key = normalize_header(text)
        if key is None:
            notes.append(f"Column {str(text)!r} is not recognised and was ignored.")
            continue
        if key in where:
            raise ImportFileError(
                f"Columns {where[key]!r} and {text!r} both mean {_column_label(key)}; keep only one of them."
            )
        where[key] = str(text)
        columns.append((position, key))
    if message := _missing_message(where.keys()):
        raise ImportFileError(message)
    return columns


def _clean(value: Any) -> Any:
    """Trim text; blank text becomes None so that "empty" means the same in CSV and XLSX."""
    if isinstance(value, str):
        value = value.strip()
        return value or None
    return value


class _Replay(io.RawIOBase):
    """The bytes already read for sniffing the encoding, then the rest of the stream, read lazily."""

    def __init__(self, head: bytes, rest: BinaryIO) -> None:
        super().__init__()
        self._head = memoryview(head)
        self._rest = rest

    def readable(self) -> bool:
        return True

    def readinto(self, buffer: Any) -> int:
        if self._head:
            size = min(len(buffer), len(self._head))
            buffer[:size] = self._head[:size]
            self._head = self._head[size:]
            return size
        data = self._rest.read(len(buffer))
        buffer[: len(data)] = data
        return len(data)


def _sniff(stream: BinaryIO) -> tuple[bytes, bool]:
    """Read the start of the stream: until a non-ASCII byte shows the encoding, 1 MiB, or the end."""
    chunks: list[bytes] = []
    size = 0
    while size < _SNIFF_LIMIT:
        chunk = stream.read(_SNIFF_CHUNK)
        if not chunk:
            return b"".join(chunks), True
        chunks.append(chunk)
        size += len(chunk)
        if not chunk.isascii():
            break
    return b"".join(chunks), False


def _decodes(head: bytes, encoding: str, final: bool) -> bool:
    try:
        codecs.getincrementaldecoder(encoding)().decode(head, final=final)
    except UnicodeDecodeError:
        return False
    return True


def _csv_encoding(head: bytes, at_end: bool) -> str:
    if head.startswith(b"PK\x03\x04"):
        raise ImportFileError(
            "This file is an Excel workbook, not CSV text; name it .xlsx or save it as CSV."
        )
    if head.startswith(b"\xd0\xcf\x11\xe0"):
        raise ImportFileError("This file is an old Excel .xls workbook; save it as .xlsx or as CSV UTF-8.")
    if head.startswith((codecs.BOM_UTF16_LE, codecs.BOM_UTF16_BE)):
        raise ImportFileError("This CSV is UTF-16 (Excel 'Unicode text'); save it as CSV UTF-8 instead.")
    if b"\x00" in head:
        raise ImportFileError("This file is binary data, not CSV text.")
    if head.startswith(codecs.BOM_UTF8) or _decodes(head, "utf-8", at_end):
        return "utf-8-sig"  # also strips the BOM Excel's "CSV UTF-8" writes
    # Chinese Excel saves plain "CSV" in the ANSI code page; GB18030 is a superset of GBK and GB2312.
    if _decodes(head, "gb18030", at_end):
        return "gb18030"
    raise ImportFileError("This CSV is neither UTF-8 nor GB18030 text; save it as CSV UTF-8.")


def _delimiter(head: bytes, encoding: str) -> str:
    # Some locales' Excel writes ";" and some tools write tabs; the header line tells which.
    first_line = head.split(b"\n", 1)[0].decode(encoding, errors="replace")
    counts = {delimiter: first_line.count(delimiter) for delimiter in (",", ";", "\t")}
    best = max(counts, key=lambda delimiter: counts[delimiter])
    return best if counts[best] > counts[","] else ","


def _csv_cells(stream: BinaryIO, stack: ExitStack) -> Iterator[tuple[int, Sequence[Any]]]:
    head, at_end = _sniff(stream)
    encoding = _csv_encoding(head, at_end)
    text = stack.enter_context(
        io.TextIOWrapper(io.BufferedReader(_Replay(head, stream)), encoding=encoding, newline="")
    )
    reader = csv.reader(text, delimiter=_delimiter(head, encoding))
    # Row numbers count records, as a spreadsheet shows them, not physical lines (a quoted cell may span lines).
    index = 0
    while True:
        try:
            values = next(reader)
        except StopIteration:
            return
        except UnicodeDecodeError as error:
            name = "UTF-8" if encoding.startswith("utf-8") else "GB18030"
            # The decoder works a buffer ahead of the CSV reader, so only "after row N" is certain.
            raise ImportFileError(
                f"The file is not valid {name} text after row {index}; save the whole file as CSV UTF-8."
            ) from error
        except csv.Error as error:
            raise ImportFileError(f"Row {index + 1} is not valid CSV: {error}.") from error
        index += 1
        yield index, values


def _xlsx_cells(stream: BinaryIO, stack: ExitStack) -> Iterator[tuple[int, Sequence[Any]]]:
    if not stream.seekable():
        # A zip archive is read from its end; spool a pipe or socket to disk rather than into memory.
        spool = stack.enter_context(tempfile.TemporaryFile())  # noqa: SIM115 - the stack closes it
        shutil.copyfileobj(stream, spool)
        spool.seek(0)
        stream = spool  # type: ignore[assignment]
    try:
        workbook = openpyxl.load_workbook(stream, read_only=True, data_only=True)
    except Exception as error:  # openpyxl raises many kinds (BadZipFile, KeyError, XML errors) for a bad file
        raise ImportFileError("This file is not a valid .xlsx workbook.") from error
    stack.callback(workbook.close)  # read-only mode keeps the archive open until closed
    if not workbook.worksheets:
        raise ImportFileError("The workbook has no worksheet.")
    sheet = workbook.worksheets[0]
    # The stored dimension is often wrong in files from other tools; recompute it while streaming.
    sheet.reset_dimensions()
    rows = sheet.iter_rows(values_only=True)
    index = 0
    while True:
        try:
            values = next(rows)
        except StopIteration:
            return
        except Exception as error:  # a damaged sheet fails only when its XML is reached
            raise ImportFileError(f"The workbook could not be read after row {index}.") from error
        index += 1
        yield index, values


# --- Validated rows ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RowError:
    row: int
    column: str
    value: str  # masked for id_card, phone and email: reports are logged and shown
    reason: str


@dataclass(frozen=True)
class ImportCertificate:
    number: str
    work_type: str
    level: int
    issued_on: date
    expires_on: date | None
    status: str


@dataclass(frozen=True)
class ImportRow:
    row: int
    name: str
    id_card: str
    gender: str | None = None
    education: str | None = None
    enrolled: bool | None = None
    work_start_year: int | None = None
    region: str | None = None
    phone: str | None = None
    email: str | None = None
    employer_uscc: str | None = None
    employer_name: str | None = None
    public_profile: bool | None = None
    specialties: tuple[str, ...] = ()
    qualifications: tuple[str, ...] = ()
    certificate: ImportCertificate | None = None


MASKED_COLUMNS: frozenset[str] = frozenset({"id_card", "phone", "email"})
NAME_MAX_LENGTH = 50
EMPLOYER_NAME_MAX_LENGTH = 200
MAX_CODES = 30  # as many specialties or qualifications as the API accepts
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


class _BadValue(ValueError):
    """A cell's value is not acceptable; the message is the reason shown to the person."""


def _mask(text: str) -> str:
    # First 3 and last 2 characters: enough to find the cell, too little to use the identifier.
    return text[:3] + "***" + text[-2:] if len(text) >= 8 else "***"


def _as_text(value: Any) -> str:
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


def _shown(column: str, value: Any) -> str:
    if value is None:
        return ""
    text = _as_text(value)
    return _mask(text) if column in MASKED_COLUMNS else text


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


def _plain_text(value: Any, max_length: int) -> str:
    text = _as_text(value)
    if len(text) > max_length:
        raise _BadValue(f"must be at most {max_length} characters")
    if any(ord(char) < 32 for char in text):
        raise _BadValue("must not contain control characters")
    return text


def _parse_name(value: Any) -> str:
    return _plain_text(value, NAME_MAX_LENGTH)


def _parse_employer_name(value: Any) -> str:
    return _plain_text(value, EMPLOYER_NAME_MAX_LENGTH)


def _parse_id_card(value: Any, today: date) -> str:
    if isinstance(value, float):
        raise _BadValue("was stored as a number, which loses its last digits; format the column as text")
    return normalize_id_card(_as_text(value), today=today)


def _lookup(table: Mapping[str, Any], value: Any, reason: str) -> Any:
    key = _as_text(value).lower()
    if key not in table:
        raise _BadValue(reason)
    return table[key]


def _parse_gender(value: Any) -> str:
    return _lookup(GENDER_VALUES, value, "must be 男/女 or male/female")


def _parse_education(value: Any) -> str:
    return _lookup(
        EDUCATION_VALUES,
        value,
        "is not a known education level; use a code (bachelor, …) or a label such as 本科 or 硕士",
    )


def _parse_boolean(value: Any) -> bool:
    if isinstance(value, bool):
        return value
    return _lookup(BOOLEAN_VALUES, value, "must be 是/否, yes/no, true/false or 1/0")


def _parse_year(value: Any, today: date) -> int:
    if isinstance(value, bool | date):  # date covers datetime
        raise _BadValue("must be a year such as 2015")
    match = _YEAR.fullmatch(_as_text(value))
    if not match:
        raise _BadValue("must be a year such as 2015")
    year = int(match.group(1))
    if not EARLIEST_WORK_START_YEAR <= year <= today.year:
        raise _BadValue(f"must be between {EARLIEST_WORK_START_YEAR} and {today.year}")
    return year


def _parse_region(value: Any, known: Set[str]) -> str:
    code = _as_text(value)
    if not _REGION.fullmatch(code):
        raise _BadValue("must be a 6-digit GB/T 2260 code such as 420100")
    if code not in known:
        raise _BadValue("is not a known region code")
    return code


def _parse_level(value: Any) -> int:
    if isinstance(value, bool):
        raise _BadValue("must be 1–4 (一级, 二级, 三级 or 四级)")
    return _lookup(LEVEL_VALUES, value, "must be 1–4 (一级, 二级, 三级 or 四级)")


def _parse_work_type(value: Any) -> str:
    return _lookup(
        WORK_TYPE_VALUES,
        value,
        "is not a known work type; use a code ("
        + ", ".join(w.code for w in WORK_TYPES)
        + ") or a name such as 碳排放核查员",
    )


def _parse_status(value: Any) -> str:
    return _lookup(STATUS_VALUES, value, "must be valid/suspended/revoked/expired or 有效/暂停/撤销/过期")


def _parse_certificate_number(value: Any) -> str:
    number = _as_text(value)
    if not CERTIFICATE_NUMBER.fullmatch(number):
        raise _BadValue("must be 4–40 letters, digits and hyphens, e.g. CPCIF-2024-000123")
    return number


def _parse_date(value: Any) -> date:
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    if isinstance(value, int | float):
        # An unformatted Excel date cell arrives as a serial number; guessing would hide typing errors.
        raise _BadValue("is a number, not a date; write YYYY-MM-DD or format the cell as a date")
    text = _as_text(value)
    match = _DATE_NUMERIC.fullmatch(text)
    parts = (match.group(1), match.group(3), match.group(4)) if match else None
    if parts is None and (match := _DATE_CHINESE.fullmatch(text)):
        parts = match.groups()
    if parts is None:
        raise _BadValue("must be a date as YYYY-MM-DD, YYYY/MM/DD, YYYY.MM.DD or YYYY年M月D日")
    try:
        return date(*(int(part) for part in parts))
    except ValueError:
        raise _BadValue("is not a real date") from None


def _parse_email(value: Any) -> str:
    return normalize_email(_as_text(value))


def _parse_phone(value: Any) -> str:
    return normalize_phone(_as_text(value))


def _parse_uscc(value: Any) -> str:
    return normalize_uscc(_as_text(value))


def validate_row(
    row_number: int, raw: Mapping[str, Any], *, today: date, known: Mapping[str, Set[str]]
) -> tuple[ImportRow | None, list[RowError]]:
    """Validate and normalise one raw row; return (row, []) or (None, every error found in it)."""
    errors: list[RowError] = []

    def fail(column: str, reason: str, value: Any = None) -> None:
        errors.append(
            RowError(row_number, column, _shown(column, raw.get(column) if value is None else value), reason)
        )

    def parse(column: str, parser: Callable[..., Any], *args: Any, required: str | None = None) -> Any:
        value = raw.get(column)
        if _is_blank(value):
            if required:
                fail(column, required)
            return None
        try:
            return parser(value, *args)
        except _BadValue as error:
            fail(column, f"{column} {error}")  # parsers shared by several columns leave the subject out
        except InvalidIdentifier as error:
            fail(column, str(error))
        return None

    name = parse("name", _parse_name, required="name is required")
    id_card = parse("id_card", _parse_id_card, today, required="id_card is required")
    gender = parse("gender", _parse_gender)
    education = parse("education", _parse_education)
    enrolled = parse("enrolled", _parse_boolean)
    work_start_year = parse("work_start_year", _parse_year, today)
    region = parse("region", _parse_region, known["regions"])
    phone = parse("phone", _parse_phone)
    email = parse("email", _parse_email)
    employer_uscc = parse("employer_uscc", _parse_uscc)
    employer_name = parse("employer_name", _parse_employer_name)
    public_profile = parse("public_profile", _parse_boolean)
    specialties = _codes(raw.get("specialties"), "specialties", "specialty", known, fail)
    qualifications = _codes(raw.get("qualifications"), "qualifications", "qualification", known, fail)
    certificate = _certificate(raw, today, parse, fail)

    if errors:
        return None, errors
    return (
        ImportRow(
            row=row_number,
            name=name,
            id_card=id_card,
            gender=gender,
            education=education,
            enrolled=enrolled,
            work_start_year=work_start_year,
            region=region,
            phone=phone,
            email=email,
            employer_uscc=employer_uscc,
            employer_name=employer_name,
            public_profile=public_profile,
            specialties=specialties,
            qualifications=qualifications,
            certificate=certificate,
        ),
        [],
    )


def _codes(
    value: Any, column: str, noun: str, known: Mapping[str, Set[str]], fail: Callable[..., None]
) -> tuple[str, ...]:
    if _is_blank(value):
        return ()
    codes = tuple(dict.fromkeys(code.lower() for code in _CODE_SEPARATORS.split(_as_text(value)) if code))
    if len(codes) > MAX_CODES:
        fail(column, f"{column} may list at most {MAX_CODES} codes")
        return ()
    valid = known[column]
    for code in codes:
        if code not in valid:
            fail(
                column, f"{code!r} is not a known {noun} code", code
            )  # one error per code names exactly which to fix
    return codes


def _certificate(
    raw: Mapping[str, Any], today: date, parse: Callable[..., Any], fail: Callable[..., None]
) -> ImportCertificate | None:
    if all(_is_blank(raw.get(column)) for column in CERTIFICATE_COLUMNS):
        return None  # a person-only row
    needed = "is required when the row has a certificate"
    number = parse("certificate_number", _parse_certificate_number, required=f"certificate_number {needed}")
    work_type = parse("work_type", _parse_work_type, required=f"work_type {needed}")
    level = parse("level", _parse_level, required=f"level {needed}")
    issued_on = parse("issued_on", _parse_date, required=f"issued_on {needed}")
    expires_on = parse("expires_on", _parse_date)
    status = parse("status", _parse_status) or "valid"
    if issued_on is not None:
        for column, reasons in validate_dates(issued_on, expires_on, today).items():
            for reason in reasons:
                fail(column, reason)
    if status == "expired" and expires_on is not None and expires_on >= today:
        # The registry only records an expiry that has happened (certificates.next_status "expire").
        fail("status", f"status is expired but expires_on {expires_on.isoformat()} has not passed")
    if None in (number, work_type, level, issued_on):
        return None
    return ImportCertificate(number, work_type, level, issued_on, expires_on, status)


# --- Across rows ---------------------------------------------------------------------------------------------


def _rows_phrase(rows: Sequence[int]) -> str:
    shown = ", ".join(str(row) for row in rows[:5]) + (", …" if len(rows) > 5 else "")
    return f"row {shown}" if len(rows) == 1 else f"rows {shown}"


def _certificate_content(row: ImportRow) -> dict[str, Any]:
    cert = row.certificate
    assert cert is not None
    return {
        "holder": row.id_card,
        "work_type": cert.work_type,
        "level": cert.level,
        "issued_on": cert.issued_on,
        "expires_on": cert.expires_on,
        "status": cert.status,
    }


def consistency_errors(rows: Sequence[ImportRow]) -> list[RowError]:
    """Errors between valid rows: a certificate number reused with other content, an ID card with two names."""
    errors: list[RowError] = []
    by_id_card: dict[str, list[ImportRow]] = {}
    by_number: dict[str, list[ImportRow]] = {}
    for row in rows:
        by_id_card.setdefault(row.id_card, []).append(row)
        if row.certificate is not None:
            by_number.setdefault(row.certificate.number, []).append(row)

    for id_card, group in by_id_card.items():
        for row in group:
            others = [other.row for other in group if other.name != row.name]
            if others:
                errors.append(
                    RowError(
                        row.row,
                        "id_card",
                        _mask(id_card),
                        f"the same ID card number is on {_rows_phrase(others)} with a different name",
                    )
                )

    for number, group in by_number.items():
        contents = [_certificate_content(row) for row in group]
        for row, content in zip(group, contents, strict=True):
            differing = [
                (other.row, [name for name in content if other_content[name] != content[name]])
                for other, other_content in zip(group, contents, strict=True)
            ]
            differing = [(other_row, names) for other_row, names in differing if names]
            if differing:
                names = list(dict.fromkeys(name for _, other_names in differing for name in other_names))
                errors.append(
                    RowError(
                        row.row,
                        "certificate_number",
                        number,
                        f"certificate number {number} is also on {_rows_phrase([r for r, _ in differing])} "
                        f"with a different {', '.join(names)}",
                    )
                )
    errors.sort(key=lambda error: (error.row, error.column))
    return errors


# --- Report --------------------------------------------------------------------------------------------------

MAX_STORED_ERRORS = 1000


@dataclass
class ImportReport:
    """What an import did: rows read, valid and invalid, errors (first 1000 kept), warnings, and graph counts."""

    rows_read: int = 0
    rows_valid: int = 0
    rows_invalid: int = 0
    error_count: int = 0  # all errors, including those not kept in `errors`
    errors: list[RowError] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    # Filled in by the writer.
    practitioners_created: int = 0
    practitioners_updated: int = 0
    certificates_created: int = 0
    certificates_unchanged: int = 0
    certificates_conflicting: int = 0

    def record(self, row: ImportRow | None, errors: Iterable[RowError] = ()) -> None:
        """Count one validated row and keep its errors."""
        errors = list(errors)
        self.rows_read += 1
        if row is not None and not errors:
            self.rows_valid += 1
        else:
            self.rows_invalid += 1
        self.add_errors(errors)

    def reject(self, count: int = 1) -> None:
        """Move rows counted valid to invalid, e.g. rows consistency_errors or the writer turned down."""
        count = min(count, self.rows_valid)
        self.rows_valid -= count
        self.rows_invalid += count

    def add_errors(self, errors: Iterable[RowError]) -> None:
        """Count errors and keep the first MAX_STORED_ERRORS, so a broken file cannot fill memory."""
        for error in errors:
            self.error_count += 1
            if len(self.errors) < MAX_STORED_ERRORS:
                self.errors.append(error)

    def add_warning(self, message: str) -> None:
        """Keep a warning once."""
        if message not in self.warnings:
            self.warnings.append(message)

    @property
    def errors_truncated(self) -> bool:
        """Whether some errors were counted but not kept."""
        return self.error_count > len(self.errors)

    def to_dict(self) -> dict[str, Any]:
        """The report as JSON-ready data, errors as a list of dicts."""
        data = asdict(self)  # also turns each RowError into a dict
        data["errors_truncated"] = self.errors_truncated
        return data
