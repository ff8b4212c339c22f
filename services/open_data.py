"""Open data (`GET /open-data/{date}.csv`): a daily aggregate snapshot with a licence line and a stable schema,
the way ORCID and ESCO publish bulk files; the same small-cell suppression as the statistics."""

from __future__ import annotations

from datetime import date

from registry.errors import NotFound
from registry.statistics.open_data import OPEN_DATA_FIRST_DAY, checkpoint_line, licence_line
from services import activity_stats, audit
from services.context import Context
from services.statistics import StatisticsCache, cache_for, open_data_csv


def open_data(ctx: Context, day: date, cache: StatisticsCache | None = None) -> bytes:
    """`/open-data/{date}.csv`: a licence line, the day's signed audit checkpoint, then the stable
    OPEN_DATA_COLUMNS header and rows."""
    if day > ctx.today or day < OPEN_DATA_FIRST_DAY:
        raise NotFound(
            f"no open data for {day.isoformat()}: dates run from {OPEN_DATA_FIRST_DAY.isoformat()} to today"
        )
    cache = cache or cache_for(ctx.graph)
    snapshot, _ = cache.snapshot(ctx.graph, ctx.today)
    minimum = cache.settings.minimum_cell
    body = snapshot.remember(("open-data", day), lambda: open_data_csv(snapshot.facts, day, minimum))
    body += activity_stats.open_data_lines(ctx, day, minimum)  # the year's activities by province (issue 25)
    signed = checkpoint_line(audit.checkpoint_of(ctx, day), ctx.settings.signer.public_key)
    return (licence_line(day, minimum) + "\r\n" + signed + "\r\n").encode() + body
