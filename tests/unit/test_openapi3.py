"""The OpenAPI 3.1 conversion (api/openapi3.py) says null the way generators read it."""

from __future__ import annotations

from api.openapi3 import openapi3, schema

SWAGGER = {
    "swagger": "2.0",
    "basePath": "/api/v1",
    "info": {"title": "T", "version": "1"},
    "consumes": ["application/json"],
    "produces": ["application/json", "application/problem+json"],
    "paths": {
        "/things/{id}": {
            "parameters": [
                {"name": "id", "in": "path", "required": True, "type": "string", "description": "id"}
            ],
            "post": {
                "parameters": [
                    {
                        "name": "payload",
                        "in": "body",
                        "required": True,
                        "schema": {"$ref": "#/definitions/T"},
                    },
                    {
                        "name": "tag",
                        "in": "query",
                        "type": "array",
                        "items": {"type": "string"},
                        "collectionFormat": "multi",
                        "description": "tags",
                    },
                ],
                "responses": {
                    "200": {"description": "OK", "schema": {"$ref": "#/definitions/T"}},
                    "404": {"description": "Not found", "schema": {"$ref": "#/definitions/Problem"}},
                },
            },
        },
        "/files": {
            "post": {
                "consumes": ["multipart/form-data"],
                "parameters": [{"name": "file", "in": "formData", "type": "file", "required": True}],
                "responses": {"200": {"description": "OK"}},
            }
        },
    },
    "definitions": {"T": {"type": "object"}, "Problem": {"type": "object"}},
}


def test_a_nullable_reference_is_any_of_the_reference_and_null():
    converted = schema({"allOf": [{"$ref": "#/definitions/Ref"}], "x-nullable": True, "description": "d"})
    assert converted == {
        "description": "d",
        "anyOf": [{"$ref": "#/components/schemas/Ref"}, {"type": "null"}],
    }


def test_a_nullable_enum_lists_null_among_its_values():
    converted = schema({"type": "string", "enum": ["a", "b"], "x-nullable": True})
    assert converted == {"enum": ["a", "b", None]}


def test_a_nullable_scalar_has_null_among_its_types():
    assert schema({"type": "integer", "x-nullable": True}) == {"type": ["integer", "null"]}
    assert schema({"type": "string"}) == {"type": "string"}


def test_nested_schemas_are_converted_and_the_swagger_document_is_left_as_it_was():
    shape = {
        "type": "object",
        "properties": {"a": {"type": "array", "items": {"type": "string", "x-nullable": True}}},
    }
    assert schema(shape)["properties"]["a"]["items"] == {"type": ["string", "null"]}
    assert shape["properties"]["a"]["items"] == {"type": "string", "x-nullable": True}


def test_bodies_parameters_and_answers_move_where_openapi_3_puts_them():
    document = openapi3(SWAGGER)
    assert document["openapi"] == "3.1.0" and document["servers"] == [{"url": "/api/v1"}]
    post = document["paths"]["/things/{id}"]["post"]
    assert post["requestBody"]["content"]["application/json"]["schema"] == {"$ref": "#/components/schemas/T"}
    assert [(p["name"], p["in"]) for p in post["parameters"]] == [("id", "path"), ("tag", "query")]
    assert post["parameters"][1]["schema"] == {"type": "array", "items": {"type": "string"}}
    assert post["parameters"][1]["explode"] is True
    assert list(post["responses"]["200"]["content"]) == ["application/json"]
    assert list(post["responses"]["404"]["content"]) == ["application/problem+json"]
    upload = document["paths"]["/files"]["post"]["requestBody"]["content"]["multipart/form-data"]["schema"]
    assert upload["properties"]["file"]["format"] == "binary" and upload["required"] == ["file"]
    assert "content" not in document["paths"]["/files"]["post"]["responses"]["200"]
