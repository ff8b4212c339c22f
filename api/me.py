"""/me: a practitioner keeps their own record (a `practitioner` key, bound to one person), and the admin
endpoints that serve them (/practitioners/{id}/keys, /declarations, /qualifications/{code}/confirm).
Invitations and activities on /me are in api/me_activities.py.
"""

from __future__ import annotations

from typing import Any

from flask import Response
from flask_restx import Namespace, Resource

from adapters.spreadsheets import XLSX_MEDIA_TYPE
from api.decorators import accepts, returns, with_query
from api.models import model
from api.practitioners import ns as practitioners_ns
from interface import presenters
from interface.auth import ADMIN, Forbidden, current_principal, require
from interface.context import ctx
from interface.schemas import jsonable
from interface.schemas.common import whole_list
from interface.schemas.me import (
    AvailabilityInputSchema,
    AvailabilitySchema,
    DeclarationInputSchema,
    DeclarationSchema,
    ExportArgs,
    IssuedKeySchema,
    KeyRequestSchema,
    MePatchSchema,
)
from interface.schemas.practitioner import CertificateSummarySchema, PractitionerSchema
from interface.workbooks import export_workbook
from services import availability, declarations, personal_data, profiles

ns = Namespace("me", description="Your own record, with a practitioner key: profile, visibility, declarations, "
               "availability, invitations, your data (PIPL)")  # fmt: skip

PRACTITIONER: tuple[str, ...] = ("practitioner",)
_PRACTITIONER = PractitionerSchema()
_DECLARATION = DeclarationSchema()
_AVAILABILITY = AvailabilitySchema()
DECLARED_ALREADY = (
    "The same relationship with this organization is declared for that time, or the record is deleted"
)


def me() -> str:
    """The id of the person the caller's key is bound to."""
    practitioner_id = current_principal().practitioner_id
    if practitioner_id is None:  # a practitioner key always names its person; guard anyway
        raise Forbidden("This key is not bound to a practitioner.")
    return practitioner_id


def own(view: dict[str, Any]) -> dict[str, Any]:
    """The caller's own record, in full."""
    return presenters.practitioner(view, is_self=True)


@ns.route("")
class Me(Resource):
    @require(PRACTITIONER)
    @returns(ns, _PRACTITIONER, present=own)
    def get(self) -> dict[str, Any]:
        """Your record as stored, with your visibility settings (each field's level, defaults filled in)."""
        return profiles.get_own(ctx(), me())

    @require(PRACTITIONER)
    @ns.response(409, "Your record is deleted; it can no longer be changed")
    @returns(ns, _PRACTITIONER, present=own)
    @accepts(ns, MePatchSchema(), partial=True, name="MePatch")
    def patch(self, data: dict[str, Any]) -> dict[str, Any]:
        """Change your profile, contact details, showcase consent or visibility; lists replace; qualifications
        you add are 'declared' until an admin confirms them. Name, ID card, certificates, pools, evaluations
        and records are the registry's."""
        return profiles.update_own(ctx(), me(), data)


@ns.route("/certificates")
class MyCertificates(Resource):
    @require(PRACTITIONER)
    @returns(ns, None, description="{items, total, page, per_page} of your certificates")
    def get(self) -> dict[str, Any]:
        """Your certificates with their status today."""
        view = profiles.get_own(ctx(), me())
        return whole_list(CertificateSummarySchema(many=True).dump(view["certificates"]))


@ns.route("/evaluations")
class MyEvaluations(Resource):
    @require(PRACTITIONER)
    @returns(ns, None, description="{items, total, page, per_page} of evaluations of your work, newest first")
    def get(self) -> dict[str, Any]:
        """How clients rated your work (empty until there are evaluations)."""
        return whole_list(jsonable(profiles.evaluations(ctx(), me())))


@ns.route("/export")
class MyExport(Resource):
    @require(PRACTITIONER)
    @returns(ns, None, description="everything stored about you (JSON), or an XLSX workbook")
    @with_query(ns, ExportArgs())
    def get(self, args: dict[str, Any]) -> Any:
        """A copy of everything the registry stores about you (PIPL art. 45): JSON, or `?format=xlsx`."""
        data = personal_data.export(ctx(), me())
        if args["format"] == "xlsx":
            return Response(
                export_workbook(data),
                mimetype=XLSX_MEDIA_TYPE,
                headers={"Content-Disposition": 'attachment; filename="my-registry-data.xlsx"'},
            )
        return jsonable(data)


@ns.route("/deletion-request")
class MyDeletionRequest(Resource):
    @require(PRACTITIONER)
    @ns.response(409, "Deletion was already requested")
    @returns(
        ns,
        None,
        description="{status, deletion_requested_at, removed, anonymised, kept, keys_revoked, evidence_kept_until}",
    )
    def post(self) -> dict[str, Any]:
        """Withdraw consent and have your data deleted (PIPL art. 47): off the showcase and the pools, profile
        and contact data erased; your certificates and their history stay, as verification requires, and so do
        your employments, engagement teams and site visits for five years (State Council order 775), which other
        people's conflict checks rest on. Your keys stop working."""
        return jsonable(personal_data.request_deletion(ctx(), me()))


