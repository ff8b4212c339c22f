"""Practitioner request and response shapes."""

from __future__ import annotations

from collections.abc import Callable
from datetime import date
from typing import Any

from marshmallow import Schema, ValidationError, fields, validate

from interface.schemas.common import (
    OrganizationRefSchema,
    PageArgs,
    RefSchema,
    StrictBoolean,
    StrictInteger,
    Text,
    code_field,
    level_field,
    region_code_field,
    work_type_field,
)
from interface.schemas.credit import CreditSummarySchema
from registry.errors import InvalidIdentifier
from registry.identifiers import normalize_email, normalize_id_card, normalize_phone
from registry.taxonomy import EDUCATION_CODES, GENDERS, POOL_CODES, PRACTITIONER_STATUSES
from services.search import SORTS

PII_FIELDS: tuple[str, ...] = ("id_card_tail", "phone", "email")


class Identifier(fields.String):
    """A string normalised and checked by one of `registry.identifiers`' validators."""

    def __init__(self, normalize: Callable[[str], str], **kwargs: Any) -> None:
        super().__init__(validate=validate.Length(max=254), **kwargs)
        self.normalize = normalize

    def _deserialize(self, value: Any, attr: Any, data: Any, **kwargs: Any) -> str:
        text = super()._deserialize(value, attr, data, **kwargs)
        try:
            return self.normalize(text)
        except InvalidIdentifier as error:
            raise ValidationError(str(error)) from None


def _work_start_year(value: int) -> None:
    if not 1950 <= value <= date.today().year:
        raise ValidationError(f"Must be a year between 1950 and {date.today().year}.")


class PractitionerInputSchema(Schema):
    """A practitioner to register; the ID card is stored only as a keyed hash and its last 4 characters."""

    name = Text(required=True, max_length=50, refuses_formulas=True, metadata={"example": "王小明"})
    id_card = Identifier(
        normalize_id_card, required=True, load_only=True,
        metadata={
            "description": "GB 11643 resident ID (18 characters, ISO 7064 check character); stored only as a "
            "keyed hash + last 4",
            "swagger": {"pattern": "^[0-9]{17}[0-9Xx]$"},
        },
    )  # fmt: skip
    gender = fields.String(validate=validate.OneOf(GENDERS), allow_none=True)
    education = fields.String(validate=validate.OneOf(EDUCATION_CODES), allow_none=True)
    enrolled = StrictBoolean(load_default=False, metadata={"description": "still studying (在读)"})
    work_start_year = StrictInteger(
        validate=_work_start_year,
        allow_none=True,
        # The maximum is this year when the process started: a day or so stricter at New Year, never looser.
        metadata={
            "description": "from 1950 to this year",
            "swagger": {"minimum": 1950, "maximum": date.today().year},
        },
    )
    region = region_code_field(allow_none=True, metadata={"example": "420100"})
    employer_id = fields.UUID(allow_none=True)
    phone = Identifier(
        normalize_phone,
        allow_none=True,
        metadata={
            "example": "13800000000",
            "description": "an 11-digit mainland mobile number",
            "swagger": {"pattern": "^1[3-9][0-9]{9}$"},
        },
    )
    email = Identifier(
        normalize_email, allow_none=True, metadata={"swagger": {"pattern": "^[^@\\s]+@[^@\\s]+\\.[^@\\s]+$"}}
    )
    public_profile = StrictBoolean(
        load_default=False, metadata={"description": "consents to the public showcase"}
    )
    specialties = fields.List(code_field(), validate=validate.Length(max=30))
    qualifications = fields.List(code_field(), validate=validate.Length(max=30))
    industries = fields.List(
        code_field(), validate=validate.Length(max=20), metadata={"description": "industries of experience"}
    )
    bio = Text(max_length=2000, min_length=0, multiline=True, allow_none=True)


class PractitionerPatchSchema(PractitionerInputSchema):
    """Fields of a practitioner to change, and their status (active or suspended)."""

    status = fields.String(
        # "deleted" is set by DELETE only, so the soft delete keeps its own time and history.
        validate=validate.OneOf([status for status in PRACTITIONER_STATUSES if status != "deleted"]),
        metadata={"description": "active or suspended; a deleted practitioner is restored by setting active"},
    )


class EmployerRefSchema(OrganizationRefSchema):
    since = fields.Date(allow_none=True)


class QualificationRefSchema(RefSchema):
    number = fields.String(allow_none=True)
    since = fields.Date(allow_none=True)
    status = fields.String(
        metadata={
            "description": "confirmed (by an admin) or declared (claimed by the practitioner, unchecked)"
        }
    )


class CertificateSummarySchema(Schema):
    number = fields.String()
    work_type = fields.String()
    level = fields.Integer()
    status = fields.String()
    issued_on = fields.Date()
    expires_on = fields.Date(allow_none=True)


class WelfareYearSchema(Schema):
    year = fields.Integer()
    activities = fields.Integer()
    hours = fields.Float()


class PublicWelfareSchema(Schema):
    """A person's public-welfare record (公益服务): attended activities not cancelled, and their hours."""

    activities = fields.Integer()
    hours = fields.Float()
    by_year = fields.List(fields.Nested(WelfareYearSchema))


