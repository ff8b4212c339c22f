"""Control relations and groups of companies: request and response shapes (issue 23)."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from interface.schemas.common import OrganizationRefSchema, Text
from registry.groups import MAX_GROUP_DEPTH, MIN_GROUP_DEPTH, RELATION_KINDS


class Percentage(fields.Float):
    """A number from 0 to 100 that refuses strings in JSON bodies, as the other numbers of bodies do."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> float:
        if isinstance(value, str):
            raise ValidationError("Not a valid number.")
        return super()._deserialize(value, attr, data, **kwargs)


class RelationInputSchema(Schema):
    """A control relation: the parent that controls this organization, how, with what share, since when."""

    parent_id = fields.UUID(
        required=True, metadata={"description": "the organization that controls this one"}
    )
    kind = fields.String(
        required=True, validate=validate.OneOf(RELATION_KINDS), metadata={"example": "subsidiary"}
    )
    share = Percentage(
        allow_none=True,
        validate=validate.Range(min=0, max=100),
        metadata={"description": "the parent's share in percent, 0–100", "example": 51},
    )
    since = fields.Date(required=True)
    until = fields.Date(
        allow_none=True, metadata={"description": "for a relation already over; not before since"}
    )


class RelationEndSchema(Schema):
    """The end of a control relation: its last day and why."""

    until = fields.Date(required=True, metadata={"description": "not before the relation's since"})
    reason = Text(max_length=500, allow_none=True, metadata={"example": "股权转让"})


class GroupArgs(Schema):
    depth = fields.Integer(
        validate=validate.Range(min=MIN_GROUP_DEPTH, max=MAX_GROUP_DEPTH),
        metadata={"description": "how many control steps to follow in either direction (default 3)"},
    )


class RelationSchema(Schema):
    child = fields.Nested(OrganizationRefSchema, metadata={"description": "the controlled organization"})
    parent = fields.Nested(OrganizationRefSchema, metadata={"description": "the controlling organization"})
    kind = fields.String()
    share = fields.Float(allow_none=True)
    since = fields.Date(allow_none=True)
    until = fields.Date(allow_none=True, metadata={"description": "null: in force"})
    end_reason = fields.String(allow_none=True)
    recorded_at = fields.DateTime(allow_none=True)


class GroupMemberSchema(OrganizationRefSchema):
    distance = fields.Integer(metadata={"description": "control steps from the organization asked about"})


class GroupSchema(Schema):
    organization = fields.Nested(OrganizationRefSchema)
    depth = fields.Integer()
    members = fields.List(fields.Nested(GroupMemberSchema))
    relations = fields.List(fields.Nested(RelationSchema))
