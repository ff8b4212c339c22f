"""/engagements: consulting and verification projects and who worked on them (admin)."""

from __future__ import annotations

from typing import Any

from flask_restx import Namespace, Resource

from api.decorators import accepts, creates, paginated, returns
from interface.auth import ADMIN, current_role, require
from interface.context import ctx
from interface.schemas.engagement import EngagementArgs, EngagementInputSchema, EngagementSchema
from interface.schemas.integrity import EngagementRiskSchema
from services import engagement_risk, engagements
from services.context import Page

ns = Namespace("engagements", description="Engagements (碳核查, 碳盘查, 碳足迹, 能源审计 …) and their teams")

_INPUT = EngagementInputSchema()
_VIEW = EngagementSchema()


@ns.route("")
class EngagementList(Resource):
    @require(ADMIN)
    @paginated(ns, EngagementArgs(), _VIEW)
    def get(self, args: dict[str, Any]) -> Page:
        """List engagements, newest first, by kind, status, client, practitioner, industry or region (admin)."""
        return engagements.search(ctx(), args, args["page"], args["per_page"])

    @require(ADMIN)
    @ns.response(404, "Unknown provider_id")
    @ns.response(
        409,
        "A team member is conflicted with the client (paths in `conflicts`); see acknowledged_conflicts",
    )
    @creates(ns, _VIEW, "engagements_engagement_item", engagement_id="id")
    @accepts(ns, _INPUT)
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Record an engagement with its client, industry, region and team (admin)."""
        return engagements.create(ctx(), data)


@ns.route("/<uuid:engagement_id>")
@ns.param("engagement_id", "the engagement's id (UUID)")
class EngagementItem(Resource):
    @require(ADMIN)
    @returns(ns, _VIEW)
    def get(self, engagement_id: Any) -> dict[str, Any]:
        """One engagement with its team (admin)."""
        return engagements.get(ctx(), str(engagement_id))

    @require(ADMIN)
    @ns.response(404, "No engagement with that id, or an unknown provider_id")
    @ns.response(
        409,
        "A team member is conflicted with the client (paths in `conflicts`); see acknowledged_conflicts",
    )
    @returns(ns, _VIEW)
    @accepts(ns, _INPUT, partial=True, name="EngagementPatch")
    def patch(self, engagement_id: Any, data: dict[str, Any]) -> dict[str, Any]:
        """Change some fields (admin); `team` replaces the whole team."""
        return engagements.update(ctx(), str(engagement_id), data)


@ns.route("/<uuid:engagement_id>/risk")
@ns.param("engagement_id", "the engagement's id (UUID)")
class EngagementRisk(Resource):
    @require(("admin", "government"))
    @returns(ns, EngagementRiskSchema())
    def get(self, engagement_id: Any) -> dict[str, Any]:
        """Its risk in one answer (admin, government): the team's conflicts with the client as evidence paths,
        the rotation warning beside each verifier, and the anomaly queue's findings about it (issue 23)."""
        return engagement_risk.risk(ctx(), str(engagement_id), current_role())
