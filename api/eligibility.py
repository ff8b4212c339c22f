"""/eligibility: may this person apply for this level? (报考条件, public)."""

from __future__ import annotations

from typing import Any

from flask_restx import Namespace, Resource

from api.decorators import accepts, returns
from interface.context import ctx
from interface.schemas.eligibility import EligibilityRequestSchema, EligibilitySchema
from services import eligibility

ns = Namespace("eligibility", description="Application eligibility (报考条件) for a level")


@ns.route("")
class Eligibility(Resource):
    @ns.doc(security=[])
    @returns(ns, EligibilitySchema(), description="The decision with its reasons")
    @accepts(ns, EligibilityRequestSchema())
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Check the application conditions for a level; levels 2 and 1 answer null (待定) until defined."""
        return eligibility.check(ctx(), data)
