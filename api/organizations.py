"""/organizations: employers, clients, verification bodies, issuers."""

from __future__ import annotations

from typing import Any

from flask_restx import Namespace, Resource

from api.decorators import accepts, creates, paginated, returns, with_query
from api.models import model
from interface.auth import ADMIN, CLIENT_PLUS, Forbidden, current_principal, require
from interface.context import ctx
from interface.schemas.group import (
    GroupArgs,
    GroupSchema,
    RelationEndSchema,
    RelationInputSchema,
    RelationSchema,
)
from interface.schemas.independence import IndependenceSchema
from interface.schemas.organization import (
    OrganizationArgs,
    OrganizationInputSchema,
    OrganizationKeyRequestSchema,
    OrganizationKeySchema,
    OrganizationSchema,
)
from services import groups, independence, keys, organizations
from services.context import Page

ns = Namespace(
    "organizations", description="Employers, clients, verification bodies, training bases, issuers"
)

_INPUT = OrganizationInputSchema()
_VIEW = OrganizationSchema()
_RELATION = RelationSchema()


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


@ns.route("/<uuid:organization_id>/relations")
@ns.param("organization_id", "the controlled organization's id (UUID)")
class OrganizationRelations(Resource):
    @require(ADMIN)
    @ns.response(404, "No organization with that id, or an unknown parent_id")
    @ns.response(409, "The same relation is already in force")
    @ns.response(201, "Recorded", model(ns, _RELATION))
    @accepts(ns, RelationInputSchema())
    def post(self, organization_id: Any, data: dict[str, Any]) -> tuple[dict[str, Any], int]:
        """Record that another organization controls this one: a subsidiary's parent, a controlling shareholder,
        the head of its group (admin); a cycle of control or a relation ending before it starts is a 400."""
        return _RELATION.dump(groups.add_relation(ctx(), str(organization_id), data)), 201


@ns.route("/<uuid:organization_id>/relations/<uuid:parent_id>/end")
@ns.param("organization_id", "the controlled organization's id (UUID)")
@ns.param("parent_id", "the controlling organization's id (UUID)")
class OrganizationRelationEnd(Resource):
    @require(ADMIN)
    @ns.response(404, "No relation in force between the two organizations")
    @returns(ns, _RELATION)
    @accepts(ns, RelationEndSchema())
    def post(self, organization_id: Any, parent_id: Any, data: dict[str, Any]) -> dict[str, Any]:
        """End the control relation in force: `until` is recorded, nothing is deleted (admin)."""
        return groups.end_relation(ctx(), str(organization_id), str(parent_id), data)


@ns.route("/<uuid:organization_id>/group")
@ns.param("organization_id", "the organization's id (UUID)")
class OrganizationGroup(Resource):
    @require(CLIENT_PLUS)
    @returns(ns, GroupSchema())
    @with_query(ns, GroupArgs())
    def get(self, organization_id: Any, args: dict[str, Any]) -> dict[str, Any]:
        """The organization's group of companies: every organization reachable through control relations in either
        direction within `depth` steps (default 3, at most 5), with each relation's kind, share, since and until
        (client+)."""
        return groups.group(ctx(), str(organization_id), args.get("depth"))


@ns.route("/<uuid:organization_id>/independence")
@ns.param("organization_id", "the client organization's id (UUID)")
class OrganizationIndependence(Resource):
    @require(CLIENT_PLUS)
    @ns.response(403, "A client key not bound to this organization")
    @ns.response(404, "No organization with that id")
    @returns(ns, IndependenceSchema())
    def get(self, organization_id: Any) -> dict[str, Any]:
        """Who verified this organization: each verification body and each verifier on its verification teams,
        the years they did (an engagement counts for the year of its start_on; cancelled ones do not), the run
        of consecutive years ending at the latest, and the rotation warning (admin, government, and a client key
        bound to this organization)."""
        principal = current_principal()
        if principal.role == "client" and principal.organization_id != str(organization_id):
            raise Forbidden("A client key reads the independence table of its own organization only.")
        return independence.table(ctx(), str(organization_id), principal.role)


@ns.route("/<uuid:organization_id>/keys")
@ns.param("organization_id", "the organization's id (UUID)")
class OrganizationKeys(Resource):
    @require(ADMIN)
    @ns.response(404, "No organization with that id")
    @ns.response(201, "Created; `key` is shown only in this answer", model(ns, OrganizationKeySchema()))
    @accepts(ns, OrganizationKeyRequestSchema())
    def post(self, organization_id: Any, data: dict[str, Any]) -> tuple[dict[str, Any], int]:
        """Issue a key bound to this organization (admin): `client` (its own records) or `government` (a
        department: it publishes and runs the organization's public-welfare activities); shown in this answer only."""
        issued = keys.issue_for_organization(ctx(), str(organization_id), data["role"], data["label"])
        return OrganizationKeySchema().dump(issued), 201
