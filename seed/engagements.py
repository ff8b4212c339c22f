"""Engagements of a synthetic registry: built per block of 100 practitioners from that block's people only."""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any, Protocol

from registry.reference import province_of
from seed.distributions import (
    BLOCK_SIZE,
    ENGAGEMENT_STATUS_CHOICE,
    ENGAGEMENTS_PER_PRACTITIONER,
    LEAD_LEVEL_WEIGHTS,
    OCCUPATION_START,
    TEAM_SIZE_CHOICE,
    WORK_TYPE_CHOICE,
    WORK_TYPE_WEIGHTS,
    Weighted,
)
from seed.numbering import new_id


class Market(Protocol):
    """What engagements are drawn from: the generator's seed and day, and its organizations by kind."""

    seed: int
    today: date
    organizations: list[dict[str, Any]]
    by_kind: dict[str, list[int]]
    by_kind_province: dict[tuple[str, str], list[int]]
    enterprises_by_industry: dict[str, list[int]]


_ENGAGEMENT_TITLES: dict[str, tuple[str, ...]] = {
    # {report} is the year before the start: a year's emissions are accounted and verified the next year.
    "verification": ("{client}{report}年度碳排放核查", "{client}{report}年度温室气体排放报告核查"),
    "accounting": (
        "{client}{report}年度碳盘查",
        "{client}产品碳足迹核算",
        "{client}{report}年度温室气体排放报告编制",
    ),
    "monitoring": ("{client}{year}年度碳排放监测计划编制", "{client}排放在线监测（CEMS）数据质量评估"),
    "consulting": ("{client}能源审计", "{client}碳达峰路线图", "{client}节能诊断", "{client}碳中和实施方案"),
    "trading": ("{client}{year}年度碳资产管理与配额履约", "{client}CCER 项目开发咨询"),
    "aviation": ("{client}{report}年度民航碳排放监测与报告核查", "{client}CORSIA 排放监测计划编制"),
}


def engagement_count(seed: int, block: int, people: int) -> int:
    """How many engagements a block of `people` practitioners worked on."""
    low, high = ENGAGEMENTS_PER_PRACTITIONER
    return round(people * random.Random(f"{seed}:b:{block}").uniform(low, high))


def block_engagements(
    registry: Market, block: int, people: list[dict[str, Any]], certificates: list[dict[str, Any]]
) -> list[dict[str, Any]]:
    count = engagement_count(registry.seed, block, len(people))
    if not count:
        return []
    position_of = {person["id"]: position for position, person in enumerate(people)}
    # Who can lead or staff work of each kind: holders of a certificate that was not suspended or revoked.
    holders: dict[str, list[tuple[int, dict[str, Any]]]] = {}
    for certificate in certificates:
        if certificate["status"] in ("valid", "expired"):
            holders.setdefault(certificate["work_type"], []).append(
                (position_of[certificate["practitioner_id"]], certificate)
            )
    if not holders:  # a tiny block where every certificate is suspended or revoked
        for certificate in certificates:
            holders.setdefault(certificate["work_type"], []).append(
                (position_of[certificate["practitioner_id"]], certificate)
            )
    available = Weighted((code, WORK_TYPE_WEIGHTS[code]) for code in WORK_TYPE_WEIGHTS if code in holders)
    return [
        _engagement(registry, block * BLOCK_SIZE + number, people, holders, available)
        for number in range(count)
    ]


def _engagement(
    registry: Market,
    index: int,
    people: list[dict[str, Any]],
    holders: dict[str, list[tuple[int, dict[str, Any]]]],
    available: Weighted[str],
) -> dict[str, Any]:
    rng = random.Random(f"{registry.seed}:e:{index}")
    engagement_id = new_id(rng)
    kind = WORK_TYPE_CHOICE.pick(rng)
    if kind not in holders:
        kind = available.pick(rng)
    candidates = holders[kind]
    lead_position, _ = Weighted(
        ((position, certificate), LEAD_LEVEL_WEIGHTS[certificate["level"]])
        for position, certificate in candidates
    ).pick(rng)
    lead = people[lead_position]

    size = min(TEAM_SIZE_CHOICE.pick(rng), len(people))
    qualified = sorted({position for position, _ in candidates} - {lead_position})
    members = rng.sample(qualified, min(size - 1, len(qualified)))
    if len(members) < size - 1:  # not enough holders of this kind in the block: others help
        others = [p for p in range(len(people)) if p != lead_position and p not in members]
        members += rng.sample(others, size - 1 - len(members))
    team = [lead, *(people[position] for position in members)]

    client = _pick_client(registry, rng, kind, lead, {person["employer_id"] for person in team})
    status, start_on, end_on = _engagement_dates(registry.today, rng)
    year = start_on.year
    title = rng.choice(_ENGAGEMENT_TITLES[kind]).format(client=client["name"], year=year, report=year - 1)
    return {
        "id": engagement_id,
        "title": title,
        "kind": kind,
        "client_id": client["id"],
        "industry": client["industry"],
        "region": client["region"],
        "start_on": start_on,
        "end_on": end_on,
        "status": status,
        "team": [
            {"practitioner_id": person["id"], "role": "lead" if number == 0 else "member"}
            for number, person in enumerate(team)
        ],
    }


def _pick_client(
    registry: Market,
    rng: random.Random,
    kind: str,
    lead: dict[str, Any],
    employers: set[str | None],
) -> dict[str, Any]:
    enterprises = registry.by_kind["enterprise"]
    candidates = enterprises
    if kind == "aviation":
        candidates = registry.enterprises_by_industry.get("aviation") or enterprises
    elif lead["industries"] and rng.random() < 0.6:
        candidates = registry.enterprises_by_industry.get(rng.choice(lead["industries"])) or enterprises
    elif rng.random() < 0.5:
        candidates = registry.by_kind_province.get(("enterprise", province_of(lead["region"]))) or enterprises
    client = registry.organizations[rng.choice(candidates)]
    # Nobody verifies or advises their own employer; a few redraws almost always find another client.
    for _ in range(5):
        if client["id"] not in employers:
            break
        client = registry.organizations[rng.choice(enterprises)]
    return client


def _engagement_dates(today: date, rng: random.Random) -> tuple[str, date, date | None]:
    # Leads may have done such work before the occupation's certificate existed, so any date since the
    # occupation began will do, whatever the lead's issue date.
    first = OCCUPATION_START
    status = ENGAGEMENT_STATUS_CHOICE.pick(rng)
    if status == "completed" and (today - first).days < 7:
        status = "active"  # the occupation is days old: nothing can have been finished yet
    if status == "planned":
        start_on = today + timedelta(days=rng.randint(7, 90))
        end_on = start_on + timedelta(days=rng.randint(30, 180)) if rng.random() < 0.5 else None
    elif status == "active":
        start_on = first + timedelta(
            days=rng.randint(max(0, (today - first).days - 180), (today - first).days)
        )
        end_on = None if rng.random() < 0.4 else today + timedelta(days=rng.randint(1, 150))
    elif status == "completed":
        start_on = first + timedelta(days=rng.randint(0, (today - first).days - 7))
        end_on = min(start_on + timedelta(days=rng.randint(20, 180)), today)
    else:  # cancelled: some ended the day they were called off, some never had an end date
        start_on = first + timedelta(days=rng.randint(0, (today - first).days))
        end_on = (
            None if rng.random() < 0.5 else start_on + timedelta(days=rng.randint(0, (today - start_on).days))
        )
    return status, start_on, end_on
