"""/draws: expert panel draws (专家抽取) — make, read, verify, answer invitations, appoint, disclose, statistics."""

from __future__ import annotations

from typing import Any

from flask_restx import Namespace, Resource

from api.decorators import accepts, creates, paginated, returns, with_query
from interface import presenters
from interface.auth import ADMIN, CLIENT_PLUS, Forbidden, current_principal, require
from interface.context import ctx
from interface.schemas.draw import (
    CreateDrawSchema,
    DrawAppointmentSchema,
    DrawListArgs,
    DrawNoteSchema,
    DrawSchema,
    DrawStatsArgs,
    DrawSummarySchema,
    DrawVerificationSchema,
    InvitationResponseSchema,
)
from registry.draw_rules import AVOIDANCE_RULES
from registry.draws import BIDDING_SOURCE, ODD_FROM, PURPOSES
from services import conflicts, draw_reports, draws
from services.context import Page

ns = Namespace(
    "draws", description="Expert review panels: random draws with avoidance (回避), sealed and verifiable"
)

_DRAW = DrawSchema()
STATS_ROLES: tuple[str, ...] = ("government", "admin")
RESPONDERS: tuple[str, ...] = ("admin", "practitioner")


def _present_for_caller(view: dict[str, Any]) -> dict[str, Any]:
    return presenters.draw(view, current_principal().role)


