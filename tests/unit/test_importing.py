import csv
import io
import json
import tracemalloc
from datetime import date, datetime, timedelta
from pathlib import Path

import openpyxl
import pytest

from adapters.spreadsheets import read_rows
from registry.errors import ImportFileError
from registry.identifiers import make_id_card
from registry.import_columns import HEADER_ALIASES, normalize_header
from registry.import_report import MAX_STORED_ERRORS, ImportReport
from registry.import_rows import ImportCertificate, ImportRow, RowError, consistency_errors, validate_row
from registry.import_values import ECHOED_MAX_LENGTH, echoed

TODAY = date(2025, 6, 1)
KNOWN = {
    "regions": {"420000", "420100", "110000"},
    "specialties": {"carbon_verification", "energy_audit", "carbon_footprint"},
    "qualifications": {"pmp", "vcs_auditor"},
}
ID_CARD = make_id_card("420100", date(1988, 5, 17), 123)
OTHER_ID_CARD = make_id_card("110105", date(1992, 11, 3), 44)
USCC = "91350100M000100Y43"  # the published GB 32100 example

CHINESE_HEADER = ["姓名", "身份证号", "工种", "等级", "证书编号", "发证日期", "有效期至", "手机"]
ENGLISH_HEADER = [
    "name",
    "id_card",
    "work_type",
    "level",
    "certificate_number",
    "issued_on",
    "expires_on",
    "phone",
]
ROW = [
    "王小明",
    ID_CARD,
    "碳排放核查员",
    "三级",
    "CPCIF-2024-000123",
    "2024-03-01",
    "2028-02-29",
    "13800000000",
]


def write_csv(path: Path, rows: list[list[str]], encoding: str = "utf-8") -> Path:
    with path.open("w", encoding=encoding, newline="") as file:
        csv.writer(file).writerows(rows)
    return path


def read_all(path: Path, warnings: list[str] | None = None) -> list[tuple[int, dict]]:
    return list(read_rows(path, path.name, warnings=warnings))


def valid_raw(**overrides: object) -> dict:
    raw = dict(zip(ENGLISH_HEADER, ROW, strict=True))
    raw.update(overrides)
    return raw


def errors_of(raw: dict, row: int = 2) -> list[RowError]:
    result, errors = validate_row(row, raw, today=TODAY, known=KNOWN)
    assert result is None
    return errors


# --- Headers ---


@pytest.mark.parametrize(
    ("header", "key"),
    [
        ("姓名", "name"),
        ("身份证号码", "id_card"),
        (" 身份证号 ", "id_card"),
        ("\u3000手机号\u3000", "phone"),  # full-width spaces from Chinese input methods
        ("ID Card", "id_card"),
        ("Work-Type", "work_type"),
        ("*证书编号", "certificate_number"),
        ("发证日期（YYYY-MM-DD）", "issued_on"),
        ("\ufeff姓名", "name"),
        ("备注", None),
        ("", None),
    ],
)
def test_headers_are_recognised_in_chinese_and_english_with_noise(header, key):
    assert normalize_header(header) == key


def test_every_header_alias_is_already_in_normal_form():
    for alias, key in HEADER_ALIASES.items():
        assert normalize_header(alias) == key


def test_chinese_and_english_headers_read_the_same(tmp_path):
    chinese = read_all(write_csv(tmp_path / "zh.csv", [CHINESE_HEADER, ROW]))
    english = read_all(write_csv(tmp_path / "en.csv", [ENGLISH_HEADER, ROW]))
    assert chinese == english
    assert chinese[0][1]["id_card"] == ID_CARD
    assert chinese[0][1]["work_type"] == "碳排放核查员"


def test_header_order_and_surrounding_spaces_do_not_matter(tmp_path):
    order = [7, 3, 0, 6, 1, 5, 2, 4]
    shuffled_header = [f"  {CHINESE_HEADER[i]}  " for i in order]
    shuffled_row = [ROW[i] for i in order]
    plain = read_all(write_csv(tmp_path / "plain.csv", [CHINESE_HEADER, ROW]))
    shuffled = read_all(write_csv(tmp_path / "shuffled.csv", [shuffled_header, shuffled_row]))
    assert shuffled == plain


