"""Deciding a batch of import rows against what is stored: new, unchanged or a conflict, by facts."""

from datetime import date

from registry.import_plan import StoredCertificate, plan_batch, same_status
from registry.import_rows import ImportCertificate, ImportRow

TODAY = date(2026, 11, 25)
PASSED = date(2025, 6, 30)
AHEAD = date(2028, 1, 1)


def _row(number: int, status: str, expires_on: date | None, name: str = "王导入") -> ImportRow:
    certificate = ImportCertificate(
        f"N-{number:04d}", "verification", 2, date(2021, 7, 1), expires_on, status
    )
    return ImportRow(row=number, name=name, id_card=f"card-{number}", certificate=certificate)


def _stored(row: ImportRow, status: str) -> StoredCertificate:
    cert = row.certificate
    assert cert is not None
    return StoredCertificate("hash", cert.work_type, cert.level, cert.issued_on, cert.expires_on, status)


def test_a_valid_row_past_its_expiry_matches_what_the_first_import_stored():
    row = _row(2, "valid", PASSED)
    plan = plan_batch([row], {2: "hash"}, {"hash": "王导入"}, {"N-0002": _stored(row, "valid")}, TODAY)
    assert (plan.unchanged, plan.conflicts) == (1, [])


def test_a_valid_row_past_its_expiry_matches_a_certificate_the_daily_job_expired():
    row = _row(2, "valid", PASSED)
    plan = plan_batch([row], {2: "hash"}, {"hash": "王导入"}, {"N-0002": _stored(row, "expired")}, TODAY)
    assert (plan.unchanged, plan.conflicts) == (1, [])


def test_valid_and_expired_differ_while_the_expiry_is_ahead():
    assert not same_status("expired", "valid", AHEAD, TODAY)
    assert not same_status("valid", "expired", None, TODAY)
    assert same_status("expired", "valid", PASSED, TODAY)


def test_a_suspended_certificate_imported_as_valid_is_a_conflict():
    row = _row(2, "valid", AHEAD)
    plan = plan_batch([row], {2: "hash"}, {"hash": "王导入"}, {"N-0002": _stored(row, "suspended")}, TODAY)
    assert [(c.row, c.column) for c in plan.conflicts] == [(2, "certificate_number")]
    assert plan.new_people == [] and plan.new_certificates == []


def test_new_people_and_certificates_are_planned_once_each():
    first, again = _row(2, "valid", AHEAD), _row(3, "valid", AHEAD)
    again = ImportRow(row=3, name=first.name, id_card=first.id_card, certificate=first.certificate)
    plan = plan_batch([first, again], {2: "new", 3: "new"}, {}, {}, TODAY)
    assert [row.row for row in plan.new_people] == [2]
    assert [row.row for row in plan.new_certificates] == [2]


def test_an_id_card_stored_under_another_name_is_a_conflict_and_writes_nothing():
    row = _row(2, "valid", AHEAD, name="王别名")
    plan = plan_batch([row], {2: "hash"}, {"hash": "王导入"}, {}, TODAY)
    assert [(c.row, c.column) for c in plan.conflicts] == [(2, "name")]
    assert plan.new_people == [] and plan.new_certificates == []
