"""RFC 9457 problem details: every error the API returns goes through `problem()`."""

from __future__ import annotations

import json
from http import HTTPStatus
from typing import Any

from flask import Response, g, request

from registry.text import is_encodable

PROBLEM_MEDIA_TYPE = "application/problem+json"
PROBLEM_TYPE_BASE = "https://carbon-registry.example/problems/"


def problem(
    status: int,
    detail: str | None = None,
    *,
    slug: str | None = None,
    title: str | None = None,
    errors: dict[str, list[str]] | None = None,
    headers: dict[str, str] | None = None,
    extensions: dict[str, Any] | None = None,
) -> Response:
    """A problem+json response; `slug` names the problem type, otherwise the type is about:blank."""
    phrase = HTTPStatus(status).phrase
    body: dict[str, Any] = {
        "type": PROBLEM_TYPE_BASE + slug if slug else "about:blank",
        "title": title or phrase,
        "status": status,
        "detail": detail or phrase,
        "instance": request.path,
    }
    if errors:
        body["errors"] = errors
    # Extension members never replace the standard ones.
    body.update({key: value for key, value in (extensions or {}).items() if key not in body})
    request_id = getattr(g, "request_id", None)
    if request_id:
        body["request_id"] = request_id
    text = json.dumps(body, ensure_ascii=False)
    if not is_encodable(text):
        text = json.dumps(body)  # \u escapes: a problem must never fail on the text it quotes
    response = Response(text, status=status, mimetype=PROBLEM_MEDIA_TYPE, headers=headers)
    return response
