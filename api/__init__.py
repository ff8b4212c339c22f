"""The HTTP API (JSON): a flask-restx namespace per resource over the services, installed by `install(app)`."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from urllib.parse import quote

from flask import Flask, Response, jsonify, request
from flask_restx import Api
from werkzeug.exceptions import RequestURITooLarge

from api.openapi3 import openapi3
from interface.auth import current_principal
from interface.errors import problem_for

API_PREFIX = "/api/v1"
PROBES = (f"{API_PREFIX}/health", f"{API_PREFIX}/ready")
# The longest URI (path and query, as sent) the API reads. gunicorn reads request lines up to 8 190 bytes
# (gunicorn.conf.py), so a longer URI than this reaches the app and is answered as a problem, not gunicorn's HTML.
MAX_URI_BYTES = 4096


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

    @property
    def openapi3(self) -> dict[str, Any]:
        """The same document as OpenAPI 3.1, for generators (api/openapi3.py); built once, like the Swagger one."""
        if getattr(self, "_openapi3", None) is None:
            self._openapi3 = openapi3(self.__schema__)
        return self._openapi3


def sent_uri() -> str:
    """The request's URI as the client sent it (percent-encoded, so one character is one byte)."""
    environ = request.environ
    if raw := environ.get("RAW_URI") or environ.get("REQUEST_URI"):
        return raw
    query = environ.get("QUERY_STRING", "")
    return quote(request.path) + (f"?{query}" if query else "")


def install(app: Flask, *, elsewhere: Callable[[Exception], Any] = problem_for) -> Api:
    """Serve the API under /api/v1 with the Swagger UI at /docs; `elsewhere` answers errors on other paths."""

    @app.before_request
    def refuse_long_uris() -> None:
        if request.path.startswith(API_PREFIX) and len(sent_uri()) > MAX_URI_BYTES:
            raise RequestURITooLarge(
                f"The URL is longer than {MAX_URI_BYTES} bytes; send fewer or shorter query parameters."
            )

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
        # ASCII: generators name the client package after the title; the Chinese name opens the description.
        title="Carbon Manager Registry API",
        description=(
            "碳排放管理员人才库/专家库 · Certified carbon emission managers (碳排放管理员, occupation 4-09-07-04): "
            "certificates, the national talent and expert pools, search and matching. Send `X-API-Key` for the "
            "admin, government, client and practitioner roles; without a key you are `public`."
        ),
        authorizations={"apikey": {"type": "apiKey", "in": "header", "name": "X-API-Key"}},
        security="apikey",
        catch_all_404s=True,
    )
    for namespace in _namespaces():
        api.add_namespace(namespace)

    @app.get(f"{API_PREFIX}/openapi.json")
    def openapi_json() -> Response:
        """The OpenAPI 3.1 document, converted from the Swagger 2.0 one (api/openapi3.py)."""
        return jsonify(api.openapi3)

    return api


def _namespaces() -> list[Any]:
    """Every namespace of the API, in the order the Swagger UI lists them."""
    from api import (
        activities,
        activity_certificates,
        activity_suggestions,  # noqa: F401 — its route joins the activities namespace
        audit,
        certificates,
        credit,
        documents,  # noqa: F401 — its routes join the certificates and verify namespaces
        draws,
        eligibility,
        engagements,
        exams,
        health,
        imports,
        integrity,
        jobs,
        matching,
        me,
        me_activities,  # noqa: F401 — its routes (/me/activities, /me/invitations) join the me namespace
        notifications,  # its /me/notifications routes join the me namespace
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
        integrity.ns,
        jobs.ns,
        notifications.ns,
        statistics.ns,
        statistics.open_data_ns,
        statistics.key_emitters_ns,
        me.ns,
        activities.ns,
        activity_certificates.ns,
    ]
