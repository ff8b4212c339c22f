"""Statistics query parameters: the common filters, output format and language, and each statistic's own."""

from __future__ import annotations

from marshmallow import Schema, fields, validate

from interface.schemas.common import level_field, region_code_field, work_type_field
from registry.statistics import INTERVALS
from services.statistics import FORMATS, MAX_WITHIN_DAYS


class StatisticsArgs(Schema):
    as_of = fields.Date(
        metadata={"description": "the day the statistic describes (YYYY-MM-DD, default today)"}
    )
    region = region_code_field(
        metadata={
            "description": "GB/T 2260 code: a province (its cities included) or a city",
            "example": "420000",
        }
    )
    work_type = work_type_field()
    level = level_field(strict=False)
    format = fields.String(
        load_default="json", validate=validate.OneOf(FORMATS), metadata={"description": "json, csv or xlsx"}
    )
    lang = fields.String(
        validate=validate.OneOf(["zh", "en"]),
        metadata={"description": "zh: Chinese column headers in exports"},
    )
    table = fields.String(
        validate=validate.Length(min=1, max=30), metadata={"description": "which table of the statistic"}
    )


class TrendArgs(StatisticsArgs):
    interval = fields.String(load_default="month", validate=validate.OneOf(INTERVALS))
    start = fields.Date(
        data_key="from", metadata={"description": "first day (moved back to its period's start)"}
    )
    end = fields.Date(data_key="to", metadata={"description": "last day (at most as_of)"})


class ExpiringArgs(StatisticsArgs):
    within = fields.Integer(
        load_default=90,
        validate=validate.Range(min=0, max=MAX_WITHIN_DAYS),
        metadata={"description": "days ahead, today included"},
    )


class KeyEmitterListArgs(Schema):
    year = fields.Integer(
        validate=validate.Range(min=2019, max=2100),
        metadata={"description": "the list's compliance year, when the file has no 纳入年度 column"},
    )
