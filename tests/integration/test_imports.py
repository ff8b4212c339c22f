"""Bulk import from CSV and XLSX through the service, against the real graph: exact reports, exact writes,
idempotent re-imports, a record of every import."""

import csv
import tracemalloc
from datetime import date

import pytest

from registry.identifiers import make_id_card
from services import imports
from tests.import_files import (
    HEADERS_EN,
    HEADERS_ZH,
    csv_bytes,
    mixed_rows,
    people_by_id_card,
    run_import,
    xlsx_bytes,
)
from tests.support import graph_size, unique_id_card


@pytest.mark.parametrize(("fmt", "headers"), [("csv", HEADERS_ZH), ("xlsx", HEADERS_ZH), ("csv", HEADERS_EN)])
def test_a_file_with_good_and_bad_rows_writes_exactly_the_good_ones(graph, settings, fmt, headers):
    tag = f"IMP{fmt.upper()}{len(headers[0])}"
    rows, ids = mixed_rows(tag)
    data = csv_bytes(headers, rows) if fmt == "csv" else xlsx_bytes(headers, rows)
    report = run_import(graph, settings, data, f"certificates.{fmt}")
    assert (report.rows_read, report.rows_valid, report.rows_invalid) == (7, 4, 3)
    assert (report.practitioners_created, report.certificates_created) == (3, 3)
    errors = {(e.row, e.column) for e in report.errors}
    assert errors == {(6, "id_card"), (7, "level"), (8, "region"), (8, "expires_on")}
    assert all("坏" not in e.value for e in report.errors)
    people = people_by_id_card(graph, ids, settings)
    assert set(people) == {"wang", "li", "zhao"}
    assert sorted(people["wang"]["numbers"]) == [f"{tag}-0001", f"{tag}-0002"]
    assert sorted(people["wang"]["pools"]) == ["expert", "talent"]
    assert people["wang"]["employers"] == ["导入测试公司"]
    assert people["li"]["pools"] == ["talent"]
    assert people["zhao"]["numbers"] == [] and people["zhao"]["pools"] == []


def test_importing_the_same_file_again_changes_nothing(graph, settings):
    rows, _ = mixed_rows("IMPAGAIN")
    data = csv_bytes(HEADERS_ZH, rows)
    run_import(graph, settings, data, "again.csv")
    before = graph_size(graph)
    report = run_import(graph, settings, data, "again.csv")
    assert (report.practitioners_created, report.certificates_created, report.certificates_unchanged) == (
        0,
        0,
        3,
    )
    nodes, relationships = graph_size(graph)
    assert (nodes - 1, relationships) == before  # only the new ImportBatch audit node


def test_a_number_stored_with_other_facts_is_a_conflict_for_that_row(graph, settings):
    rows, _ = mixed_rows("IMPCONF")
    run_import(graph, settings, csv_bytes(HEADERS_ZH, rows[:1]), "first.csv")
    changed = [list(rows[0])]
    changed[0][10] = "一级"
    report = run_import(graph, settings, csv_bytes(HEADERS_ZH, changed), "second.csv")
    assert report.certificates_conflicting == 1
    assert [(e.row, e.column) for e in report.errors] == [(2, "certificate_number")]
    assert report.certificates_created == 0


def test_an_id_card_registered_under_another_name_is_a_conflict(graph, settings):
    rows, _ = mixed_rows("IMPNAME")
    run_import(graph, settings, csv_bytes(HEADERS_ZH, rows[:1]), "first.csv")
    renamed = [list(rows[0])]
    renamed[0][0] = "王别名"
    renamed[0][11] = "IMPNAME-0099"
    report = run_import(graph, settings, csv_bytes(HEADERS_ZH, renamed), "second.csv")
    assert [(e.row, e.column) for e in report.errors] == [(2, "name")]
    assert report.certificates_created == 0


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
