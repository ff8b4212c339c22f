"""Signed e-certificates: GET /certificates/{number}.pdf and POST /verify/document (issue 26)."""

from __future__ import annotations

from typing import Any

from flask import Response, request, url_for
from flask_restx import Resource

from api.certificates import ns, verify_ns
from api.decorators import returns
from interface.auth import current_principal
from interface.context import ctx
from interface.limits import MAX_DOCUMENT_BYTES, uploaded_file
from interface.schemas.document import DocumentCheckSchema
from services import documents

# A PDF, or a problem (RFC 9457) when there is none to give. The same bytes come as application/octet-stream to a
# client that asks for that (Accept), as generated clients do: they read a binary answer only under that name.
PDF, OCTETS = "application/pdf", "application/octet-stream"
PDF_MEDIA_TYPES = [PDF, OCTETS, "application/problem+json"]
PDF_UPLOAD_DOC = {
    "consumes": ["multipart/form-data"],
    "params": {"file": {"in": "formData", "type": "file", "required": True, "description": "a PDF"}},
}


def pdf_response(pdf: bytes, filename: str) -> Response:
    """A PDF shown in the browser, never cached by a shared cache (a holder's copy carries personal data)."""
    return Response(
        pdf,
        mimetype=OCTETS if request.accept_mimetypes.best_match([PDF, OCTETS]) == OCTETS else PDF,
        headers={
            "Content-Disposition": f'inline; filename="{filename}"',
            "Cache-Control": "private, no-store",
        },
    )


@ns.route("/<string:number>.pdf")
@ns.param("number", "the certificate number")
class CertificateDocument(Resource):
    @ns.doc(produces=PDF_MEDIA_TYPES)
    @ns.response(200, "The signed one-page certificate (application/pdf)")
    @ns.response(404, "No such certificate, or its holder does not consent to the public showcase")
    def get(self, number: str) -> Response:
        """The certificate as a one-page PDF in Chinese, signed by the registry (PAdES), with a QR code that opens
        /verify for its number. The holder's practitioner key and admin get it with the masked ID card number;
        anyone else only for a consenting, active holder, with no ID digits."""
        principal = current_principal()
        verify_url = url_for("portal.verify", number=number, _external=True)
        pdf = documents.certificate_document(
            ctx(), number, principal.role, principal.practitioner_id, verify_url
        )
        return pdf_response(pdf, f"certificate-{number}.pdf")


@verify_ns.route("/verify/document")
class VerifyDocument(Resource):
    @verify_ns.doc(security=[], **PDF_UPLOAD_DOC)
    @verify_ns.response(400, "No file, or not a readable PDF")
    @verify_ns.response(413, "The file is larger than the limit")
    @returns(verify_ns, DocumentCheckSchema())
    def post(self) -> dict[str, Any]:
        """Check an uploaded certificate PDF (multipart field `file`, public): whether its signature is intact,
        whether this registry signed it, the number it states, and whether that certificate is valid in the
        register today (a revoked one says so, with the reason, even though its signature is intact)."""
        upload = uploaded_file(MAX_DOCUMENT_BYTES)
        return documents.verify_document(ctx(), upload.read())
