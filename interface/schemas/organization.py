"""Organization request and response shapes."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from interface.schemas.common import (
    PageArgs,
    RefSchema,
    StrictBoolean,
    StrictInteger,
    Text,
    code_field,
    region_code_field,
)
from interface.schemas.practitioner import Identifier
from registry.identifiers import normalize_uscc
from registry.taxonomy import ORGANIZATION_KINDS


class OrganizationInputSchema(Schema):
    """An organization: name, kind, USCC, region and industry."""

    name = Text(
        required=True, max_length=200, refuses_formulas=True, metadata={"example": "湖北某某水泥有限公司"}
    )
    kind = fields.String(
        required=True, validate=validate.OneOf(ORGANIZATION_KINDS), metadata={"example": "enterprise"}
    )
    uscc = Identifier(
        normalize_uscc,
        allow_none=True,
        metadata={
            "description": "统一社会信用代码 (GB 32100, with its check character), unique when given",
            "swagger": {"pattern": "^[0-9A-HJ-NP-RTUWXY]{18}$"},
        },
    )
    region = region_code_field(allow_none=True, metadata={"example": "420700"})
    industry = code_field(allow_none=True, metadata={"example": "building_materials"})
    key_emitter = StrictBoolean(
        allow_none=True,
        metadata={
            "description": "a key emitting unit (重点排放单位) of the national ETS; alone, lists it this year"
        },
    )
    listed_years = fields.List(
        StrictInteger(),
        allow_none=True,
        validate=validate.Length(max=50),
        metadata={"description": "compliance years whose key emitter list names it", "example": [2025, 2026]},
    )


class OrganizationArgs(PageArgs):
    q = fields.String(validate=validate.Length(min=1, max=100), metadata={"description": "part of the name"})
    kind = fields.String(validate=validate.OneOf(ORGANIZATION_KINDS))
    region = region_code_field()
    industry = code_field()


class WorkerSchema(Schema):
    id = fields.String()
    name = fields.String()
    roles = fields.List(fields.String())
    engagements = fields.Integer()
    last_worked_on = fields.Date(allow_none=True)


class OrganizationSchema(Schema):
    id = fields.String()
    name = fields.String()
    kind = fields.String()
    uscc = fields.String(allow_none=True)
    region = fields.Nested(RefSchema, allow_none=True)
    industries = fields.List(fields.Nested(RefSchema))
    key_emitter = fields.Boolean(metadata={"description": "listed as a key emitting unit (重点排放单位)"})
    listed_years = fields.List(fields.Integer(), metadata={"description": "years of the lists naming it"})
    employees = fields.Integer(metadata={"description": "active practitioners employed now"})
    worked_for_by = fields.List(
        fields.Nested(WorkerSchema), metadata={"description": "practitioners who worked on its engagements"}
    )
    created_at = fields.DateTime(allow_none=True)
    updated_at = fields.DateTime(allow_none=True)


class OrganizationKeyRequestSchema(Schema):
    """A key bound to the organization: a client's own, or a government department's (it publishes and runs the
    organization's public-welfare activities)."""

    role = fields.String(
        required=True, validate=validate.OneOf(("client", "government")), metadata={"example": "government"}
    )
    label = Text(
        max_length=100, load_default="", metadata={"description": "who the key is for", "example": "宣传处"}
    )


class OrganizationKeySchema(Schema):
    key = fields.String(metadata={"description": "the key itself: shown this once, never again"})
    prefix = fields.String(metadata={"description": "the key's public prefix, for lists and revocation"})
    role = fields.String(metadata={"description": "client or government"})
    label = fields.String()
    organization_id = fields.String(metadata={"description": "the organization the key is bound to"})
    created_at = fields.String(metadata={"description": "when it was created"})
