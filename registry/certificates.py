"""Certificate facts and lifecycle: which status a certificate is in today and which actions it allows."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date

from registry.errors import InvalidTransition

LIFECYCLE_ACTIONS: tuple[str, ...] = ("suspend", "reinstate", "revoke")
# "expire" is not offered to people: it is the rule of the daily expiry job, which applies it to many
# certificates at once in Cypher (graph/certificates.py, DUE_TO_EXPIRE: valid and expires_on < today).
SYSTEM_ACTIONS: tuple[str, ...] = ("expire",)


@dataclass(frozen=True)
class CertificateFacts:
    number: str
    work_type: str
    level: int
    status: str
    issued_on: date
    expires_on: date | None = None


def _past_expiry(cert: CertificateFacts, today: date) -> bool:
    # A certificate is still good on its expires_on date.
    return cert.expires_on is not None and cert.expires_on < today


def effective_status(cert: CertificateFacts, today: date) -> str:
    """Return the stored status, except that a valid certificate past its expires_on date is expired."""
    if cert.status == "valid" and _past_expiry(cert, today):
        return "expired"
    return cert.status


def is_valid(cert: CertificateFacts, today: date) -> bool:
    """Return whether the certificate is valid today."""
    return effective_status(cert, today) == "valid"


def next_status(cert: CertificateFacts, action: str, today: date) -> str:
    """Return the status `action` leads to from the effective status, or raise InvalidTransition."""
    if action not in LIFECYCLE_ACTIONS and action not in SYSTEM_ACTIONS:
        raise ValueError(f"unknown certificate action {action!r}")
    current = effective_status(cert, today)

    def refuse(detail: str) -> InvalidTransition:
        return InvalidTransition(detail, number=cert.number, current_status=current, action=action)

    if current == "revoked":
        raise refuse(f"certificate {cert.number} is revoked; revoke is final")
    if action == "revoke":
        return "revoked"
    if action == "suspend":
        if current != "valid":
            raise refuse(f"cannot suspend a certificate that is {current}")
        return "suspended"
    if action == "reinstate":
        if current != "suspended":
            raise refuse(f"cannot reinstate a certificate that is {current}")
        # Suspension does not stop the clock: a certificate that ran out meanwhile comes back expired.
        return "expired" if _past_expiry(cert, today) else "valid"
    # action == "expire": only records an expiry that has happened; it never ends a certificate early.
    if cert.status != "valid":
        raise refuse(f"cannot expire a certificate that is {current}")
    if not _past_expiry(cert, today):
        until = f"until {cert.expires_on.isoformat()}" if cert.expires_on else "with no expiry date"
        raise refuse(f"cannot expire certificate {cert.number}: it is valid {until}")
    return "expired"


# Why a certificate does not verify as valid (GET /verify `reason`); valid certificates have no reason.
# The certificate's own status speaks first; a valid certificate of a holder the registry no longer vouches
# for (suspended, or deleted — soft-deleted records are kept) is not valid either (issue 9).
VERIFY_REASONS: dict[str, str] = {
    "certificate_suspended": "The certificate is suspended.",
    "certificate_revoked": "The certificate is revoked.",
    "certificate_expired": "The certificate has passed its expiry date.",
    "holder_suspended": "The holder is suspended from the registry.",
    "holder_deleted": "The holder has been removed from the registry.",
}


def verification(cert: CertificateFacts, holder_status: str, today: date) -> tuple[bool, str | None]:
    """Whether the certificate verifies as valid today, and if not, the code of the reason why."""
    status = effective_status(cert, today)
    if status != "valid":
        return False, f"certificate_{status}"
    if holder_status != "active":  # registry.taxonomy.PRACTITIONER_STATUSES: active, suspended, deleted
        return False, f"holder_{holder_status}"
    return True, None


def validate_dates(issued_on: date, expires_on: date | None, today: date) -> dict[str, list[str]]:
    """Return field errors for a certificate's dates; an empty dict means they are fine."""
    errors: dict[str, list[str]] = {}
    if issued_on > today:
        errors.setdefault("issued_on", []).append("issued_on must not be in the future")
    if expires_on is not None and expires_on <= issued_on:
        errors.setdefault("expires_on", []).append("expires_on must be after issued_on")
    return errors