@ns.route("/declarations")
class MyDeclarations(Resource):
    @require(PRACTITIONER)
    @returns(ns, None, description="{items, total, page, per_page} of your declarations, newest first")
    def get(self) -> dict[str, Any]:
        """Your declared relationships with organizations (for avoidance in draws and matching)."""
        return whole_list(_DECLARATION.dump(declarations.of_practitioner(ctx(), me()), many=True))

    @require(PRACTITIONER)
    @ns.response(409, DECLARED_ALREADY)
    @ns.response(201, "Declared", model(ns, _DECLARATION))
    @accepts(ns, DeclarationInputSchema())
    def post(self, data: dict[str, Any]) -> tuple[dict[str, Any], int]:
        """Declare a relationship: employment, director, supervisor, shareholder, adviser, relative."""
        return _DECLARATION.dump(declarations.declare(ctx(), me(), data, entered_by="practitioner")), 201


@ns.route("/availability")
class MyAvailability(Resource):
    @require(PRACTITIONER)
    @returns(ns, None, description="{items, total, page, per_page} of your periods, earliest first")
    def get(self) -> dict[str, Any]:
        """The periods you declared you cannot serve."""
        return whole_list(_AVAILABILITY.dump(availability.of_practitioner(ctx(), me()), many=True))

    @require(PRACTITIONER)
    @ns.response(409, "Overlaps a period already declared")
    @ns.response(201, "Declared", model(ns, _AVAILABILITY))
    @accepts(ns, AvailabilityInputSchema())
    def post(self, data: dict[str, Any]) -> tuple[dict[str, Any], int]:
        """Declare a period you cannot serve; the reason is private (you and admins)."""
        return _AVAILABILITY.dump(availability.declare(ctx(), me(), data)), 201


@ns.route("/availability/<string:period_id>")
@ns.param("period_id", "the period's id")
class MyAvailabilityPeriod(Resource):
    @require(PRACTITIONER)
    @returns(ns, _AVAILABILITY, description="Withdrawn")
    def delete(self, period_id: str) -> dict[str, Any]:
        """Withdraw one of your periods."""
        return availability.remove(ctx(), me(), period_id)


# --- Admin endpoints on /practitioners/{id} that serve self-service ---------------------------------------


@practitioners_ns.route("/<uuid:practitioner_id>/keys")
@practitioners_ns.param("practitioner_id", "the practitioner's id (UUID)")
class PractitionerKeys(Resource):
    @require(ADMIN)
    @practitioners_ns.response(409, "The practitioner is deleted; restore them first")
    @practitioners_ns.response(
        201, "Created; `key` is shown only in this answer", model(practitioners_ns, IssuedKeySchema())
    )
    @accepts(practitioners_ns, KeyRequestSchema())
    def post(self, practitioner_id: Any, data: dict[str, Any]) -> tuple[dict[str, Any], int]:
        """Issue a practitioner key bound to this person (admin); the key is in this answer only."""
        issued = profiles.issue_key(ctx(), str(practitioner_id), data["label"])
        return IssuedKeySchema().dump(issued), 201


@practitioners_ns.route("/<uuid:practitioner_id>/declarations")
@practitioners_ns.param("practitioner_id", "the practitioner's id (UUID)")
class PractitionerDeclarations(Resource):
    @require(ADMIN)
    @returns(practitioners_ns, None, description="{items, total, page, per_page} of declarations")
    def get(self, practitioner_id: Any) -> dict[str, Any]:
        """A practitioner's declarations (admin)."""
        return whole_list(
            _DECLARATION.dump(declarations.of_practitioner(ctx(), str(practitioner_id)), many=True)
        )

    @require(ADMIN)
    @practitioners_ns.response(409, DECLARED_ALREADY)
    @practitioners_ns.response(201, "Declared", model(practitioners_ns, _DECLARATION))
    @accepts(practitioners_ns, DeclarationInputSchema())
    def post(self, practitioner_id: Any, data: dict[str, Any]) -> tuple[dict[str, Any], int]:
        """Record a declaration for a practitioner (admin), e.g. from a signed form."""
        declared = declarations.declare(ctx(), str(practitioner_id), data, entered_by="admin")
        return _DECLARATION.dump(declared), 201


@practitioners_ns.route("/<uuid:practitioner_id>/availability")
@practitioners_ns.param("practitioner_id", "the practitioner's id (UUID)")
class PractitionerAvailability(Resource):
    @require(ADMIN)
    @returns(practitioners_ns, None, description="{items, total, page, per_page} of periods, earliest first")
    def get(self, practitioner_id: Any) -> dict[str, Any]:
        """The periods a practitioner declared they cannot serve, with their private reasons (admin)."""
        return whole_list(
            _AVAILABILITY.dump(availability.of_practitioner(ctx(), str(practitioner_id)), many=True)
        )


@practitioners_ns.route("/<uuid:practitioner_id>/qualifications/<string:code>/confirm")
@practitioners_ns.param("practitioner_id", "the practitioner's id (UUID)")
@practitioners_ns.param("code", "the qualification's code")
class PractitionerQualificationConfirm(Resource):
    @require(ADMIN)
    @returns(practitioners_ns, _PRACTITIONER, present=presenters.practitioner)
    def post(self, practitioner_id: Any, code: str) -> dict[str, Any]:
        """Confirm a qualification the practitioner declared (admin): it then counts in matching."""
        return profiles.confirm_qualification(ctx(), str(practitioner_id), code)