class PractitionerSchema(Schema):
    id = fields.String()
    name = fields.String()
    gender = fields.String(allow_none=True)
    education = fields.String(allow_none=True)
    enrolled = fields.Boolean(allow_none=True)
    work_start_year = fields.Integer(allow_none=True)
    experience_years = fields.Method(
        "_experience_years",
        metadata={
            "description": "years since work_start_year (null when unknown)",
            "swagger": {"type": "integer", "x-nullable": True},
        },
    )
    status = fields.String()
    public_profile = fields.Boolean(allow_none=True)
    bio = fields.String(allow_none=True)
    region = fields.Nested(RefSchema, allow_none=True)
    employer = fields.Nested(EmployerRefSchema, allow_none=True)
    specialties = fields.List(fields.Nested(RefSchema))
    qualifications = fields.List(fields.Nested(QualificationRefSchema))
    industries = fields.List(fields.Nested(RefSchema))
    pools = fields.List(fields.String())
    certificates = fields.List(fields.Nested(CertificateSummarySchema))
    # Admin only (not in SHARED_FIELDS): a count that moves with undisclosed panels would reveal them.
    draws_served = fields.Integer(metadata={"description": "expert panel seats accepted (admin only)"})
    last_draw_on = fields.Date(
        allow_none=True, metadata={"description": "date of the last panel served (admin only)"}
    )
    credit = fields.Nested(
        CreditSummarySchema,
        metadata={
            "description": "the credit record: evaluations {count, mean}, active sanctions, draws served"
        },
    )
    public_welfare = fields.Nested(
        PublicWelfareSchema,
        metadata={
            "description": "counted public-welfare participation; shown as the person's visibility allows"
        },
    )
    created_at = fields.DateTime(allow_none=True)
    updated_at = fields.DateTime(allow_none=True)
    deleted_at = fields.DateTime(allow_none=True)
    # Personal data: the ID card tail for admin and the person only; phone and email as the person's
    # visibility settings allow (admin only by default; see registry/visibility.py).
    id_card_tail = fields.String(
        allow_none=True, metadata={"description": "last 4 characters of the ID card (admin and the person)"}
    )
    phone = fields.String(
        allow_none=True,
        metadata={"description": "shown as the person's visibility allows (default admin only)"},
    )
    email = fields.String(
        allow_none=True,
        metadata={"description": "shown as the person's visibility allows (default admin only)"},
    )
    visibility = fields.Dict(
        keys=fields.String(),
        values=fields.String(),
        metadata={
            "description": "per-field visibility (public, clients, private); admin and the person only"
        },
    )
    # Admin and the person only (not in SHARED_FIELDS): whether organizers may invite them (issue 25).
    contact_for_activities = fields.Boolean(
        metadata={"description": "accepts invitations to public-welfare activities (admin and the person)"}
    )
    deletion_requested_at = fields.DateTime(
        allow_none=True,
        metadata={"description": "when the person asked for their data to be deleted (admin and the person)"},
    )

    def _experience_years(self, obj: dict[str, Any]) -> int | None:
        start = obj.get("work_start_year")
        return max(0, date.today().year - start) if start else None


FULL = PractitionerSchema()
# An allow-list: a field added to the schema later stays admin-only until it is named here.
SHARED_FIELDS: tuple[str, ...] = (
    "id", "name", "gender", "education", "enrolled", "work_start_year", "experience_years", "status",
    "public_profile", "bio", "region", "employer", "specialties", "qualifications", "industries", "pools",
    "certificates", "created_at", "updated_at", "deleted_at", "credit", "public_welfare",
)  # fmt: skip
WITHOUT_PII = PractitionerSchema(only=SHARED_FIELDS)
assert not set(SHARED_FIELDS) & set(PII_FIELDS)
# What anyone but admin and the person may be shown, once `registry.visibility.present` has removed what the
# person's settings hide: the shared fields plus the contact details a person may choose to publish.
PRESENTED = PractitionerSchema(only=(*SHARED_FIELDS, "phone", "email"))


class SearchArgs(PageArgs):
    work_type = work_type_field(metadata={"description": "a valid certificate of this work type"})
    level = level_field(strict=False, metadata={"description": "a valid certificate at exactly this level"})
    min_level = level_field(strict=False, metadata={"description": "this level or higher (1 is highest)"})
    pool = fields.String(
        validate=validate.OneOf(sorted(POOL_CODES)),
        metadata={"description": "talent (人才库) or expert (专家库)"},
    )
    region = region_code_field(metadata={"description": "GB/T 2260 code; a province also matches its cities"})
    industry = code_field(metadata={"description": "declared experience or an engagement in this industry"})
    specialty = code_field(metadata={"description": "a specialty code (see /taxonomy/specialties)"})
    qualification = code_field(
        metadata={"description": "a qualification code (see /taxonomy/qualifications)"}
    )
    q = fields.String(
        validate=validate.Length(min=1, max=100), metadata={"description": "full text (names, bios)"}
    )
    min_evaluation = fields.Float(
        validate=validate.Range(min=0, max=100),
        metadata={"description": "mean evaluation at least this (in work_type when given), 0–100"},
    )
    sort = fields.String(
        load_default="relevance",
        validate=validate.OneOf(SORTS),
        metadata={
            "description": "relevance (with q), level, experience, name or evaluation (mean, best first)"
        },
    )
