"""Public-welfare activity shapes (issue 25): publishing, status changes, invitations, sign-up and attendance."""

from __future__ import annotations

from typing import Any

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
from registry.activities import (
    KINDS,
    MAX_ATTENDANCE_ROWS,
    MAX_CAPACITY,
    MAX_INVITATIONS_PER_REQUEST,
    STATUSES,
)


def _iso(value: Any) -> Any:
    return value.isoformat() if hasattr(value, "isoformat") else value


class NeedsSchema(Schema):
    """Who the activity needs (each optional): a work type, a minimum level, a specialty, an industry."""

    work_type = work_type_field(allow_none=True, load_default=None)
    min_level = level_field(allow_none=True, load_default=None)
    specialty = code_field(allow_none=True, load_default=None)
    industry = code_field(allow_none=True, load_default=None)


class ActivityInputSchema(Schema):
    """A public-welfare activity: what, who organizes it, where, when, hours per person and places."""

    title = Text(max_length=200, required=True, metadata={"example": "全国低碳日社区宣传"})
    kind = fields.String(required=True, validate=validate.OneOf(KINDS), metadata={"example": "publicity"})
    organizer_id = fields.UUID(
        required=True, metadata={"description": "the organizing organization (a department)"}
    )
    description = Text(max_length=5000, min_length=0, multiline=True, allow_none=True, load_default=None)
    region = region_code_field(
        allow_none=True, load_default=None, metadata={"description": "a region code; null = national"}
    )
    online = StrictBoolean(load_default=False)
    place = Text(
        max_length=200, allow_none=True, load_default=None, metadata={"description": "needed unless online"}
    )
    starts_on = fields.Date(required=True, metadata={"example": "2026-06-15"})
    ends_on = fields.Date(required=True, metadata={"example": "2026-06-15"})
    hours = fields.Float(
        required=True,
        validate=validate.Range(min=0, min_inclusive=False, max=24 * 366),
        metadata={
            "description": "hours per person: more than 0, at most 24 for each day spanned",
            "example": 4,
        },
    )
    capacity = StrictInteger(
        required=True, validate=validate.Range(min=1, max=MAX_CAPACITY), metadata={"example": 30}
    )
    needs = fields.Nested(NeedsSchema, load_default=dict)


class CreatedActivitySchema(Schema):
    id = fields.String(metadata={"description": "the activity's id"})
    status = fields.String(metadata={"description": "draft"})


class ActivityStatusChangeSchema(Schema):
    """A status change: draft → open → closed → completed, or cancelled; with a reason."""

    status = fields.String(required=True, validate=validate.OneOf(STATUSES), metadata={"example": "open"})
    reason = Text(max_length=500, required=True, metadata={"example": "报名开始"})


class ActivityHistorySchema(Schema):
    from_ = fields.String(attribute="from", data_key="from", allow_none=True)
    to = fields.String()
    reason = fields.String()
    at = fields.DateTime()


class ActivitySchema(Schema):
    id = fields.String()
    title = fields.String()
    kind = fields.String()
    description = fields.String(allow_none=True)
    organizer = fields.Nested(OrganizationRefSchema)
    region = fields.String(allow_none=True, metadata={"description": "region code; null = national"})
    region_name = fields.String(allow_none=True)
    online = fields.Boolean()
    place = fields.String(allow_none=True)
    starts_on = fields.Date()
    ends_on = fields.Date()
    hours = fields.Float(metadata={"description": "hours per person"})
    capacity = fields.Integer()
    taken = fields.Integer(metadata={"description": "places taken (sign-ups of every status)"})
    places_left = fields.Integer()
    needs = fields.Nested(NeedsSchema)
    status = fields.String()
    status_reason = fields.String(
        allow_none=True, metadata={"description": "the reason of the latest change"}
    )
    history = fields.List(
        fields.Nested(ActivityHistorySchema),
        metadata={"description": "status changes, oldest first (organizer, admin)"},
    )
    created_at = fields.DateTime()
    updated_at = fields.DateTime()


class ActivityArgs(PageArgs):
    kind = fields.String(validate=validate.OneOf(KINDS), load_default=None)
    region = region_code_field(load_default=None, metadata={"description": "the region or one of its cities"})
    status = fields.String(
        validate=validate.OneOf(STATUSES),
        load_default=None,
        metadata={"description": "public: open or completed; the organizer and admins: any"},
    )
    organizer_id = fields.UUID(load_default=None)
    from_ = fields.Date(
        data_key="from", attribute="from", load_default=None, metadata={"description": "ends on or after"}
    )
    to = fields.Date(load_default=None, metadata={"description": "starts on or before"})
    open_for_sign_up = fields.Boolean(
        load_default=None, metadata={"description": "true: open, places left, not yet ended"}
    )


