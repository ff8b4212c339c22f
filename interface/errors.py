"""Turns every exception into a problem response, in one place.

Registered both on the Flask app (paths outside the API, 404/405 from routing) and on the flask-restx
Api (errors raised inside resources), so no HTML error page or stack trace ever reaches a client.
"""

from __future__ import annotations

import logging
import traceback

import neo4j.exceptions
from flask import Flask, Response
from marshmallow import ValidationError
from werkzeug.exceptions import HTTPException, RequestEntityTooLarge

from interface.limits import BodyTooLarge
from interface.problems import problem
from registry.errors import RegistryError, ValidationFailed

log = logging.getLogger("registry.api")

UNAVAILABLE = (
    neo4j.exceptions.ServiceUnavailable,
    neo4j.exceptions.SessionExpired,
    neo4j.exceptions.AuthError,
    neo4j.exceptions.DatabaseUnavailable,
)


def _flatten(messages: object, prefix: str = "") -> dict[str, list[str]]:
    """marshmallow's nested messages as field path → list of messages."""
    if isinstance(messages, dict):
        flat: dict[str, list[str]] = {}
        for key, value in messages.items():
            path = f"{prefix}.{key}" if prefix else str(key)
            flat.update(_flatten(value, path))
        return flat
    if isinstance(messages, list) and all(isinstance(m, str) for m in messages):
        return {prefix or "_schema": list(messages)}
    return {prefix or "_schema": [str(messages)]}


def problem_for(error: BaseException) -> Response:
    """The problem response for any exception."""
    if isinstance(error, ValidationError):
        return problem(
            400, "The request is not valid; see `errors`.", slug="validation-error",
            title="Invalid request", errors=_flatten(error.messages),
        )  # fmt: skip
    if isinstance(error, ValidationFailed):
        # Extension members too: an all-or-nothing row report (attendance) carries its `rows`.
        return problem(
            400, error.detail, slug="validation-error", title="Invalid request", errors=error.errors,
            extensions=error.extra,
        )  # fmt: skip
    if isinstance(error, RegistryError):
        headers = {"WWW-Authenticate": 'ApiKey header="X-API-Key"'} if error.status == 401 else None
        return problem(
            error.status,
            error.detail,
            slug=error.slug,
            title=error.title,
            extensions=error.extra,
            headers=headers,
        )
    if isinstance(error, RequestEntityTooLarge):
        # Werkzeug's own (a Content-Length over the limit, a chunked body passing it) says the limit too.
        detail = error.description if isinstance(error, BodyTooLarge) else BodyTooLarge().description
        return problem(413, detail, slug="body-too-large", title="Content too large")
    if isinstance(error, HTTPException):
        headers = {"Allow": ", ".join(error.valid_methods)} if getattr(error, "valid_methods", None) else None
        return problem(error.code or 500, error.description, headers=headers)
    if isinstance(error, neo4j.exceptions.ConstraintError):
        # Two requests raced past the existence check; the graph's unique constraint kept one.
        return problem(409, "This conflicts with a record that was just stored; read it and retry.", slug="conflict",
                       title="Conflict")  # fmt: skip
    if isinstance(error, neo4j.exceptions.TransientError):
        return problem(
            503, "The graph is busy; try again shortly.", slug="graph-busy", title="Service unavailable",
            headers={"Retry-After": "2"},
        )  # fmt: skip
    if isinstance(error, UNAVAILABLE):
        log.warning("graph unavailable: %s", type(error).__name__)
        return problem(
            503, "The graph database is unreachable; try again shortly.", slug="graph-unavailable",
            title="Service unavailable", headers={"Retry-After": "5"},
        )  # fmt: skip
    # The traceback without the exception's message: messages can quote request data (names, phones).
    # A Neo4j error's code (e.g. Neo.ClientError.Statement.SyntaxError) names the fault without any data.
    code = getattr(error, "code", None) or ""
    log.error(
        "unhandled %s %s\n%s", type(error).__name__, code, "".join(traceback.format_tb(error.__traceback__))
    )
    return problem(500, "An unexpected error occurred; it has been logged.", slug="internal-error")


def register_error_handlers(app: Flask) -> None:
    """Make the app answer every error with problem+json."""
    app.register_error_handler(Exception, problem_for)
