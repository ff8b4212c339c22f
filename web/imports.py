"""管理 · 批量导入: upload a spreadsheet, see the row report as a table, download the errors as XLSX."""

from __future__ import annotations

import io
import json
from typing import Any

from flask import Response, abort, render_template, request

from adapters.spreadsheets import write_xlsx
from interface.context import ctx
from registry.errors import ImportFileError
from registry.import_values import echoed
from services import imports
from web.admin import admin_only
from web.portal import accepts_upload, portal

ERROR_HEADERS = {"row": "行号", "column": "列", "value": "内容", "reason": "原因"}
MAX_ERRORS_DOWNLOADED = 1000  # what the report keeps, see registry/import_report.py


@portal.route("/admin/imports", methods=["GET", "POST"])
@accepts_upload
@admin_only
def admin_imports() -> Any:
    """The upload form and the latest imports; a posted file is imported and its report shown."""
    recent = imports.list_imports(ctx(), 1, 10).items
    if request.method == "GET":
        return render_template("admin/imports.html", report=None, recent=recent, error=None)
    upload = request.files.get("file")
    if upload is None or not upload.filename:
        return render_template(
            "admin/imports.html", report=None, recent=recent, error="请选择要导入的 CSV 或 XLSX 文件。"
        ), 400
    try:
        report = imports.import_file(ctx(), upload.stream, upload.filename).to_dict()
    except ImportFileError as error:
        return render_template(
            "admin/imports.html", report=None, recent=recent, error=f"文件无法导入：{error}"
        ), 400
    recent = imports.list_imports(ctx(), 1, 10).items
    errors_json = json.dumps(report["errors"][:MAX_ERRORS_DOWNLOADED], ensure_ascii=False)
    return render_template(
        "admin/imports.html", report=report, recent=recent, error=None, errors_json=errors_json
    )


@portal.route("/admin/imports/errors.xlsx", methods=["POST"])
@admin_only
def admin_import_errors() -> Response:
    """The rows a report refused, as a workbook (values as the report shows them: personal data masked)."""
    try:
        errors = json.loads(request.form.get("errors", "[]"))
    except ValueError:
        abort(400)
    if not isinstance(errors, list) or len(errors) > MAX_ERRORS_DOWNLOADED:
        abort(400)
    rows = [
        {ERROR_HEADERS[k]: echoed(v) if isinstance(v := e.get(k), str) else v for k in ERROR_HEADERS}
        for e in errors
        if isinstance(e, dict)
    ]  # the values as the report cut them; a posted form could carry longer ones
    buffer = io.BytesIO()
    write_xlsx(buffer, list(ERROR_HEADERS.values()), rows)
    return Response(
        buffer.getvalue(),
        mimetype="application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
        headers={"Content-Disposition": "attachment; filename=import-errors.xlsx"},
    )
