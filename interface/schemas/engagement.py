"""Engagement request and response shapes."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from interface.schemas.common import (
    OrganizationRefSchema,
    PageArgs,
    PersonRefSchema,
    RefSchema,
    Text,
    code_field,
    region_code_field,
    work_type_field,
)
from registry.engagements import engagement_problems
from registry.taxonomy import ENGAGEMENT_ROLES, ENGAGEMENT_STATUSES


class TeamMemberSchema(Schema):
    practitioner_id = fields.UUID(required=True)
    role = fields.String(load_default="member", validate=validate.OneOf(ENGAGEMENT_ROLES))


class EngagementInputSchema(Schema):
    """An engagement: title, kind, client, industry, region, dates, status and team."""

    title = Text(required=True, max_length=200, metadata={"example": "某水泥公司2025年度碳排放核查"})
    kind = work_type_field(required=True, metadata={"description": "the work type of the engagement"})
    client_id = fields.UUID(required=True)
    industry = code_field(allow_none=True, metadata={"example": "building_materials"})
    region = region_code_field(allow_none=True, metadata={"example": "420700"})
    start_on = fields.Date(required=True)
    end_on = fields.Date(allow_none=True)
    status = fields.String(load_default="planned", validate=validate.OneOf(ENGAGEMENT_STATUSES))
    outcome = Text(max_length=2000, min_length=0, multiline=True, allow_none=True)
    team = fields.List(fields.Nested(TeamMemberSchema), validate=validate.Length(max=50))

    @validates_schema
    def _consistent(self, data: dict[str, Any], partial: Any = None, **kwargs: Any) -> None:
        if partial:
            return  # a PATCH is checked after merging with the stored engagement
        errors = engagement_problems(
            data.get("start_on"), data.get("end_on"), data.get("status"), data.get("team")
        )
        if errors:
            raise ValidationError(errors)


class EngagementArgs(PageArgs):
    kind = work_type_field()
    status = fields.String(validate=validate.OneOf(ENGAGEMENT_STATUSES))
    client_id = fields.UUID()
    practitioner_id = fields.UUID()
    industry = code_field()
    region = region_code_field()


class TeamEntrySchema(Schema):
    practitioner = fields.Nested(PersonRefSchema)
    role = fields.String()


class EngagementSchema(Schema):
    id = fields.String()
    title = fields.String()
    kind = fields.String()
    status = fields.String()
    start_on = fields.Date()
    end_on = fields.Date(allow_none=True)
    outcome = fields.String(allow_none=True)
    client = fields.Nested(OrganizationRefSchema, allow_none=True)
    industry = fields.Nested(RefSchema, allow_none=True)
    region = fields.Nested(RefSchema, allow_none=True)
    team = fields.List(fields.Nested(TeamEntrySchema))
    created_at = fields.DateTime(allow_none=True)
    updated_at = fields.DateTime(allow_none=True)
