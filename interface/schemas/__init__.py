"""marshmallow schemas for every request and response shape, shared by the API and the portal.

`body(schema)` validates a JSON request body; `query(schema)` validates query parameters; `load(schema, data)`
validates anything else (a portal form). The API describes the same schemas to Swagger (`api/models.py`).
"""

from __future__ import annotations

import json
import re
from typing import Any

from flask import request
from marshmallow import Schema, fields

from interface.limits import read_body
from registry.errors import ValidationFailed
from registry.text import UNENCODABLE_MESSAGE, unencodable_paths


def load(schema: Schema, data: Any, *, partial: bool | tuple[str, ...] = False) -> dict[str, Any]:
    """Validate input with the schema, after refusing text that cannot be stored (lone surrogates) anywhere
    in it, keys included: every string field of every schema, one rule."""
    bad = unencodable_paths(data)
    if bad:
        raise ValidationFailed(
            {path: [UNENCODABLE_MESSAGE] for path in bad},
            detail="The request contains text that is not valid Unicode.",
        )
    return schema.load(data, partial=partial)


def body(schema: Schema, *, partial: bool | tuple[str, ...] = False) -> dict[str, Any]:
    """The request's JSON object, validated; 400 problem when it is missing, not JSON, or invalid; 413 when
    it is larger than the limit (counted on the bytes read, chunked bodies included)."""
    try:
        data = json.loads(read_body() or b"null")
    except (ValueError, RecursionError):  # RecursionError: absurdly nested arrays
        data = None
    if not isinstance(data, dict):
        raise ValidationFailed(
            {"_body": ["Send a JSON object (Content-Type: application/json)."]},
            detail="The request body must be a JSON object.",
        )
    return load(schema, data, partial=partial)


# What a number in a query string may look like: ASCII digits only. Python's int() would also take " 1", "1_0",
# "+1" and full-width "１", which the API description (type integer / number) does not allow.
_INTEGER = re.compile(r"-?[0-9]+")
_NUMBER = re.compile(r"-?[0-9]+(\.[0-9]+)?")


def _syntax_problem(field: fields.Field | None, value: str) -> str | None:
    if isinstance(field, fields.Integer) and not _INTEGER.fullmatch(value):
        return "Not a valid integer."
    if isinstance(field, fields.Float) and not _NUMBER.fullmatch(value):
        return "Not a valid number."
    return None


def query(schema: Schema) -> dict[str, Any]:
    """The query parameters, validated: repeated parameters become lists where the schema has a List, and are
    refused elsewhere (which one would count is ambiguous); numbers are plain ASCII digits."""
    by_key = {field.data_key or name: field for name, field in schema.fields.items()}
    data: dict[str, Any] = {}
    errors: dict[str, list[str]] = {}
    for key in request.args:
        values = request.args.getlist(key)
        field = by_key.get(key)
        if isinstance(field, fields.List):
            data[key] = values
        elif field is not None and len(values) > 1:
            errors[key] = ["Give this parameter once."]
        elif problem := _syntax_problem(field, values[-1]):
            errors[key] = [problem]
        else:
            data[key] = values[-1]
    if errors:
        raise ValidationFailed(errors, detail="The query parameters are not valid.")
    return load(schema, data)


def jsonable(value: Any) -> Any:
    """Free-form data (graph drawings) with dates and datetimes as ISO 8601 strings."""
    if isinstance(value, dict):
        return {key: jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(item) for item in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
