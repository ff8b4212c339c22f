"""/pools: the talent pool (levels 3–4) and the expert pool (levels 2–1), derived from valid certificates."""

from __future__ import annotations

from typing import Any

from flask_restx import Namespace, Resource

from api.decorators import paginated, returns
from api.practitioners import search_page
from interface.auth import CLIENT_PLUS, require
from interface.context import ctx
from interface.schemas.common import whole_list
from interface.schemas.practitioner import PractitionerSchema, SearchArgs
from services import search
from services.context import Page

ns = Namespace("pools", description="人才库 (talent) and 专家库 (expert) pools")


@ns.route("")
class PoolList(Resource):
    @require(CLIENT_PLUS)
    @returns(ns, None, description="{items: [{code, name_zh, name_en, levels, members}], total, ...}")
    def get(self) -> dict[str, Any]:
        """Both pools with their current number of members (client+)."""
        return whole_list(search.pool_sizes(ctx()))


@ns.route("/<string:code>/members")
@ns.param("code", "talent or expert")
class PoolMembers(Resource):
    @require(CLIENT_PLUS)
    @paginated(ns, SearchArgs(exclude=("pool",)), PractitionerSchema(), present=lambda items: items)
    def get(self, code: str, args: dict[str, Any]) -> Page:
        """A pool's current members, with the practitioner search filters (client+)."""
        return search_page(args, pool=code)
