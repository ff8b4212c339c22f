"""Liveness and readiness."""

from __future__ import annotations

import os

from flask import current_app
from flask_restx import Namespace, Resource

from api.models import model
from interface.context import get_graph
from interface.problems import problem
from interface.schemas.health import HealthSchema, ReadySchema

ns = Namespace("health", path="/", description="Liveness and readiness probes")


@ns.route("/health")
class Health(Resource):
    @ns.doc(security=[])
    @ns.response(200, "The process answers", model(ns, HealthSchema()))
    def get(self) -> dict:
        """Liveness: the process answers (does not touch the graph)."""
        return {"status": "ok"}


@ns.route("/ready")
class Ready(Resource):
    @ns.doc(security=[])
    @ns.response(200, "The graph answers and the search index is warm", model(ns, ReadySchema()))
    @ns.response(503, "The graph is unreachable, or this process's search index is not warm yet")
    def get(self):
        """Readiness: the graph answers and this process's search index is warm; reports the graph's version
        and edition and the index's state (revision, practitioners, build seconds, memory)."""
        try:
            info = get_graph().server_info()
        except Exception as error:  # any failure to reach the graph means "not ready"
            return problem(
                503, f"Neo4j is not reachable ({type(error).__name__}).", slug="graph-unavailable",
                title="Service unavailable", headers={"Retry-After": "5"},
            )  # fmt: skip
        index = current_app.extensions.get("search_index")
        if index is None:
            return {"status": "ready", "neo4j": info, "search_index": {"state": "off"}, "pid": os.getpid()}
        if not index.wait(
            timeout=30
        ):  # the first build of a small registry; a big one answers 503 until warm
            return problem(
                503, f"The search index of this process is {index.state}.", slug="search-index-not-warm",
                title="Service unavailable", headers={"Retry-After": "5"},
                extensions={"search_index": index.status(), "pid": os.getpid()},
            )  # fmt: skip
        return {"status": "ready", "neo4j": info, "search_index": index.status(), "pid": os.getpid()}
