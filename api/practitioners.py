"""/practitioners: register, edit, soft-delete (admin); search (client+, and the public showcase)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import url_for
from flask_restx import Namespace, Resource
from marshmallow import Schema, fields, validate

from api import codes, get_graph, get_settings
from api.auth import ADMIN, CLIENT_PLUS, PUBLIC, current_role, require
from api.schemas import body, input_model, jsonable, model, query
from api.schemas.common import (
    PageArgs,
    code_field,
    level_field,
    page_of,
    region_code_field,
    whole_list,
    work_type_field,
)
from api.schemas.engagement import EngagementSchema
from api.schemas.practitioner import (
    FULL,
    WITHOUT_PII,
    CertificateSummarySchema,
    PractitionerInputSchema,
    PractitionerPatchSchema,
    PractitionerSchema,
)
from graph import certificates as certificate_repo
from graph import engagements as engagement_repo
from graph import practitioners as repo
from graph.neighbourhood import neighbourhood
from graph.search import FILTER_FIELDS, SORTS, SearchFilters, search
from registry.errors import NotFound
from registry.identifiers import id_card_hash, id_card_tail
from registry.masking import mask_name
from registry.taxonomy import POOL_CODES

ns = Namespace("practitioners", description="Certified carbon emission managers (碳排放管理员)")

CODE_FIELDS = {
    "region": "regions",
    "specialties": "specialties",
    "qualifications": "qualifications",
    "industries": "industries",
}


class SearchArgs(PageArgs):
    work_type = work_type_field()
    level = level_field(strict=False)
    min_level = level_field(strict=False, metadata={"description": "this level or higher (1 is highest)"})
    pool = fields.String(validate=validate.OneOf(sorted(POOL_CODES)))
    region = region_code_field(metadata={"description": "GB/T 2260 code; a province also matches its cities"})
    industry = code_field()
    specialty = code_field()
    qualification = code_field()
    q = fields.String(
        validate=validate.Length(min=1, max=100), metadata={"description": "full text (names, bios)"}
    )
    sort = fields.String(load_default="relevance", validate=validate.OneOf(SORTS))


SEARCH_CODE_FIELDS = {
    "region": "regions",
    "industry": "industries",
    "specialty": "specialties",
    "qualification": "qualifications",
}

_INPUT = PractitionerInputSchema()
_PATCH = PractitionerPatchSchema()
_SEARCH = SearchArgs()
_PAGE = PageArgs()


def dump_practitioner(view: dict[str, Any], today: date, role: str | None = None) -> dict[str, Any]:
    """A practitioner as `role` may see them: personal data for admin only, masked names for the public."""
    role = role or current_role()
    view = {
        **view,
        "certificates": [
            certificate_repo.with_effective_status(c, today) for c in view.get("certificates") or []
        ],
    }
    data = (FULL if role == "admin" else WITHOUT_PII).dump(view)
    if role == PUBLIC and not view.get("public_profile"):
        data["name"] = mask_name(data["name"])
    return data


def _hash_id_card(data: dict[str, Any]) -> dict[str, Any]:
    data = dict(data)
    if "id_card" in data:
        id_card = data.pop("id_card")
        data["id_card_hash"] = id_card_hash(id_card, get_settings().id_card_key)
        data["id_card_tail"] = id_card_tail(id_card)
    if data.get("employer_id") is not None:
        data["employer_id"] = str(data["employer_id"])
    return data


def filters_from(args: dict[str, Any], role: str, **overrides: Any) -> SearchFilters:
    """Search filters from validated query arguments, with the visibility the role allows."""
    codes.check(args, SEARCH_CODE_FIELDS)
    values = {key: args.get(key) for key in (*FILTER_FIELDS, "q")} | overrides
    return SearchFilters(**values, public_only=role == PUBLIC)


@ns.route("")
class PractitionerList(Resource):
    @ns.doc(params={name: f.metadata.get("description", "") for name, f in _SEARCH.fields.items()})
    def get(self) -> dict[str, Any]:
        """Search practitioners (client+; without a key, the public showcase of consenting practitioners)."""
        role = current_role()
        args = query(_SEARCH)
        today = date.today()
        result = search(
            get_graph(), filters_from(args, role), today=today,
            page=args["page"], per_page=args["per_page"], sort=args["sort"],
        )  # fmt: skip
        items = [
            dump_practitioner(view, today, role) | {"score": result.scores.get(view["id"])}
            for view in result.items
        ]
        return page_of(items, result.total, args["page"], args["per_page"], facets=result.facets)

    @ns.expect(input_model(ns, _INPUT))
    @ns.response(201, "Registered", model(ns, PractitionerSchema()))
    @require(ADMIN)
    def post(self) -> tuple[dict[str, Any], int, dict[str, str]]:
        """Register a practitioner (admin). The ID card is stored only as a keyed hash and its last 4 characters."""
        data = body(_INPUT)
        codes.check(data, CODE_FIELDS)
        today = date.today()
        view = repo.register(get_graph(), _hash_id_card(data), today)
        location = url_for("practitioners_practitioner_item", practitioner_id=view["id"])
        return dump_practitioner(view, today), 201, {"Location": location}


@ns.route("/<uuid:practitioner_id>")
class PractitionerItem(Resource):
    @require(ADMIN)
    def get(self, practitioner_id: Any) -> dict[str, Any]:
        """One practitioner with personal data (admin)."""
        today = date.today()
        return dump_practitioner(repo.get(get_graph(), str(practitioner_id), today), today)

    @ns.expect(input_model(ns, _PATCH, "PractitionerPatch"))
    @require(ADMIN)
    def patch(self, practitioner_id: Any) -> dict[str, Any]:
        """Change some fields (admin); lists replace, a new employer closes the previous employment."""
        data = body(_PATCH, partial=tuple(_PATCH.fields))
        codes.check(data, CODE_FIELDS)
        today = date.today()
        return dump_practitioner(
            repo.update(get_graph(), str(practitioner_id), _hash_id_card(data), today), today
        )

    @require(ADMIN)
    def delete(self, practitioner_id: Any) -> dict[str, Any]:
        """Soft-delete (admin): status becomes deleted, pools end, certificates and history stay."""
        today = date.today()
        return dump_practitioner(repo.soft_delete(get_graph(), str(practitioner_id), today), today)


class CertificateListSchema(Schema):
    items = fields.List(fields.Nested(CertificateSummarySchema))


@ns.route("/<uuid:practitioner_id>/certificates")
class PractitionerCertificates(Resource):
    @require(CLIENT_PLUS)
    def get(self, practitioner_id: Any) -> dict[str, Any]:
        """A practitioner's certificates with their status today (client+)."""
        today = date.today()
        view = repo.get(get_graph(), str(practitioner_id), today)
        if view["status"] == "deleted" and current_role() != "admin":
            raise NotFound(f"No practitioner with id {practitioner_id}.")
        items = [certificate_repo.with_effective_status(c, today) for c in view["certificates"]]
        return whole_list(CertificateSummarySchema(many=True).dump(items))


