"""看板: charts of the supply of talent, drawn with Apache ECharts served from the app; each with its data as CSV."""

from __future__ import annotations

import csv
import io
import json
from typing import Any

from flask import Response, abort, render_template

from api import presenters
from api.context import ctx
from services import search
from web import labels
from web.pages import INDUSTRY_NAMES, REGION_NAMES
from web.portal import portal

# chart → (title, the facet it counts, how a value is named)
CHARTS: dict[str, tuple[str, str, Any]] = {
    "provinces": ("各省（区、市）持证人数", "region", lambda v: REGION_NAMES.get(v, v)),
    "work_types": ("各工种有效持证人数", "work_type", labels.work_type),
    "levels": ("各等级有效持证人数", "level", labels.level),
    "pools": ("人才库与专家库", "pool", labels.pool),
    "industries": ("行业经验分布", "industry", lambda v: INDUSTRY_NAMES.get(v, v)),
}


def chart_rows() -> dict[str, list[tuple[str, str, int]]]:
    """Each chart's rows (code, name, count), counted over everyone the visitor may see."""
    args = {"page": 1, "per_page": 1, "sort": "level"}
    facets = (
        search.search(
            ctx(), args, public_only=presenters.public_only(), audience=presenters.search_audience()
        ).facets
        or {}
    )
    rows = {}
    for chart, (_, dimension, name) in CHARTS.items():
        counts = facets.get(dimension, {})
        rows[chart] = sorted(
            ((code, name(code), n) for code, n in counts.items()), key=lambda r: (-r[2], r[0])
        )
    return rows


@portal.route("/dashboards")
def dashboards() -> str:
    """The dashboard page: one ECharts bar chart per measure, each with a CSV link to the same data."""
    rows = chart_rows()
    options = {
        chart: json.dumps(
            {
                "title": {"text": CHARTS[chart][0], "left": "center", "textStyle": {"fontSize": 14}},
                "tooltip": {},
                "grid": {"left": 110, "right": 20, "top": 40, "bottom": 20},
                "xAxis": {"type": "value"},
                "yAxis": {"type": "category", "inverse": True, "data": [name for _, name, _ in rows[chart]]},
                "series": [{"type": "bar", "data": [count for _, _, count in rows[chart]]}],
            },
            ensure_ascii=False,
        )
        for chart in CHARTS
    }
    return render_template("dashboards.html", charts=CHARTS, rows=rows, options=options)


@portal.route("/dashboards/<string:chart>.csv")
def dashboard_csv(chart: str) -> Response:
    """A chart's data as CSV (UTF-8 with BOM so spreadsheet programs read the Chinese)."""
    if chart not in CHARTS:
        abort(404)
    buffer = io.StringIO()
    writer = csv.writer(buffer)
    writer.writerow(["code", "name", "count"])
    writer.writerows(chart_rows()[chart])
    return Response("\ufeff" + buffer.getvalue(), mimetype="text/csv",
                    headers={"Content-Disposition": f"attachment; filename={chart}.csv"})  # fmt: skip
