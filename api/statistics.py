"""/stats (government dashboards), /open-data (public daily aggregates) and /key-emitters/lists (admin)."""

from __future__ import annotations

from datetime import date
from typing import Any

from flask import Response
from flask_restx import Namespace, Resource
from flask_restx import fields as rx

from api.decorators import with_query
from interface.auth import ADMIN, CLIENT_PLUS, Forbidden, current_role, require
from interface.context import ctx
from interface.limits import MAX_LIST_BYTES, UPLOAD_DOC, readable_file, uploaded_file
from interface.schemas.activity_stats import ActivityStatsArgs
from interface.schemas.statistics import ExpiringArgs, KeyEmitterListArgs, StatisticsArgs, TrendArgs
from registry.errors import NotFound
from services import activity_stats, key_emitters, open_data, reference
from services import statistics as service

ns = Namespace(
    "stats",
    description=(
        "Statistics for 主管部门 dashboards (government and admin keys; client keys: supply only). Every statistic "
        "takes as_of, region, work_type, level, table, format=json|csv|xlsx and lang=zh; JSON is "
        "{as_of, filters, rows, totals}. Counts of people under the privacy minimum are null for non-admins."
    ),
)
open_data_ns = Namespace("open-data", description="Public daily aggregates as CSV (licence CC BY 4.0)")
key_emitters_ns = Namespace(
    "key-emitters",
    description="Key emitting unit lists (重点排放单位名录) as the Ministry publishes them (admin)",
)

STATS_MEDIA_TYPES = ["application/json", service.CSV_MEDIA_TYPE.split(";")[0], service.XLSX_MEDIA_TYPE,
                     "application/problem+json"]  # fmt: skip

ANSWER = ns.model(
    "StatisticsAnswer",
    {
        "statistic": rx.String(description="supply, trends, demand, expiring or engagements"),
        "table": rx.String(description="the table answered (table=)"),
        "tables": rx.List(rx.String, description="the statistic's tables, the first the default"),
        "as_of": rx.Date(description="the day described"),
        "filters": rx.Raw(
            description="the filters applied (region, work_type, level, and the statistic's own)"
        ),
        "columns": rx.List(rx.String, description="the keys of every row, in order"),
        "labels": rx.List(rx.String, description="column headers (Chinese with lang=zh)"),
        "rows": rx.List(rx.Raw, description="flat objects: dimensions, then measures (null: suppressed)"),
        "totals": rx.Raw(description="the measures over all rows (people counted once)"),
        "suppression": rx.Raw(
            description="minimum (null for admins), cells hidden, measures that count people"
        ),
        "snapshot": rx.Raw(description="read_at, and fresh: false while a newer snapshot is being read"),
    },
)
LIST_IMPORT = key_emitters_ns.model(
    "KeyEmitterListImport",
    {
        "year": rx.Integer(description="the list's compliance year"),
        "rows": rx.Integer(description="data rows in the file"),
        "units": rx.Integer(description="units listed for the year"),
        "created": rx.Integer(description="organizations registered by this import"),
        "delisted": rx.Integer(description="units of that year's list the file no longer names"),
    },
)

DESCRIPTIONS: dict[str, str] = {
    "supply": "Valid certificate holders by province × work type × level (table=holders), pool members by "
    "province (table=pools).",
    "trends": "Per period (interval=month|quarter|year, from, to) and work type: certificates issued, expired, "
    "suspended, revoked; pool joins and leaves; exams sat and passed.",
    "demand": "Coverage: valid verifiers (level ≤ 3) per 100 key emitters per province, shortfall, change on last "
    "year (table=coverage); key emitters by province × industry (table=key_emitters); engagements per province "
    "per year (table=engagements).",
    "expiring": "Certificates lapsing within `within` days (default 90) by province × work type, their holders, "
    "and the people who would leave a pool with them.",
    "engagements": "Per province: engagements, average team size, share of verification work by experts from "
    "the same province (table=provinces); engagements per expert (table=distribution); busiest experts, by rank "
    "only (table=busiest).",
}
ARGS = {"trends": TrendArgs(), "expiring": ExpiringArgs()}


