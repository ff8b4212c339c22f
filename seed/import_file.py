"""A synthetic registry as a bulk-import file: one row per certificate, Chinese headers, text values."""

from __future__ import annotations

from collections.abc import Iterable, Iterator, Mapping
from pathlib import Path

from adapters.spreadsheets import write_csv as write_rows
from registry.taxonomy import EDUCATION_LEVELS, LEVEL_BY_RANK, WORK_TYPE_BY_CODE
from seed.synthetic import SyntheticRegistry

IMPORT_HEADERS: tuple[str, ...] = (
    "姓名", "身份证号", "性别", "学历", "参加工作年份", "地区代码", "手机", "邮箱", "单位统一社会信用代码", "公开",
    "工种", "等级", "证书编号", "发证日期", "有效期至", "状态", "专业领域", "资质",
)  # fmt: skip
_GENDER_ZH = {"male": "男", "female": "女"}
_EDUCATION_ZH = dict(EDUCATION_LEVELS)
_STATUS_ZH = {"valid": "有效", "suspended": "暂停", "revoked": "撤销", "expired": "过期"}


def import_rows(registry: SyntheticRegistry, limit: int | None = None) -> Iterator[dict[str, str]]:
    """Yield the registry as bulk-import rows (one per certificate, Chinese headers, text values), streaming.

    `limit` caps the number of rows.
    """
    if limit is not None and limit <= 0:
        return
    emitted = 0
    # Block by block and without engagements: the file has no place for them, and a limit stops early.
    for batch in registry._blocks(engagements=False):
        people = {person["id"]: person for person in batch.practitioners}
        for certificate in batch.certificates:
            person = people[certificate["practitioner_id"]]
            expires_on = certificate["expires_on"]
            yield {
                "姓名": person["name"],
                "身份证号": person["id_card"],
                "性别": _GENDER_ZH[person["gender"]],
                "学历": _EDUCATION_ZH[person["education"]],
                "参加工作年份": "" if person["work_start_year"] is None else str(person["work_start_year"]),
                "地区代码": person["region"],
                "手机": person["phone"],
                "邮箱": person["email"],
                "单位统一社会信用代码": registry.employer_uscc(person["employer_id"]) or "",
                "公开": "是" if person["public_profile"] else "否",
                "工种": WORK_TYPE_BY_CODE[certificate["work_type"]].name_zh,
                "等级": LEVEL_BY_RANK[certificate["level"]].name_zh,
                "证书编号": certificate["number"],
                "发证日期": certificate["issued_on"].isoformat(),
                "有效期至": expires_on.isoformat() if expires_on else "",
                "状态": _STATUS_ZH[certificate["status"]],
                "专业领域": ";".join(person["specialties"]),
                "资质": ";".join(person["qualifications"]),
            }
            emitted += 1
            if limit is not None and emitted >= limit:
                return


def write_csv(path: str | Path, rows: Iterable[Mapping[str, str]]) -> int:
    """Write import rows to a UTF-8 CSV with a BOM (so Excel reads the Chinese), streaming; returns the row count."""
    return write_rows(path, IMPORT_HEADERS, rows)
