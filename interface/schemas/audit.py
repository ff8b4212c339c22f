"""Audit trail shapes."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from interface.schemas.common import PageArgs

ENTITIES = (
    "practitioner", "organization", "certificate", "engagement", "api_key", "import",
    "draw", "evaluation", "record", "sanction", "complaint", "appeal", "declaration", "availability",
    "application", "exam_session", "exam_result", "key_emitter_list",
    "finding", "integrity_scan",  # the anomaly queue (issue 23 §4): decisions, and each scan run's kinds
    "job",  # a scheduled job's run asked for by an administrator (POST /jobs/{name}/run)
)  # fmt: skip


class AuditArgs(PageArgs):
    entity = fields.String(
        validate=validate.OneOf(ENTITIES), metadata={"description": "the kind of thing changed"}
    )
    entity_id = fields.String(
        validate=validate.Length(min=1, max=100),
        metadata={
            "description": "its id (or certificate number); also finds entries that concern a practitioner"
        },
    )
    actor = fields.String(
        validate=validate.Length(min=1, max=20),
        metadata={"description": "a key's 12-character prefix, or `cli`"},
    )
    since = fields.AwareDateTime(
        metadata={"description": "entries at or after this time (ISO 8601 with offset)"}
    )
    until = fields.AwareDateTime(metadata={"description": "entries before this time (ISO 8601 with offset)"})


class AuditEntrySchema(Schema):
    seq = fields.Integer(metadata={"description": "position in the chain, from 1"})
    at = fields.String(metadata={"description": "UTC time of the change (ISO 8601)"})
    actor_kind = fields.String(metadata={"description": "key or cli"})
    actor_role = fields.String(allow_none=True)
    actor_prefix = fields.String(allow_none=True, metadata={"description": "the API key's public prefix"})
    actor_label = fields.String(allow_none=True)
    request_id = fields.String(allow_none=True)
    entity = fields.String()
    entity_id = fields.String(allow_none=True)
    action = fields.String()
    changes = fields.Dict(
        metadata={"description": 'field → {before, after}; personal fields only as "changed"'}
    )
    subjects = fields.List(fields.String(), metadata={"description": "practitioners the change concerns"})
    previous_hash = fields.String()
    hash = fields.String()


class CheckpointRefSchema(Schema):
    day = fields.String(metadata={"description": "the day whose signed head the check started from"})
    seq = fields.Integer(metadata={"description": "the entry that head was"})
    key_id = fields.String(
        metadata={"description": "which signing key signed it (SHA-256 of the public key, 16 hex)"}
    )


class ChainCheckSchema(Schema):
    verified = fields.Boolean()
    entries = fields.Integer(metadata={"description": "entries checked"})
    first_bad_seq = fields.Integer(
        allow_none=True,
        metadata={"description": "the first entry that does not link, hash, or match a signed checkpoint"},
    )
    problem = fields.String(allow_none=True)
    scope = fields.String(
        validate=validate.OneOf(("full", "since_checkpoint")),
        metadata={
            "description": "since_checkpoint: from the last signed checkpoint to the head (the API's default "
            "once one exists); full: from the first entry (`flask registry audit verify`)"
        },
    )
    from_seq = fields.Integer(metadata={"description": "the first entry checked"})
    head_seq = fields.Integer(
        metadata={"description": "the head the check read; entries written while it ran wait for the next"}
    )
    checkpoint = fields.Nested(CheckpointRefSchema, allow_none=True)
