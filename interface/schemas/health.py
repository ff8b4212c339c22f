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
    search_index = fields.Nested(
        lambda: SearchIndexStatusSchema(),
        metadata={"description": "this process's search index (SEARCH_INDEX)"},
    )
    pid = fields.Integer(metadata={"description": "the answering process (each has its own index)"})


class SearchIndexStatusSchema(Schema):
    state = fields.String(metadata={"description": "warm, cold, building, stale (rebuilding), failed or off"})
    revision = fields.Integer(metadata={"description": "the registry revision the index has applied"})
    practitioners = fields.Integer(metadata={"description": "active practitioners held"})
    build_seconds = fields.Float(metadata={"description": "how long the last build took"})
    built_from = fields.String(metadata={"description": "graph, or this host's snapshot"})
    memory_mb = fields.Float(metadata={"description": "size of the index's arrays"})
