"""/imports: bulk import of practitioners and certificates from CSV or XLSX, and the record of imports (admin)."""

from __future__ import annotations

from typing import Any

from flask import request
from flask_restx import Namespace, Resource

from api.auth import ADMIN, require
from api.context import ctx
from api.decorators import Page, paginated
from api.limits import allow_upload
from api.schemas.imports import ImportArgs, ImportBatchSchema
from registry.errors import ImportFileError, ValidationFailed
from services import imports

ns = Namespace(
    "imports", description="Bulk import from CSV or Excel (姓名, 身份证号, 工种, 等级, 证书编号, 发证日期 …)"
)


@ns.route("")
class Imports(Resource):
    @require(ADMIN)
    @paginated(ns, ImportArgs(), ImportBatchSchema())
    def get(self, args: dict[str, Any]) -> Page:
        """Imports, newest first (admin): running, completed, failed, or superseded by a later run of the file."""
        return Page(*imports.list_imports(ctx(), args["page"], args["per_page"]))

    @ns.doc(
        consumes=["multipart/form-data"],
        params={"file": {"in": "formData", "type": "file", "required": True, "description": ".csv or .xlsx"}},
    )
    @require(ADMIN)
    def post(self) -> dict[str, Any]:
        """Import a CSV or XLSX file (admin): valid rows are written, invalid rows reported by row and column."""
        allow_upload()  # this request may carry up to MAX_UPLOAD_BYTES (413 past it, chunked or not)
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            raise ValidationFailed(
                {"file": ["Send the file as multipart/form-data in a field named 'file'."]},
                detail="No file was uploaded.",
            )
        try:
            report = imports.import_file(ctx(), upload.stream, upload.filename)
        except ImportFileError as error:
            raise ValidationFailed(
                {"file": [str(error)]}, detail=f"The file cannot be imported: {error}"
            ) from None
        return report.to_dict()
