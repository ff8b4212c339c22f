"""/practitioners: register, edit, soft-delete (admin); search (client+, and the public showcase); profiles."""

from __future__ import annotations

from typing import Any

from flask_restx import Namespace, Resource

from api.decorators import accepts, creates, paginated, returns
from api.models import model
from interface import presenters
from interface.auth import ADMIN, CLIENT_PLUS, require
from interface.context import ctx
from interface.schemas import jsonable
from interface.schemas.audit import AuditEntrySchema
from interface.schemas.common import PageArgs, whole_list
from interface.schemas.employment import EmploymentInputSchema, EmploymentSchema
from interface.schemas.engagement import EngagementSchema
from interface.schemas.practitioner import (
    CertificateSummarySchema,
    PractitionerInputSchema,
    PractitionerPatchSchema,
    PractitionerSchema,
    SearchArgs,
)
from registry.errors import NotFound
from services import audit, credit, employments, practitioners, profiles, search
from services.context import Page

ns = Namespace("practitioners", description="Certified carbon emission managers (碳排放管理员)")


_PRACTITIONER = PractitionerSchema()
_EMPLOYMENT = EmploymentSchema()


def search_page(args: dict[str, Any], pool: str | None = None) -> Page:
    """The search answer for validated query arguments, shown as the caller may see it."""
    result = search.search(
        ctx(), args, public_only=presenters.public_only(), pool=pool, audience=presenters.search_audience()
    )
    extra = {"pool": pool} if pool else {}
    return Page(
        presenters.practitioners(result.items, result.scores), result.total, extra | {"facets": result.facets}
    )


@ns.route("")
class PractitionerList(Resource):
    @paginated(ns, SearchArgs(), _PRACTITIONER, present=lambda items: items)
    def get(self, args: dict[str, Any]) -> Page:
        """Search practitioners (client+; without a key, the public showcase of consenting practitioners)."""
        return search_page(args)

    @require(ADMIN)
    @ns.response(409, "An ID card number already registered to another practitioner")
    @creates(ns, _PRACTITIONER, "practitioners_practitioner_item", present=presenters.practitioner,
             practitioner_id="id")  # fmt: skip
    @accepts(ns, PractitionerInputSchema())
    def post(self, data: dict[str, Any]) -> dict[str, Any]:
        """Register a practitioner (admin). The ID card is stored only as a keyed hash and its last 4 characters."""
        return practitioners.register(ctx(), data)


@ns.route("/<uuid:practitioner_id>")
@ns.param("practitioner_id", "the practitioner's id (UUID)")
class PractitionerItem(Resource):
    @ns.response(404, "No such practitioner (for the public: none who consented to the showcase)")
    @returns(ns, _PRACTITIONER, present=presenters.practitioner)
    def get(self, practitioner_id: Any) -> dict[str, Any]:
        """One practitioner: client+ see anyone active with the credit summary (admins: personal data and deleted
        ones too); without a client key, the showcase profile of a practitioner who consented to it."""
        context = ctx()
        view = practitioners.get(context, str(practitioner_id), include_deleted=presenters.sees_deleted())
        if presenters.public_only():
            if view["status"] != "active" or not view.get("public_profile"):
                raise NotFound(f"No practitioner with id {practitioner_id}.")
            return view | {"public_welfare": profiles.public_welfare_of(context, view["id"])}
        summary, welfare = credit.summary_and_public_welfare(context, view["id"])
        return view | {"credit": summary, "public_welfare": welfare}

    @require(ADMIN)
    @ns.response(409, "An ID card number already registered to another practitioner")
    @returns(ns, _PRACTITIONER, present=presenters.practitioner)
    @accepts(ns, PractitionerPatchSchema(), partial=True, name="PractitionerPatch")
    def patch(self, practitioner_id: Any, data: dict[str, Any]) -> dict[str, Any]:
        """Change some fields (admin); lists replace, a new employer closes the previous employment."""
        return practitioners.update(ctx(), str(practitioner_id), data)

    @require(ADMIN)
    @returns(ns, _PRACTITIONER, present=presenters.practitioner)
    def delete(self, practitioner_id: Any) -> dict[str, Any]:
        """Soft-delete (admin): status becomes deleted, pools end, certificates and history stay."""
        return practitioners.soft_delete(ctx(), str(practitioner_id))


