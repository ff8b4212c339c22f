"""Expert panel draw request and response shapes (the field names of issue 11's contract)."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from interface.schemas.common import (
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
from registry.draw_log import DRAW_STATUSES, EVENT_KINDS, RESPONSES
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
    conceal_project = StrictBoolean(
        load_default=False,
        metadata={"description": "true: invitations name neither the title nor the organization until the "
                  "expert accepts (the call must not reveal the project)"},
    )  # fmt: skip
    allow_shortfall = StrictBoolean(
        load_default=True,
        metadata={"description": "false: refuse (422) rather than record a draw the pool cannot fill"},
    )
    rules = fields.Dict(
        load_default=None,
        allow_none=True,
        metadata={
            "description": "indirect conflicts (issue 23): window_years 1-10, group_depth 0-5, kinds (any of "
            "group_employment, group_engagement, colleague, consult_then_verify); out of bounds → 400",
            "example": {"window_years": 3, "group_depth": 3},
        },
    )


class InvitationResponseSchema(Schema):
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


class DrawAppointmentSchema(Schema):
    practitioner_id = fields.UUID(required=True, metadata={"description": "the practitioner appointed"})
    reason = Text(
        required=True,
        max_length=500,
        metadata={"description": "why and from where", "example": "drawn from the provincial pool (补抽)"},
    )


class DrawNoteSchema(Schema):
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


class DrawStatsArgs(Schema):
    period_from = fields.Date(data_key="from", metadata={"description": "draws made on or after this day"})
    period_to = fields.Date(data_key="to", metadata={"description": "draws made on or before this day"})


class DrawSeatSchema(Schema):
    practitioner = fields.Nested(
        PersonRefSchema, allow_none=True, metadata={"description": "null while names are hidden"}
    )
    order = fields.Integer(
        allow_none=True, metadata={"description": "position in the sealed order (1 = first)"}
    )
    status = fields.String(
        metadata={"description": "standby, invited, accepted, declined, no_response, skipped"}
    )
    role = fields.String(metadata={"description": "panel, or reserve while not called"})
    via = fields.String(metadata={"description": "draw, reserve, replacement or appointed"})
    replaces = fields.String(allow_none=True)
    invited_at = fields.DateTime(allow_none=True)
    deadline = fields.DateTime(allow_none=True)
    overdue = fields.Boolean(
        metadata={"description": "invited and past the deadline (counts as no response at the next change)"}
    )
    rotation = fields.Dict(
        allow_none=True,
        metadata={
            "description": "verification_review: the person's (or their firm's) run of consecutive years verifying "
            "the organization, {consecutive_years, years, warning, via}; null when none or names are hidden"
        },
    )
    reason = fields.String(allow_none=True)


class SealedNodeSchema(Schema):
    type = fields.String(metadata={"example": "Organization"})
    id = fields.String()
    name = fields.String(allow_none=True)


class SealedStepSchema(Schema):
    """One fact of a conflict's path as the draw sealed it (dates as ISO text, as hashed)."""

    from_ = fields.Nested(SealedNodeSchema, data_key="from", attribute="from")
    rel = fields.String(metadata={"example": "CONTROLLED_BY"})
    to = fields.Nested(SealedNodeSchema)
    since = fields.String(allow_none=True, metadata={"example": "2021-03-01"})
    until = fields.String(allow_none=True)


class DrawExclusionSchema(Schema):
    practitioner_id = fields.String(metadata={"description": "the person left out"})
    rule = fields.String(metadata={"description": "the avoidance rule code"})
    detail = fields.String(metadata={"description": "the fact behind it"})
    stage = fields.String(
        metadata={"description": "sealing, or refill (a reserve or candidate passed over later)"}
    )
    path = fields.List(
        fields.Nested(SealedStepSchema),
        allow_none=True,
        metadata={
            "description": "the evidence of a conflict rule (docs/integrity.md); null for the other rules"
        },
    )


class DrawEventSchema(Schema):
    seq = fields.Integer(metadata={"description": "1, 2, … in the order recorded"})
    kind = fields.String(metadata={"description": "one of " + ", ".join(EVENT_KINDS)})
    at = fields.DateTime(metadata={"description": "when"})
    practitioner_id = fields.String(metadata={"description": "whom it concerns"})
    order = fields.Integer(metadata={"description": "position in the sealed order"})
    role = fields.String(metadata={"description": "panel or reserve (selected)"})
    response = fields.String(metadata={"description": "accepted, declined or no_response"})
    replaces = fields.String(metadata={"description": "the vacated seat a refill takes"})
    rule = fields.String(metadata={"description": "avoidance rule (excluded, skipped)"})
    detail = fields.String(metadata={"description": "reason, detail or commitment"})
    by = fields.String(metadata={"description": "who recorded it (role:key prefix, cli, system)"})
    deadline = fields.DateTime(metadata={"description": "the invitation's deadline"})
    count = fields.Integer(metadata={"description": "candidates (sealed) or seats short (shortfall)"})


class DrawRulesSchema(Schema):
    window_years = fields.Integer(metadata={"description": "look-back of the conflict rules"})
    draw_cap = fields.Integer(metadata={"description": "panel seats per expert per calendar year"})
    response_hours = fields.Integer(metadata={"description": "hours an invitation stays open"})


