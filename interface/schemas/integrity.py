"""The anomaly queue's shapes (issue 23 §4): findings, the queue's filters, and a supervisor's decision."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from interface.schemas.common import (
    OrganizationRefSchema,
    PageArgs,
    RefSchema,
    StrictBoolean,
    Text,
    code_field,
    region_code_field,
)
from interface.schemas.independence import VerifierSchema
from interface.schemas.matching import PathStepSchema
from registry.integrity import DECISIONS, KIND_CODES, STATUSES

# --- Requests ---


class FindingArgs(PageArgs):
    kind = fields.String(validate=validate.OneOf(KIND_CODES), metadata={"description": "the finding's kind"})
    status = fields.String(validate=validate.OneOf(STATUSES), metadata={"description": "its status"})
    region = region_code_field(
        metadata={
            "description": "findings in this region (a province takes in its cities)",
            "example": "110000",
        }
    )
    person = fields.UUID(metadata={"description": "findings about this practitioner (id)"})
    organization = fields.UUID(metadata={"description": "findings about this organization (id)"})


class FindingDecisionSchema(Schema):
    """A supervisor's step on a finding, with its reason."""

    status = fields.String(
        required=True,
        validate=validate.OneOf(DECISIONS),
        metadata={"description": "reviewing (from open), confirmed or dismissed (final)"},
    )
    reason = Text(
        required=True, max_length=2000, multiline=True, metadata={"description": "why, for this step"}
    )
    open_misconduct = StrictBoolean(
        load_default=False,
        metadata={"description": "confirmed only: also open a misconduct record, linked to the finding"},
    )
    practitioner_id = fields.UUID(
        allow_none=True,
        metadata={
            "description": "the record's person, one the finding concerns (needed when it concerns several)"
        },
    )
    category = code_field(
        allow_none=True,
        metadata={"description": "the record's category (default by kind: GET /credit/rules lists them)"},
    )
    occurred_on = fields.Date(allow_none=True, metadata={"description": "the record's date (default today)"})


# --- Answers ---


class _PersonSchema(Schema):
    id = fields.String()
    name = fields.String()
    status = fields.String()


class _EngagementSchema(Schema):
    id = fields.String()
    title = fields.String(allow_none=True)
    kind = fields.String(allow_none=True)
    status = fields.String(allow_none=True)
    start_on = fields.Date(allow_none=True)
    end_on = fields.Date(allow_none=True)


class _DecisionSchema(Schema):
    status = fields.String()
    reason = fields.String()
    at = fields.DateTime()
    by = fields.String()
    misconduct_record_id = fields.String(allow_none=True)
    from_ = fields.String(data_key="from", attribute="from", metadata={"description": "the status before"})


class FindingSchema(Schema):
    id = fields.String()
    kind = fields.String(metadata={"description": " | ".join(KIND_CODES)})
    score = fields.Float(metadata={"description": "0–1: how far past its threshold"})
    status = fields.String(metadata={"description": "open → reviewing → confirmed | dismissed"})
    evidence = fields.Dict(
        metadata={"description": "what the scan found: ids of the people, organizations and engagements, dates, "
                                 "numbers and the thresholds (docs/integrity.md lists them per kind)"}
    )  # fmt: skip
    created_at = fields.DateTime()
    updated_at = fields.DateTime(allow_none=True)
    practitioners = fields.List(fields.Nested(_PersonSchema))
    organizations = fields.List(fields.Nested(OrganizationRefSchema))
    regions = fields.List(fields.Nested(RefSchema))
    engagement_count = fields.Integer()
    engagements = fields.List(fields.Nested(_EngagementSchema), metadata={"description": "one finding only"})
    decisions = fields.List(fields.Nested(_DecisionSchema), metadata={"description": "one finding only"})
    misconduct_record_ids = fields.List(fields.String())


# --- GET /engagements/{id}/risk ---


class _RiskEngagementSchema(_EngagementSchema):
    client = fields.Nested(OrganizationRefSchema, allow_none=True)
    provider = fields.Nested(OrganizationRefSchema, allow_none=True)


class _RiskConflictSchema(Schema):
    rule = fields.String(
        metadata={"description": "group_employment, group_engagement, colleague, consult_then_verify"}
    )
    detail = fields.String(metadata={"description": "the path in one line"})
    path = fields.List(fields.Nested(PathStepSchema))


class _MemberConflictsSchema(Schema):
    practitioner_id = fields.String()
    conflicts = fields.List(fields.Nested(_RiskConflictSchema))


class _RotationWarningSchema(Schema):
    practitioner_id = fields.String()
    consecutive_years = fields.Integer(metadata={"description": "the run a verification this year continues"})
    years = fields.List(fields.Integer())
    warning = fields.Boolean(metadata={"description": "the run reaches the rotation rule's warn_at"})
    via = fields.Nested(VerifierSchema, metadata={"description": "the person's own run, or their employer's"})


class _FlagSchema(Schema):
    id = fields.String()
    kind = fields.String()
    score = fields.Float()
    status = fields.String()
    created_at = fields.DateTime()


class EngagementRiskSchema(Schema):
    engagement = fields.Nested(_RiskEngagementSchema)
    on = fields.Date(metadata={"description": "the day conflicts and rotation are judged on: the start"})
    conflicts = fields.List(
        fields.Nested(_MemberConflictsSchema),
        metadata={
            "description": "team members conflicted with the client, each conflict with its evidence path"
        },
    )
    rotation = fields.List(
        fields.Nested(_RotationWarningSchema),
        metadata={"description": "verifications only: team members with a run of years on the client"},
    )
    findings = fields.List(
        fields.Nested(_FlagSchema),
        metadata={"description": "the anomaly queue's findings about this engagement"},
    )
