"""marshmallow schemas for every request and response shape, and the glue to flask-restx.

`body(schema)` validates a JSON request body; `query(schema)` validates query parameters; `model(ns, schema)`
describes a schema to Swagger so the docs show the same fields the validation enforces.
"""

from __future__ import annotations

import json
from typing import Any

from flask import request
from flask_restx import Namespace
from flask_restx import fields as rx
from marshmallow import Schema, fields, missing, validate

from registry.errors import ValidationFailed

MAX_BODY_BYTES = 1_000_000


def body(schema: Schema, *, partial: bool | tuple[str, ...] = False) -> dict[str, Any]:
    """The request's JSON object, validated; 400 problem when it is missing, not JSON, or invalid."""
    if request.content_length and request.content_length > MAX_BODY_BYTES:
        raise ValidationFailed({"_body": ["The body is too large."]}, detail="The request body is too large.")
    try:
        data = json.loads(request.get_data(cache=False) or b"null")
    except (ValueError, RecursionError):  # RecursionError: absurdly nested arrays
        data = None
    if not isinstance(data, dict):
        raise ValidationFailed(
            {"_body": ["Send a JSON object (Content-Type: application/json)."]},
            detail="The request body must be a JSON object.",
        )
    return schema.load(data, partial=partial)


def query(schema: Schema) -> dict[str, Any]:
    """The query parameters, validated (repeated parameters become lists where the schema has a List)."""
    data: dict[str, Any] = {}
    for key in request.args:
        values = request.args.getlist(key)
        field = schema.fields.get(key)
        data[key] = values if isinstance(field, fields.List) else values[-1]
    return schema.load(data)


_RESTX_FIELDS: dict[type, type] = {
    fields.String: rx.String,
    fields.Integer: rx.Integer,
    fields.Float: rx.Float,
    fields.Boolean: rx.Boolean,
    fields.Date: rx.Date,
    fields.DateTime: rx.DateTime,
    fields.UUID: rx.String,
    fields.Email: rx.String,
}


def _restx_field(ns: Namespace, field: fields.Field) -> rx.Raw:
    options = {"required": field.required, "description": field.metadata.get("description")}
    if "example" in field.metadata:
        options["example"] = field.metadata["example"]
    if isinstance(field, fields.Nested):
        nested = field.schema
        return rx.Nested(model(ns, nested), **options)
    if isinstance(field, fields.List):
        return rx.List(_restx_field(ns, field.inner), **options)
    for klass in type(field).__mro__:
        if klass in _RESTX_FIELDS:
            return _RESTX_FIELDS[klass](**options)
    return rx.Raw(**options)


def model(ns: Namespace, schema: Schema, name: str | None = None) -> Any:
    """A flask-restx model mirroring a marshmallow schema (for the Swagger document only)."""
    name = name or type(schema).__name__.removesuffix("Schema")
    if name in ns.models:
        return ns.models[name]
    return ns.model(name, {key: _restx_field(ns, f) for key, f in schema.fields.items() if not f.load_only})


def input_model(ns: Namespace, schema: Schema, name: str | None = None) -> Any:
    """A flask-restx model of what a schema accepts (load-only fields included, dump-only excluded)."""
    name = name or type(schema).__name__.removesuffix("Schema") + "Input"
    if name in ns.models:
        return ns.models[name]
    return ns.model(name, {key: _restx_field(ns, f) for key, f in schema.fields.items() if not f.dump_only})


_PARAM_TYPES: dict[type, str] = {
    fields.Integer: "integer",
    fields.Float: "number",
    fields.Boolean: "boolean",
    fields.String: "string",
}


def _param_type(field: fields.Field) -> str:
    for klass in type(field).__mro__:
        if klass in _PARAM_TYPES:
            return _PARAM_TYPES[klass]
    return "string"


def _constraints(field: fields.Field) -> dict[str, Any]:
    """Enums, ranges, lengths and patterns that the field's validators enforce, as Swagger keywords."""
    found: dict[str, Any] = {}
    validators = field.validators if hasattr(field, "validators") else []
    for validator in validators:
        if isinstance(validator, validate.OneOf):
            found["enum"] = list(validator.choices)
        elif isinstance(validator, validate.Range):
            if validator.min is not None:
                found["minimum"] = validator.min
            if validator.max is not None:
                found["maximum"] = validator.max
        elif isinstance(validator, validate.Length):
            if validator.min is not None:
                found["minLength"] = validator.min
            if validator.max is not None:
                found["maxLength"] = validator.max
        elif isinstance(validator, validate.Regexp):
            found["pattern"] = validator.regex.pattern.replace("\\Z", "$")
    return found


def parameters(schema: Schema) -> dict[str, dict[str, Any]]:
    """Swagger query parameters for a query schema: each with a description, type and constraints."""
    documented: dict[str, dict[str, Any]] = {}
    for name, field in schema.fields.items():
        if field.dump_only:
            continue
        description = field.metadata.get("description") or name.replace("_", " ")
        entry: dict[str, Any] = {"in": "query", "description": description, "required": field.required}
        if isinstance(field, fields.List):
            entry |= {
                "type": "array",
                "items": {"type": _param_type(field.inner), **_constraints(field.inner)},
            }
            entry["collectionFormat"] = "multi"
        else:
            entry |= {"type": _param_type(field), **_constraints(field)}
        default = field.load_default
        if default is not None and not callable(default) and default is not missing:
            entry["default"] = default
        documented[name] = entry
    return documented


def jsonable(value: Any) -> Any:
    """Free-form data (graph drawings) with dates and datetimes as ISO 8601 strings."""
    if isinstance(value, dict):
        return {key: jsonable(item) for key, item in value.items()}
    if isinstance(value, list | tuple):
        return [jsonable(item) for item in value]
    if hasattr(value, "isoformat"):
        return value.isoformat()
    return value