def _respond(statistic: str, args: dict[str, Any]) -> Any:
    role = current_role()
    if not service.allowed(statistic, role):
        raise Forbidden(
            f"/stats/{statistic} is for government and admin keys; client keys may read /stats/supply."
        )
    context = ctx()
    reference.check_codes(context.graph, args, {"region": "regions"})
    service_request = service.StatisticsRequest(
        statistic=statistic,
        as_of=args.get("as_of") or context.today,
        table=args.get("table"),
        region=args.get("region"),
        work_type=args.get("work_type"),
        level=args.get("level"),
        interval=args.get("interval", "month"),
        start=args.get("start"),
        end=args.get("end"),
        within=args.get("within", 90),
    )
    return _answered(service.answer_as(context, service_request, role, args["format"], args.get("lang")))


def _answered(result: Any) -> Any:
    """A statistic's JSON answer as it is; its CSV or XLSX export as a download."""
    if isinstance(result, service.Export):
        return Response(
            result.content,
            mimetype=result.media_type,
            headers={"Content-Disposition": f'attachment; filename="{result.filename}"'},
        )
    return result


def _statistic_resource(statistic: str) -> type[Resource]:
    class Statistic(Resource):
        @require(CLIENT_PLUS)
        @ns.doc(produces=STATS_MEDIA_TYPES)
        @ns.response(200, "The statistic: JSON, or CSV / XLSX with format=", ANSWER)
        @with_query(ns, ARGS.get(statistic, StatisticsArgs()))
        def get(self, args: dict[str, Any]) -> Any:
            return _respond(statistic, args)

    Statistic.__name__ = f"Statistic{statistic.title()}"
    Statistic.get.__doc__ = DESCRIPTIONS[statistic]
    return Statistic


for _statistic in service.STATISTICS:
    ns.add_resource(_statistic_resource(_statistic), f"/{_statistic}")


@ns.route("/activities")
class ActivityStatistics(Resource):
    @require(CLIENT_PLUS)
    @ns.doc(produces=STATS_MEDIA_TYPES)
    @ns.response(200, "The statistic: JSON, or CSV / XLSX with format=", ANSWER)
    @with_query(ns, ActivityStatsArgs())
    def get(self, args: dict[str, Any]) -> Any:
        """Public-welfare activities of a year (year=, default as_of's): activities, people who took part, their
        participations and hours by province × kind (table=provinces) or month × kind (table=months); each
        pool's current members and the share who took part (table=pools). Government and admin keys."""
        role = current_role()
        if not activity_stats.allowed(role):
            raise Forbidden("/stats/activities is for government and admin keys.")
        context = ctx()
        reference.check_codes(context.graph, args, {"region": "regions"})
        request = activity_stats.ActivityStatsRequest(
            as_of=args.get("as_of") or context.today, table=args.get("table"), year=args.get("year"),
            region=args.get("region"), kind=args.get("kind"),
        )  # fmt: skip
        return _answered(activity_stats.answer_as(context, request, role, args["format"], args.get("lang")))


@open_data_ns.route("/<string:day>.csv")
@open_data_ns.param("day", "YYYY-MM-DD, from 2021-07-01 to today")
class OpenData(Resource):
    @open_data_ns.doc(security=[], produces=["text/csv", "application/problem+json"])
    @open_data_ns.response(200, "CSV: a licence line, then date,measure,province,work_type,level,pool,value")
    @open_data_ns.response(404, "No data for that day")
    def get(self, day: str) -> Response:
        """The day's aggregate snapshot (public): holders by province × work type × level, pool members."""
        try:
            parsed = date.fromisoformat(day)
        except ValueError:
            raise NotFound(f"no open data for {day!r}: use a date as YYYY-MM-DD") from None
        content = open_data.open_data(ctx(), parsed)
        return Response(
            content,
            mimetype="text/csv",
            headers={
                "Content-Disposition": f'attachment; filename="carbon-managers-{parsed.isoformat()}.csv"',
                "Cache-Control": "public, max-age=3600",
            },
        )


@key_emitters_ns.route("/lists")
class KeyEmitterLists(Resource):
    @key_emitters_ns.doc(**UPLOAD_DOC)
    @require(ADMIN)
    @key_emitters_ns.response(200, "Imported", LIST_IMPORT)
    @with_query(key_emitters_ns, KeyEmitterListArgs())
    def post(self, args: dict[str, Any]) -> dict[str, Any]:
        """Import one year's key emitter list (admin): 单位名称, 统一社会信用代码, 省份, 行业 (纳入年度 or ?year=).
        Units are merged by USCC; units of that year missing from the file leave its list. All or nothing."""
        upload = uploaded_file(MAX_LIST_BYTES)  # 413 past 20 MB, counted on the bytes read (chunked too)
        with readable_file():
            return key_emitters.import_list(ctx(), upload.stream, upload.filename, args.get("year"))
