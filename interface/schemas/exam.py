"""Request and response shapes of applications, training, exam sessions, results and renewals."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from interface.schemas.certificate import NUMBER, CertificateSchema
from interface.schemas.common import (
    PageArgs,
    PersonRefSchema,
    RefSchema,
    StrictInteger,
    Text,
    level_field,
    region_code_field,
    work_type_field,
)
from registry.applications import STATUSES
from registry.training import TRAINING_MODES


class Number(fields.Float):
    """A JSON number (not a string, not a boolean); the range is the rules' to judge."""

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> float:
        if isinstance(value, bool) or not isinstance(value, int | float):
            raise ValidationError("Not a valid number.")
        return super()._deserialize(value, attr, data, **kwargs)


class AwareDateTime(fields.AwareDateTime):
    """An ISO 8601 datetime that must carry its UTC offset (e.g. 2026-12-26T09:00:00+08:00)."""

    default_error_messages = {  # noqa: RUF012 (marshmallow merges this class attribute)
        "invalid_awareness": "Give the UTC offset, e.g. 2026-12-26T09:00:00+08:00 (China time).",
    }


# --- Applications -------------------------------------------------------------------------------------------------


class ApplicationInputSchema(Schema):
    """An application (报名) for one work type and level."""

    practitioner_id = fields.UUID(required=True, metadata={"description": "the applicant"})
    work_type = work_type_field(
        required=True, metadata={"description": "the work type applied for", "example": "accounting"}
    )
    level = level_field(
        required=True, metadata={"description": "the level applied for (4 entry, 1 highest)", "example": 4}
    )
    registered_on = fields.Date(metadata={"description": "报名日期, default today", "example": "2026-11-25"})
    related_work_years = Number(
        validate=validate.Range(min=0, max=60),
        metadata={
            "description": "for the eligibility rule; default: years since the practitioner's work_start_year"
        },
    )


class ApplicationArgs(PageArgs):
    status = fields.String(validate=validate.OneOf(STATUSES), metadata={"description": "the derived status"})
    work_type = work_type_field(metadata={"description": "the work type applied for"})
    level = level_field(strict=False, metadata={"description": "the level applied for"})
    session_id = fields.UUID(metadata={"description": "registered for this exam session"})
    session = fields.UUID(metadata={"description": "alias of session_id"})
    region = region_code_field(
        metadata={"description": "the applicant's region; a province matches its cities"}
    )
    practitioner_id = fields.UUID(metadata={"description": "the applicant"})


class TrainingInputSchema(Schema):
    """Hours of one training part, completed on one day."""

    part = fields.String(
        required=True, metadata={"description": "basic or the application's work type", "example": "basic"}
    )
    hours = Number(required=True, metadata={"description": "hours of this part", "example": 8})
    completed_on = fields.Date(metadata={"description": "default today", "example": "2026-11-20"})
    mode = fields.String(
        validate=validate.OneOf(TRAINING_MODES), metadata={"description": "online or offline"}
    )


class PartProgressSchema(Schema):
    part = fields.String()
    required_hours = fields.Float()
    hours = fields.Float()
    complete = fields.Boolean()
    completed_on = fields.Date(allow_none=True)


class TrainingProgressSchema(Schema):
    complete = fields.Boolean()
    completed_on = fields.Date(allow_none=True)
    parts = fields.List(fields.Nested(PartProgressSchema))


class TrainingRecordSchema(Schema):
    id = fields.String()
    part = fields.String()
    hours = fields.Float()
    completed_on = fields.Date()
    mode = fields.String(allow_none=True)
    created_at = fields.DateTime()


class RegisteredSessionSchema(Schema):
    id = fields.String()
    starts_at = fields.DateTime()
    ends_at = fields.DateTime()
    day = fields.Date()
    subject = fields.String(metadata={"description": "only sessions of this subject"})
    registered_at = fields.DateTime()


class ResultSchema(Schema):
    id = fields.String()
    application_id = fields.String()
    session_id = fields.String()
    score = fields.Float()
    passed = fields.Boolean()
    attempt = fields.Integer(metadata={"description": "1 for the first sitting, 2 for the free retake"})
    free = fields.Boolean(metadata={"description": "the free retake (补考)"})
    recorded_at = fields.DateTime()


class FeeSchema(Schema):
    amount = fields.Integer()
    currency = fields.String()
    covers = fields.List(fields.String())


