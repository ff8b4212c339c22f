"""/match: a ranked shortlist of practitioners for a client's job, with checkable reasons."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import request
from flask_restx import Namespace, Resource

from api import codes, get_graph, get_settings
from api.auth import CLIENT_PLUS, current_role, require
from api.practitioners import dump_practitioner
from api.schemas import body, input_model
from api.schemas.common import page_of
from api.schemas.matching import ExcludedSchema, MatchRequestSchema
from graph.matching import match
from registry.matching import MatchRequest

ns = Namespace(
    "match", description="Find qualified consultants and verifiers, ranked, without conflicts of interest"
)

_REQUEST = MatchRequestSchema()
_EXCLUDED = ExcludedSchema(many=True)


@ns.route("")
class Match(Resource):
    @ns.expect(input_model(ns, _REQUEST))
    @require(CLIENT_PLUS)
    def post(self) -> dict[str, Any]:
        """Rank practitioners for a job (client+): hard filters, then the documented score; see the README."""
        data = body(_REQUEST)
        codes.check(data, {"industry": "industries", "region": "regions"})
        explain = data.pop("explain") or request.args.get("explain", "").lower() in ("1", "true", "yes")
        if data.get("conflict_org_id") is not None:
            data["conflict_org_id"] = str(data["conflict_org_id"])
        today = date.today()
        result = match(get_graph(), MatchRequest(**data), today, get_settings().conflict_window_years)
        role = current_role()
        items = [
            {
                "practitioner": dump_practitioner(view, today, role),
                "score": scored.score,
                "reasons": list(scored.reasons),
                "score_breakdown": scored.breakdown,
            }
            for scored, view in result.ranked
        ]
        response = page_of(items, result.total, 1, data["limit"])
        if explain:
            response["excluded"] = _EXCLUDED.dump(result.excluded)
        return response
