"""Probe answers."""

from __future__ import annotations

from marshmallow import Schema, fields, validate


class HealthSchema(Schema):
    status = fields.String(validate=validate.OneOf(["ok"]), metadata={"description": "always ok"})


class GraphInfoSchema(Schema):
    version = fields.String(metadata={"description": "the Neo4j server's version, e.g. 5.26.0"})
    edition = fields.String(metadata={"description": "community or enterprise"})


class ReadySchema(Schema):
    status = fields.String(validate=validate.OneOf(["ready"]), metadata={"description": "always ready"})
    neo4j = fields.Nested(GraphInfoSchema, metadata={"description": "the graph database answering"})