class CertificateRefSchema(Schema):
    number = fields.String()
    status = fields.String()
    issued_on = fields.Date()
    expires_on = fields.Date(allow_none=True)


class ApplicationSchema(Schema):
    id = fields.String()
    practitioner = fields.Nested(PersonRefSchema)
    region = fields.Nested(RefSchema, allow_none=True)
    work_type = fields.String()
    level = fields.Integer()
    registered_on = fields.Date()
    valid_until = fields.Date(
        metadata={"description": "the last day an exam may be sat (six months, inclusive)"}
    )
    status = fields.String(metadata={"description": "derived: " + " | ".join(STATUSES)})
    terminal = fields.Boolean(
        metadata={"description": "no further step (certified, failed for good, expired)"}
    )
    retake_available = fields.Boolean()
    attempts = fields.Integer()
    next_session_id = fields.String(allow_none=True)
    passed_result_id = fields.String(allow_none=True)
    related_work_years = fields.Float()
    eligibility = fields.Raw(
        metadata={"description": "the eligibility decision on the registration day: eligible and the reasons"}
    )
    fee = fields.Nested(FeeSchema)
    training = fields.Nested(TrainingProgressSchema)
    training_records = fields.List(fields.Nested(TrainingRecordSchema))
    sessions = fields.List(fields.Nested(RegisteredSessionSchema))
    results = fields.List(fields.Nested(ResultSchema))
    certificate = fields.Nested(CertificateRefSchema, allow_none=True)
    created_at = fields.DateTime()


# --- Sessions -----------------------------------------------------------------------------------------------------


class SessionInputSchema(Schema):
    """An exam session: when (with its UTC offset), what subject, how many seats."""

    starts_at = AwareDateTime(
        required=True,
        metadata={"description": "ISO 8601 with offset", "example": "2026-12-26T09:00:00+08:00"},
    )
    ends_at = AwareDateTime(metadata={"description": "default: two hours after starts_at"})
    subject = Text(
        max_length=100,
        metadata={"description": "default: 碳排放管理员理论基础知识", "example": "碳排放管理员理论基础知识"},
    )
    capacity = StrictInteger(
        validate=validate.Range(min=1, max=100_000),
        metadata={"description": "seats (default 200)", "example": 200},
    )


class SessionChangeSchema(SessionInputSchema):
    starts_at = AwareDateTime(
        metadata={"description": "the new start, with offset", "example": "2026-12-27T09:00:00+08:00"}
    )


class GenerateSessionsSchema(Schema):
    """The month whose default sessions to create."""

    year = StrictInteger(
        required=True,
        validate=validate.Range(min=2000, max=2100),
        metadata={"description": "year", "example": 2026},
    )
    month = StrictInteger(
        required=True,
        validate=validate.Range(min=1, max=12),
        metadata={"description": "month 1–12", "example": 12},
    )
    capacity = StrictInteger(
        validate=validate.Range(min=1, max=100_000),
        metadata={"description": "seats per session (default 200)"},
    )


class SessionArgs(PageArgs):
    from_ = fields.Date(data_key="from", metadata={"description": "first day (China time)"})
    to = fields.Date(metadata={"description": "last day (China time)"})
    subject = fields.String(metadata={"description": "only sessions of this subject"})


class StatisticsArgs(Schema):
    from_ = fields.Date(data_key="from", metadata={"description": "first session day (China time)"})
    to = fields.Date(metadata={"description": "last session day (China time)"})


class SessionSchema(Schema):
    id = fields.String()
    starts_at = fields.DateTime()
    ends_at = fields.DateTime()
    day = fields.Date(metadata={"description": "the session's day in China"})
    subject = fields.String(metadata={"description": "only sessions of this subject"})
    mode = fields.String()
    capacity = fields.Integer()
    registered = fields.Integer()
    seats_left = fields.Integer()
    sat = fields.Integer(metadata={"description": "results recorded"})
    passed = fields.Integer()
    failed = fields.Integer()
    pass_rate = fields.Float(allow_none=True)
    created_at = fields.DateTime()


class GroupRateSchema(Schema):
    work_type = fields.String()
    region = fields.String(allow_none=True)
    sat = fields.Integer()
    passed = fields.Integer()
    failed = fields.Integer()
    pass_rate = fields.Float(allow_none=True)


class RegistrantSchema(Schema):
    application_id = fields.String()
    practitioner_id = fields.String()
    name = fields.String()
    work_type = fields.String()
    level = fields.Integer()
    registered_at = fields.DateTime()
    result = fields.Nested(ResultSchema, allow_none=True)


