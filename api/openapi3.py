"""The OpenAPI 3.1 document (`GET /api/v1/openapi.json`), converted at run time from the app's own Swagger 2.0
document, so both always say the same thing.

Swagger 2.0 has no null: a field that can be null carries `x-nullable: true`, which generators reading a converted
document ignore, and then fail on the first null they meet. Here a nullable field becomes what OpenAPI 3.1 (JSON
Schema 2020-12) says and generators such as openapi-python-client honour:

| Swagger 2.0 | OpenAPI 3.1 |
|---|---|
| `{type: T, x-nullable: true}` | `{type: [T, "null"]}` |
| `{type: T, enum: [...], x-nullable: true}` | `{enum: [..., null]}` (the values state the type) |
| `{allOf: [{$ref}], x-nullable: true}` (a reference with siblings) | `{anyOf: [{$ref}, {type: "null"}]}` |
| body and formData parameters | `requestBody` (`application/json`, `multipart/form-data` with binary files) |
| `produces`, per operation or global | each response's `content`: problems as `application/problem+json` |
"""

from __future__ import annotations

from typing import Any

NULL = {"type": "null"}
PROBLEM_MEDIA_TYPE = "application/problem+json"
JSON = "application/json"
# Swagger 2.0 keywords of a non-body parameter that describe its value: they move into its `schema`.
_VALUE_KEYWORDS = (
    "type", "format", "items", "enum", "default", "pattern", "minimum", "maximum", "exclusiveMinimum",
    "exclusiveMaximum", "minLength", "maxLength", "minItems", "maxItems", "uniqueItems", "multipleOf",
)  # fmt: skip


def _ref(ref: str) -> str:
    return ref.replace("#/definitions/", "#/components/schemas/", 1)


def schema(shape: Any) -> Any:
    """A Swagger 2.0 schema as an OpenAPI 3.1 schema (recursively; `x-nullable` becomes null)."""
    if isinstance(shape, list):
        return [schema(item) for item in shape]
    if not isinstance(shape, dict):
        return shape
    converted: dict[str, Any] = {}
    for key, value in shape.items():
        if key == "$ref":
            converted[key] = _ref(value)
        elif key in ("properties", "definitions"):
            converted[key] = {name: schema(inner) for name, inner in value.items()}
        elif key in ("items", "additionalProperties", "allOf", "anyOf", "oneOf", "not"):
            converted[key] = schema(value)
        elif key != "x-nullable":
            converted[key] = value
    if shape.get("x-nullable"):
        converted = _nullable(converted)
    return converted


def _nullable(shape: dict[str, Any]) -> dict[str, Any]:
    """The schema that also admits null."""
    if "$ref" in shape or ("allOf" in shape and len(shape["allOf"]) == 1 and "type" not in shape):
        target = {"$ref": shape.pop("$ref")} if "$ref" in shape else shape["allOf"][0]
        shape.pop("allOf", None)
        return {**shape, "anyOf": [target, NULL]}
    if "enum" in shape:
        # Without `type`: a type list beside the enum makes generators build one enum class per type.
        shape.pop("type", None)
        shape["enum"] = [*shape["enum"], None] if None not in shape["enum"] else shape["enum"]
    elif "type" in shape:
        kinds = shape["type"] if isinstance(shape["type"], list) else [shape["type"]]
        shape["type"] = [*kinds, "null"] if "null" not in kinds else kinds
    return shape


def _parameter(parameter: dict[str, Any]) -> dict[str, Any]:
    """A path, query or header parameter: its value keywords move into `schema`."""
    value = {key: parameter[key] for key in _VALUE_KEYWORDS if key in parameter}
    if "items" in value:
        value["items"] = schema(value["items"])
    converted = {key: parameter[key] for key in ("name", "in", "description", "required") if key in parameter}
    converted.update({key: v for key, v in parameter.items() if key.startswith("x-")})
    if parameter.get("collectionFormat") == "multi":
        converted |= {"style": "form", "explode": True}
    elif parameter.get("type") == "array":
        converted |= {"style": "form", "explode": False}
    converted["schema"] = value
    return converted


def _form_body(fields: list[dict[str, Any]], media_type: str) -> dict[str, Any]:
    properties = {}
    for field in fields:
        value = {key: field[key] for key in _VALUE_KEYWORDS if key in field}
        if value.get("type") == "file":
            value = {"type": "string", "format": "binary"}
        properties[field["name"]] = {**value, "description": field.get("description", "")}
    required = [field["name"] for field in fields if field.get("required")]
    shape: dict[str, Any] = {"type": "object", "properties": properties}
    if required:
        shape["required"] = required
    return {"required": bool(required), "content": {media_type: {"schema": shape}}}


def _responses(responses: dict[str, Any], produces: list[str]) -> dict[str, Any]:
    converted = {}
    for status, response in responses.items():
        answer: dict[str, Any] = {"description": response.get("description", "")}
        shape = response.get("schema")
        problem = status.isdigit() and int(status) >= 400
        content = {}
        for media_type in (
            [PROBLEM_MEDIA_TYPE] if problem else [t for t in produces if t != PROBLEM_MEDIA_TYPE]
        ):
            if not (media_type == JSON or media_type.endswith("+json")):
                content[media_type] = {"schema": {"type": "string", "format": "binary"}}  # a file: CSV, XLSX
            elif shape is not None:  # an answer documented without a schema has no JSON to describe
                content[media_type] = {"schema": schema(shape)}
        if content:
            answer["content"] = content
        converted[status] = answer
    return converted


def _operation(
    operation: dict[str, Any], shared: list[dict[str, Any]], spec: dict[str, Any]
) -> dict[str, Any]:
    converted = {
        key: value
        for key, value in operation.items()
        if key not in ("parameters", "responses", "consumes", "produces")
    }
    by_name = {(p["in"], p["name"]): p for p in shared + operation.get("parameters", [])}
    parameters = list(by_name.values())
    consumes = operation.get("consumes") or spec.get("consumes") or [JSON]
    produces = operation.get("produces") or spec.get("produces") or [JSON]
    plain = [_parameter(p) for p in parameters if p["in"] in ("path", "query", "header")]
    if plain:
        converted["parameters"] = plain
    if body := next((p for p in parameters if p["in"] == "body"), None):
        converted["requestBody"] = {
            "description": body.get("description", ""),
            "required": bool(body.get("required")),
            "content": {media_type: {"schema": schema(body["schema"])} for media_type in consumes},
        }
    if form := [p for p in parameters if p["in"] == "formData"]:
        media_type = next((t for t in consumes if t.startswith("multipart/")), "multipart/form-data")
        converted["requestBody"] = _form_body(form, media_type)
    converted["responses"] = _responses(operation.get("responses", {}), produces)
    return converted


def openapi3(spec: dict[str, Any]) -> dict[str, Any]:
    """The OpenAPI 3.1 document saying what the Swagger 2.0 document `spec` says."""
    document: dict[str, Any] = {
        "openapi": "3.1.0",
        "info": spec["info"],
        "servers": [{"url": spec.get("basePath", "/")}],
        "tags": spec.get("tags", []),
        "paths": {},
        "components": {
            "schemas": {name: schema(shape) for name, shape in spec.get("definitions", {}).items()},
            "securitySchemes": spec.get("securityDefinitions", {}),
        },
    }
    if "security" in spec:
        document["security"] = spec["security"]
    for path, item in spec.get("paths", {}).items():
        shared = item.get("parameters", [])
        document["paths"][path] = {
            method: _operation(operation, shared, spec)
            for method, operation in item.items()
            if method != "parameters"
        }
    return document