def test_cell_values_are_trimmed_and_blank_cells_are_none(tmp_path):
    path = write_csv(tmp_path / "a.csv", [["姓名", "身份证号", "手机"], ["  王小明 ", ID_CARD, "   "]])
    [(_, raw)] = read_all(path)
    assert raw == {"name": "王小明", "id_card": ID_CARD, "phone": None}


def test_an_unknown_column_gives_one_warning_however_many_rows(tmp_path):
    rows = [[*CHINESE_HEADER, "备注"]] + [[*ROW, f"note {n}"] for n in range(5)]
    warnings: list[str] = []
    read = read_all(write_csv(tmp_path / "a.csv", rows), warnings)
    assert len(read) == 5
    assert len(warnings) == 1
    assert "备注" in warnings[0]
    assert all("备注" not in raw and None not in raw for _, raw in read)


def test_two_columns_meaning_the_same_key_are_refused(tmp_path):
    path = write_csv(
        tmp_path / "a.csv", [["姓名", "身份证号", "手机", "手机号"], ["王小明", ID_CARD, "1", "2"]]
    )
    with pytest.raises(ImportFileError, match="both mean"):
        read_all(path)


def test_a_title_row_above_the_header_is_skipped_with_a_warning(tmp_path):
    rows = [["2024年碳排放管理员证书名单"], [], CHINESE_HEADER, ROW]
    warnings: list[str] = []
    [(row, raw)] = read_all(write_csv(tmp_path / "a.csv", rows), warnings)
    assert row == 4
    assert raw["name"] == "王小明"
    assert any("above the header" in warning for warning in warnings)


# --- Encodings and formats ---


def test_csv_in_utf8_with_bom_reads_correctly(tmp_path):
    path = write_csv(tmp_path / "bom.csv", [CHINESE_HEADER, ROW], encoding="utf-8-sig")
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    [(_, raw)] = read_all(path)
    assert raw["name"] == "王小明"  # the BOM did not end up in the first header


def test_csv_in_gb18030_from_chinese_excel_reads_correctly(tmp_path):
    path = write_csv(tmp_path / "gbk.csv", [CHINESE_HEADER, ROW], encoding="gb18030")
    with pytest.raises(UnicodeDecodeError):
        path.read_bytes().decode("utf-8")  # really not UTF-8
    [(_, raw)] = read_all(path)
    assert raw["name"] == "王小明"
    assert raw["work_type"] == "碳排放核查员"


def test_semicolon_separated_csv_reads(tmp_path):
    path = tmp_path / "semi.csv"
    path.write_text(";".join(CHINESE_HEADER) + "\n" + ";".join(ROW) + "\n", encoding="utf-8")
    [(_, raw)] = read_all(path)
    assert raw["certificate_number"] == "CPCIF-2024-000123"


def test_a_binary_stream_is_read_and_left_open(tmp_path):
    data = (",".join(CHINESE_HEADER) + "\r\n" + ",".join(ROW) + "\r\n").encode("utf-8")
    stream = io.BytesIO(data)
    [(row, raw)] = list(read_rows(stream, "upload.CSV"))
    assert (row, raw["name"]) == (2, "王小明")
    assert not stream.closed


