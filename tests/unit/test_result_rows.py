from datetime import UTC, date, datetime, timedelta

import pytest

from registry.exams import CHINA_TIME
from registry.identifiers import make_id_card
from registry.import_columns import normalize_header
from registry.result_rows import ResultImportReport, parse_score, parse_session, validate_result_row

TODAY = date(2026, 11, 25)
ID_CARD = make_id_card("420106", date(1990, 5, 17), 123)
SESSION = "6f1c2d3e-4b5a-4c6d-8e7f-901234567890"


def raw(**changes):
    return {"id_card": ID_CARD, "name": "考生甲", "session": SESSION, "score": "72.5"} | changes


@pytest.mark.parametrize(
    ("header", "key"),
    [("身份证号", "id_card"), ("姓名", "name"), ("考试场次", "session"), ("场次", "session"), ("成绩", "score"),
     ("分数", "score"), ("考试成绩", "score")],
)  # fmt: skip
def test_the_provider_headers_are_understood(header, key):
    assert normalize_header(header) == key


def test_a_good_row_is_read():
    row, errors = validate_result_row(2, raw(), TODAY)
    assert errors == []
    assert (row.id_card, row.name, row.session_id, row.session_starts_at, row.score) == (
        ID_CARD,
        "考生甲",
        SESSION,
        None,
        72.5,
    )


def test_a_session_may_be_named_by_its_start_in_china_time():
    assert parse_session("2026-12-26 09:00") == (None, datetime(2026, 12, 26, 9, 0, tzinfo=CHINA_TIME))
    assert parse_session("2026/12/26 14:00") == (None, datetime(2026, 12, 26, 14, 0, tzinfo=CHINA_TIME))
    utc = parse_session("2026-12-26T01:00:00+00:00")[1]
    assert utc == datetime(2026, 12, 26, 9, 0, tzinfo=CHINA_TIME)
    assert parse_session(datetime(2026, 12, 26, 9, 0)) == (
        None,
        datetime(2026, 12, 26, 9, 0, tzinfo=CHINA_TIME),
    )
    assert parse_session(datetime(2026, 12, 26, 1, 0, tzinfo=UTC))[1].utcoffset() == timedelta(0)
    with pytest.raises(ValueError):
        parse_session("last Saturday")


@pytest.mark.parametrize(
    ("cell", "score"), [("60", 60.0), (" 59.5 ", 59.5), (100, 100.0), (0, 0.0), (88.25, 88.25)]
)
def test_scores_may_be_numbers_or_text(cell, score):
    assert parse_score(cell) == score


@pytest.mark.parametrize("cell", ["101", "-1", "sixty", "NaN", "Infinity", True, 100.01])
def test_scores_outside_0_to_100_or_not_numbers_are_refused(cell):
    with pytest.raises(ValueError):
        parse_score(cell)


def test_every_bad_cell_is_reported_and_the_id_card_is_masked():
    row, errors = validate_result_row(
        7, raw(id_card="420106199005171234", session="someday", score="120"), TODAY
    )
    assert row is None
    assert {(e.row, e.column) for e in errors} == {(7, "id_card"), (7, "session"), (7, "score")}
    (id_error,) = [e for e in errors if e.column == "id_card"]
    assert id_error.value == "420***34"


def test_missing_cells_are_required():
    row, errors = validate_result_row(3, raw(name=None, score=""), TODAY)
    assert row is None
    assert {e.column for e in errors} == {"name", "score"}


def test_an_id_card_stored_as_a_number_is_refused():
    _, errors = validate_result_row(3, raw(id_card=4.2010619900517e17), TODAY)
    assert "format the column as text" in errors[0].reason


def test_the_report_counts_rows_and_keeps_errors():
    report = ResultImportReport()
    report.add([])
    _, errors = validate_result_row(3, raw(score="x"), TODAY)
    report.add(errors)
    data = report.to_dict()
    assert (data["rows_read"], data["rows_valid"], data["rows_invalid"], data["error_count"]) == (2, 1, 1, 1)
    assert data["errors"][0]["column"] == "score"
    assert data["errors_truncated"] is False
