"""GET /activities/{id}/suggestions: who fits an open activity, ranked with checkable reasons (organizer, admin).

The route joins the activities namespace of api/activities.py; api/__init__.py imports this module so it does.
"""

from __future__ import annotations

from typing import Any

from flask_restx import Resource

from api.activities import ORGANIZERS, caller, ns
from api.decorators import paginated
from interface import presenters
from interface.auth import require
from interface.context import ctx
from interface.schemas.common import PageArgs
from services import activity_suggestions
from services.context import Page


def _present(items: list[Any]) -> list[dict[str, Any]]:
    return [
        {
            "practitioner": presenters.practitioner(view),
            "score": suggested.score,
            "reasons": list(suggested.reasons),
            "score_breakdown": suggested.breakdown,
        }
        for suggested, view in items
    ]


@ns.route("/<uuid:activity_id>/suggestions")
@ns.param("activity_id", "the activity's id (UUID)")
class ActivitySuggestions(Resource):
    @require(ORGANIZERS)
    @ns.response(403, "Not the organizer's government key (nor an admin)")
    @ns.response(404, "No activity with this id")
    @ns.response(409, "The activity is not open")
    @paginated(ns, PageArgs(), present=_present)
    def get(self, activity_id: Any, args: dict[str, Any]) -> Page:
        """Practitioners who fit an open activity's needs, best first, each with its reasons (organizer, admin):
        region, work type, level, specialty, industry, free on its days, not opted out, not yet signed up or
        invited; the score is documented in docs/activities.md."""
        return activity_suggestions.suggestions(
            ctx(), caller(), str(activity_id), args["page"], args["per_page"]
        )
