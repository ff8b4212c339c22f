"""What a batch of valid import rows does to the registry, decided from the facts already stored.

A new person is created; a stored person is left as they are (an import never edits people) unless the file
gives their ID card another name, which is a conflict. A new certificate is created; a stored one with the
same facts is unchanged, and one with other facts is a conflict: lifecycle changes go through the API, with
a reason. Importing the same file again therefore creates nothing and changes nothing.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import date

from registry.import_rows import ImportCertificate, ImportRow, RowError
from registry.masking import mask_name


@dataclass(frozen=True)
class StoredCertificate:
    """The facts of a stored certificate that an import compares with a row."""

    holder_hash: str
    work_type: str
    level: int
    issued_on: date
    expires_on: date | None
    status: str


@dataclass
class BatchPlan:
    """The rows whose person or certificate is new, how many certificates are unchanged, and the conflicts."""

    new_people: list[ImportRow] = field(default_factory=list)  # one row per new person
    new_certificates: list[ImportRow] = field(default_factory=list)  # one row per new certificate number
    unchanged: int = 0
    conflicts: list[RowError] = field(default_factory=list)


def same_status(stored: str, given: str, expires_on: date | None, today: date) -> bool:
    """Whether two recorded statuses state the same fact about a certificate with this expiry date.

    `expired` only records that `expires_on` has passed (the daily job writes it), so once that date has
    passed, `valid` and `expired` say the same thing. Statuses are compared as recorded, never as derived
    for today: a row marked 有效 whose 有效期至 has passed matches what the first import stored.
    """
    if stored == given:
        return True
    ran_out = expires_on is not None and expires_on < today
    return ran_out and {stored, given} == {"valid", "expired"}


def same_certificate(
    stored: StoredCertificate, holder_hash: str, cert: ImportCertificate, today: date
) -> bool:
    """Whether a row's certificate states the facts already stored under its number."""
    return (
        stored.holder_hash == holder_hash
        and stored.work_type == cert.work_type
        and stored.level == cert.level
        and stored.issued_on == cert.issued_on
        and stored.expires_on == cert.expires_on
        and same_status(stored.status, cert.status, cert.expires_on, today)
    )


def plan_batch(
    rows: Sequence[ImportRow],
    holders: Mapping[int, str],
    stored_names: Mapping[str, str],
    stored_certificates: Mapping[str, StoredCertificate],
    today: date,
) -> BatchPlan:
    """Decide each row: `holders` maps row number → ID-card hash; the stored facts are keyed by hash/number."""
    plan = BatchPlan()
    new_holders: set[str] = set()
    new_numbers: set[str] = set()
    for row in rows:
        holder = holders[row.row]
        stored_name = stored_names.get(holder)
        if stored_name is not None and stored_name != row.name:
            plan.conflicts.append(
                RowError(
                    row.row, "name", mask_name(row.name), "This ID card is registered under another name."
                )
            )
            continue
        cert = row.certificate
        if cert is not None:
            stored = stored_certificates.get(cert.number)
            if stored is None:
                if cert.number not in new_numbers:
                    new_numbers.add(cert.number)
                    plan.new_certificates.append(row)
            elif same_certificate(stored, holder, cert, today):
                plan.unchanged += 1
            else:
                plan.conflicts.append(
                    RowError(
                        row.row,
                        "certificate_number",
                        cert.number,
                        "This certificate number is already stored with other facts.",
                    )
                )
                continue
        if stored_name is None and holder not in new_holders:
            new_holders.add(holder)
            plan.new_people.append(row)
    return plan