class SessionDetailSchema(SessionSchema):
    registrations = fields.List(
        fields.Nested(RegistrantSchema),
        metadata={"description": "one page of the registrations, in registration order (`registered`: all)"},
    )
    page = fields.Integer(metadata={"description": "the page of `registrations` (?page=, from 1)"})
    per_page = fields.Integer(metadata={"description": "registrations per page (?per_page=, default 20)"})
    by_work_type = fields.List(
        fields.Nested(GroupRateSchema(only=("work_type", "sat", "passed", "failed", "pass_rate")))
    )
    by_region = fields.List(
        fields.Nested(GroupRateSchema(only=("region", "sat", "passed", "failed", "pass_rate")))
    )


class StatisticsSchema(Schema):
    from_ = fields.Date(data_key="from", allow_none=True)
    to = fields.Date(allow_none=True)
    session_count = fields.Integer()
    capacity = fields.Integer()
    registered = fields.Integer()
    sat = fields.Integer()
    passed = fields.Integer()
    pass_rate = fields.Float(allow_none=True)
    sessions = fields.List(fields.Nested(SessionSchema))
    by_work_type = fields.List(
        fields.Nested(GroupRateSchema(only=("work_type", "sat", "passed", "failed", "pass_rate")))
    )
    by_region = fields.List(
        fields.Nested(GroupRateSchema(only=("region", "sat", "passed", "failed", "pass_rate")))
    )


class RegistrationInputSchema(Schema):
    """The application to register for the session."""

    application_id = fields.UUID(
        required=True, metadata={"description": "the application sitting the session"}
    )


class RegistrationSchema(Schema):
    application_id = fields.String()
    session_id = fields.String()
    registered_at = fields.DateTime()
    starts_at = fields.DateTime()
    attempt = fields.Integer()
    free = fields.Boolean()
    application = fields.Nested(ApplicationSchema)


# --- Results and certificates -------------------------------------------------------------------------------------


class ResultInputSchema(Schema):
    """A score for a registered sitting."""

    application_id = fields.UUID(required=True, metadata={"description": "the application"})
    session_id = fields.UUID(required=True, metadata={"description": "the session it sat (registered for)"})
    score = Number(required=True, metadata={"description": "0–100; 60 passes", "example": 72.5})


class ResultDetailSchema(ResultSchema):
    application = fields.Nested(ApplicationSchema)


class CertificateFromResultSchema(Schema):
    """The certificate to issue from a passing result."""

    number = fields.String(
        required=True,
        validate=NUMBER,
        metadata={"description": "certificate number", "example": "CPCIF-2026-000123"},
    )
    issued_on = fields.Date(metadata={"description": "default today", "example": "2026-12-30"})
    expires_on = fields.Date(
        allow_none=True, metadata={"description": "last valid day", "example": "2029-12-29"}
    )
    issuer_id = fields.UUID(metadata={"description": "defaults to 中国石油和化学工业联合会"})


class IssuedCertificateSchema(CertificateSchema):
    result_id = fields.String()
    application_id = fields.String()
    renews = fields.String()


# --- Renewal ------------------------------------------------------------------------------------------------------


class ContinuingEducationInputSchema(Schema):
    """Continuing-education hours completed on one day."""

    hours = Number(required=True, metadata={"description": "hours (more than 0, at most 200)", "example": 8})
    completed_on = fields.Date(metadata={"description": "default today"})
    provider = Text(max_length=200, metadata={"description": "who gave the course"})


class ContinuingEducationSchema(Schema):
    id = fields.String()
    hours = fields.Float()
    completed_on = fields.Date()
    provider = fields.String(allow_none=True)


class RenewalStatusSchema(Schema):
    number = fields.String()
    continuing_education = fields.List(fields.Nested(ContinuingEducationSchema))
    hours = fields.Float(metadata={"description": "hours within the certificate's validity"})
    required_hours = fields.Float()
    renewed_by = fields.String(allow_none=True)
    renews = fields.String(allow_none=True)


class RenewalInputSchema(Schema):
    """The follow-on certificate."""

    number = fields.String(
        required=True, validate=NUMBER, metadata={"description": "the follow-on certificate's number"}
    )
    issued_on = fields.Date(metadata={"description": "default today"})
    expires_on = fields.Date(metadata={"description": "default: as long a term as the renewed certificate's"})
