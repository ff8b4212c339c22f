"""Open data (`GET /open-data/{date}.csv`): the day's public aggregates in long form with a licence line and a
stable schema, the way ORCID and ESCO publish bulk files; the same small-cell suppression as the statistics."""

from __future__ import annotations

from datetime import date
from typing import Any

from registry import statistics as stats
from registry.audit import Checkpoint

OPEN_DATA_COLUMNS: tuple[str, ...] = ("date", "measure", "province", "work_type", "level", "pool", "value")
# Version 2 adds a second comment line: the day's signed head of the audit chain (`checkpoint_line`).
OPEN_DATA_SCHEMA = "cmr-open-data/2"
OPEN_DATA_LICENCE = (
    "# 碳排放管理员人才库每日汇总开放数据 Carbon Manager Registry daily aggregates · schema {schema} · "
    "licence CC BY 4.0 (https://creativecommons.org/licenses/by/4.0/) · "
    "cells under {minimum} people are left blank · date {date}"
)
OPEN_DATA_FIRST_DAY = date(2021, 7, 1)  # the occupation's first certificates


def open_data_rows(facts: stats.Facts, day: date, minimum: int) -> list[dict[str, Any]]:
    """The day's public aggregates in long form: holders by province × work type × level, pool members."""
    query = stats.Query(day)
    holders = stats.suppress(stats.supply(facts.people, query), minimum, ("province", "work_type"))
    pools = stats.suppress(stats.pool_members(facts.people, query), minimum, ("province",))
    iso = day.isoformat()
    rows = [
        {"date": iso, "measure": "holders", "province": r["province"], "work_type": r["work_type"],
         "level": r["level"], "pool": None, "value": r["holders"]}
        for r in holders.rows
    ]  # fmt: skip
    for r in pools.rows:
        for pool in ("talent", "expert"):
            rows.append(
                {"date": iso, "measure": "pool_members", "province": r["province"], "work_type": None,
                 "level": None, "pool": pool, "value": r[f"{pool}_members"]}
            )  # fmt: skip
    rows.append({"date": iso, "measure": "holders_total", "province": None, "work_type": None, "level": None,
                 "pool": None, "value": holders.totals["holders"]})  # fmt: skip
    for pool in ("talent", "expert"):
        rows.append({"date": iso, "measure": "pool_members_total", "province": None, "work_type": None,
                     "level": None, "pool": pool, "value": pools.totals[f"{pool}_members"]})  # fmt: skip
    return rows


def licence_line(day: date, minimum: int) -> str:
    """The file's first line: what it is, its schema, its licence, and the suppression rule."""
    return OPEN_DATA_LICENCE.format(schema=OPEN_DATA_SCHEMA, minimum=minimum, date=day.isoformat())


def checkpoint_line(checkpoint: Checkpoint | None, public_key: str) -> str:
    """The file's second line: the day's signed head of the audit chain, so that anyone can hold the registry to
    its record (the signature covers `registry.audit.checkpoint_message(day, seq, hash)`; Ed25519, base64)."""
    if checkpoint is None:
        return "# audit-checkpoint none: the day's head has not been signed yet"
    return (
        f"# audit-checkpoint day={checkpoint.day} seq={checkpoint.seq} hash={checkpoint.hash} "
        f"key_id={checkpoint.key_id} public_key={public_key} signature={checkpoint.signature}"
    )
