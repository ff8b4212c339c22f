"""/certificates (admin lifecycle) and /verify (public 证书查询)."""

from __future__ import annotations

from typing import Any

from flask_restx import Namespace, Resource

from api.decorators import accepts, creates, returns, with_query
from interface.auth import ADMIN, require
from interface.context import ctx
from interface.schemas.certificate import (
    CertificateSchema,
    IssueCertificateSchema,
    StatusChangeSchema,
    VerificationSchema,
    VerifyArgs,
)
from registry.certificates import LIFECYCLE_ACTIONS
from registry.masking import mask_name
from services import certificates

ns = Namespace("certificates", description="碳排放管理员职业能力水平评价证书: issue and lifecycle (admin)")
verify_ns = Namespace("verify", path="/", description="Public certificate verification (证书查询)")

_VIEW = CertificateSchema()
_CHANGE = StatusChangeSchema()
_VERIFICATION = VerificationSchema()


@ns.route("")
class CertificateList(Resource):
    @require(ADMIN)
    @ns.response(409, "The certificate number is already issued")
    @creates(ns, _VIEW, "certificates_certificate_item", number="number")
    @accepts(ns, IssueCertificateSchema())
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Issue a certificate (admin); the holder's pools follow in the same transaction."""
        return certificates.issue(ctx(), data)


@ns.route("/<string:number>")
@ns.param("number", "the certificate number")
class CertificateItem(Resource):
    @require(ADMIN)
    @returns(ns, _VIEW)
    def get(self, number: str) -> dict[str, Any]:
        """A certificate with its holder, issuer and status history (admin)."""
        return certificates.get(ctx(), number)


def _lifecycle_resource(action: str) -> type[Resource]:
    @ns.param("number", "the certificate number")
    class Lifecycle(Resource):
        @require(ADMIN)
        @ns.response(409, "Not allowed from the current status")
        @returns(ns, _VIEW)
        @accepts(ns, _CHANGE)
        def post(self, number: str, data: dict[str, Any]) -> dict[str, Any]:
            return certificates.change_status(ctx(), number, action, data["reason"])

    Lifecycle.__name__ = f"Certificate{action.title()}"
    Lifecycle.post.__doc__ = {
        "suspend": "Suspend a valid certificate (admin); the holder leaves the pool it gave.",
        "reinstate": "Reinstate a suspended certificate (admin); the pool membership returns.",
        "revoke": "Revoke a certificate (admin). Revocation is final.",
    }[action]
    return Lifecycle


for _action in LIFECYCLE_ACTIONS:
    ns.add_resource(_lifecycle_resource(_action), f"/<string:number>/{_action}")


@verify_ns.route("/verify")
class Verify(Resource):
    @verify_ns.doc(security=[])
    @verify_ns.response(404, "No certificate with this number and name")
    @returns(verify_ns, _VERIFICATION)
    @with_query(verify_ns, VerifyArgs())
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Verify a certificate by number and holder name (public). The holder's name comes back masked;
        `valid` is true only for a valid certificate of an active holder (see `reason` otherwise)."""
        view = certificates.verify(ctx(), args["number"], args["name"])
        return view | {"holder": mask_name(view["holder"])}
