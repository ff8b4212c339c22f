"""Shapes of the signed documents' answers: POST /verify/document and the participation certificate's page."""

from __future__ import annotations

from marshmallow import Schema, fields

from registry.documents import DOCUMENT_KINDS


class DocumentCheckSchema(Schema):
    """What an uploaded PDF proves: its signature, its issuer, and the register today."""

    signature_intact = fields.Boolean(
        required=True,
        metadata={
            "description": "pyHanko's validator: the signed bytes are unchanged and nothing was added after"
        },
    )
    issued_by_registry = fields.Boolean(
        required=True, metadata={"description": "signed with this registry's document certificate"}
    )
    number = fields.String(
        allow_none=True,
        metadata={
            "description": "the certificate number (or participation code) the document states, if any"
        },
    )
    kind = fields.String(
        allow_none=True,
        metadata={"enum": list(DOCUMENT_KINDS), "description": "certificate or activity-certificate"},
    )
    valid = fields.Boolean(
        required=True,
        metadata={
            "description": "an intact document of this registry whose certificate is valid in the register today"
        },
    )
    reason = fields.String(
        allow_none=True,
        metadata={
            "description": "why not valid: unsigned, signature_broken, not_issued_by_registry, "
            "not_a_registry_document, unknown_number, participation_not_counted, or the register's reason "
            "(certificate_revoked, holder_suspended, …)"
        },
    )


class ParticipationActivitySchema(Schema):
    id = fields.String()
    title = fields.String()
    kind = fields.String()
    starts_on = fields.Date(allow_none=True)
    ends_on = fields.Date(allow_none=True)
    organizer = fields.String(allow_none=True)


class ParticipationCertificateSchema(Schema):
    """A participation certificate as anyone holding its code sees it: whose (the name only), which activity, hours."""

    code = fields.String(required=True)
    valid = fields.Boolean(required=True, metadata={"description": "the participation still counts"})
    holder = fields.String(allow_none=True)
    activity = fields.Nested(ParticipationActivitySchema)
    hours = fields.Float(allow_none=True)
