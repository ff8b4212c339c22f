"""The HTTP API (JSON): a flask-restx namespace per resource over the services, installed by `install(app)`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from flask import Flask, request
from flask_restx import Api

from interface.auth import current_principal
from interface.errors import problem_for

API_PREFIX = "/api/v1"
PROBES = (f"{API_PREFIX}/health", f"{API_PREFIX}/ready")


class ProblemApi(Api):
    """flask-restx Api whose errors are RFC 9457 problems like the rest of the app."""

    def __init__(self, app: Flask, *, elsewhere: Callable[[Exception], Any], **options: Any) -> None:
        self.elsewhere = elsewhere
        super().__init__(app, **options)

    def handle_error(self, e: Exception) -> Any:
        # restx catches every 404 (catch_all_404s): paths outside the API get the app's own answer (pages).
        return problem_for(e) if request.path.startswith(API_PREFIX) else self.elsewhere(e)

    @property
    def __schema__(self) -> dict[str, Any]:
        """The Swagger document, with every operation's problem answers (api/openapi.py)."""
        from api.openapi import complete

        if not self._schema:
            complete(super().__schema__)
        return self._schema


def install(app: Flask, *, elsewhere: Callable[[Exception], Any] = problem_for) -> Api:
    """Serve the API under /api/v1 with the Swagger UI at /docs; `elsewhere` answers errors on other paths."""

    @app.before_request
    def authenticate() -> None:
        # Every API call resolves its caller up front, so a bad key is a 401 on public endpoints too.
        # The probes stay independent of the graph.
        if request.path.startswith(API_PREFIX) and request.path not in PROBES:
            current_principal()

    api = ProblemApi(
        app,
        elsewhere=elsewhere,
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
    return api


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