@ns.route("/<uuid:practitioner_id>/certificates")
@ns.param("practitioner_id", "the practitioner's id (UUID)")
class PractitionerCertificates(Resource):
    @require(CLIENT_PLUS)
    @returns(ns, None, description="{items, total, page, per_page} of the person's certificates")
    def get(self, practitioner_id: Any) -> dict[str, Any]:
        """A practitioner's certificates with their status today (client+)."""
        items = practitioners.certificates(
            ctx(), str(practitioner_id), include_deleted=presenters.sees_deleted()
        )
        return whole_list(CertificateSummarySchema(many=True).dump(items))


@ns.route("/<uuid:practitioner_id>/engagements")
@ns.param("practitioner_id", "the practitioner's id (UUID)")
class PractitionerEngagements(Resource):
    @require(CLIENT_PLUS)
    @paginated(ns, PageArgs(), EngagementSchema())
    def get(self, practitioner_id: Any, args: dict[str, Any]) -> Page:
        """The engagements a practitioner worked on, newest first, with their role (client+)."""
        items, total = practitioners.engagements(
            ctx(),
            str(practitioner_id),
            args["page"],
            args["per_page"],
            include_deleted=presenters.sees_deleted(),
        )
        return Page(items, total)


@ns.route("/<uuid:practitioner_id>/employments")
@ns.param("practitioner_id", "the practitioner's id (UUID)")
class PractitionerEmployments(Resource):
    @ns.response(403, "The person keeps their employer hidden from your role")
    @returns(
        ns, None, description="{items, total, page, per_page} of the person's employments, current first"
    )
    def get(self, practitioner_id: Any) -> dict[str, Any]:
        """A practitioner's employment history, current and past, with dates (whoever may see their employer:
        admins and the person always, others as the person's `employer` visibility says)."""
        context = ctx()
        view = practitioners.get(context, str(practitioner_id), include_deleted=presenters.sees_deleted())
        presenters.check_sees_employer(view)
        return whole_list(_EMPLOYMENT.dump(employments.history(context, view["id"]), many=True))

    @require(ADMIN)
    @ns.response(404, "No practitioner or organization with that id")
    @ns.response(409, "Overlaps an employment with the same organization, or a second current employer")
    @ns.response(201, "Recorded", model(ns, _EMPLOYMENT))
    @accepts(ns, EmploymentInputSchema())
    def post(self, practitioner_id: Any, data: dict[str, Any]) -> tuple[dict[str, Any], int]:
        """Record a past or current employment with its dates, as a new fact beside the others (admin)."""
        return _EMPLOYMENT.dump(employments.record(ctx(), str(practitioner_id), data)), 201


@ns.route("/<uuid:practitioner_id>/graph")
@ns.param("practitioner_id", "the practitioner's id (UUID)")
class PractitionerGraph(Resource):
    @require(CLIENT_PLUS)
    @returns(
        ns,
        None,
        description="{nodes, edges, limits}",
        present=lambda d: jsonable(presenters.neighbourhood(d)),
    )
    def get(self, practitioner_id: Any) -> dict[str, Any]:
        """The practitioner's neighbourhood as {nodes, edges}: certificates, pools, employer, engagements,
        clients, industries and colleagues from shared engagements (bounded; client+)."""
        return practitioners.neighbourhood(ctx(), str(practitioner_id))


@ns.route("/<uuid:practitioner_id>/history")
@ns.param("practitioner_id", "the practitioner's id (UUID)")
class PractitionerHistory(Resource):
    @require(ADMIN)
    @paginated(ns, PageArgs(), AuditEntrySchema())
    def get(self, practitioner_id: Any, args: dict[str, Any]) -> Page:
        """Every audited change that concerns this practitioner, newest first (admin)."""
        return audit.practitioner_history(ctx(), str(practitioner_id), args["page"], args["per_page"])
