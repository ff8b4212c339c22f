"""Bulk import from CSV and XLSX against the real graph: exact reports, exact writes, idempotent re-imports."""

import csv
import io
import tracemalloc
from datetime import date

import openpyxl
import pytest

from graph import imports
from registry.identifiers import make_id_card, make_uscc
from tests.support import assert_problem, graph_size, unique_id_card

HEADERS_ZH = ["姓名", "身份证号", "性别", "学历", "参加工作年份", "地区代码", "手机", "单位统一社会信用代码", "单位名称",
              "工种", "等级", "证书编号", "发证日期", "有效期至", "专业领域"]  # fmt: skip
HEADERS_EN = ["name", "id_card", "gender", "education", "work_start_year", "region", "phone", "employer_uscc",
              "employer_name", "work_type", "level", "certificate_number", "issued_on", "expires_on",
              "specialties"]  # fmt: skip


def _mixed_rows(tag: str) -> tuple[list[list[str]], dict[str, str]]:
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


def _csv_bytes(headers: list[str], rows: list[list[str]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(headers)
    writer.writerows(rows)
    return buffer.getvalue().encode("utf-8-sig")


def _xlsx_bytes(headers: list[str], rows: list[list[str]]) -> bytes:
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


def _run(graph, settings, data: bytes, filename: str):
    return imports.import_file(
        graph, io.BytesIO(data), filename, id_card_key=settings.id_card_key, today=date.today()
    )


def _people(graph, id_cards: dict[str, str], settings) -> dict[str, dict]:
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


@pytest.mark.parametrize(("fmt", "headers"), [("csv", HEADERS_ZH), ("xlsx", HEADERS_ZH), ("csv", HEADERS_EN)])
def test_a_file_with_good_and_bad_rows_writes_exactly_the_good_ones(graph, settings, fmt, headers):
    tag = f"IMP{fmt.upper()}{len(headers[0])}"
    rows, ids = _mixed_rows(tag)
    data = _csv_bytes(headers, rows) if fmt == "csv" else _xlsx_bytes(headers, rows)
    report = _run(graph, settings, data, f"certificates.{fmt}")
    assert (report.rows_read, report.rows_valid, report.rows_invalid) == (7, 4, 3)
    assert (report.practitioners_created, report.certificates_created) == (3, 3)
    errors = {(e.row, e.column) for e in report.errors}
    assert errors == {(6, "id_card"), (7, "level"), (8, "region"), (8, "expires_on")}
    assert all("坏" not in e.value for e in report.errors)
    people = _people(graph, ids, settings)
    assert set(people) == {"wang", "li", "zhao"}
    assert sorted(people["wang"]["numbers"]) == [f"{tag}-0001", f"{tag}-0002"]
    assert sorted(people["wang"]["pools"]) == ["expert", "talent"]
    assert people["wang"]["employers"] == ["导入测试公司"]
    assert people["li"]["pools"] == ["talent"]
    assert people["zhao"]["numbers"] == [] and people["zhao"]["pools"] == []


def test_importing_the_same_file_again_changes_nothing(graph, settings):
    rows, _ = _mixed_rows("IMPAGAIN")
    data = _csv_bytes(HEADERS_ZH, rows)
    _run(graph, settings, data, "again.csv")
    before = graph_size(graph)
    report = _run(graph, settings, data, "again.csv")
    assert (report.practitioners_created, report.certificates_created, report.certificates_unchanged) == (
        0,
        0,
        3,
    )
    nodes, relationships = graph_size(graph)
    assert (nodes - 1, relationships) == before  # only the new ImportBatch audit node


def test_a_number_stored_with_other_facts_is_a_conflict_for_that_row(graph, settings):
    rows, _ = _mixed_rows("IMPCONF")
    _run(graph, settings, _csv_bytes(HEADERS_ZH, rows[:1]), "first.csv")
    changed = [list(rows[0])]
    changed[0][10] = "一级"
    report = _run(graph, settings, _csv_bytes(HEADERS_ZH, changed), "second.csv")
    assert report.certificates_conflicting == 1
    assert [(e.row, e.column) for e in report.errors] == [(2, "certificate_number")]
    assert report.certificates_created == 0


def test_an_id_card_registered_under_another_name_is_a_conflict(graph, settings):
    rows, _ = _mixed_rows("IMPNAME")
    _run(graph, settings, _csv_bytes(HEADERS_ZH, rows[:1]), "first.csv")
    renamed = [list(rows[0])]
    renamed[0][0] = "王别名"
    renamed[0][11] = "IMPNAME-0099"
    report = _run(graph, settings, _csv_bytes(HEADERS_ZH, renamed), "second.csv")
    assert [(e.row, e.column) for e in report.errors] == [(2, "name")]
    assert report.certificates_created == 0


def test_the_api_imports_an_uploaded_file_and_returns_the_report(client, admin):
    rows, _ = _mixed_rows("IMPAPI")
    data = _csv_bytes(HEADERS_ZH, rows)
    response = client.post(
        "/api/v1/imports", data={"file": (io.BytesIO(data), "upload.csv")}, headers=admin,
        content_type="multipart/form-data",
    )  # fmt: skip
    assert response.status_code == 200
    body = response.get_json()
    assert (body["rows_valid"], body["rows_invalid"], body["certificates_created"]) == (4, 3, 3)
    assert {(e["row"], e["column"]) for e in body["errors"]} == {(6, "id_card"), (7, "level"), (8, "region"),
                                                                  (8, "expires_on")}  # fmt: skip


def test_the_api_refuses_what_it_cannot_import(client, admin, as_role, graph):
    before = graph_size(graph)
    assert "file" in assert_problem(client.post("/api/v1/imports", headers=admin), 400)["errors"]
    wrong = {"file": (io.BytesIO(b"hello"), "notes.txt")}
    assert_problem(
        client.post("/api/v1/imports", data=wrong, headers=admin, content_type="multipart/form-data"), 400
    )
    missing = {"file": (io.BytesIO("姓名,手机\n张三,13800000000\n".encode()), "x.csv")}
    body = assert_problem(
        client.post("/api/v1/imports", data=missing, headers=admin, content_type="multipart/form-data"), 400
    )
    assert "身份证号" in body["detail"] or "id_card" in body["detail"]
    assert client.post("/api/v1/imports", headers=as_role("client")).status_code == 403
    assert graph_size(graph) == before


def test_a_20000_row_file_imports_without_a_memory_spike(graph, settings, tmp_path):
    path = tmp_path / "big.csv"
    with path.open("w", encoding="utf-8", newline="") as handle:
        writer = csv.writer(handle)
        writer.writerow(HEADERS_ZH)
        for n in range(20_000):
            id_card = make_id_card(
                "370200", date(1970, 1, 1).fromordinal(date(1970, 1, 1).toordinal() + n // 900), n % 900
            )
            writer.writerow(["批量" + str(n), id_card, "", "", "", "370200", "", "", "", "碳排放核算员",
                             "四级" if n % 4 else "三级", f"BULK-{n:06d}", "2024-03-01", "", ""])  # fmt: skip
    tracemalloc.start()
    report = imports.import_file(
        graph, str(path), path.name, id_card_key=settings.id_card_key, today=date.today()
    )
    _, peak = tracemalloc.get_traced_memory()
    tracemalloc.stop()
    assert (report.rows_valid, report.certificates_created, report.practitioners_created) == (
        20_000,
        20_000,
        20_000,
    )
    # Streaming keeps Python's peak well below the file's size times any per-row overhead.
    assert peak < 150 * 1024 * 1024, f"peak {peak / 1e6:.0f} MB"
    print(f"20k-row import: Python peak {peak / 1e6:.1f} MB")


def test_a_file_that_breaks_part_way_keeps_the_rows_before_and_says_where(graph, settings, tmp_path):
    # ASCII for the first MiB (so it reads as UTF-8), then a GB18030 row that is not valid UTF-8.
    path = tmp_path / "broken.csv"
    good = [(f"Alpha {n}", unique_id_card()) for n in range(12)]
    with path.open("wb") as handle:
        handle.write(b"name,id_card,notes\n")
        for name, id_card in good:
            handle.write(f"{name},{id_card},{'x' * 100_000}\n".encode())
        handle.write("王坏行,".encode("gb18030") + unique_id_card().encode() + b",\n")
    report = imports.import_file(
        graph, str(path), path.name, id_card_key=settings.id_card_key, today=date.today()
    )
    # Decoding reads ahead, so the break may surface a row early; every row read before it is written.
    assert 10 <= report.rows_read <= 12
    assert report.practitioners_created == report.rows_read
    assert any(f"Reading stopped after {report.rows_read} rows" in warning for warning in report.warnings)
    records, _, _ = graph.driver.execute_query(
        "MATCH (b:ImportBatch {filename: 'broken.csv'}) RETURN b.rows_read AS rows", database_=graph.database
    )
    assert [r["rows"] for r in records] == [report.rows_read]
