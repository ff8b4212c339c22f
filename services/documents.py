"""Signed e-certificates: a certificate's PDF for whoever may have it, and the check of an uploaded PDF.

A copy is made on request (nothing is stored): the holder's and an administrator's copy show the masked ID card
number; anyone else gets a copy only of a consenting (`public_profile`), active holder's certificate, without ID
digits, and an unknown number and a non-consenting holder get the same 404. Every copy is signed by the registry
(adapters/pdf_signing.py) and names its certificate in its signed metadata, which `verify_document` reads back.
"""

from __future__ import annotations

from typing import Any

from adapters import certificate_pdf, pdf_signing
from adapters.pdf import read_keywords
from graph import activity_certificates as participation_repo
from graph import certificate_documents as repo
from registry.certificates import CertificateFacts, verification
from registry.documents import CERTIFICATE, PARTICIPATION, document_verdict
from registry.errors import NotFound, ValidationFailed
from registry.masking import mask_id_card
from registry.taxonomy import OCCUPATION_CODE, OCCUPATION_NAME_ZH
from registry.visibility import ADMIN_ROLE
from services.context import Context

# The words of the document (the portal's labels are web/labels.py CERTIFICATE_STATUS; a PDF is made below it).
STATUS_ZH = {"valid": "有效", "suspended": "暂停", "revoked": "撤销", "expired": "过期"}


def certificate_document(
    ctx: Context, number: str, role: str, viewer_id: str | None, verify_url: str
) -> bytes:
    """The signed one-page PDF of certificate `number` for this viewer; NotFound when they may not have it."""
    facts = ctx.graph.read(repo.document_facts, number, ctx.today)
    if facts is None:
        raise NotFound(f"No certificate with number {number}.")
    full_copy = role == ADMIN_ROLE or (viewer_id is not None and viewer_id == facts["holder_id"])
    if not full_copy and not (facts["public_profile"] and facts["holder_status"] == "active"):
        raise NotFound(f"No certificate with number {number}.")  # the same answer as for an unknown number
    tail = facts.get("id_card_tail")
    page = certificate_pdf.CertificateFacts(
        number=facts["number"],
        holder=facts["holder"] or "",
        id_card=mask_id_card(tail) if full_copy and tail else None,
        occupation=f"{OCCUPATION_NAME_ZH}（{OCCUPATION_CODE}）",
        work_type=facts["work_type_name_zh"],
        level=facts["level_name_zh"],
        issued_on=facts["issued_on"].isoformat(),
        expires_on=facts["expires_on"].isoformat() if facts.get("expires_on") else "长期",
        issuer=facts.get("issuer") or "",
        status=f"{STATUS_ZH.get(facts['status'], facts['status'])}（{ctx.today.isoformat()}）",
        verify_url=verify_url,
    )
    signer = pdf_signing.signer_from_env()
    return signer.sign(certificate_pdf.certificate(page), reason=f"碳排放管理员职业能力水平评价证书 {number}")


def verify_document(ctx: Context, data: bytes) -> dict[str, Any]:
    """{signature_intact, issued_by_registry, number, kind, valid, reason} for an uploaded PDF; 400 if unreadable."""
    try:
        check = pdf_signing.check(data, pdf_signing.signer_from_env())
    except pdf_signing.MalformedDocument as error:
        raise ValidationFailed({"file": [str(error)]}, detail="The file is not a readable PDF.") from None
    identity = read_keywords(check.keywords)
    kind, number = identity or (None, None)
    decides, reason = document_verdict(
        check.signed, check.signature_intact, check.issued_by_registry, bool(identity)
    )
    answer: dict[str, Any] = {
        "signature_intact": check.signature_intact,
        "issued_by_registry": check.issued_by_registry,
        "number": number,
        "kind": kind,
        "valid": False,
        "reason": reason,
    }
    if not decides or number is None:
        return answer
    if kind == CERTIFICATE:
        facts = ctx.graph.read(repo.document_facts, number, ctx.today)
        if facts is None:
            return answer | {"reason": "unknown_number"}
        certificate = CertificateFacts(**{key: facts[key] for key in CertificateFacts.__dataclass_fields__})
        valid, reason = verification(certificate, facts["holder_status"], ctx.today)
        return answer | {"valid": valid, "reason": reason}
    if kind == PARTICIPATION:
        found = ctx.graph.read(participation_repo.by_code, number)
        if found is None:
            return answer | {"reason": "unknown_number"}
        counted = bool(found["counted"])
        return answer | {"valid": counted, "reason": None if counted else "participation_not_counted"}
    return answer | {"reason": "not_a_registry_document"}
