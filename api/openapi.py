"""The problem answers of every operation, added to the Swagger document from what each operation takes.

flask-restx documents the success answers the decorators declare; the errors come from rules that hold for
the whole API (api/__init__.py, interface/auth.py, interface/limits.py, interface/errors.py), so they are derived
here, in one place:

| status | documented on | because |
|---|---|---|
| 400 | operations with query, body or form parameters | validation (`errors` maps field → messages) |
| 401 | every operation but the probes | an unknown or revoked `X-API-Key`; no key where a role is needed |
| 403 | operations restricted to roles (`x-roles`, set by `require`) | a key of a lesser role |
| 404 | operations with path parameters | nothing with that id, number or code |
| 413 | operations with a body or an upload | the body passed its limit (interface/limits.py) |
| 414 | operations with query parameters | the URI passed 4 096 bytes (api/__init__.py) |
| 503 | every operation but /health | the graph is unreachable or busy (`Retry-After`) |

Operations open to the public (no `x-roles`) take the key as optional (`security: [{apikey: []}, {}]`).
409 is declared by the operations that can conflict (`@ns.response(409, ...)`, saying when);
tests/api/test_conflicts_documented.py follows every route's code to the 409 errors it can raise and fails on
one that does not declare it. Every error body is a Problem (RFC 9457, `application/problem+json`).
"""

from __future__ import annotations

from typing import Any

PROBLEM_REF = {"$ref": "#/definitions/Problem"}
PROBLEM = {
    "type": "object",
    "description": "RFC 9457 problem details (application/problem+json)",
    "required": ["type", "title", "status", "detail"],
    "properties": {
        "type": {"type": "string", "description": "a URI naming the kind of problem, or about:blank"},
        "title": {"type": "string"},
        "status": {"type": "integer", "minimum": 400, "maximum": 599},
        "detail": {"type": "string", "description": "what went wrong, for a person"},
        "instance": {"type": "string", "description": "the request path"},
        "errors": {
            "type": "object",
            "description": "validation: field path → messages",
            "additionalProperties": {"type": "array", "items": {"type": "string"}},
        },
        "request_id": {"type": "string"},
    },
}
PROBES = ("/health", "/ready")
OPTIONAL_KEY = [{"apikey": []}, {}]  # either requirement satisfies: with the key, or without any
WHY = {
    400: "Invalid request: `errors` names each field and what is wrong with it",
    401: "The API key is unknown or revoked, or this operation needs one",
    403: "The API key's role may not do this",
    404: "Not found",
    413: "The request body is larger than its limit (1 MB for JSON, 200 MB for an upload)",
    414: "The URI (path and query) is longer than 4 096 bytes",
    503: "The graph database is unreachable or busy; retry after `Retry-After` seconds",
}


def problems_for(path: str, operation: dict[str, Any], parameters: list[dict[str, Any]]) -> list[int]:
    """The problem statuses an operation can answer, from what it takes (see the table above)."""
    places = {parameter["in"] for parameter in parameters}
    statuses = []
    if places & {"query", "body", "formData"}:
        statuses.append(400)
    if path not in PROBES:
        statuses.append(401)
    if operation.get("x-roles"):
        statuses.append(403)
    if "path" in places:
        statuses.append(404)
    if places & {"body", "formData"}:
        statuses.append(413)
    if "query" in places:
        statuses.append(414)
    if path != "/health":
        statuses.append(503)
    return statuses


def complete(spec: dict[str, Any]) -> dict[str, Any]:
    """Add the Problem definition, both media types, and each operation's problem answers (in place)."""
    spec.setdefault("definitions", {})["Problem"] = PROBLEM
    spec["produces"] = ["application/json", "application/problem+json"]
    for path, item in spec.get("paths", {}).items():
        shared = item.get("parameters", [])
        for method, operation in item.items():
            if method == "parameters":
                continue
            if "x-roles" not in operation and "security" not in operation:
                # Open to the public: a key is optional (a caller without one is `public`), never required.
                operation["security"] = OPTIONAL_KEY
            responses = operation.setdefault("responses", {})
            for status in problems_for(path, operation, shared + operation.get("parameters", [])):
                responses.setdefault(str(status), {"description": WHY[status]})
            for status, response in responses.items():
                if int(status) >= 400:
                    response["schema"] = PROBLEM_REF
    return spec
