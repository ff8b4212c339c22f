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
from registry.engagements import engagement_problems, site_visit_problems
from registry.taxonomy import ENGAGEMENT_ROLES, ENGAGEMENT_STATUSES


class TeamMemberSchema(Schema):
    practitioner_id = fields.UUID(required=True)
    role = fields.String(
        validate=validate.OneOf(ENGAGEMENT_ROLES),
        metadata={"description": "one role (the older form); with `roles`, the primary one; default member"},
    )
    roles = fields.List(
        fields.String(validate=validate.OneOf(ENGAGEMENT_ROLES)),
        validate=validate.Length(min=1, max=len(ENGAGEMENT_ROLES)),
        metadata={
            "description": "every role the member holds: lead, member, signer (signs the report), reviewer"
        },
    )


class SiteVisitInputSchema(Schema):
    practitioner_id = fields.UUID(required=True, metadata={"description": "a member of the team"})
    date = fields.Date(required=True, metadata={"description": "within the engagement's period"})
    region = region_code_field(required=True, metadata={"example": "420700"})


class AcknowledgedConflictSchema(Schema):
    practitioner_id = fields.UUID(required=True, metadata={"description": "a team member with a conflict"})
    reason = Text(
        required=True, max_length=500, metadata={"description": "why the administrator accepts the conflict"}
    )


class EngagementInputSchema(Schema):
    """An engagement: title, kind, client, industry, region, dates, status and team."""

    title = Text(required=True, max_length=200, metadata={"example": "某水泥公司2025年度碳排放核查"})
    kind = work_type_field(required=True, metadata={"description": "the work type of the engagement"})
    client_id = fields.UUID(required=True)
    provider_id = fields.UUID(
        allow_none=True,
        metadata={
            "description": "the organization that did the work (verification body, consultancy, other)"
        },
    )
    industry = code_field(allow_none=True, metadata={"example": "building_materials"})
    region = region_code_field(allow_none=True, metadata={"example": "420700"})
    start_on = fields.Date(required=True)
    end_on = fields.Date(allow_none=True)
    status = fields.String(load_default="planned", validate=validate.OneOf(ENGAGEMENT_STATUSES))
    outcome = Text(max_length=2000, min_length=0, multiline=True, allow_none=True)
    team = fields.List(fields.Nested(TeamMemberSchema), validate=validate.Length(max=50))
    site_visits = fields.List(
        fields.Nested(SiteVisitInputSchema),
        validate=validate.Length(max=200),
        metadata={"description": "who was on site, when and where; replaces the list on PATCH"},
    )
    acknowledged_conflicts = fields.List(
        fields.Nested(AcknowledgedConflictSchema),
        validate=validate.Length(max=50),
        metadata={
            "description": "team members whose conflict of interest with the client (409 otherwise) the "
            "administrator accepts, each with a reason recorded in the audit chain"
        },
    )

    @validates_schema
    def _consistent(self, data: dict[str, Any], partial: Any = None, **kwargs: Any) -> None:
        if partial:
            return  # a PATCH is checked after merging with the stored engagement
        errors = engagement_problems(
            data.get("start_on"), data.get("end_on"), data.get("status"), data.get("team")
        )
        if data.get("site_visits"):
            team = [str(member["practitioner_id"]) for member in data.get("team") or []]
            visits = [{**v, "practitioner_id": str(v["practitioner_id"])} for v in data["site_visits"]]
            errors |= site_visit_problems(visits, team, data.get("start_on"), data.get("end_on"))
        if errors:
            raise ValidationError(errors)


class EngagementArgs(PageArgs):
    kind = work_type_field()
    status = fields.String(validate=validate.OneOf(ENGAGEMENT_STATUSES))
    client_id = fields.UUID()
    provider_id = fields.UUID(metadata={"description": "the organization that did the work"})
    practitioner_id = fields.UUID()
    industry = code_field()
    region = region_code_field()


class TeamEntrySchema(Schema):
    practitioner = fields.Nested(PersonRefSchema)
    role = fields.String(metadata={"description": "the primary role (the first of `roles`)"})
    roles = fields.List(fields.String())


class SiteVisitSchema(Schema):
    practitioner = fields.Nested(PersonRefSchema)
    date = fields.Date()
    region = fields.Nested(RefSchema)


class EngagementSchema(Schema):
    id = fields.String()
    title = fields.String()
    kind = fields.String()
    status = fields.String()
    start_on = fields.Date()
    end_on = fields.Date(allow_none=True)
    outcome = fields.String(allow_none=True)
    client = fields.Nested(OrganizationRefSchema, allow_none=True)
    provider = fields.Nested(
        OrganizationRefSchema,
        allow_none=True,
        metadata={"description": "who did the work; null when unknown"},
    )
    provider_known = fields.Boolean(metadata={"description": "false: the provider was not recorded"})
    industry = fields.Nested(RefSchema, allow_none=True)
    region = fields.Nested(RefSchema, allow_none=True)
    team = fields.List(fields.Nested(TeamEntrySchema))
    site_visits = fields.List(fields.Nested(SiteVisitSchema))
    created_at = fields.DateTime(allow_none=True)
    updated_at = fields.DateTime(allow_none=True)