def test_xlsx_with_a_real_date_cell_reads_and_validates(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(CHINESE_HEADER)
    sheet.append([*ROW[:5], datetime(2024, 3, 1), date(2028, 2, 29), 13800000000])
    path = tmp_path / "list.xlsx"
    workbook.save(path)

    [(row, raw)] = read_all(path)
    assert row == 2
    assert isinstance(raw["issued_on"], datetime)
    imported, errors = validate_row(row, raw, today=TODAY, known=KNOWN)
    assert errors == []
    assert imported is not None and imported.certificate is not None
    assert imported.certificate.issued_on == date(2024, 3, 1)
    assert imported.certificate.expires_on == date(2028, 2, 29)
    assert imported.phone == "13800000000"  # a number cell, read back as the phone number


def test_row_numbers_are_what_a_person_sees_in_csv(tmp_path):
    second = [*ROW[:4], "CPCIF-2024-000124", *ROW[5:]]
    path = write_csv(tmp_path / "a.csv", [CHINESE_HEADER, ROW, [], [""] * 8, second])
    assert [row for row, _ in read_all(path)] == [2, 5]


def test_a_quoted_cell_spanning_lines_counts_as_one_row(tmp_path):
    path = write_csv(
        tmp_path / "a.csv",
        [["姓名", "身份证号", "单位名称"], ["王小明", ID_CARD, "第一行\n第二行"], ["李四", ID_CARD, "x"]],
    )
    assert [row for row, _ in read_all(path)] == [2, 3]


def test_row_numbers_are_what_a_person_sees_in_xlsx(tmp_path):
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    sheet.append(CHINESE_HEADER)
    sheet.append(ROW)
    sheet.cell(row=6, column=1, value="李四")
    sheet.cell(row=6, column=2, value=OTHER_ID_CARD)
    path = tmp_path / "a.xlsx"
    workbook.save(path)
    assert [(row, raw["name"]) for row, raw in read_all(path)] == [(2, "王小明"), (6, "李四")]


# --- File errors ---


def test_a_txt_file_is_refused(tmp_path):
    path = tmp_path / "list.txt"
    path.write_text(",".join(CHINESE_HEADER), encoding="utf-8")
    with pytest.raises(ImportFileError, match=r"\.csv and \.xlsx"):
        read_all(path)


def test_missing_required_columns_are_refused_and_named(tmp_path):
    path = write_csv(tmp_path / "a.csv", [["姓名", "工种"], ["王小明", "核查"]])
    with pytest.raises(ImportFileError, match=r"身份证号 \(id_card\)"):
        read_all(path)


def test_a_certificate_column_needs_the_other_certificate_columns(tmp_path):
    path = write_csv(
        tmp_path / "a.csv", [["姓名", "身份证号", "证书编号"], ["王小明", ID_CARD, "CPCIF-1234"]]
    )
    with pytest.raises(ImportFileError) as raised:
        read_all(path)
    message = str(raised.value)
    assert all(key in message for key in ("work_type", "level", "issued_on"))
    assert "(certificate_number)" not in message


def test_person_columns_alone_are_a_valid_file(tmp_path):
    path = write_csv(tmp_path / "a.csv", [["姓名", "身份证号"], ["王小明", ID_CARD]])
    assert len(read_all(path)) == 1


def test_an_empty_file_has_no_header_row(tmp_path):
    path = tmp_path / "empty.csv"
    path.write_bytes(b"\r\n\r\n")
    with pytest.raises(ImportFileError, match="no header row"):
        read_all(path)


def test_a_workbook_renamed_to_csv_is_refused(tmp_path):
    workbook = openpyxl.Workbook()
    path = tmp_path / "list.csv"
    workbook.save(path)
    with pytest.raises(ImportFileError, match="Excel workbook"):
        read_all(path)


def test_a_csv_renamed_to_xlsx_is_refused(tmp_path):
    path = write_csv(tmp_path / "list.xlsx", [CHINESE_HEADER, ROW])
    with pytest.raises(ImportFileError, match=r"not a valid \.xlsx"):
        read_all(path)


# --- Row validation ---


def test_a_full_row_is_normalised():
    raw = valid_raw(
        gender="男",
        education="大学本科",
        enrolled="否",
        work_start_year="2012",
        region=420100,
        phone="+86 138-0000-0000",
        email="Wang@Example.CN",
        employer_uscc=USCC.lower(),
        employer_name="湖北某某水泥有限公司",
        public_profile="是",
        work_type="核查",
        level="3级",
        issued_on="2024年3月1日",
        expires_on="2028.02.29",
        status="有效",
        specialties="carbon_verification、energy_audit； carbon_footprint",
        qualifications="PMP,vcs_auditor",
        id_card=ID_CARD.lower(),
    )
    row, errors = validate_row(7, raw, today=TODAY, known=KNOWN)
    assert errors == []
    assert row == ImportRow(
        row=7,
        name="王小明",
        id_card=ID_CARD,
        gender="male",
        education="bachelor",
        enrolled=False,
        work_start_year=2012,
        region="420100",
        phone="13800000000",
        email="Wang@example.cn",
        employer_uscc=USCC,
        employer_name="湖北某某水泥有限公司",
        public_profile=True,
        specialties=("carbon_verification", "energy_audit", "carbon_footprint"),
        qualifications=("pmp", "vcs_auditor"),
        certificate=ImportCertificate(
            number="CPCIF-2024-000123",
            work_type="verification",
            level=3,
            issued_on=date(2024, 3, 1),
            expires_on=date(2028, 2, 29),
            status="valid",
        ),
    )


def test_a_person_only_row_validates_without_a_certificate():
    row, errors = validate_row(2, {"name": "王小明", "id_card": ID_CARD}, today=TODAY, known=KNOWN)
    assert errors == []
    assert row is not None
    assert row.certificate is None
    assert (row.specialties, row.qualifications) == ((), ())


def test_status_defaults_to_valid():
    row, _ = validate_row(2, valid_raw(), today=TODAY, known=KNOWN)
    assert row is not None and row.certificate is not None
    assert row.certificate.status == "valid"


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("2024-03-01", date(2024, 3, 1)),
        ("2024/3/1", date(2024, 3, 1)),  # what Chinese Excel writes to CSV
        ("2024.03.01", date(2024, 3, 1)),
        ("2024年3月1日", date(2024, 3, 1)),
        ("2024-03-01 00:00:00", date(2024, 3, 1)),
        (date(2024, 3, 1), date(2024, 3, 1)),
        (datetime(2024, 3, 1, 0, 0), date(2024, 3, 1)),
    ],
)
def test_date_formats_are_accepted(text, expected):
    row, errors = validate_row(2, valid_raw(issued_on=text), today=TODAY, known=KNOWN)
    assert errors == []
    assert row is not None and row.certificate is not None
    assert row.certificate.issued_on == expected


