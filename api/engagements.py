"""/engagements: consulting and verification projects and who worked on them (admin)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import url_for
from flask_restx import Namespace, Resource

from api import codes, get_graph
from api.auth import ADMIN, require
from api.schemas import body, input_model, model, query
from api.schemas.common import page_of
from api.schemas.engagement import EngagementArgs, EngagementInputSchema, EngagementSchema
from graph import engagements as repo
from registry.engagements import engagement_problems
from registry.errors import ValidationFailed

ns = Namespace("engagements", description="Engagements (碳核查, 碳盘查, 碳足迹, 能源审计 …) and their teams")

CODE_FIELDS = {"industry": "industries", "region": "regions"}
_INPUT = EngagementInputSchema()
_ARGS = EngagementArgs()
_VIEW = EngagementSchema()


def _plain(data: dict[str, Any]) -> dict[str, Any]:
    """UUIDs as strings, the way the graph stores them."""
    data = dict(data)
    for key in ("client_id", "practitioner_id"):
        if data.get(key) is not None:
            data[key] = str(data[key])
    if data.get("team") is not None:
        data["team"] = [
            {**member, "practitioner_id": str(member["practitioner_id"])} for member in data["team"]
        ]
    return data


def _check_merged(merged: dict[str, Any]) -> None:
    team = merged.get("team")
    if team and "practitioner_id" not in team[0]:  # the stored view: members as {practitioner: {id}}
        team = [{"practitioner_id": member["practitioner"]["id"]} for member in team]
    errors = engagement_problems(merged.get("start_on"), merged.get("end_on"), merged.get("status"), team)
    if errors:
        raise ValidationFailed(errors)


@ns.route("")
class EngagementList(Resource):
    @ns.doc(params={name: "" for name in _ARGS.fields})
    @require(ADMIN)
    def get(self) -> dict[str, Any]:
        """List engagements, newest first, by kind, status, client, practitioner, industry or region (admin)."""
        args = _plain(query(_ARGS))
        codes.check(args, CODE_FIELDS)
        items, total = repo.search(get_graph(), args, args["page"], args["per_page"])
        return page_of(_VIEW.dump(items, many=True), total, args["page"], args["per_page"])

    @ns.expect(input_model(ns, _INPUT))
    @ns.response(201, "Recorded", model(ns, _VIEW))
    @require(ADMIN)
    def post(self) -> tuple[dict[str, Any], int, dict[str, str]]:
        """Record an engagement with its client, industry, region and team (admin)."""
        data = _plain(body(_INPUT))
        codes.check(data, CODE_FIELDS)
        view = repo.create(get_graph(), data, date.today())
        return (
            _VIEW.dump(view),
            201,
            {"Location": url_for("engagements_engagement_item", engagement_id=view["id"])},
        )


@ns.route("/<uuid:engagement_id>")
class EngagementItem(Resource):
    @ns.response(200, "The engagement", model(ns, _VIEW))
    @require(ADMIN)
    def get(self, engagement_id: Any) -> dict[str, Any]:
        """One engagement with its team (admin)."""
        return _VIEW.dump(repo.get(get_graph(), str(engagement_id)))

    @ns.expect(input_model(ns, _INPUT, "EngagementPatch"))
    @require(ADMIN)
    def patch(self, engagement_id: Any) -> dict[str, Any]:
        """Change some fields (admin); `team` replaces the whole team."""
        # Only the top-level fields are optional: each team member given is validated in full.
        data = _plain(body(_INPUT, partial=tuple(_INPUT.fields)))
        codes.check(data, CODE_FIELDS)
        return _VIEW.dump(repo.update(get_graph(), str(engagement_id), data, _check_merged, date.today()))