@ns.route("/<uuid:practitioner_id>/engagements")
class PractitionerEngagements(Resource):
    @ns.doc(params={"page": "", "per_page": ""})
    @require(CLIENT_PLUS)
    def get(self, practitioner_id: Any) -> dict[str, Any]:
        """The engagements a practitioner worked on, newest first, with their role (client+)."""
        args = query(_PAGE)
        today = date.today()
        view = repo.get(get_graph(), str(practitioner_id), today)
        if view["status"] == "deleted" and current_role() != "admin":
            raise NotFound(f"No practitioner with id {practitioner_id}.")
        filters = {"practitioner_id": str(practitioner_id)}
        items, total = engagement_repo.search(get_graph(), filters, args["page"], args["per_page"])
        if current_role() != "admin":  # a deleted colleague stays in the history, but only admins see them
            items = [
                {**e, "team": [m for m in e["team"] if m["practitioner"]["status"] != "deleted"]}
                for e in items
            ]
        return page_of(EngagementSchema(many=True).dump(items), total, args["page"], args["per_page"])


@ns.route("/<uuid:practitioner_id>/graph")
class PractitionerGraph(Resource):
    @require(CLIENT_PLUS)
    def get(self, practitioner_id: Any) -> dict[str, Any]:
        """The practitioner's neighbourhood as {nodes, edges}: certificates, pools, employer, engagements,
        clients, industries and colleagues from shared engagements (bounded; client+)."""
        return jsonable(neighbourhood(get_graph(), str(practitioner_id), date.today()))
