"""/certificates (admin lifecycle) and /verify (public 证书查询)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import url_for
from flask_restx import Namespace, Resource

from api import get_graph
from api.auth import ADMIN, require
from api.schemas import body, input_model, model, query
from api.schemas.certificate import (
    CertificateSchema,
    IssueCertificateSchema,
    StatusChangeSchema,
    VerificationSchema,
    VerifyArgs,
)
from graph import certificates as repo
from registry.certificates import LIFECYCLE_ACTIONS, CertificateFacts, verification
from registry.masking import mask_name

ns = Namespace("certificates", description="碳排放管理员职业能力水平评价证书: issue and lifecycle (admin)")
verify_ns = Namespace("verify", path="/", description="Public certificate verification (证书查询)")

_ISSUE = IssueCertificateSchema()
_CHANGE = StatusChangeSchema()
_VIEW = CertificateSchema()
_VERIFY_ARGS = VerifyArgs()
_VERIFICATION = VerificationSchema()


@ns.route("")
class CertificateList(Resource):
    @ns.expect(input_model(ns, _ISSUE))
    @ns.response(201, "Issued", model(ns, _VIEW))
    @require(ADMIN)
    def post(self) -> tuple[dict[str, Any], int, dict[str, str]]:
        """Issue a certificate (admin); the holder's pools follow in the same transaction."""
        data = body(_ISSUE)
        data["practitioner_id"] = str(data["practitioner_id"])
        if data.get("issuer_id"):
            data["issuer_id"] = str(data["issuer_id"])
        view = repo.issue(get_graph(), data, date.today())
        location = url_for("certificates_certificate_item", number=view["number"])
        return _VIEW.dump(view), 201, {"Location": location}


@ns.route("/<string:number>")
class CertificateItem(Resource):
    @ns.response(200, "The certificate", model(ns, _VIEW))
    @require(ADMIN)
    def get(self, number: str) -> dict[str, Any]:
        """A certificate with its holder, issuer and status history (admin)."""
        return _VIEW.dump(repo.get(get_graph(), number, date.today()))


def _lifecycle_resource(action: str) -> type[Resource]:
    class Lifecycle(Resource):
        @ns.expect(input_model(ns, _CHANGE))
        @ns.response(200, "Changed", model(ns, _VIEW))
        @ns.response(409, "Not allowed from the current status")
        @require(ADMIN)
        def post(self, number: str) -> dict[str, Any]:
            data = body(_CHANGE)
            return _VIEW.dump(repo.change_status(get_graph(), number, action, data["reason"], date.today()))

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
    @verify_ns.doc(security=[], params={"number": "certificate number", "name": "holder's full name"})
    @verify_ns.response(200, "The certificate", model(verify_ns, _VERIFICATION))
    @verify_ns.response(404, "No certificate with this number and name")
    def get(self) -> dict[str, Any]:
        """Verify a certificate by number and holder name (public). The holder's name comes back masked.

        `valid` is true only for a valid certificate of an active holder; otherwise `reason` says why
        (certificate suspended, revoked or expired; holder suspended or removed from the registry)."""
        args = query(_VERIFY_ARGS)
        today = date.today()
        view = repo.verify(get_graph(), args["number"], args["name"], today)
        facts = CertificateFacts(**{key: view[key] for key in CertificateFacts.__dataclass_fields__})
        valid, reason = verification(facts, view.pop("holder_status"), today)
        return _VERIFICATION.dump(
            view | {"holder": mask_name(view["holder"]), "valid": valid, "reason": reason}
        )
