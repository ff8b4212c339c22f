"""`/stats/activities` query parameters: the statistics' as_of, region, table, format and lang, a year and a kind."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from interface.schemas.common import region_code_field
from registry.activities import KINDS
from services.statistics import FORMATS


class ActivityStatsArgs(Schema):
    as_of = fields.Date(metadata={"description": "the day asked about (YYYY-MM-DD, default today)"})
    year = fields.Integer(
        validate=validate.Range(min=2000, max=2100),
        metadata={"description": "the calendar year of the activities' first day (default: as_of's year)"},
    )
    region = region_code_field(
        metadata={
            "description": "GB/T 2260 code: a province (its cities included) or a city",
            "example": "420000",
        }
    )
    kind = fields.String(validate=validate.OneOf(KINDS), metadata={"description": "one kind of activity"})
    table = fields.String(
        validate=validate.Length(min=1, max=30),
        metadata={"description": "provinces (default), months or pools"},
    )
    format = fields.String(
        load_default="json", validate=validate.OneOf(FORMATS), metadata={"description": "json, csv or xlsx"}
    )
    lang = fields.String(
        validate=validate.OneOf(["zh", "en"]), metadata={"description": "zh: Chinese column headers"}
    )
