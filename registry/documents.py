"""Documents the registry signs (e-certificates, participation certificates) and what an uploaded one proves.

A PDF the registry issues carries its kind and number in its signed metadata (adapters/pdf.py); `POST
/verify/document` answers from the signature and from the register today. The register's answer counts only for a
document that is intact and ours: an edited copy may show a real number with someone else's name, so it is never
"valid", whatever the register says of that number.
"""

from __future__ import annotations

import secrets

CERTIFICATE, PARTICIPATION = "certificate", "activity-certificate"
DOCUMENT_KINDS: tuple[str, ...] = (CERTIFICATE, PARTICIPATION)

# Reasons an uploaded document is not valid, before the register is asked (the register's own reasons,
# registry/certificates.py VERIFY_REASONS, follow for an intact document).
DOCUMENT_REASONS: dict[str, str] = {
    "unsigned": "The document carries no signature.",
    "signature_broken": "The document was changed after it was signed.",
    "not_issued_by_registry": "The document was not signed by this registry.",
    "not_a_registry_document": "The document does not say which certificate it is.",
    "unknown_number": "The register holds no certificate with this number.",
    "participation_not_counted": "The register no longer counts this participation.",
}

# A participation certificate's code is its only key on a public page: 12 characters of an alphabet without
# look-alikes (0/O, 1/I/L) give 32^12 ≈ 10^18 codes, too many to guess one.
CODE_PREFIX = "GY-"
CODE_ALPHABET = "23456789ABCDEFGHJKMNPQRSTUVWXYZ"
CODE_LENGTH = 12


def new_participation_code() -> str:
    """A fresh random code for a participation certificate, e.g. GY-7QK2M9XW4TRD."""
    return CODE_PREFIX + "".join(secrets.choice(CODE_ALPHABET) for _ in range(CODE_LENGTH))


def is_participation_code(text: str) -> bool:
    """Whether `text` has the form of a participation certificate code."""
    body = text.removeprefix(CODE_PREFIX)
    return (
        text.startswith(CODE_PREFIX) and len(body) == CODE_LENGTH and all(ch in CODE_ALPHABET for ch in body)
    )


def document_verdict(signed: bool, intact: bool, ours: bool, identified: bool) -> tuple[bool, str | None]:
    """(may the register decide, the reason it may not): only an intact document of ours that names itself."""
    if not signed:
        return False, "unsigned"
    if not intact:
        return False, "signature_broken"
    if not ours:
        return False, "not_issued_by_registry"
    if not identified:
        return False, "not_a_registry_document"
    return True, None
