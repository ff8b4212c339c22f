"""/pools: the talent pool (levels 3–4) and the expert pool (levels 2–1), derived from valid certificates."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask_restx import Namespace, Resource

from api import get_graph
from api.auth import CLIENT_PLUS, current_role, require
from api.practitioners import SearchArgs, dump_practitioner, filters_from
from api.schemas import query
from api.schemas.common import page_of, whole_list
from graph.pools import pool_sizes
from graph.search import search
from registry.errors import NotFound
from registry.taxonomy import POOL_CODES

ns = Namespace("pools", description="人才库 (talent) and 专家库 (expert) pools")

_ARGS = SearchArgs(exclude=("pool",))


@ns.route("")
class PoolList(Resource):
    @require(CLIENT_PLUS)
    def get(self) -> dict[str, Any]:
        """Both pools with their current number of members (client+)."""
        return whole_list(pool_sizes(get_graph(), date.today()))


@ns.route("/<string:code>/members")
class PoolMembers(Resource):
    @ns.doc(params={name: f.metadata.get("description", "") for name, f in _ARGS.fields.items()})
    @require(CLIENT_PLUS)
    def get(self, code: str) -> dict[str, Any]:
        """A pool's current members, with the practitioner search filters (client+)."""
        if code not in POOL_CODES:
            raise NotFound(f"No pool {code!r}; pools are {', '.join(sorted(POOL_CODES))}.")
        args = query(_ARGS)
        role = current_role()
        today = date.today()
        result = search(
            get_graph(), filters_from(args, role, pool=code), today=today,
            page=args["page"], per_page=args["per_page"], sort=args["sort"],
        )  # fmt: skip
        items = [dump_practitioner(view, today, role) for view in result.items]
        return page_of(items, result.total, args["page"], args["per_page"], pool=code, facets=result.facets)
