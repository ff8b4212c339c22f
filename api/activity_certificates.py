"""Participation certificates of public-welfare activities (issue 25): the signed PDF and its public API twin."""

from __future__ import annotations

from typing import Any

from flask import Response, url_for
from flask_restx import Namespace, Resource

from api.decorators import returns
from api.documents import PDF_MEDIA_TYPES, pdf_response
from interface.auth import current_principal, require
from interface.context import ctx
from interface.schemas.document import ParticipationCertificateSchema
from services import activity_certificates

ns = Namespace("activity-certificates", path="/", description="公益活动参与证明: participation certificates")

PARTICIPANT_ROLES: tuple[str, ...] = ("practitioner", "government", "admin")


@ns.route("/activities/<string:activity_id>/participants/<string:practitioner_id>/certificate")
@ns.param("activity_id", "the activity's id")
@ns.param("practitioner_id", "the participant's id")
class ParticipationCertificateDocument(Resource):
    @require(PARTICIPANT_ROLES)
    @ns.doc(produces=PDF_MEDIA_TYPES)
    @ns.response(200, "The signed one-page participation certificate (application/pdf)")
    @ns.response(404, "No such activity, or the person has no counted participation in it")
    def get(self, activity_id: str, practitioner_id: str) -> Response:
        """A one-page PDF in Chinese certifying a counted participation (attended, activity not cancelled), with
        its code and a QR code opening /activity-certificates/{code}; for the person themself, the organizer's
        government key and admin. The first request gives the participation its code."""
        principal = current_principal()
        pdf = activity_certificates.participation_certificate(
            ctx(),
            activity_id,
            practitioner_id,
            (principal.role, principal.practitioner_id, principal.organization_id),
            lambda code: url_for("portal.activity_certificate", code=code, _external=True),
        )
        return pdf_response(pdf, f"activity-certificate-{activity_id}.pdf")


@ns.route("/activity-certificates/<string:code>")
@ns.param("code", "the code printed on the certificate")
class ParticipationCertificate(Resource):
    @ns.doc(security=[])
    @ns.response(404, "No participation certificate with this code")
    @returns(ns, ParticipationCertificateSchema())
    def get(self, code: str) -> dict[str, Any]:
        """Check a participation certificate by its code (public): whose it is (the name only), which activity,
        the hours, and whether the participation still counts."""
        return activity_certificates.lookup(ctx(), code)
