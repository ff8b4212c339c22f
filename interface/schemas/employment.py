"""Employment history request and response shapes (issue 23)."""

from __future__ import annotations

from marshmallow import Schema, fields

from interface.schemas.common import OrganizationRefSchema


class EmploymentInputSchema(Schema):
    """An employment: the organization, the first day and, once it has ended, the last day."""

    organization_id = fields.UUID(required=True)
    since = fields.Date(required=True, metadata={"description": "the first day; not in the future"})
    until = fields.Date(
        allow_none=True,
        metadata={"description": "the last day, not before `since` nor in the future; null: employed now"},
    )
    corrects_since = fields.Date(
        allow_none=True,
        metadata={
            "description": "to correct a recorded employment with the same organization: the day it started; "
            "it is kept as a corrected fact and leaves the history"
        },
    )


class EmploymentSchema(Schema):
    id = fields.String(
        allow_none=True, metadata={"description": "null for employments the employer field recorded"}
    )
    organization = fields.Nested(OrganizationRefSchema)
    since = fields.Date(allow_none=True)
    until = fields.Date(allow_none=True, metadata={"description": "null: employed now"})
    current = fields.Boolean()
    recorded_at = fields.DateTime(allow_none=True)
