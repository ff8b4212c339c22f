"""Liveness and readiness."""

from __future__ import annotations

from flask_restx import Namespace, Resource

from api.context import get_graph
from api.problems import problem

ns = Namespace("health", path="/", description="Liveness and readiness probes")


@ns.route("/health")
class Health(Resource):
    @ns.doc(security=[])
    def get(self) -> dict:
        """Liveness: the process answers (does not touch the graph)."""
        return {"status": "ok"}


@ns.route("/ready")
class Ready(Resource):
    @ns.doc(security=[], responses={503: "The graph is unreachable"})
    def get(self):
        """Readiness: the graph answers; reports its version and edition."""
        try:
            info = get_graph().server_info()
        except Exception as error:  # any failure to reach the graph means "not ready"
            return problem(
                503, f"Neo4j is not reachable ({type(error).__name__}).", slug="graph-unavailable",
                title="Service unavailable", headers={"Retry-After": "5"},
            )  # fmt: skip
        return {"status": "ready", "neo4j": info}