class DrawSchema(Schema):
    id = fields.String(metadata={"description": "the draw's id"})
    purpose = fields.String(metadata={"description": "what the panel is for"})
    title = fields.String(metadata={"description": "what is reviewed"})
    status = fields.String(metadata={"description": "inviting, complete or short"})
    disclosed = fields.Boolean(metadata={"description": "names shown to non-admin roles"})
    names_hidden = fields.Boolean(metadata={"description": "true when this answer hides the names"})
    conceal_project = fields.Boolean(
        metadata={"description": "invitations name neither title nor organization until the expert accepts"}
    )
    organization_id = fields.String(allow_none=True)
    organization = fields.Nested(OrganizationRefSchema, allow_none=True)
    work_type = fields.String(allow_none=True)
    min_level = fields.Integer(metadata={"description": "lowest level admitted"})
    industry = fields.String(allow_none=True)
    region = fields.String(allow_none=True)
    specialty = fields.String(allow_none=True)
    size = fields.Integer(metadata={"description": "experts asked for"})
    reserve_count = fields.Integer(metadata={"description": "ordered reserves asked for"})
    panel_date = fields.Date(allow_none=True)
    matched_count = fields.Integer(metadata={"description": "people meeting the criteria before avoidance"})
    candidate_count = fields.Integer(metadata={"description": "the sealed candidate set after avoidance"})
    candidate_hash = fields.String(metadata={"description": "SHA-256 of the sealed candidate lines"})
    seed_commitment = fields.String(metadata={"description": "SHA-256 of the secret, recorded first"})
    seed = fields.String(metadata={"description": "SHA-256(secret ‖ id ‖ candidate_hash)"})
    panel = fields.List(fields.Nested(DrawSeatSchema))
    reserves = fields.List(fields.Nested(DrawSeatSchema))
    accepted = fields.Integer(metadata={"description": "panel seats accepted"})
    shortfall = fields.Integer(metadata={"description": "seats the pool could not fill (0 when it sufficed)"})
    excluded = fields.List(fields.Nested(DrawExclusionSchema), metadata={"description": "admin only"})
    exclusions_by_rule = fields.Dict(
        keys=fields.String(), values=fields.Integer(), metadata={"description": "exclusions per rule code"}
    )
    rules = fields.Nested(DrawRulesSchema)
    events = fields.List(fields.Nested(DrawEventSchema), metadata={"description": "admin only"})
    created_at = fields.DateTime(metadata={"description": "when it was drawn"})
    created_by = fields.String(metadata={"description": "who drew it"})


class DrawSummarySchema(Schema):
    id = fields.String(metadata={"description": "the draw's id"})
    purpose = fields.String(metadata={"description": "what the panel is for"})
    title = fields.String(metadata={"description": "what is reviewed"})
    status = fields.String(metadata={"description": "inviting, complete or short"})
    panel_date = fields.Date(allow_none=True)
    size = fields.Integer(metadata={"description": "experts asked for"})
    reserves = fields.Integer(metadata={"description": "reserves asked for"})
    candidate_count = fields.Integer(metadata={"description": "sealed candidates"})
    shortfall = fields.Integer(metadata={"description": "seats the pool could not fill"})
    disclosed = fields.Boolean(metadata={"description": "names shown to non-admin roles"})
    created_at = fields.DateTime(metadata={"description": "when it was drawn"})


class DrawCheckSchema(Schema):
    check = fields.String(metadata={"description": "what was recomputed"})
    ok = fields.Boolean(metadata={"description": "whether it matches"})
    detail = fields.String(metadata={"description": "what was found"})


class DrawVerificationSchema(Schema):
    verified = fields.Boolean(metadata={"description": "every check matches"})
    id = fields.String(metadata={"description": "the draw's id"})
    checks = fields.List(fields.Nested(DrawCheckSchema))
    mismatched = fields.List(
        fields.String(),
        metadata={"description": "the checks that fail: the parts of the record that no longer match"},
    )
    event_seq = fields.Integer(
        allow_none=True, metadata={"description": "the first event that no longer matches its chain, if any"}
    )
    signature = fields.String(
        metadata={
            "description": "the seal and event head against the registry's key: valid, invalid, or absent "
            "(sealed before draws were signed)"
        }
    )
    key_id = fields.String(allow_none=True, metadata={"description": "the key that signed the seal"})
    secret = fields.String(
        allow_none=True,
        metadata={
            "description": "revealed after sealing; SHA-256 of it is the seed commitment (admin, government)"
        },
    )
    seed_commitment = fields.String(metadata={"description": "as stored"})
    candidate_hash = fields.String(metadata={"description": "as stored"})
    candidate_count = fields.Integer(metadata={"description": "as stored"})
    seed = fields.String(metadata={"description": "as stored"})
    candidates = fields.List(
        fields.String(),
        allow_none=True,
        metadata={
            "description": "the sealed lines 'id|employers' (admin, government): every candidate (lines-v1), or "
            "the positions of the sealed order the record keeps, in that order (merkle-v2)"
        },
    )
    candidate_format = fields.String(
        metadata={"description": "lines-v1 (every candidate line stored) or merkle-v2 (docs/draws.md)"}
    )
    candidate_reach = fields.String(
        allow_none=True,
        metadata={
            "description": "merkle-v2: the reached positions with their chunks and Merkle paths, as JSON "
            "(admin, government)"
        },
    )
    method = fields.String(metadata={"description": "how each value is computed"})
