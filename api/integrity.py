"""/integrity: the anomaly queue for supervisors (issue 23 §4), admin and government only."""

from __future__ import annotations

from typing import Any

from flask_restx import Namespace, Resource

from api.decorators import accepts, paginated, returns
from interface.auth import require
from interface.context import ctx
from interface.schemas.integrity import FindingArgs, FindingDecisionSchema, FindingSchema
from services import integrity
from services.context import Page

ns = Namespace(
    "integrity", description="诚信风险: the anomaly queue — findings a scan wrote, and their decisions"
)

SUPERVISORS: tuple[str, ...] = ("admin", "government")
_VIEW = FindingSchema()


@ns.route("/findings")
class FindingList(Resource):
    @require(SUPERVISORS)
    @paginated(ns, FindingArgs(), _VIEW)
    def get(self, args: dict[str, Any]) -> Page:
        """The queue, highest score first, by kind, status, region, person and organization (admin, government).
        `flask registry integrity scan` writes the findings."""
        return integrity.list(ctx(), args, args["page"], args["per_page"])


@ns.route("/findings/<uuid:finding_id>")
@ns.param("finding_id", "the finding's id (UUID)")
class FindingItem(Resource):
    @require(SUPERVISORS)
    @returns(ns, _VIEW)
    def get(self, finding_id: Any) -> dict[str, Any]:
        """One finding with its evidence, what it concerns and every decision (admin, government)."""
        return integrity.get(ctx(), str(finding_id))


@ns.route("/findings/<uuid:finding_id>/decision")
@ns.param("finding_id", "the finding's id (UUID)")
class FindingDecision(Resource):
    @require(SUPERVISORS)
    @ns.response(
        403, "open_misconduct from a government key: misconduct records are entered by administrators"
    )
    @ns.response(409, "Confirmed or dismissed already, or not allowed from the current status")
    @returns(ns, _VIEW)
    @accepts(ns, FindingDecisionSchema())
    def post(self, finding_id: Any, data: dict[str, Any]) -> dict[str, Any]:
        """Move a finding on with a `reason` (admin, government): open → reviewing → confirmed | dismissed; a
        decided finding stays decided. A confirmation with `open_misconduct: true` also opens a misconduct record
        for the person concerned (`practitioner_id` when it concerns several), linked to the finding; as anywhere
        else, only an administrator enters misconduct records."""
        return integrity.decide(ctx(), str(finding_id), data)