@pytest.mark.parametrize(
    ("text", "level"), [("四级", 4), ("4级", 4), ("4", 4), (4, 4), (1.0, 1), ("一级", 1)]
)
def test_level_spellings_are_accepted(text, level):
    row, _ = validate_row(2, valid_raw(level=text), today=TODAY, known=KNOWN)
    assert row is not None and row.certificate is not None
    assert row.certificate.level == level


@pytest.mark.parametrize(
    ("text", "code"),
    [("monitoring", "monitoring"), ("碳排放核算员", "accounting"), ("交易", "trading"), ("民航", "aviation")],
)
def test_work_type_spellings_are_accepted(text, code):
    row, _ = validate_row(2, valid_raw(work_type=text), today=TODAY, known=KNOWN)
    assert row is not None and row.certificate is not None
    assert row.certificate.work_type == code


WRONG_CHECK_DIGIT = ID_CARD[:-1] + ("0" if ID_CARD[-1] != "0" else "1")


@pytest.mark.parametrize(
    ("column", "value", "shown", "reason"),
    [
        (
            "id_card",
            WRONG_CHECK_DIGIT,
            WRONG_CHECK_DIGIT[:3] + "***" + WRONG_CHECK_DIGIT[-2:],
            "check character",
        ),
        ("phone", "12345678901", "123***01", "11-digit"),
        ("email", "wang.example.cn", "wan***cn", "@"),
        ("region", "429999", "429999", "not a known region"),
        ("region", "4201", "4201", "6-digit"),
        ("level", "五级", "五级", "1–4"),
        ("work_type", "碳排放审计员", "碳排放审计员", "work type"),
        (
            "issued_on",
            (TODAY + timedelta(days=1)).isoformat(),
            (TODAY + timedelta(days=1)).isoformat(),
            "future",
        ),
        ("expires_on", "2024-02-01", "2024-02-01", "after issued_on"),
        ("issued_on", "2024-02-30", "2024-02-30", "real date"),
        ("certificate_number", "证书#001", "证书#001", "letters, digits and hyphens"),
        ("name", None, "", "required"),
        ("name", "王" * 51, "王" * 51, "50"),
        ("gender", "未知", "未知", "男/女"),
        ("work_start_year", "1949", "1949", "1950"),
        ("employer_uscc", "91350100M000100Y44", "91350100M000100Y44", "check character"),
        ("specialties", "energy_audit;teleportation", "teleportation", "specialty"),
        ("status", "作废", "作废", "有效"),
    ],
)
def test_each_bad_value_is_reported_with_row_column_and_value(column, value, shown, reason):
    errors = errors_of(valid_raw(**{column: value}), row=9)
    assert len(errors) == 1
    [error] = errors
    assert (error.row, error.column, error.value) == (9, column, shown)
    assert reason in error.reason


def test_personal_identifiers_never_appear_whole_in_an_error():
    raw = valid_raw(id_card=WRONG_CHECK_DIGIT, phone="1380000000", email="not-an-email")
    for error in errors_of(raw):
        assert WRONG_CHECK_DIGIT not in error.value + error.reason
        assert "1380000000" not in error.value + error.reason
        assert "not-an-email" not in error.value + error.reason


