"""Import files for the import tests: mixed good and bad rows in Chinese or English, as CSV or XLSX bytes."""

import csv
import io
from datetime import date

import openpyxl

from registry.identifiers import make_uscc
from services import imports
from services.context import Context
from tests.support import unique_id_card

HEADERS_ZH = ["姓名", "身份证号", "性别", "学历", "参加工作年份", "地区代码", "手机", "单位统一社会信用代码", "单位名称",
              "工种", "等级", "证书编号", "发证日期", "有效期至", "专业领域"]  # fmt: skip
HEADERS_EN = ["name", "id_card", "gender", "education", "work_start_year", "region", "phone", "employer_uscc",
              "employer_name", "work_type", "level", "certificate_number", "issued_on", "expires_on",
              "specialties"]  # fmt: skip


def mixed_rows(tag: str) -> tuple[list[list[str]], dict[str, str]]:
    """Three good people (one with two certificates) and three bad rows; returns rows and the good ID cards."""
    ids = {
        "wang": unique_id_card(),
        "li": unique_id_card(),
        "zhao": unique_id_card(),
        "bad": unique_id_card(),
    }
    uscc = make_uscc(f"91420100{abs(hash(tag)) % 10**9:09d}")
    rows = [
        ["王导入", ids["wang"], "男", "本科", "2012", "420100", "13800001111", uscc, "导入测试公司", "碳排放核查员", "二级",
         f"{tag}-0001", "2024-01-10", "2028-01-09", "carbon_verification"],
        ["王导入", ids["wang"], "男", "本科", "2012", "420100", "13800001111", uscc, "导入测试公司", "碳排放监测员", "四级",
         f"{tag}-0002", "2023/05/01", "", ""],
        ["李导入", ids["li"], "女", "硕士", "2018", "110000", "", "", "", "核算", "3", f"{tag}-0003", "2025-02-01", "", ""],
        ["赵导入", ids["zhao"], "", "", "", "", "", "", "", "", "", "", "", "", ""],  # a person without a certificate
        ["坏校验", ids["bad"][:17] + ("0" if ids["bad"][17] != "0" else "1"), "", "", "", "", "", "", "", "碳排放核查员",
         "二级", f"{tag}-0005", "2024-01-10", "", ""],
        ["坏等级", unique_id_card(), "", "", "", "", "", "", "", "碳排放核查员", "五级", f"{tag}-0006", "2024-01-10", "", ""],
        ["坏日期", unique_id_card(), "", "", "", "999999", "", "", "", "碳排放核查员", "二级", f"{tag}-0007", "2024-01-10",
         "2023-01-01", ""],
    ]  # fmt: skip
    return rows, ids


def csv_bytes(headers: list[str], rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def xlsx_bytes(headers: list[str], rows: list[list[str]]) -> bytes:
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(headers)
    for row in rows:
        cells = list(row)
        if cells[12]:  # a real Excel date cell for 发证日期
            cells[12] = date.fromisoformat(cells[12].replace("/", "-"))
        sheet.append(cells)
    buffer = io.BytesIO()
    workbook.save(buffer)
    return buffer.getvalue()


def run_import(graph, settings, data: bytes, filename: str):
    return imports.import_file(Context(graph=graph, settings=settings), io.BytesIO(data), filename)


def people_by_id_card(graph, id_cards: dict[str, str], settings) -> dict[str, dict]:
    from registry.identifiers import id_card_hash

    found = {}
    for key, id_card in id_cards.items():
        records, _, _ = graph.driver.execute_query(
            """
            MATCH (p:Practitioner {id_card_hash: $hash})
            RETURN p.name AS name,
                   [(p)-[:HOLDS]->(c) | c.number] AS numbers,
                   [(p)-[:MEMBER_OF]->(pool) | pool.code] AS pools,
                   [(p)-[:EMPLOYED_BY]->(o) | o.name] AS employers
            """,
            hash=id_card_hash(id_card, settings.id_card_key),
        )
        if records:
            found[key] = records[0].data()
    return found
