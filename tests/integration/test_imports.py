"""Bulk import from CSV and XLSX through the service, against the real graph: exact reports, exact writes,
idempotent re-imports, a record of every import."""

import csv
import io
import tracemalloc
from datetime import date

import pytest

from registry.identifiers import make_id_card
from services import imports
from services.context import Context
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
    report = imports.import_file(Context(graph=graph, settings=settings), str(path), path.name)
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
    report = imports.import_file(Context(graph=graph, settings=settings), str(path), path.name)
    # Decoding reads ahead, so the break may surface a row early; every row read before it is written.
    assert 10 <= report.rows_read <= 12
    assert report.practitioners_created == report.rows_read
    assert any(f"Reading stopped after {report.rows_read} rows" in warning for warning in report.warnings)
    records, _, _ = graph.driver.execute_query(
        "MATCH (b:ImportBatch {filename: 'broken.csv'}) RETURN b.rows_read AS rows", database_=graph.database
    )
    assert [r["rows"] for r in records] == [report.rows_read]


def _batch(graph, import_id: str) -> dict:
    records, _, _ = graph.driver.execute_query(
        "MATCH (b:ImportBatch {id: $id}) RETURN b {.*} AS batch", id=import_id, database_=graph.database
    )
    return records[0]["batch"]


def _expired_row(tag: str) -> list[str]:
    # Marked 有效 (valid), but its 有效期至 has passed: stored as valid, expired by the calendar.
    return ["过期仍有效", unique_id_card(), "", "", "", "", "", "", "", "碳排放核查员", "四级", f"{tag}-0001",
            "2020-01-10", "2024-01-09", ""]  # fmt: skip


def test_a_valid_row_past_its_expiry_is_unchanged_not_a_conflict_on_re_import(graph, settings):
    data = csv_bytes(HEADERS_ZH, [_expired_row("IMPEXP")])
    first = run_import(graph, settings, data, "expired.csv")
    assert first.certificates_created == 1
    again = run_import(graph, settings, data, "expired.csv")
    assert (again.certificates_unchanged, again.certificates_conflicting, again.errors) == (1, 0, [])


def test_a_valid_row_matches_a_certificate_the_daily_job_has_since_expired(graph, settings):
    data = csv_bytes(HEADERS_ZH, [_expired_row("IMPJOB")])
    run_import(graph, settings, data, "expired-job.csv")
    graph.driver.execute_query(
        "MATCH (c:Certificate {number: 'IMPJOB-0001'}) SET c.status = 'expired'", database_=graph.database
    )
    again = run_import(graph, settings, data, "expired-job.csv")
    assert (again.certificates_unchanged, again.certificates_conflicting) == (1, 0)


def test_an_import_is_recorded_running_from_its_start_and_completed_at_its_end(graph, settings):
    rows, _ = mixed_rows("IMPREC")
    seen = []

    def progress(_count: int) -> None:
        records, _, _ = graph.driver.execute_query(
            "MATCH (b:ImportBatch {filename: 'recorded.csv'}) RETURN b.status AS status, b.batches AS batches",
            database_=graph.database,
        )
        seen.extend((r["status"], r["batches"]) for r in records)

    context = Context(graph=graph, settings=settings)
    data = io.BytesIO(csv_bytes(HEADERS_ZH, rows))
    report = imports.import_file(context, data, "recorded.csv", batch_size=1, progress=progress)
    assert seen and {status for status, _ in seen} == {"running"}
    assert max(batches for _, batches in seen) >= 1  # advanced batch by batch, while still running
    batch = _batch(graph, report.import_id)
    assert batch["status"] == "completed"
    assert (batch["rows_read"], batch["rows_valid"], batch["rows_invalid"]) == (7, 4, 3)
    assert (batch["practitioners_created"], batch["certificates_created"]) == (3, 3)


class Interrupted(Exception):
    """Stands for a process stopped part-way (Ctrl-C, a worker timeout, a dropped connection)."""


def test_an_interrupted_import_records_exactly_what_it_committed_and_a_re_run_completes_it(
    graph, settings, tmp_path
):
    path = tmp_path / "interrupted.csv"
    path.write_bytes(
        csv_bytes(HEADERS_EN, [r for r in mixed_rows("IMPKILL")[0] if not r[0].startswith("坏")])
    )
    calls = []

    def stop_after_two_batches(count: int) -> None:
        calls.append(count)
        if len(calls) == 2:
            raise Interrupted

    with pytest.raises(Interrupted):
        imports.import_file(
            Context(graph=graph, settings=settings), str(path), path.name, batch_size=1,
            progress=stop_after_two_batches,
        )  # fmt: skip
    records, _, _ = graph.driver.execute_query(
        """
        MATCH (b:ImportBatch {filename: 'interrupted.csv'})
        RETURN b {.*} AS batch,
               COUNT { MATCH (e:CertificateEvent {import_batch: b.id}) } AS certificates_written
        """,
        database_=graph.database,
    )
    [interrupted] = records
    assert interrupted["batch"]["status"] == "failed" and interrupted["batch"]["error"] == "Interrupted"
    assert 1 <= interrupted["batch"]["certificates_created"] == interrupted["certificates_written"] < 3

    report = imports.import_file(Context(graph=graph, settings=settings), str(path), path.name)
    assert report.certificates_created + interrupted["certificates_written"] == 3
    assert _batch(graph, report.import_id)["status"] == "completed"
    earlier = _batch(graph, interrupted["batch"]["id"])
    assert (earlier["status"], earlier["completed_by"]) == ("superseded", report.import_id)


def test_a_name_written_as_a_formula_is_refused_and_nothing_is_stored(graph, settings):
    rows, ids = mixed_rows("IMPFORMULA")
    formula = [list(rows[2])]
    formula[0][0] = '=HYPERLINK("http://example.invalid","点我")'
    report = run_import(graph, settings, csv_bytes(HEADERS_ZH, formula), "formula.csv")
    assert (report.rows_valid, report.practitioners_created) == (0, 0)
    assert [(e.row, e.column) for e in report.errors] == [(2, "name")]
    assert people_by_id_card(graph, {"li": ids["li"]}, settings) == {}


def test_listing_imports_gives_the_newest_first(graph, settings):
    rows, _ = mixed_rows("IMPLIST")
    report = run_import(graph, settings, csv_bytes(HEADERS_ZH, rows[:1]), "listed.csv")
    page = imports.list_imports(Context(graph=graph, settings=settings), 1, 5)
    items, total = page.items, page.total
    assert items[0]["id"] == report.import_id and items[0]["status"] == "completed"
    assert total >= 1
