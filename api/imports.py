"""/imports: bulk import of practitioners and certificates from CSV or XLSX (admin)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import request
from flask_restx import Namespace, Resource

from api.auth import ADMIN, require
from api.context import get_graph, get_settings
from graph import imports
from registry.errors import ValidationFailed
from registry.importing import ImportFileError

ns = Namespace(
    "imports", description="Bulk import from CSV or Excel (姓名, 身份证号, 工种, 等级, 证书编号, 发证日期 …)"
)

MAX_UPLOAD_BYTES = 200 * 1024 * 1024


@ns.route("")
class Imports(Resource):
    @ns.doc(
        consumes=["multipart/form-data"],
        params={"file": {"in": "formData", "type": "file", "required": True, "description": ".csv or .xlsx"}},
    )
    @require(ADMIN)
    def post(self) -> dict[str, Any]:
        """Import a CSV or XLSX file (admin): valid rows are written, invalid rows reported by row and column."""
        if request.content_length and request.content_length > MAX_UPLOAD_BYTES:
            raise ValidationFailed({"file": ["The file is larger than 200 MB."]})
        upload = request.files.get("file")
        if upload is None or not upload.filename:
            raise ValidationFailed(
                {"file": ["Send the file as multipart/form-data in a field named 'file'."]},
                detail="No file was uploaded.",
            )
        try:
            report = imports.import_file(
                get_graph(), upload.stream, upload.filename, id_card_key=get_settings().id_card_key,
                today=date.today(), by="api",
            )  # fmt: skip
        except ImportFileError as error:
            raise ValidationFailed(
                {"file": [str(error)]}, detail=f"The file cannot be imported: {error}"
            ) from None
        return report.to_dict()
