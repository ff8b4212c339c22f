"""/organizations: employers, clients, verification bodies, issuers."""

from __future__ import annotations

from typing import Any

from flask import url_for
from flask_restx import Namespace, Resource

from api import codes, get_graph
from api.auth import ADMIN, CLIENT_PLUS, require
from api.schemas import body, input_model, model, query
from api.schemas.common import page_of
from api.schemas.organization import OrganizationArgs, OrganizationInputSchema, OrganizationSchema
from graph import organizations as repo

ns = Namespace(
    "organizations", description="Employers, clients, verification bodies, training bases, issuers"
)

CODE_FIELDS = {"region": "regions", "industry": "industries"}
_INPUT = OrganizationInputSchema()
_ARGS = OrganizationArgs()
_VIEW = OrganizationSchema()


@ns.route("")
class OrganizationList(Resource):
    @ns.doc(params={name: f.metadata.get("description", "") for name, f in _ARGS.fields.items()})
    @require(CLIENT_PLUS)
    def get(self) -> dict[str, Any]:
        """Search organizations by name, kind, region and industry (client+)."""
        args = query(_ARGS)
        codes.check(args, CODE_FIELDS)
        items, total = repo.search(get_graph(), args, args["page"], args["per_page"])
        return page_of(_VIEW.dump(items, many=True), total, args["page"], args["per_page"])

    @ns.expect(input_model(ns, _INPUT))
    @ns.response(201, "Registered", model(ns, _VIEW))
    @require(ADMIN)
    def post(self) -> tuple[dict[str, Any], int, dict[str, str]]:
        """Register an organization (admin); a USCC is validated and unique."""
        data = body(_INPUT)
        codes.check(data, CODE_FIELDS)
        view = repo.create(get_graph(), data)
        location = url_for("organizations_organization_item", organization_id=view["id"])
        return _VIEW.dump(view), 201, {"Location": location}


@ns.route("/<uuid:organization_id>")
class OrganizationItem(Resource):
    @ns.response(200, "The organization", model(ns, _VIEW))
    @require(CLIENT_PLUS)
    def get(self, organization_id: Any) -> dict[str, Any]:
        """One organization (client+)."""
        return _VIEW.dump(repo.get(get_graph(), str(organization_id)))

    @ns.expect(input_model(ns, _INPUT, "OrganizationPatch"))
    @require(ADMIN)
    def patch(self, organization_id: Any) -> dict[str, Any]:
        """Change some fields (admin)."""
        data = body(_INPUT, partial=tuple(_INPUT.fields))
        codes.check(data, CODE_FIELDS)
        return _VIEW.dump(repo.update(get_graph(), str(organization_id), data))
