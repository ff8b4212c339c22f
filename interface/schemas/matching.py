"""POST /match request and response shapes."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from interface.schemas.common import (
    StrictBoolean,
    StrictInteger,
    code_field,
    level_field,
    region_code_field,
    work_type_field,
)


class MatchRequestSchema(Schema):
    """A job to staff: work type, industry, region, minimum level and the organization to avoid."""

    work_type = work_type_field(required=True)
    industry = code_field(allow_none=True, metadata={"example": "building_materials"})
    region = region_code_field(allow_none=True, metadata={"example": "420000"})
    min_level = level_field(
        load_default=4, metadata={"description": "this level or higher (1 is highest)", "example": 2}
    )
    conflict_org_id = fields.UUID(
        allow_none=True,
        metadata={
            "description": "the organization to be verified or advised: conflicted people are excluded"
        },
    )
    limit = StrictInteger(load_default=10, validate=validate.Range(min=1, max=100))
    explain = StrictBoolean(
        load_default=False, metadata={"description": "also list who was excluded and why"}
    )


class PathNodeSchema(Schema):
    """A node on a conflict's path; one the caller may not see is only `{type, hidden: true}`."""

    type = fields.String(metadata={"description": "Practitioner, Organization, …", "example": "Organization"})
    id = fields.String()
    name = fields.String()
    hidden = fields.Boolean(metadata={"description": "true: the person keeps this from the caller's role"})


class PathStepSchema(Schema):
    """One fact on a conflict's path, in the direction it was recorded (a person EMPLOYED_BY an organization)."""

    from_ = fields.Nested(PathNodeSchema, data_key="from", attribute="from")
    rel = fields.String(metadata={"example": "EMPLOYED_BY"})
    to = fields.Nested(PathNodeSchema)
    since = fields.Date(
        allow_none=True, metadata={"description": "when the fact began (null: not known or hidden)"}
    )
    until = fields.Date(
        allow_none=True, metadata={"description": "when it ended (null: it lasts, or hidden)"}
    )


class ConflictSchema(Schema):
    kind = fields.String(
        metadata={"description": "employment, engagement, colleague, consult_then_verify or declaration"}
    )
    rule = fields.String(
        metadata={
            "description": "the rule that found it (GET /draws/rules): group_employment, group_engagement, "
            "colleague, consult_then_verify, declaration",
            "example": "group_employment",
        }
    )
    detail = fields.String(metadata={"description": "the path in one line"})
    relationship = fields.String(
        metadata={
            "description": "for a declaration: employment, director, supervisor, shareholder, adviser, relative"
        }
    )
    organization = fields.String()
    title = fields.String(allow_none=True)
    role = fields.String(allow_none=True)
    since = fields.Date(allow_none=True)
    until = fields.Date(allow_none=True)
    start_on = fields.Date(allow_none=True)
    end_on = fields.Date(allow_none=True)
    path = fields.List(
        fields.Nested(PathStepSchema),
        metadata={
            "description": "the evidence: the facts from the person to the organization (through its group); a "
            "node the caller may not see (a private employer, another person) is {type, hidden: true}, and then "
            "the conflict carries only kind, rule and path"
        },
    )


class ExcludedSchema(Schema):
    id = fields.String()
    name = fields.String()
    conflicts = fields.List(fields.Nested(ConflictSchema))
