"""/imports: bulk import of practitioners and certificates, of employment history and of control relations from
CSV or XLSX, and the record of imports (admin)."""

from __future__ import annotations

from typing import Any

from flask import request
from flask_restx import Namespace, Resource

from api.decorators import paginated
from interface.auth import ADMIN, require
from interface.context import ctx
from interface.limits import UPLOAD_DOC, readable_file, uploaded_file
from interface.schemas.imports import ImportArgs, ImportBatchSchema
from registry.errors import ValidationFailed
from services import affiliation_imports, imports
from services.context import Page

ns = Namespace(
    "imports", description="Bulk import from CSV or Excel (姓名, 身份证号, 工种, 等级, 证书编号, 发证日期 …)"
)


@ns.route("")
class Imports(Resource):
    @require(ADMIN)
    @paginated(ns, ImportArgs(), ImportBatchSchema())
    def get(self, args: dict[str, Any]) -> Page:
        """Imports, newest first (admin): running, completed, failed, or superseded by a later run of the file."""
        return imports.list_imports(ctx(), args["page"], args["per_page"])

    @ns.doc(**UPLOAD_DOC)
    @require(ADMIN)
    def post(self) -> dict[str, Any]:
        """Import a CSV or XLSX file (admin): valid rows are written, invalid rows reported by row and column."""
        upload = uploaded_file()
        with readable_file():
            report = imports.import_file(ctx(), upload.stream, upload.filename)
        return report.to_dict()


# The employment and relation imports take one more form field than /imports.
_WHOLE_FILE_DOC = {
    **UPLOAD_DOC,
    "params": {
        **UPLOAD_DOC["params"],
        "dry_run": {
            "in": "formData",
            "type": "boolean",
            "description": "true: check every row against the registry and report, writing nothing",
        },
    },
}
_DRY_RUN = {"true": True, "1": True, "false": False, "0": False, "": False}


def _dry_run() -> bool:
    value = request.form.get("dry_run", "").strip().lower()
    if value not in _DRY_RUN:
        raise ValidationFailed({"dry_run": ["Must be true or false."]})
    return _DRY_RUN[value]


@ns.route("/employments")
class EmploymentImports(Resource):
    @ns.doc(**_WHOLE_FILE_DOC)
    @require(ADMIN)
    def post(self) -> dict[str, Any]:
        """Import employment history (admin): person by id or ID card, organization by id or USCC, since, until;
        every row goes through the rules of POST /practitioners/{id}/employments, and the file is written whole or,
        if any row is refused, not at all (`written`)."""
        upload = uploaded_file()
        dry_run = _dry_run()
        with readable_file():
            report = affiliation_imports.import_employments(
                ctx(), upload.stream, upload.filename, dry_run=dry_run
            )
        return report.to_dict()


@ns.route("/relations")
class RelationImports(Resource):
    @ns.doc(**_WHOLE_FILE_DOC)
    @require(ADMIN)
    def post(self) -> dict[str, Any]:
        """Import control relations between organizations (admin): child, parent (by id or USCC), kind, share,
        since, until; every row goes through the rules of POST /organizations/{id}/relations (a cycle two rows
        close included), and the file is written whole or, if any row is refused, not at all (`written`)."""
        upload = uploaded_file()
        dry_run = _dry_run()
        with readable_file():
            report = affiliation_imports.import_relations(
                ctx(), upload.stream, upload.filename, dry_run=dry_run
            )
        return report.to_dict()