@ns.route("")
class DrawList(Resource):
    @require(ADMIN)
    @ns.response(400, "Invalid request, e.g. an even panel of 5 or more")
    @ns.response(404, "Unknown organization")
    @ns.response(422, "Nobody meets the criteria, or the pool is too small and allow_shortfall is false")
    @creates(ns, _DRAW, "draws_draw_item", present=_present_for_caller, draw_id="id")
    @accepts(ns, CreateDrawSchema())
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Draw an expert panel (admin): avoidance, a sealed candidate set, panel and ordered reserves, invitations.

        Every exclusion is recorded with its rule (employment, engagement, declaration, certificate_status,
        sanction, same_employer, unavailable, draw_cap, manual). A pool too small to fill the panel is recorded as
        a shortfall (unless allow_shortfall is false); criteria nobody meets are a 422 and nothing is written.
        """
        return draws.create(ctx(), data)

    @require(STATS_ROLES)
    @paginated(ns, DrawListArgs(), DrawSummarySchema())
    def get(self, args: dict[str, Any]) -> Page:
        """Draws, newest first (admin, government)."""
        items, total = draws.list_draws(ctx(), args, args["page"], args["per_page"])
        return Page(items, total)


@ns.route("/stats")
class DrawStats(Resource):
    @require(STATS_ROLES)
    @returns(ns, None)
    @with_query(ns, DrawStatsArgs())
    def get(self, args: dict[str, Any]) -> dict[str, Any]:
        """Draws per month and purpose, how evenly seats spread over the expert pool (share of the most-drawn 10%,
        Gini), answers to invitations and the acceptance rate, exclusions by rule (admin, government)."""
        return draw_reports.statistics(ctx(), args.get("period_from"), args.get("period_to"))


@ns.route("/rules")
class DrawRuleList(Resource):
    @returns(ns, None)
    def get(self) -> dict[str, Any]:
        """The purposes, the panel size rule and the avoidance rules, each with its published source (public)."""
        rules = draws.rules_for(ctx())
        return {
            "purposes": [
                {
                    "code": p.code,
                    "name_zh": p.name_zh,
                    "name_en": p.name_en,
                    "min_size": p.min_size,
                    "source": p.source,
                }
                for p in PURPOSES
            ],
            "odd_from": ODD_FROM,
            "odd_source": BIDDING_SOURCE,
            "avoidance": [
                {"code": r.code, "name_zh": r.name_zh, "description": r.description, "source": r.source}
                for r in AVOIDANCE_RULES
            ],
            "window_years": rules.window_years,
            "draw_cap": rules.draws_per_year_cap,
            "response_hours": rules.response_hours,
            # Indirect conflicts (issue 23): the defaults a draw's `rules` may change, each kind with its source.
            "conflicts": conflicts.rules_view(conflicts.rules_of(ctx())),
        }


@ns.route("/<string:draw_id>")
@ns.param("draw_id", "the draw's id")
class DrawItem(Resource):
    @require(CLIENT_PLUS)
    @returns(ns, _DRAW, present=_present_for_caller)
    def get(self, draw_id: str) -> dict[str, Any]:
        """A draw: criteria, counts, exclusions by rule, the seed commitment and the result (client and up).

        Names on the panel are hidden from non-admin roles until the draw is disclosed; the list of excluded
        people and the event log are for admins.
        """
        return draws.get(ctx(), draw_id)


_VERIFICATION = DrawVerificationSchema()


def _verification_for_caller(result: dict[str, Any]) -> dict[str, Any]:
    # The sealed lines name candidates (ids and employers): enough to redo the hashes, so admin and government
    # get them; everyone else gets the checks and the hashes.
    if current_principal().role not in STATS_ROLES:
        result = {**result, "secret": None, "candidates": None, "candidate_reach": None}
    return _VERIFICATION.dump(result)


@ns.route("/<string:draw_id>/verify")
@ns.param("draw_id", "the draw's id")
class DrawVerify(Resource):
    @ns.doc(security=[])
    @returns(ns, _VERIFICATION, present=_verification_for_caller)
    def get(self, draw_id: str) -> dict[str, Any]:
        """Recompute the draw from its stored record and say whether it matches (public).

        Admin and government also get the secret and the sealed candidate lines, to redo every hash themselves.
        """
        return draw_reports.verify(ctx(), draw_id)


@ns.route("/<string:draw_id>/responses")
@ns.param("draw_id", "the draw's id")
class DrawResponses(Resource):
    @require(RESPONDERS)
    @ns.response(409, "The invitation is not open to this answer (already answered, lapsed)")
    @returns(ns, _DRAW, present=_present_for_caller)
    @accepts(ns, InvitationResponseSchema())
    def post(self, draw_id: str, data: dict[str, Any]) -> dict[str, Any]:
        """Record accepted / declined / no_response (admin, or the invited practitioner with their own key).

        A decline or no response calls the next reserve; when reserves run out, the next candidate along the
        same sealed order is drawn as a replacement; when nobody is left, the draw records a shortfall.
        """
        principal = current_principal()
        if principal.role == "practitioner" and str(data["practitioner_id"]) != principal.practitioner_id:
            raise Forbidden("A practitioner answers only their own invitation.")
        return draws.respond(ctx(), draw_id, data)


@ns.route("/<string:draw_id>/appointments")
@ns.param("draw_id", "the draw's id")
class DrawAppointments(Resource):
    @require(ADMIN)
    @ns.response(409, "The draw has no shortfall")
    @returns(ns, _DRAW, present=_present_for_caller)
    @accepts(ns, DrawAppointmentSchema())
    def post(self, draw_id: str, data: dict[str, Any]) -> dict[str, Any]:
        """Fill a seat the pool could not with a named practitioner, with a reason (admin; 财库〔2016〕198号)."""
        return draws.appoint(ctx(), draw_id, data)


@ns.route("/<string:draw_id>/disclose")
@ns.param("draw_id", "the draw's id")
class DrawDisclose(Resource):
    @require(ADMIN)
    @ns.response(409, "The draw is already disclosed")
    @returns(ns, _DRAW, present=_present_for_caller)
    def post(self, draw_id: str) -> dict[str, Any]:
        """Show the panel's names to non-admin roles from now on (admin)."""
        return draws.disclose(ctx(), draw_id)


@ns.route("/<string:draw_id>/notes")
@ns.param("draw_id", "the draw's id")
class DrawNotes(Resource):
    @require(ADMIN)
    @returns(ns, _DRAW, present=_present_for_caller)
    @accepts(ns, DrawNoteSchema())
    def post(self, draw_id: str, data: dict[str, Any]) -> dict[str, Any]:
        """Add a correction or remark as a new event; nothing recorded before is edited (admin)."""
        return draws.add_note(ctx(), draw_id, data["note"])