class InvitationRequestSchema(Schema):
    """Practitioners to invite to an open activity."""

    practitioner_ids = fields.List(
        fields.UUID(), required=True, validate=validate.Length(min=1, max=MAX_INVITATIONS_PER_REQUEST)
    )
    deadline = fields.DateTime(
        allow_none=True,
        load_default=None,
        metadata={"description": "answer before; default: while it is open"},
    )


class AttendanceRowSchema(Schema):
    practitioner_id = fields.UUID(required=True)
    attended = StrictBoolean(required=True)
    hours = fields.Float(
        allow_none=True,
        load_default=None,
        metadata={"description": "hours given; default the activity's hours for someone who came"},
    )


class AttendanceSchema(Schema):
    """Attendance after the activity: one row per person who signed up."""

    rows = fields.List(
        fields.Nested(AttendanceRowSchema),
        required=True,
        validate=validate.Length(min=1, max=MAX_ATTENDANCE_ROWS),
    )
    dry_run = StrictBoolean(
        load_default=False, metadata={"description": "true: check and report, write nothing"}
    )


class ParticipantSchema(Schema):
    id = fields.String(metadata={"description": "the participation's id"})
    practitioner = fields.Nested(PersonRefSchema)
    status = fields.String(metadata={"description": "signed_up, confirmed, attended, absent"})
    via = fields.String(metadata={"description": "sign_up or invitation"})
    signed_up_at = fields.DateTime(allow_none=True)
    confirmed_at = fields.DateTime(allow_none=True)
    attended = fields.Boolean(allow_none=True)
    hours = fields.Float(allow_none=True)
    recorded_at = fields.DateTime(allow_none=True)
    counted = fields.Boolean(metadata={"description": "counts toward the person's record"})


class ActivityInvitationSchema(Schema):
    id = fields.String()
    practitioner = fields.Nested(PersonRefSchema)
    status = fields.String(metadata={"description": "pending, accepted, declined"})
    invited_at = fields.DateTime()
    deadline = fields.Function(lambda row: _iso(row.get("deadline")))
    responded_at = fields.DateTime(allow_none=True)
    reason = fields.String(allow_none=True)


class SignUpSchema(Schema):
    """Sign up for an open activity."""

    activity_id = fields.UUID(required=True)


class ActivityRefSchema(Schema):
    id = fields.String()
    title = fields.String()
    kind = fields.String()
    organizer = fields.Nested(OrganizationRefSchema)
    region = fields.String(allow_none=True)
    online = fields.Boolean()
    place = fields.String(allow_none=True)
    starts_on = fields.Date()
    ends_on = fields.Date()
    hours = fields.Float()
    status = fields.String()
    status_reason = fields.String(allow_none=True)


class MyActivitySchema(Schema):
    id = fields.String(metadata={"description": "the participation's id"})
    activity = fields.Nested(ActivityRefSchema)
    status = fields.String(metadata={"description": "signed_up, confirmed, attended, absent"})
    via = fields.String()
    signed_up_at = fields.DateTime(allow_none=True)
    confirmed_at = fields.DateTime(allow_none=True)
    attended = fields.Boolean(allow_none=True)
    hours = fields.Float(allow_none=True)
    counted = fields.Boolean(metadata={"description": "counts toward your record (attended, not cancelled)"})
    activity_cancelled = fields.Boolean(
        metadata={"description": "the activity was cancelled (see status_reason)"}
    )


class MyActivityInvitationSchema(Schema):
    """An activity invitation as /me/invitations lists it."""

    kind = fields.String(metadata={"description": "activity"})
    id = fields.String(metadata={"description": "the invitation's id: answer it at /me/invitations/{id}"})
    activity = fields.Nested(ActivityRefSchema)
    status = fields.String(metadata={"description": "pending, accepted, declined"})
    invited_at = fields.DateTime()
    deadline = fields.Function(lambda row: _iso(row.get("deadline")))
    responded_at = fields.DateTime(allow_none=True)
    reason = fields.String(allow_none=True)


class SignedUpSchema(Schema):
    id = fields.String(metadata={"description": "the participation's id"})
    activity_id = fields.String()
    status = fields.String(metadata={"description": "signed_up"})
    via = fields.String(metadata={"description": "sign_up or invitation"})
    signed_up_at = fields.DateTime()
