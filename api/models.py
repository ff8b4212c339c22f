"""The glue from marshmallow to flask-restx: each schema described to Swagger with the fields, enums, patterns,
lengths, ranges and formats its validation enforces, so the document and the validation never drift apart."""

from __future__ import annotations

from typing import Any

from flask_restx import Namespace
from flask_restx import fields as rx
from marshmallow import Schema, fields, missing, validate

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


_FORMATS: dict[type, str] = {
    fields.UUID: "uuid",
    fields.Email: "email",
    fields.Date: "date",
    fields.DateTime: "date-time",
}
# What marshmallow's Date reads (ISO 8601 calendar dates); stated so that generated values look like dates.
DATE_PATTERN = "^[0-9]{4}-[0-9]{2}-[0-9]{2}$"


def _format(field: fields.Field) -> str | None:
    return next((_FORMATS[klass] for klass in type(field).__mro__ if klass in _FORMATS), None)


def _swagger_keywords(field: fields.Field) -> dict[str, Any]:
    """What the field's validators and options enforce, as Swagger keywords: enum, pattern, lengths, ranges,
    item counts, formats, `x-nullable` (Swagger 2.0 has no null) and any `metadata["swagger"]` given by hand
    for rules a validator function enforces (e.g. a year's lower bound)."""
    keywords = _constraints(field)
    if isinstance(field, fields.List):
        for length, items in (("minLength", "minItems"), ("maxLength", "maxItems")):
            if length in keywords:
                keywords[items] = keywords.pop(length)
    if fmt := _format(field):
        keywords["format"] = fmt
    if isinstance(field, fields.Date):
        keywords["pattern"] = DATE_PATTERN
    if pattern := getattr(field, "swagger_pattern", None):  # interface.schemas.common.Text
        keywords["pattern"] = pattern
    if field.allow_none:
        keywords["x-nullable"] = True
    keywords.update(field.metadata.get("swagger", {}))
    return keywords


def _with_keywords(documented: rx.Raw, keywords: dict[str, Any]) -> rx.Raw:
    """The flask-restx field, its Swagger schema extended with `keywords`."""
    if not keywords:
        return documented
    described = documented.schema

    def schema() -> dict[str, Any]:
        shape = described()
        if shape.get("$ref"):  # Swagger 2.0 ignores the siblings of a $ref: wrap it, none left beside it
            target = shape.pop("$ref")
            shape = {**shape, "allOf": [{"$ref": target}]}
        return shape | keywords

    documented.schema = schema  # type: ignore[method-assign]
    return documented


def _restx_field(ns: Namespace, field: fields.Field, *, accepted: bool = False) -> rx.Raw:
    """The flask-restx field for a marshmallow field; `accepted`: part of a request (nested input models)."""
    options = {"required": field.required, "description": field.metadata.get("description")}
    if "example" in field.metadata:
        options["example"] = field.metadata["example"]
    if isinstance(field, fields.Nested):
        nested = input_model(ns, field.schema) if accepted else model(ns, field.schema)
        documented: rx.Raw = rx.Nested(nested, **options)
    elif isinstance(field, fields.List):
        documented = rx.List(_restx_field(ns, field.inner, accepted=accepted), **options)
    else:
        kind = next((_RESTX_FIELDS[k] for k in type(field).__mro__ if k in _RESTX_FIELDS), rx.Raw)
        documented = kind(**options)
    return _with_keywords(documented, _swagger_keywords(field))


def _model_name(schema: type[Schema]) -> str:
    """The schema's class name less `Schema`; a module-private one (`_Ref` in interface/schemas/credit.py) is
    named after its module (`CreditRef`): generators mangle a leading underscore, and `Ref` is taken."""
    name = schema.__name__.removesuffix("Schema")
    if name.startswith("_"):
        return schema.__module__.rsplit(".", 1)[-1].title().replace("_", "") + name.lstrip("_")
    return name


def model(ns: Namespace, schema: Schema, name: str | None = None) -> Any:
    """A flask-restx model mirroring a marshmallow schema (for the Swagger document only)."""
    name = name or _model_name(type(schema))
    if name in ns.models:
        return ns.models[name]
    return ns.model(
        name, {f.data_key or key: _restx_field(ns, f) for key, f in schema.fields.items() if not f.load_only}
    )


def input_model(ns: Namespace, schema: Schema, name: str | None = None) -> Any:
    """A flask-restx model of what a schema accepts (load-only fields included, dump-only excluded)."""
    name = name or type(schema).__name__.removesuffix("Schema") + "Input"
    if name in ns.models:
        return ns.models[name]
    accepted = {
        f.data_key or key: _restx_field(ns, f, accepted=True)
        for key, f in schema.fields.items()
        if not f.dump_only
    }
    # strict: additionalProperties false, as marshmallow refuses unknown fields (RAISE).
    return ns.model(name, accepted, strict=True)


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
            keywords = _swagger_keywords(field)
            keywords.pop("x-nullable", None)  # a query parameter is absent, never null
            entry |= {"type": _param_type(field), **keywords}
        default = field.load_default
        if default is not None and not callable(default) and default is not missing:
            entry["default"] = default
        documented[name] = entry
    return documented
