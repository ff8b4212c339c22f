"""/organizations: employers, clients, verification bodies, issuers."""

from __future__ import annotations

from typing import Any

from flask_restx import Namespace, Resource

from api.decorators import accepts, creates, paginated, returns
from interface.auth import ADMIN, CLIENT_PLUS, require
from interface.context import ctx
from interface.schemas.organization import OrganizationArgs, OrganizationInputSchema, OrganizationSchema
from services import organizations
from services.context import Page

ns = Namespace(
    "organizations", description="Employers, clients, verification bodies, training bases, issuers"
)

_INPUT = OrganizationInputSchema()
_VIEW = OrganizationSchema()


@ns.route("")
class OrganizationList(Resource):
    @require(CLIENT_PLUS)
    @paginated(ns, OrganizationArgs(), _VIEW)
    def get(self, args: dict[str, Any]) -> Page:
        """Search organizations by name, kind, region and industry (client+)."""
        return organizations.search(ctx(), args, args["page"], args["per_page"])

    @require(ADMIN)
    @ns.response(409, "A USCC already registered to another organization")
    @creates(ns, _VIEW, "organizations_organization_item", organization_id="id")
    @accepts(ns, _INPUT)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Register an organization (admin); a USCC is validated and unique."""
        return organizations.create(ctx(), data)


@ns.route("/<uuid:organization_id>")
@ns.param("organization_id", "the organization's id (UUID)")
class OrganizationItem(Resource):
    @require(CLIENT_PLUS)
    @returns(ns, _VIEW)
    def get(self, organization_id: Any) -> dict[str, Any]:
        """One organization (client+)."""
        return organizations.get(ctx(), str(organization_id))

    @require(ADMIN)
    @ns.response(409, "A USCC already registered to another organization")
    @returns(ns, _VIEW)
    @accepts(ns, _INPUT, partial=True, name="OrganizationPatch")
    def patch(self, organization_id: Any, data: dict[str, Any]) -> dict[str, Any]:
        """Change some fields (admin)."""
        return organizations.update(ctx(), str(organization_id), data)
