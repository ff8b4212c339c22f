"""Expert panel draw request and response shapes (the field names of issue 11's contract)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from api.schemas.common import (
    OrganizationRefSchema,
    PageArgs,
    PersonRefSchema,
    StrictBoolean,
    StrictInteger,
    Text,
    code_field,
    level_field,
    region_code_field,
    work_type_field,
)
from registry.draw_log import DRAW_STATUSES, RESPONSES
from registry.draws import DEFAULT_RESERVES, MAX_RESERVES, MAX_SIZE, PURPOSE_CODES


class ManualExclusionSchema(Schema):
    practitioner_id = fields.UUID(required=True, metadata={"description": "the practitioner to leave out"})
    reason = Text(
        required=True,
        max_length=500,
        metadata={"description": "why (recorded with rule `manual`)", "example": "co-author of the report"},
    )


class CreateDrawSchema(Schema):
    purpose = fields.String(
        required=True,
        validate=validate.OneOf(PURPOSE_CODES),
        metadata={"description": "what the panel is for", "example": "review_panel"},
    )
    title = Text(
        required=True,
        max_length=200,
        metadata={"description": "what is reviewed", "example": "2026年度重点排放单位碳排放核查报告评审"},
    )
    organization_id = fields.UUID(
        allow_none=True, metadata={"description": "the organization the panel is for (conflicts are checked)"}
    )
    work_type = work_type_field(
        allow_none=True,
        metadata={"description": "a certificate of this work type", "example": "verification"},
    )
    min_level = level_field(
        load_default=2,
        metadata={"description": "lowest level admitted (default 2: the expert pool)", "example": 2},
    )
    industry = code_field(allow_none=True, metadata={"description": "industry experience (code)"})
    region = region_code_field(
        allow_none=True, metadata={"description": "based in this region or its cities", "example": "420000"}
    )
    specialty = code_field(allow_none=True, metadata={"description": "a specialty (code)"})
    size = StrictInteger(
        required=True,
        validate=validate.Range(min=1, max=MAX_SIZE),
        metadata={"description": "experts on the panel; 5 or more must be odd", "example": 5},
    )
    reserves = StrictInteger(
        load_default=DEFAULT_RESERVES,
        validate=validate.Range(min=0, max=MAX_RESERVES),
        metadata={"description": "ordered reserves (default 2)", "example": 2},
    )
    panel_date = fields.Date(
        allow_none=True,
        metadata={
            "description": "the day the panel sits (availability, same-day seats)",
            "example": "2026-12-10",
        },
    )
    exclusions = fields.List(
        fields.Nested(ManualExclusionSchema),
        load_default=list,
        metadata={"description": "manual exclusions, each with a reason"},
    )
    allow_shortfall = StrictBoolean(
        load_default=True,
        metadata={"description": "false: refuse (422) rather than record a draw the pool cannot fill"},
    )


class ResponseSchema(Schema):
    practitioner_id = fields.UUID(required=True, metadata={"description": "the invited expert"})
    response = fields.String(
        required=True,
        validate=validate.OneOf(RESPONSES),
        metadata={"description": "accepted, declined or no_response", "example": "accepted"},
    )
    reason = Text(
        max_length=500,
        min_length=0,
        allow_none=True,
        metadata={"description": "e.g. how the answer came", "example": "phoned on 2026-12-01"},
    )


class AppointmentSchema(Schema):
    practitioner_id = fields.UUID(required=True, metadata={"description": "the practitioner appointed"})
    reason = Text(
        required=True,
        max_length=500,
        metadata={"description": "why and from where", "example": "drawn from the provincial pool (补抽)"},
    )


class NoteSchema(Schema):
    note = Text(
        required=True, max_length=1000, multiline=True, metadata={"description": "the correction or remark"}
    )


class DrawListArgs(PageArgs):
    purpose = fields.String(
        validate=validate.OneOf(PURPOSE_CODES), metadata={"description": "only this purpose"}
    )
    status = fields.String(
        validate=validate.OneOf(DRAW_STATUSES), metadata={"description": "inviting, complete or short"}
    )


class StatsArgs(Schema):
    period_from = fields.Date(data_key="from", metadata={"description": "draws made on or after this day"})
    period_to = fields.Date(data_key="to", metadata={"description": "draws made on or before this day"})


class SeatSchema(Schema):
    practitioner = fields.Nested(
        PersonRefSchema, allow_none=True, metadata={"description": "null while names are hidden"}
    )
    order = fields.Integer(
        allow_none=True, metadata={"description": "position in the sealed order (1 = first)"}
    )
    status = fields.String(
        metadata={"description": "standby, invited, accepted, declined, no_response, skipped"}
    )
    role = fields.String()
    via = fields.String(metadata={"description": "draw, reserve, replacement or appointed"})
    replaces = fields.String(allow_none=True)
    invited_at = fields.DateTime(allow_none=True)
    deadline = fields.DateTime(allow_none=True)
    overdue = fields.Boolean()
    reason = fields.String(allow_none=True)


class ExcludedSchema(Schema):
    practitioner_id = fields.String()
    rule = fields.String()
    detail = fields.String()
    stage = fields.String(
        metadata={"description": "sealing, or refill (a reserve or candidate passed over later)"}
    )


class DrawEventSchema(Schema):
    seq = fields.Integer()
    kind = fields.String()
    at = fields.DateTime()
    practitioner_id = fields.String()
    order = fields.Integer()
    role = fields.String()
    response = fields.String()
    replaces = fields.String()
    rule = fields.String()
    detail = fields.String()
    by = fields.String()
    deadline = fields.DateTime()
    count = fields.Integer()


class DrawRulesSchema(Schema):
    window_years = fields.Integer()
    draw_cap = fields.Integer(metadata={"description": "panel seats per expert per calendar year"})
    response_hours = fields.Integer()


class DrawSchema(Schema):
    id = fields.String()
    purpose = fields.String()
    title = fields.String()
    status = fields.String(metadata={"description": "inviting, complete or short"})
    disclosed = fields.Boolean()
    names_hidden = fields.Boolean()
    organization_id = fields.String(allow_none=True)
    organization = fields.Nested(OrganizationRefSchema, allow_none=True)
    work_type = fields.String(allow_none=True)
    min_level = fields.Integer()
    industry = fields.String(allow_none=True)
    region = fields.String(allow_none=True)
    specialty = fields.String(allow_none=True)
    size = fields.Integer()
    reserve_count = fields.Integer(metadata={"description": "ordered reserves asked for"})
    panel_date = fields.Date(allow_none=True)
    matched_count = fields.Integer(metadata={"description": "people meeting the criteria before avoidance"})
    candidate_count = fields.Integer(metadata={"description": "the sealed candidate set after avoidance"})
    candidate_hash = fields.String()
    seed_commitment = fields.String()
    seed = fields.String()
    panel = fields.List(fields.Nested(SeatSchema))
    reserves = fields.List(fields.Nested(SeatSchema))
    accepted = fields.Integer()
    shortfall = fields.Integer(metadata={"description": "seats the pool could not fill (0 when it sufficed)"})
    excluded = fields.List(fields.Nested(ExcludedSchema), metadata={"description": "admin only"})
    exclusions_by_rule = fields.Dict(keys=fields.String(), values=fields.Integer())
    rules = fields.Nested(DrawRulesSchema)
    events = fields.List(fields.Nested(DrawEventSchema), metadata={"description": "admin only"})
    created_at = fields.DateTime()
    created_by = fields.String()


class DrawSummarySchema(Schema):
    id = fields.String()
    purpose = fields.String()
    title = fields.String()
    status = fields.String()
    panel_date = fields.Date(allow_none=True)
    size = fields.Integer()
    reserves = fields.Integer()
    candidate_count = fields.Integer()
    shortfall = fields.Integer()
    disclosed = fields.Boolean()
    created_at = fields.DateTime()


class CheckSchema(Schema):
    check = fields.String()
    ok = fields.Boolean()
    detail = fields.String()


class VerificationSchema(Schema):
    verified = fields.Boolean()
    id = fields.String()
    checks = fields.List(fields.Nested(CheckSchema))
    secret = fields.String(
        allow_none=True,
        metadata={
            "description": "revealed after sealing; SHA-256 of it is the seed commitment (admin, government)"
        },
    )
    seed_commitment = fields.String()
    candidate_hash = fields.String()
    candidate_count = fields.Integer()
    seed = fields.String()
    candidates = fields.List(
        fields.String(),
        allow_none=True,
        metadata={"description": "the sealed lines 'id|employers' (admin, government)"},
    )
    method = fields.String()
