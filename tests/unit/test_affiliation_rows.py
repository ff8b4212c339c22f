"""Rows of the employment and control-relation imports: columns, cells, and the API's rules on each row."""

from datetime import date

import pytest

from registry.affiliation_rows import (
    EMPLOYMENT_FILE,
    RELATION_FILE,
    AffiliationReport,
    parse_share,
    validate_employment,
    validate_relation,
)
from registry.import_values import BadValue
from tests.support import unique_id_card

TODAY = date(2026, 12, 7)
PERSON = "6f1c2b9e-0d4a-4c1e-9a57-3f2f7d0b8e11"
ORG = "0b7f8c3d-2e5a-4f9b-8c1d-6a4e2f9b7c30"


def test_a_person_may_be_named_by_id_or_by_id_card_and_an_organization_by_id_or_uscc():
    assert EMPLOYMENT_FILE.is_header({"practitioner_id", "organization_uscc", "since"})
    assert EMPLOYMENT_FILE.is_header({"id_card", "organization_id", "since"})
    assert not EMPLOYMENT_FILE.is_header({"id_card", "organization_id"})
    assert EMPLOYMENT_FILE.missing({"since"}) == (
        "Missing required columns: 人员编号 (practitioner_id) or 身份证号 (id_card), "
        "单位编号 (organization_id) or 单位统一社会信用代码 (organization_uscc)."
    )


@pytest.mark.parametrize(
    ("header", "key"),
    [
        ("入职日期", "since"),
        ("离职日期", "until"),
        ("统一社会信用代码", "organization_uscc"),
        ("人员编号", "practitioner_id"),
    ],
)
def test_an_employment_file_s_headers_may_be_chinese_or_english(header, key):
    assert EMPLOYMENT_FILE.key(header) == key
    assert EMPLOYMENT_FILE.key(key) == key


@pytest.mark.parametrize(
    ("header", "key"),
    [("持股比例（%）", "share"), ("母公司统一社会信用代码", "parent_uscc"), ("关系类型", "kind")],
)
def test_a_relation_file_s_headers_may_be_chinese_or_english(header, key):
    assert RELATION_FILE.key(header) == key


def test_a_good_employment_row_is_parsed():
    raw = {
        "practitioner_id": PERSON.upper(),
        "organization_id": ORG,
        "since": "2019年1月1日",
        "until": "2020/6/30",
    }
    row, errors = validate_employment(2, raw, TODAY)
    assert errors == [] and row is not None
    assert (row.practitioner_id, row.since, row.until) == (PERSON, date(2019, 1, 1), date(2020, 6, 30))


def test_an_employment_row_gets_the_api_s_rules_on_its_period():
    raw = {"practitioner_id": PERSON, "organization_id": ORG, "since": "2020-01-01", "until": "2019-01-01"}
    row, errors = validate_employment(5, raw, TODAY)
    assert row is None
    assert [(e.row, e.column, e.reason) for e in errors] == [
        (5, "until", "The employment ends before it starts.")
    ]
    _, errors = validate_employment(5, raw | {"since": "2027-01-01", "until": None}, TODAY)
    assert [e.column for e in errors] == ["since"]  # not in the future


def test_an_employment_row_names_someone_and_somewhere():
    row, errors = validate_employment(3, {"since": "2020-01-01"}, TODAY)
    assert row is None
    assert {(e.column, e.reason) for e in errors} == {
        ("practitioner_id", "practitioner_id or id_card is required"),
        ("organization_id", "organization_id or organization_uscc is required"),
    }


def test_an_id_card_in_an_error_is_masked():
    card = unique_id_card()
    bad = card[:17] + ("0" if card[17] != "0" else "1")
    _, errors = validate_employment(2, {"id_card": bad, "organization_id": ORG, "since": "2020-01-01"}, TODAY)
    [error] = errors
    assert error.column == "id_card" and bad not in error.value and "***" in error.value


def test_a_relation_row_takes_the_words_people_write_for_kinds_and_shares():
    raw = {
        "child_id": ORG,
        "parent_uscc": "91420100MA4KXXXX0X",
        "kind": "控股股东",
        "share": "51%",
        "since": "2018-01-01",
    }
    row, errors = validate_relation(2, raw, TODAY)
    assert row is None and [e.column for e in errors] == ["parent_uscc"]  # a wrong check character
    raw = raw | {"parent_id": PERSON, "parent_uscc": None}
    row, errors = validate_relation(2, raw, TODAY)
    assert errors == [] and row is not None and (row.kind, row.share) == ("controlling_shareholder", 51.0)


@pytest.mark.parametrize(
    ("cells", "column"),
    [
        ({"share": "150"}, "share"),
        ({"until": "2017-12-31"}, "until"),
        ({"kind": "母公司"}, "kind"),
        ({"since": None}, "since"),
    ],
)
def test_a_relation_row_gets_the_api_s_rules(cells, column):
    raw = {"child_id": ORG, "parent_id": PERSON, "kind": "subsidiary", "since": "2018-01-01"} | cells
    row, errors = validate_relation(4, raw, TODAY)
    assert row is None and [e.column for e in errors] == [column]


@pytest.mark.parametrize(("cell", "share"), [(51, 51.0), ("51.5", 51.5), ("51 ％", 51.0), (0.0, 0.0)])
def test_a_share_is_a_percentage(cell, share):
    assert parse_share(cell) == share


@pytest.mark.parametrize("cell", ["half", "NaN", True])
def test_a_share_that_is_not_a_number_is_refused(cell):
    with pytest.raises(BadValue):
        parse_share(cell)


def test_the_report_is_the_import_report_without_certificate_counts():
    report = AffiliationReport(kind="relations", dry_run=True).to_dict()
    assert {
        "rows_read",
        "errors",
        "errors_truncated",
        "warnings",
        "import_id",
        "written",
        "dry_run",
    } <= report.keys()
    assert "certificates_created" not in report and report["kind"] == "relations"