def test_an_id_card_stored_as_an_excel_number_is_explained():
    [error] = errors_of(valid_raw(id_card=float(ID_CARD)))
    assert error.column == "id_card"
    assert "as a number" in error.reason


def test_all_errors_of_a_row_are_reported_not_only_the_first():
    raw = valid_raw(name="", id_card=WRONG_CHECK_DIGIT, phone="123", level="五级", work_type="审计")
    errors = errors_of(raw)
    assert {error.column for error in errors} == {"name", "id_card", "phone", "level", "work_type"}


def test_a_partial_certificate_names_each_missing_column():
    raw = {"name": "王小明", "id_card": ID_CARD, "certificate_number": "CPCIF-2024-000123"}
    errors = errors_of(raw)
    assert {error.column for error in errors} == {"work_type", "level", "issued_on"}
    assert all("required when the row has a certificate" in error.reason for error in errors)


def test_an_expired_status_with_an_expiry_still_ahead_is_a_contradiction():
    [error] = errors_of(valid_raw(status="过期", expires_on="2028-02-29"))
    assert error.column == "status"
    row, errors = validate_row(2, valid_raw(status="过期", expires_on="2025-01-31"), today=TODAY, known=KNOWN)
    assert errors == [] and row is not None and row.certificate is not None
    assert row.certificate.status == "expired"


# --- Across rows ---


def valid_row(row: int, **overrides: object) -> ImportRow:
    result, errors = validate_row(row, valid_raw(**overrides), today=TODAY, known=KNOWN)
    assert errors == [], errors
    assert result is not None
    return result


def test_a_certificate_number_reused_with_different_content_is_caught():
    errors = consistency_errors([valid_row(2), valid_row(3, level="四级")])
    assert [(error.row, error.column, error.value) for error in errors] == [
        (2, "certificate_number", "CPCIF-2024-000123"),
        (3, "certificate_number", "CPCIF-2024-000123"),
    ]
    assert errors[1].reason.endswith("is also on row 2 with a different level")


def test_a_certificate_number_reused_for_another_person_is_caught():
    rows = [valid_row(2), valid_row(3, id_card=OTHER_ID_CARD, name="李四")]
    errors = consistency_errors(rows)
    assert [error.row for error in errors] == [2, 3]
    assert all("holder" in error.reason for error in errors)


def test_a_repeated_identical_row_is_not_a_conflict():
    assert consistency_errors([valid_row(2), valid_row(3)]) == []


def test_one_person_with_several_certificates_is_not_a_conflict():
    rows = [valid_row(2), valid_row(3, certificate_number="CPCIF-2024-000999", work_type="consulting")]
    assert consistency_errors(rows) == []


def test_the_same_id_card_with_different_names_is_caught_and_masked():
    rows = [valid_row(2), valid_row(3, name="王晓明", certificate_number="CPCIF-2024-000999")]
    errors = consistency_errors(rows)
    assert [(error.row, error.column) for error in errors] == [(2, "id_card"), (3, "id_card")]
    assert all(ID_CARD not in error.value and error.value.endswith(ID_CARD[-2:]) for error in errors)


# --- Report ---


def test_the_report_counts_rows_and_caps_stored_errors():
    report = ImportReport()
    report.record(valid_row(2))
    error = RowError(3, "level", "五级", "level must be 1–4")
    for _ in range(MAX_STORED_ERRORS + 5):
        report.record(None, [error])
    assert (report.rows_read, report.rows_valid, report.rows_invalid) == (
        MAX_STORED_ERRORS + 6,
        1,
        MAX_STORED_ERRORS + 5,
    )
    assert len(report.errors) == MAX_STORED_ERRORS
    assert report.error_count == MAX_STORED_ERRORS + 5
    data = json.loads(json.dumps(report.to_dict()))
    assert data["errors"][0] == {"row": 3, "column": "level", "value": "五级", "reason": "level must be 1–4"}
    assert data["errors_truncated"] is True
    assert data["certificates_created"] == 0


def test_rejecting_a_row_after_validation_moves_it_to_invalid():
    report = ImportReport()
    report.record(valid_row(2))
    report.record(valid_row(3))
    report.reject()
    assert (report.rows_valid, report.rows_invalid) == (1, 1)


# --- Streaming ---


