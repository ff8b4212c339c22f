"""/imports: bulk import of practitioners and certificates from CSV or XLSX, and the record of imports (admin)."""

from __future__ import annotations

from typing import Any

from flask_restx import Namespace, Resource

from api.decorators import paginated
from interface.auth import ADMIN, require
from interface.context import ctx
from interface.limits import UPLOAD_DOC, readable_file, uploaded_file
from interface.schemas.imports import ImportArgs, ImportBatchSchema
from services import imports
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
