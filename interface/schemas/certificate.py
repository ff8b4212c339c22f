"""Certificate request and response shapes."""

from __future__ import annotations

from datetime import date
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate, validates_schema

from interface.schemas.common import (
    OrganizationRefSchema,
    PersonRefSchema,
    Text,
    level_field,
    work_type_field,
)
from registry.certificates import VERIFY_REASONS, validate_dates

NUMBER = validate.Regexp(
    r"^[A-Za-z0-9][A-Za-z0-9-]{3,39}\Z",
    error="Use 4–40 letters, digits and hyphens (e.g. CPCIF-2024-000123).",
)


class IssueCertificateSchema(Schema):
    """A certificate to issue: number, holder, work type, level and dates."""

    number = fields.String(required=True, validate=NUMBER, metadata={"example": "CPCIF-2025-000123"})
    practitioner_id = fields.UUID(required=True)
    work_type = work_type_field(required=True)
    level = level_field(required=True)
    issued_on = fields.Date(required=True, metadata={"example": "2025-03-01"})
    expires_on = fields.Date(allow_none=True, metadata={"example": "2029-02-28"})
    issuer_id = fields.UUID(metadata={"description": "defaults to 中国石油和化学工业联合会"})
    reason = Text(max_length=500, min_length=0, multiline=True)

    @validates_schema
    def _dates(self, data: dict[str, Any], **kwargs: Any) -> None:
        errors = validate_dates(data["issued_on"], data.get("expires_on"), date.today())
        if errors:
            raise ValidationError(errors)


class StatusChangeSchema(Schema):
    """A lifecycle change and the reason for it."""

    reason = Text(
        required=True,
        max_length=500,
        multiline=True,
        metadata={"example": "核查报告数据造假，暂停资格待调查"},
    )


class CertificateEventSchema(Schema):
    action = fields.String()
    from_status = fields.String(allow_none=True)
    to_status = fields.String()
    reason = fields.String(allow_none=True)
    at = fields.DateTime()


class HolderSchema(PersonRefSchema):
    status = fields.String()


class CertificateSchema(Schema):
    number = fields.String()
    work_type = fields.String()
    work_type_name_zh = fields.String()
    level = fields.Integer()
    level_name_zh = fields.String()
    status = fields.String(
        metadata={"description": "as of today: a valid certificate past expires_on is expired"}
    )
    status_reason = fields.String(allow_none=True)
    status_changed_at = fields.DateTime(allow_none=True)
    issued_on = fields.Date()
    expires_on = fields.Date(allow_none=True)
    created_at = fields.DateTime(allow_none=True)
    holder = fields.Nested(HolderSchema)
    issuer = fields.Nested(OrganizationRefSchema, allow_none=True)
    history = fields.List(fields.Nested(CertificateEventSchema))


class VerifyArgs(Schema):
    number = fields.String(
        required=True, validate=validate.Length(min=1, max=40), metadata={"description": "certificate number"}
    )
    name = Text(required=True, max_length=50, metadata={"description": "the holder's full name"})


class VerificationSchema(Schema):
    valid = fields.Boolean(
        metadata={"description": "a valid certificate whose holder is active in the registry"}
    )
    reason = fields.String(
        allow_none=True,
        validate=validate.OneOf(tuple(VERIFY_REASONS)),
        metadata={
            "description": "why it is not valid (null when valid): "
            + "; ".join(f"`{code}` {text}" for code, text in VERIFY_REASONS.items())
        },
    )
    number = fields.String()
    holder = fields.String(metadata={"description": "masked, e.g. 张*明"})
    work_type = fields.String()
    work_type_name_zh = fields.String()
    level = fields.Integer()
    level_name_zh = fields.String()
    status = fields.String()
    issued_on = fields.Date()
    expires_on = fields.Date(allow_none=True)
