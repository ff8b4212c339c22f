"""Self-service shapes (/me): a practitioner's edits, declarations, availability and invitation answers."""

from __future__ import annotations

from typing import Any

from marshmallow import Schema, ValidationError, fields, pre_load, validate

from interface.schemas.common import OrganizationRefSchema, StrictBoolean, Text, code_field
from interface.schemas.practitioner import Identifier
from registry.availability import MAX_REASON_LENGTH
from registry.declarations import RELATIONSHIP_CODES
from registry.identifiers import normalize_email, normalize_phone
from registry.invitations import RESPONSES
from registry.self_service import patch_problems
from registry.visibility import VISIBILITY_DEFAULTS, VISIBILITY_LEVELS, validate_visibility


class VisibilityField(fields.Dict):
    """{"field": "public" | "clients" | "private"} for the fields that have a setting."""

    def __init__(self, **kwargs: Any) -> None:
        super().__init__(keys=fields.String(), values=fields.String(), **kwargs)

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> dict[str, str]:
        errors = validate_visibility(value)
        if errors:
            raise ValidationError([message for messages in errors.values() for message in messages])
        return dict(value)


class MePatchSchema(Schema):
    """Your own record: profile, contact details, showcase consent and per-field visibility."""

    @pre_load
    def _only_your_fields(self, data: Any, **kwargs: Any) -> Any:
        # The authority's fields get a message that says whose they are, not just "Unknown field".
        if isinstance(data, dict) and (errors := patch_problems(data)):
            raise ValidationError(errors)
        return data

    bio = Text(
        max_length=2000, min_length=0, multiline=True, allow_none=True,
        metadata={"description": "about you and your work (up to 2000 characters)"},
    )  # fmt: skip
    specialties = fields.List(
        code_field(),
        validate=validate.Length(max=30),
        metadata={"description": "specialty codes; replaces the list"},
    )
    industries = fields.List(
        code_field(), validate=validate.Length(max=20), metadata={"description": "industries of experience"}
    )
    qualifications = fields.List(
        code_field(),
        validate=validate.Length(max=30),
        metadata={"description": "qualifications you claim; new ones are 'declared' until an admin confirms"},
    )
    phone = Identifier(
        normalize_phone,
        allow_none=True,
        metadata={"description": "mainland mobile number", "example": "13800000000"},
    )
    email = Identifier(normalize_email, allow_none=True, metadata={"description": "your e-mail address"})
    public_profile = StrictBoolean(metadata={"description": "consent to the public showcase"})
    contact_for_activities = StrictBoolean(
        metadata={"description": "organizers may invite you to public-welfare activities (on by default)"}
    )
    visibility = VisibilityField(
        metadata={
            "description": f"per-field visibility, each one of {', '.join(VISIBILITY_LEVELS)}; fields: "
            + ", ".join(VISIBILITY_DEFAULTS),
            "example": {"phone": "private", "bio": "public"},
        }
    )


class DeclarationInputSchema(Schema):
    """A relationship with an organization, declared for avoidance (回避)."""

    organization_id = fields.UUID(required=True, metadata={"description": "the organization concerned"})
    relationship = fields.String(
        required=True,
        validate=validate.OneOf(RELATIONSHIP_CODES),
        metadata={"description": "employment, director, supervisor, shareholder, adviser or relative",
                  "example": "director"},
    )  # fmt: skip
    from_ = fields.Date(
        required=True, data_key="from", metadata={"description": "when it began (YYYY-MM-DD)"}
    )
    to = fields.Date(
        allow_none=True, load_default=None, metadata={"description": "when it ended; null = ongoing"}
    )


class DeclarationSchema(Schema):
    id = fields.String(metadata={"description": "the declaration's id"})
    relationship = fields.String(metadata={"description": "the relationship code"})
    from_ = fields.Date(attribute="from", data_key="from", metadata={"description": "when it began"})
    to = fields.Date(allow_none=True, metadata={"description": "when it ended; null = ongoing"})
    entered_by = fields.String(metadata={"description": "practitioner or admin"})
    created_at = fields.DateTime(metadata={"description": "when it was declared"})
    organization = fields.Nested(
        OrganizationRefSchema, metadata={"description": "the organization concerned"}
    )


class AvailabilityInputSchema(Schema):
    """A period you cannot serve (both dates inclusive); draws skip you then."""

    from_ = fields.Date(
        required=True, data_key="from", metadata={"description": "first day away (inclusive)"}
    )
    to = fields.Date(required=True, metadata={"description": "last day away (inclusive)"})
    reason = Text(
        max_length=MAX_REASON_LENGTH, allow_none=True, load_default=None,
        metadata={"description": "private: only you and administrators see it"},
    )  # fmt: skip


class AvailabilitySchema(Schema):
    id = fields.String(metadata={"description": "the period's id"})
    from_ = fields.Date(attribute="from", data_key="from", metadata={"description": "first day away"})
    to = fields.Date(metadata={"description": "last day away"})
    reason = fields.String(allow_none=True, metadata={"description": "private: you and administrators"})


class InvitationAnswerSchema(Schema):
    """Your answer to a draw invitation: accepted, or declined with a reason."""

    response = fields.String(
        required=True,
        validate=validate.OneOf(RESPONSES),
        metadata={"description": "accepted or declined", "example": "accepted"},
    )
    reason = Text(
        max_length=500, allow_none=True, load_default=None, metadata={"description": "required to decline"}
    )


class InvitationSchema(Schema):
    draw_id = fields.String(metadata={"description": "the draw's id"})
    purpose = fields.String(metadata={"description": "what the panel is for, e.g. review_panel"})
    title = fields.String(metadata={"description": "the draw's title"})
    panel_date = fields.Date(allow_none=True, metadata={"description": "the day the panel sits"})
    draw_status = fields.String(metadata={"description": "the draw's own status"})
    organization = fields.Nested(
        OrganizationRefSchema, allow_none=True, metadata={"description": "the organization it is for"}
    )
    role = fields.String(metadata={"description": "panel or reserve"})
    order = fields.Integer(metadata={"description": "your place in the draw's sealed order"})
    status = fields.String(metadata={"description": "invited, accepted, declined, no_response…"})
    deadline = fields.Function(
        lambda row: row["deadline"].isoformat() if row.get("deadline") else None,
        metadata={"description": "answer before this (a date, or a date and time)"},
    )
    responded_at = fields.DateTime(allow_none=True, metadata={"description": "when you answered"})
    reason = fields.String(allow_none=True, metadata={"description": "the reason given with the answer"})


class KeyRequestSchema(Schema):
    """A key for the practitioner's own use."""

    label = Text(
        max_length=100,
        load_default="",
        metadata={"description": "a note to tell keys apart", "example": "本人"},
    )


class IssuedKeySchema(Schema):
    key = fields.String(metadata={"description": "the key itself: shown this once, never again"})
    prefix = fields.String(metadata={"description": "the key's public prefix, for lists and revocation"})
    role = fields.String(metadata={"description": "practitioner"})
    label = fields.String(metadata={"description": "the label given"})
    practitioner_id = fields.String(metadata={"description": "the practitioner the key is bound to"})
    created_at = fields.String(metadata={"description": "when it was created"})


class ExportArgs(Schema):
    format = fields.String(
        load_default="json",
        validate=validate.OneOf(("json", "xlsx")),
        metadata={"description": "json (default) or xlsx (one sheet per kind of data)"},
    )
