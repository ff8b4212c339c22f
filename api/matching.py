"""/match: a ranked shortlist of practitioners for a client's job, with checkable reasons."""

from __future__ import annotations

from typing import Any

from flask import request
from flask_restx import Namespace, Resource

from api.decorators import accepts, returns
from interface import presenters
from interface.auth import CLIENT_PLUS, require
from interface.context import ctx
from interface.schemas.common import page_of
from interface.schemas.matching import ExcludedSchema, MatchRequestSchema
from registry.matching import MatchRequest
from services import matching

ns = Namespace(
    "match", description="Find qualified consultants and verifiers, ranked, without conflicts of interest"
)

_EXCLUDED = ExcludedSchema(many=True)


@ns.route("")
class Match(Resource):
    @require(CLIENT_PLUS)
    @ns.response(404, "No organization with the conflict_org_id")
    @returns(
        ns,
        None,
        description="{items: [{practitioner, score, reasons, score_breakdown, rotation}], total, ...}; rotation "
        "(verification with conflict_org_id): {consecutive_years, years, warning, via} or null",
    )
    @accepts(ns, MatchRequestSchema())
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Rank practitioners for a job (client+): hard filters, then the documented score; see the README."""
        explain = data.pop("explain") or request.args.get("explain", "").lower() in ("1", "true", "yes")
        if data.get("conflict_org_id") is not None:
            data["conflict_org_id"] = str(data["conflict_org_id"])
        result = matching.match(ctx(), MatchRequest(**data))
        items = [
            {
                "practitioner": presenters.practitioner(view),
                "score": scored.score,
                "reasons": list(scored.reasons),
                "score_breakdown": scored.breakdown,
            }
            for scored, view in result.ranked
        ]
        if data["work_type"] == "verification" and data.get("conflict_org_id") is not None:
            for item in items:  # the run of years this person (or their firm) has verified the client, if any
                item["rotation"] = result.rotation.get(item["practitioner"]["id"])
        response = page_of(items, result.total, 1, data["limit"])
        if explain:
            response["excluded"] = _EXCLUDED.dump(presenters.excluded(result.excluded))
        return response
