"""Notification shapes: a person's notifications (issue 26's contract), their channel choice, failed deliveries."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from interface.schemas.common import PageArgs
from registry.notifications import CHANNELS, DELIVERY_STATES, KIND_CODES


class DeliverySchema(Schema):
    channel = fields.String(metadata={"description": "in_app, email or sms", "enum": list(CHANNELS)})
    status = fields.String(metadata={"description": "pending, sending, sent, failed or skipped",
                                     "enum": list(DELIVERY_STATES)})  # fmt: skip
    attempts = fields.Integer(
        metadata={"description": "tries so far (in-app: 0, it is delivered when written)"}
    )


class NotificationSchema(Schema):
    id = fields.String()
    kind = fields.String(metadata={"description": "what it is about", "enum": list(KIND_CODES)})
    channel = fields.String(metadata={"description": "the main channel it went out on"})
    title = fields.String()
    body = fields.String(metadata={"description": "the message in Chinese (invitations carry answer links)"})
    created_at = fields.DateTime()
    read_at = fields.DateTime(allow_none=True)
    delivery = fields.List(fields.Nested(DeliverySchema))


class NotificationArgs(PageArgs):
    unread = fields.Boolean(load_default=None, allow_none=True, metadata={"description": "true: unread only"})


class PreferenceSchema(Schema):
    kind = fields.String()
    name = fields.String(metadata={"description": "the kind's Chinese name"})
    mandatory = fields.Boolean(
        metadata={"description": "cannot be switched off, only moved to another channel"}
    )
    channels = fields.List(fields.String(), metadata={"description": "where it goes for you"})
    default = fields.List(fields.String())


class PreferencesSchema(Schema):
    items = fields.List(fields.Nested(PreferenceSchema))
    reachable = fields.List(
        fields.String(), metadata={"description": "channels you can receive (e-mail and SMS need an address)"}
    )


class PreferencesInputSchema(Schema):
    """{kind: [channels]} for the kinds you change; an empty list switches a kind off (not a draw invitation)."""

    channels = fields.Dict(
        keys=fields.String(validate=validate.OneOf(KIND_CODES)),
        values=fields.List(fields.String(validate=validate.OneOf(CHANNELS)), validate=validate.Length(max=3)),
        required=True,
        metadata={"example": {"certificate_expiring": ["in_app", "sms"], "draw_invitation": ["sms"]}},
    )


class FailedDeliverySchema(Schema):
    delivery_id = fields.String()
    notification_id = fields.String()
    kind = fields.String()
    channel = fields.String()
    recipient_id = fields.String(
        allow_none=True, metadata={"description": "the practitioner (none: a complainant)"}
    )
    external = fields.Boolean(metadata={"description": "sent to an address given with a complaint"})
    attempts = fields.Integer()
    attempted_at = fields.List(fields.DateTime())
    errors = fields.List(fields.String(), metadata={"description": "each attempt's error"})
    created_at = fields.DateTime()
