"""Credit record shapes: evaluations, misconduct records, sanctions, complaints and appeals."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from interface.schemas.common import PageArgs, StrictBoolean, Text, code_field
from registry.appeals import APPEAL_OUTCOMES, COMPLAINT_STATUSES, TEXT_MAX

# --- Requests ---


class EvaluationInputSchema(Schema):
    practitioner_id = fields.UUID(required=True, metadata={"description": "the team member evaluated"})
    # One number 0–100 per published criterion; the criteria are configurable, so the rules check the keys.
    scores = fields.Dict(
        keys=fields.String(),
        values=fields.Raw(),
        required=True,
        metadata={
            "description": "one score 0–100 per criterion: quality, timeliness, independence, communication",
            "example": {"quality": 90, "timeliness": 80, "independence": 95, "communication": 85},
        },
    )
    comment = Text(max_length=2000, min_length=0, multiline=True, allow_none=True,
                   metadata={"description": "optional; shown to client+ keys and the practitioner"})  # fmt: skip


class ReplyInputSchema(Schema):
    reply = Text(required=True, max_length=2000, multiline=True,
                 metadata={"description": "the practitioner's answer, shown beside the evaluation (once)"})  # fmt: skip


class RecordInputSchema(Schema):
    category = fields.String(required=True, metadata={"description": "a category of the catalogue (GET /credit/rules)",
                                                      "example": "undisclosed_conflict"})  # fmt: skip
    occurred_on = fields.Date(
        required=True, metadata={"description": "when the violation happened (not in the future)"}
    )
    evidence = Text(max_length=1000, min_length=0, multiline=True, allow_none=True,
                    metadata={"description": "a reference to the evidence (file number, report id)"})  # fmt: skip
    note = Text(max_length=2000, min_length=0, multiline=True, allow_none=True,
                metadata={"description": "what happened, for the record"})  # fmt: skip


class ComplaintInputSchema(Schema):
    practitioner_id = fields.UUID(
        allow_none=True, metadata={"description": "who it is about (or engagement_id)"}
    )
    engagement_id = fields.UUID(
        allow_none=True, metadata={"description": "what it is about (or practitioner_id)"}
    )
    text = Text(required=True, max_length=TEXT_MAX, multiline=True, metadata={"description": "the complaint"})
    contact_email = fields.Email(
        allow_none=True, validate=validate.Length(max=254),
        metadata={"description": "optional: where the decision is e-mailed to the complainant (never shown)"},
    )  # fmt: skip


class ComplaintDecisionSchema(Schema):
    status = fields.String(required=True, validate=validate.OneOf(COMPLAINT_STATUSES[1:]),
                           metadata={"description": "investigating (from received), upheld or dismissed"})  # fmt: skip
    reason = Text(
        required=True, max_length=2000, multiline=True, metadata={"description": "why, for this step"}
    )
    create_record = StrictBoolean(load_default=False,
                                  metadata={"description": "upheld only: also write a misconduct record"})  # fmt: skip
    category = code_field(
        allow_none=True, metadata={"description": "the record's category (default complaint_upheld)"}
    )
    practitioner_id = fields.UUID(allow_none=True,
                                  metadata={"description": "for an engagement complaint: the team member"})  # fmt: skip
    occurred_on = fields.Date(allow_none=True,
                              metadata={"description": "the record's date (default: the day it was filed)"})  # fmt: skip


class AppealInputSchema(Schema):
    record_id = fields.UUID(
        allow_none=True, metadata={"description": "the misconduct record appealed against"}
    )
    evaluation_id = fields.UUID(
        allow_none=True, metadata={"description": "or the evaluation appealed against"}
    )
    text = Text(required=True, max_length=TEXT_MAX, multiline=True, metadata={"description": "the grounds"})


class AppealDecisionSchema(Schema):
    status = fields.String(required=True, validate=validate.OneOf(APPEAL_OUTCOMES),
                           metadata={"description": "upheld (removes the effect) or dismissed"})  # fmt: skip
    reason = Text(required=True, max_length=2000, multiline=True, metadata={"description": "why"})


class ComplaintArgs(PageArgs):
    status = fields.String(
        validate=validate.OneOf(COMPLAINT_STATUSES), metadata={"description": "its status"}
    )
    practitioner_id = fields.UUID(metadata={"description": "complaints about this practitioner"})


class AssessmentArgs(Schema):
    year = fields.Integer(
        validate=validate.Range(min=2021, max=2100),
        metadata={"description": "the year assessed (default: last year); the current year is provisional"},
    )


class AppealArgs(PageArgs):
    status = fields.String(
        validate=validate.OneOf(("pending", *APPEAL_OUTCOMES)), metadata={"description": "its status"}
    )


# --- Responses ---


class _Ref(Schema):
    id = fields.String()
    name = fields.String()
    title = fields.String()
    kind = fields.String()
    status = fields.String()


class EvaluationSchema(Schema):
    id = fields.String()
    score = fields.Float(metadata={"description": "the weighted total, 0–100"})
    scores = fields.Dict(keys=fields.String(), values=fields.Float())
    work_type = fields.String()
    comment = fields.String(allow_none=True)
    reply = fields.String(allow_none=True)
    replied_at = fields.DateTime(allow_none=True)
    practitioner_id = fields.String()
    engagement = fields.Nested(_Ref, allow_none=True)
    organization = fields.Nested(_Ref, allow_none=True)
    effective = fields.Boolean(
        metadata={"description": "false once an upheld appeal removed it from the mean"}
    )
    overturned_on = fields.Date(allow_none=True)
    on_time = fields.Boolean(
        metadata={"description": "written within 5 working days of the engagement's end"}
    )
    due_on = fields.Date(allow_none=True)
    created_on = fields.Date()
    created_at = fields.DateTime()
    appeal_deadline = fields.Date(allow_none=True)
    appeal = fields.Nested(_Ref, allow_none=True)


class SanctionSchema(Schema):
    id = fields.String()
    kind = fields.String(metadata={"description": "expert_suspension or bar"})
    from_ = fields.String(data_key="from", attribute="from")
    until = fields.String(allow_none=True)
    lifted_on = fields.String(allow_none=True)
    returns_on = fields.String(allow_none=True, metadata={"description": "first day back; null: no end date"})
    reason = fields.String()
    record_ids = fields.List(fields.String())
    active = fields.Boolean()


class RecordSchema(Schema):
    id = fields.String()
    practitioner_id = fields.String()
    category = fields.String()
    points = fields.Integer()
    occurred_on = fields.Date()
    recorded_on = fields.Date()
    evidence = fields.String(allow_none=True)
    note = fields.String(allow_none=True)
    origin = fields.String(metadata={"description": "admin, complaint or certificate_revocation"})
    effective = fields.Boolean(metadata={"description": "false once an upheld appeal removed its effect"})
    overturned_on = fields.Date(allow_none=True)
    complaint_id = fields.String(allow_none=True)
    certificate_number = fields.String(allow_none=True)
    appeal_deadline = fields.Date(allow_none=True)
    appeal = fields.Nested(_Ref, allow_none=True)
    created_at = fields.DateTime()
    sanctions = fields.List(fields.Nested(SanctionSchema))


class ComplaintStepSchema(Schema):
    status = fields.String()
    reason = fields.String()
    at = fields.DateTime()
    by = fields.String()


class ComplaintSchema(Schema):
    id = fields.String()
    practitioner_id = fields.String(allow_none=True)
    engagement_id = fields.String(allow_none=True)
    text = fields.String()
    status = fields.String()
    filed_by = fields.String()
    filer_role = fields.String()
    created_at = fields.DateTime()
    steps = fields.List(fields.Nested(ComplaintStepSchema))
    record_id = fields.String(allow_none=True)


class AppealSchema(Schema):
    id = fields.String()
    record_id = fields.String(allow_none=True)
    evaluation_id = fields.String(allow_none=True)
    practitioner_id = fields.String()
    text = fields.String()
    status = fields.String()
    deadline = fields.Date()
    reason = fields.String(allow_none=True)
    decided_on = fields.Date(allow_none=True)
    filed_by = fields.String()
    created_on = fields.Date()
    created_at = fields.DateTime()


class RecentEvaluationSchema(Schema):
    id = fields.String()
    score = fields.Float()
    work_type = fields.String()
    created_on = fields.Date()
    organization = fields.String(metadata={"description": "the evaluating client organization"})
    comment = fields.String(allow_none=True)
    reply = fields.String(allow_none=True)


class EvaluationSummarySchema(Schema):
    count = fields.Integer(metadata={"description": "evaluations that count (not overturned on appeal)"})
    mean = fields.Float(allow_none=True, metadata={"description": "their mean weighted score, 0–100"})
    recent = fields.List(fields.Nested(RecentEvaluationSchema), metadata={"description": "the latest few"})


class CreditSummarySchema(Schema):
    """The profile's `credit`."""

    evaluations = fields.Nested(EvaluationSummarySchema)
    sanctions = fields.List(fields.Nested(SanctionSchema))
    draws_served = fields.Integer(
        metadata={"description": "panel seats accepted; for non-admins, of disclosed draws only"}
    )
    records = fields.Integer(metadata={"description": "misconduct records that still count"})
    public_welfare = fields.Dict(
        metadata={
            "description": "公益服务: {label, activities, hours} of counted public-welfare participation (no score); "
            "shown as the person's public_welfare visibility allows"
        }
    )


class MembershipSchema(Schema):
    pool = fields.String(metadata={"description": "talent or expert"})
    current = fields.Boolean()
    since = fields.DateTime()
    until = fields.Date(allow_none=True, metadata={"description": "the day an ended membership ended"})
    via = fields.String(metadata={"description": "the granting certificate's number"})
    valid_until = fields.Date(
        allow_none=True, metadata={"description": "current: the day its certificates lapse"}
    )
    left_because = fields.String(
        allow_none=True, metadata={"description": "sanction: <ids> when one ended it"}
    )
    returns_on = fields.Date(allow_none=True, metadata={"description": "first day back (sanction ended)"})