def test_reading_a_large_csv_streams_instead_of_loading_the_file(tmp_path):
    path = tmp_path / "large.csv"
    count = 50_000
    first_birth = date(1970, 1, 1)
    header = [*CHINESE_HEADER, "性别", "学历", "地区代码", "邮箱", "单位名称", "专业领域"]
    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(header)
        for n in range(count):
            # Distinct (birth date, sequence) pairs give 50 000 distinct valid ID card numbers.
            id_card = make_id_card("420100", first_birth + timedelta(days=n // 1000), n % 1000)
            writer.writerow(
                [
                    f"测试{n}",
                    id_card,
                    "核查",
                    "三级",
                    f"CPCIF-2024-{n:06d}",
                    "2024-03-01",
                    "2028-02-29",
                    f"138{n:08d}",
                    "男" if n % 2 else "女",
                    "本科",
                    "420100",
                    f"user{n}@example.cn",
                    f"湖北某某水泥有限公司第{n}分公司",
                    "carbon_verification、energy_audit",
                ]
            )
    file_size = path.stat().st_size
    assert file_size > 8_000_000

    tracemalloc.start()
    try:
        rows = 0
        last = None
        for row, raw in read_rows(path, path.name):
            rows += 1
            last = (row, raw)
        _, peak = tracemalloc.get_traced_memory()
    finally:
        tracemalloc.stop()

    assert rows == count
    assert last is not None and last[0] == count + 1
    assert validate_row(*last, today=TODAY, known=KNOWN)[1] == []  # the synthetic data is valid
    # Keeping the rows would take about 100 MB, and reading the whole file at once at least its size.
    assert peak < 50 * 1024 * 1024
    assert peak < file_size


# --- Formula injection ---


@pytest.mark.parametrize(
    ("column", "value"),
    [
        ("name", '=HYPERLINK("http://example.invalid","点我")'),
        ("name", "+1+2"),
        ("name", "-2+3"),
        ("name", "@SUM(A1)"),
        ("employer_name", "=1+1"),
        ("email", "=cmd@example.cn"),
        ("email", "+x@example.cn"),
    ],
)
def test_text_a_spreadsheet_would_run_as_a_formula_is_refused(column, value):
    [error] = errors_of(valid_raw(**{column: value}))
    assert error.column == column
    assert "formula" in error.reason


@pytest.mark.parametrize("prefix", ["\t", "\r", " \t"])
def test_a_formula_behind_a_tab_or_carriage_return_is_refused_too(tmp_path, prefix):
    path = write_csv(tmp_path / "tab.csv", [ENGLISH_HEADER, [prefix + "=1+1", *ROW[1:]]])
    [(row, raw)] = read_all(path)
    [error] = errors_of(raw, row=row)
    assert (error.row, error.column) == (2, "name")
    assert "formula" in error.reason


def test_ordinary_names_with_hyphens_or_at_signs_inside_are_accepted():
    row, errors = validate_row(
        2, valid_raw(name="王-小明", email="wang+cm@example.cn"), today=TODAY, known=KNOWN
    )
    assert errors == [] and row is not None


# --- What a report repeats of a cell ---


def test_a_value_longer_than_200_characters_is_echoed_cut_with_an_ellipsis_and_its_length():
    cut = echoed("碳" * 60_000_000)
    assert len(cut) == ECHOED_MAX_LENGTH == 200
    assert cut.startswith("碳" * 100) and cut.endswith("… (60,000,000 characters)")


def test_a_value_of_200_characters_or_fewer_is_echoed_whole_and_a_cut_value_is_not_cut_again():
    assert echoed("五级") == "五级"
    assert echoed("x" * 200) == "x" * 200
    once = echoed("x" * 201)
    assert once.endswith("… (201 characters)") and echoed(once) == once


def test_a_row_error_on_a_huge_cell_repeats_only_the_start_of_it():
    raw = {"name": "张" * 1_000_000, "id_card": ID_CARD, "specialties": "y" * 500_000}
    _, errors = validate_row(2, raw, today=TODAY, known=KNOWN)
    assert {error.column for error in errors} == {"name", "specialties"}
    assert all(len(error.value) <= 200 and len(error.reason) <= 400 for error in errors)
    assert all(error.value.endswith("characters)") for error in errors)
    [name] = [error for error in errors if error.column == "name"]
    assert name.value.endswith("… (1,000,000 characters)") and "at most 50 characters" in name.reason
    [code] = [error for error in errors if error.column == "specialties"]
    assert code.reason.endswith("is not a known specialty code")
