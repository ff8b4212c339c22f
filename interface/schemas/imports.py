"""Shapes of /imports: the record of each import (ImportBatch)."""

from __future__ import annotations

from marshmallow import Schema, fields

from interface.schemas.common import PageArgs


class ImportArgs(PageArgs):
    """Paging for the list of imports."""


class ImportBatchSchema(Schema):
    """One import as recorded: running, completed, failed, or superseded by a later run of the same file."""

    id = fields.String(metadata={"description": "the import's id, also in the import report as import_id"})
    kind = fields.String(
        allow_none=True,
        metadata={"description": "employments, relations or exam_results; none for certificates"},
    )
    filename = fields.String()
    by = fields.String(metadata={"description": "api or cli"})
    status = fields.String(
        metadata={
            "description": "running, completed, failed or superseded; refused: an employment or relation file "
            "that a row refused, of which nothing was written"
        }
    )
    error = fields.String(allow_none=True, metadata={"description": "why a failed import stopped"})
    completed_by = fields.String(
        allow_none=True, metadata={"description": "the later import of the same file"}
    )
    sha256 = fields.String(allow_none=True)
    started_at = fields.DateTime()
    updated_at = fields.DateTime()
    finished_at = fields.DateTime(allow_none=True)
    batches = fields.Integer(metadata={"description": "batches committed"})
    last_row = fields.Integer(metadata={"description": "the last row of the last committed batch"})
    rows_read = fields.Integer()
    rows_valid = fields.Integer(allow_none=True)
    rows_invalid = fields.Integer(allow_none=True)
    rows_written = fields.Integer()
    error_count = fields.Integer(allow_none=True)
    practitioners_created = fields.Integer()
    certificates_created = fields.Integer()
    certificates_unchanged = fields.Integer()
    certificates_conflicting = fields.Integer()
