"""Eligibility (报考条件) request and response shapes."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from interface.schemas.common import StrictBoolean, level_field, work_type_field
from registry.taxonomy import EDUCATION_CODES


class HeldCertificateSchema(Schema):
    work_type = work_type_field(required=True)
    level = level_field(required=True)
    issued_on = fields.Date(required=True)


class EligibilityRequestSchema(Schema):
    """An application to check: level, work type, education, related work and certificates held."""

    level = level_field(required=True, metadata={"example": 3})
    work_type = work_type_field(allow_none=True)
    education = fields.String(
        validate=validate.OneOf(EDUCATION_CODES), allow_none=True, metadata={"example": "college"}
    )
    enrolled = StrictBoolean(load_default=False, metadata={"description": "still studying (在读)"})
    related_work_years = fields.Float(
        load_default=0, validate=validate.Range(min=0, max=70), metadata={"example": 2}, allow_nan=False
    )
    certificates = fields.List(
        fields.Nested(HeldCertificateSchema), load_default=list, validate=validate.Length(max=50)
    )
    as_of = fields.Date(metadata={"description": "the day to judge on (default today)"})


class ReasonSchema(Schema):
    code = fields.String()
    met = fields.Boolean(allow_none=True)
    zh = fields.String()
    en = fields.String()


class EligibilitySchema(Schema):
    eligible = fields.Boolean(
        allow_none=True, metadata={"description": "null when the level's rules are 待定"}
    )
    level = fields.Integer()
    reasons = fields.List(fields.Nested(ReasonSchema))
