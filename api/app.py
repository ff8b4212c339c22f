"""The Flask application factory."""

from __future__ import annotations

import atexit
from typing import Any

from flask import Flask, request
from flask_restx import Api

from api.config import Settings
from api.errors import problem_for, register_error_handlers
from api.limits import install_limits
from api.logs import configure_logging, install_request_logging
from api.openapi import complete
from graph.driver import graph_from_settings
from services import search_index
from services.search_index import snapshot
from web import portal
from web.portal import error_page

API_PREFIX = "/api/v1"
PROBES = (f"{API_PREFIX}/health", f"{API_PREFIX}/ready")


class ProblemApi(Api):
    """flask-restx Api whose errors are RFC 9457 problems like the rest of the app."""

    def handle_error(self, e: Exception) -> Any:
        # restx catches every 404 (catch_all_404s): the portal's paths still get its pages.
        return problem_for(e) if request.path.startswith(API_PREFIX) else error_page(e)

    @property
    def __schema__(self) -> dict[str, Any]:
        """The Swagger document, with every operation's problem answers (api/openapi.py)."""
        if not self._schema:
            complete(super().__schema__)
        return self._schema


def create_app(settings: Settings | None = None) -> Flask:
    """Build the app: configuration, one driver per process, the API namespaces and the CLI."""
    settings = settings or Settings.from_env()
    configure_logging(settings.log_level)
    app = Flask(__name__, static_folder=None)  # the portal serves its own static files
    app.config["SETTINGS"] = settings
    app.config["RESTX_MASK_SWAGGER"] = False
    app.config["RESTX_JSON"] = {"ensure_ascii": False}  # Chinese stays readable in responses
    app.config["RESTX_ERROR_404_HELP"] = False
    app.json.ensure_ascii = False
    app.json.sort_keys = False
    install_limits(app)  # request bodies: 1 MB JSON, 200 MB uploads, on the bytes read (api/limits.py)

    graph = graph_from_settings(settings)
    app.extensions["graph"] = graph
    atexit.register(graph.close)
    snapshots = None
    if settings.search_index_snapshots:
        snapshots = snapshot.path_for(
            settings.search_index_snapshots, settings.neo4j_uri, settings.neo4j_database
        )
    app.extensions["search_index"] = search_index.install(
        graph, settings.search_index, snapshots, page_views=settings.search_page_views
    )

    install_request_logging(app)
    register_error_handlers(app)

    from api.auth import current_principal

    @app.before_request
    def authenticate() -> None:
        # Every API call resolves its caller up front, so a bad key is a 401 on public endpoints too.
        # The probes stay independent of the graph.
        if request.path.startswith(API_PREFIX) and request.path not in PROBES:
            current_principal()

    api = ProblemApi(
        app,
        prefix=API_PREFIX,
        doc="/docs",
        version="1.0",
        title="Carbon Manager Registry API · 碳排放管理员人才库/专家库",
        description=(
            "Certified carbon emission managers (碳排放管理员, occupation 4-09-07-04): certificates, the national "
            "talent and expert pools, search and matching. Send `X-API-Key` for the admin, government, "
            "client and practitioner roles; without a key you are `public`."
        ),
        authorizations={"apikey": {"type": "apiKey", "in": "header", "name": "X-API-Key"}},
        security="apikey",
        catch_all_404s=True,
    )
    for namespace in _namespaces():
        api.add_namespace(namespace)

    portal.install(app)

    from api.cli import registry_cli

    app.cli.add_command(registry_cli)
    return app


def _namespaces() -> list[Any]:
    """Every namespace of the API, in the order the Swagger UI lists them."""
    from api import (
        audit,
        certificates,
        credit,
        draws,
        eligibility,
        engagements,
        exams,
        health,
        imports,
        matching,
        me,
        organizations,
        pools,
        practitioners,
        statistics,
        taxonomy,
    )

    return [
        health.ns,
        taxonomy.ns,
        practitioners.ns,
        organizations.ns,
        certificates.ns,
        certificates.verify_ns,
        pools.ns,
        eligibility.ns,
        engagements.ns,
        matching.ns,
        exams.applications_ns,
        exams.sessions_ns,
        exams.results_ns,
        exams.renewals_ns,
        imports.ns,
        draws.ns,
        credit.ns,
        audit.ns,
        statistics.ns,
        statistics.open_data_ns,
        statistics.key_emitters_ns,
        me.ns,
    ]
