"""Independence of verifiers (issue 23 part 3): the response of GET /organizations/{id}/independence."""

from __future__ import annotations

from marshmallow import Schema, fields

from interface.schemas.common import OrganizationRefSchema


class VerifierSchema(Schema):
    type = fields.String(
        metadata={"description": "organization (the provider) or practitioner (on the team)"}
    )
    id = fields.String(metadata={"description": "absent when hidden"})
    name = fields.String(metadata={"description": "absent when hidden"})
    hidden = fields.Boolean(
        metadata={"description": "true when the caller's role may not see who this is (a deleted person)"}
    )


class RotationRuleSchema(Schema):
    warn_at = fields.Integer(
        metadata={"description": "consecutive years from which a row carries the warning"}
    )
    block_at = fields.Integer(
        allow_none=True, metadata={"description": "consecutive years refused; null: nothing is refused"}
    )
    source = fields.String(metadata={"description": "where the rule comes from"})


class RotationRowSchema(Schema):
    verifier = fields.Nested(VerifierSchema)
    years = fields.List(
        fields.Integer(),
        metadata={"description": "calendar years of its verifications (of start_on), ascending"},
    )
    consecutive_years = fields.Integer(
        metadata={"description": "the run of consecutive years ending at the latest year"}
    )
    warning = fields.Boolean(metadata={"description": "consecutive_years reaches the rule's warn_at"})


class IndependenceSchema(Schema):
    organization = fields.Nested(OrganizationRefSchema)
    rule = fields.Nested(RotationRuleSchema)
    rows = fields.List(fields.Nested(RotationRowSchema))
    verifications = fields.Integer(metadata={"description": "the verification engagements that count"})
    provider_unknown = fields.Integer(
        metadata={"description": "of them, those that name no provider: their body is not in the rows"}
    )
