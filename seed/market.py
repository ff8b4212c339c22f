"""The market around the people: groups of companies, each client's providers, and careers between firms.

Built once per registry from the organizations (`build_market`) or per person (`career`), each from its own
random stream, so nothing here changes what the person streams of seed/synthetic.py draw:

- corporate groups of 5–50 plants, mostly in power and steel as the large state groups are, some with a level
  of regional subsidiaries between the head and its plants; a child's relation points at an organization that
  comes earlier in the list, so a writer that goes through the list in order always finds the parent stored;
- providers (consultancies, verification bodies) of very unequal size: a few national firms serve hundreds of
  clients across provinces, most serve a few dozen;
- each client's roster of 2–5 providers it works with over the years (2–3 verification bodies, so that
  verification can rotate between them, and 1–2 consultancies);
- employment histories: the current employer since a real date, and before it up to two employers, moving
  between consultancies and verification bodies.
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from seed.distributions import (
    CAREER_MOVES_WEIGHTS,
    GROUP_SHARE,
    GROUP_SIZE_RANGE,
    PROVIDER_SIZE_FLOOR,
    PROVIDER_SIZE_PARETO,
    ROSTER_CONSULTANCIES,
    ROSTER_VERIFIERS,
    SUBSIDIARY_LEVEL_FROM,
    Weighted,
)
from seed.numbering import new_id

PROVIDER_KINDS = ("consultancy", "verification_body")
_MOVES_CHOICE = Weighted(CAREER_MOVES_WEIGHTS)


@dataclass
class Market:
    """Groups (CONTROLLED_BY rows), provider choices by kind, and the organizations set aside for planting."""

    relations: list[dict[str, Any]]
    providers: dict[str, Weighted[int]]  # kind → organization positions weighted by firm size
    group_of: dict[int, int] = field(default_factory=dict)  # plant position → head position
    parent_of: dict[int, int] = field(default_factory=dict)  # child position → parent position
    reserved: set[int] = field(default_factory=set)  # positions kept out of the background (closed circles)


def build_market(seed: int, organizations: list[dict[str, Any]], reserved: set[int]) -> Market:
    """Groups and provider weights for these organizations; `reserved` positions stay out of both."""
    rng = random.Random(f"{seed}:market")
    providers: dict[str, Weighted[int]] = {}
    for kind in PROVIDER_KINDS:
        positions = [p for p, o in enumerate(organizations) if o["kind"] == kind and p not in reserved]
        if positions:
            providers[kind] = Weighted(
                (p, PROVIDER_SIZE_FLOOR + rng.paretovariate(PROVIDER_SIZE_PARETO)) for p in positions
            )
    market = Market(relations=[], providers=providers, reserved=reserved)
    _groups(rng, organizations, market)
    return market


def _groups(rng: random.Random, organizations: list[dict[str, Any]], market: Market) -> None:
    by_industry: dict[str, list[int]] = {}
    for position, organization in enumerate(organizations):
        if organization["kind"] == "enterprise" and position not in market.reserved:
            by_industry.setdefault(organization["industry"], []).append(position)
    low, high = GROUP_SIZE_RANGE
    for industry, positions in sorted(by_industry.items()):
        pool = positions[:]
        rng.shuffle(pool)
        grouped = int(len(pool) * GROUP_SHARE.get(industry, GROUP_SHARE["other"]))
        start = 0
        while grouped - start >= low + 1:
            # Sizes skew small: many groups of 5–15 plants, a few of up to 50.
            size = min(grouped - start - 1, int(low + (high - low) * rng.random() ** 2.5))
            members = sorted(pool[start : start + size + 1])
            start += size + 1
            _group(rng, organizations, market, members)


def _group(
    rng: random.Random, organizations: list[dict[str, Any]], market: Market, members: list[int]
) -> None:
    head, rest = members[0], members[1:]
    since_first = date(2005, 1, 1).toordinal()
    span = date(2020, 12, 31).toordinal() - since_first

    def relate(child: int, parent: int, kind: str, share: float | None) -> None:
        market.parent_of[child] = parent
        market.relations.append({
            "child_id": organizations[child]["id"], "parent_id": organizations[parent]["id"], "kind": kind,
            "share": share, "since": date.fromordinal(since_first + rng.randrange(span)), "until": None,
        })  # fmt: skip

    subsidiaries: list[int] = []
    if len(rest) >= SUBSIDIARY_LEVEL_FROM:
        # Regional subsidiaries (区域公司) between the head and the plants: the earliest positions, so that each
        # parent comes before its children in the list.
        subsidiaries, rest = rest[: max(2, len(rest) // 8)], rest[max(2, len(rest) // 8) :]
        for subsidiary in subsidiaries:
            relate(subsidiary, head, "subsidiary", 1.0)
            market.group_of[subsidiary] = head
    for plant in rest:
        market.group_of[plant] = head
        parents = [p for p in subsidiaries if p < plant]
        if parents:
            relate(plant, rng.choice(parents), "subsidiary", round(rng.uniform(0.51, 1.0), 2))
        elif rng.random() < 0.3:
            relate(plant, head, "controlling_shareholder", round(rng.uniform(0.3, 0.5), 2))
        else:
            relate(plant, head, "group_member", None)


def roster(seed: int, market: Market, client: int) -> dict[str, list[int]]:
    """The providers a client works with over the years, by kind (its own random stream)."""
    rng = random.Random(f"{seed}:roster:{client}")
    chosen: dict[str, list[int]] = {}
    for kind, (low, high) in (("verification_body", ROSTER_VERIFIERS), ("consultancy", ROSTER_CONSULTANCIES)):
        weighted = market.providers.get(kind)
        picks: list[int] = []
        for _ in range(4 * high):
            if weighted is None or len(picks) >= rng.randint(low, high):
                break
            pick = weighted.pick(rng)
            if pick not in picks:
                picks.append(pick)
        chosen[kind] = picks
    return chosen


def career(
    seed: int,
    index: int,
    organizations: list[dict[str, Any]],
    market: Market,
    employer_id: str | None,
    work_start_year: int | None,
    today: date,
) -> list[dict[str, Any]]:
    """A person's employments, earliest first: up to two past ones between providers, then the current one
    (no `until`); none without a current employer."""
    if employer_id is None:
        return []
    rng = random.Random(f"{seed}:c:{index}")
    first = date(max(work_start_year or today.year, 2008), 1, 1)
    if first >= today:
        first = today - timedelta(days=30)
    days = max(1, (today - first).days - 30)
    moves = _MOVES_CHOICE.pick(rng)
    # The start of each employment, ascending; the first one begins when the person started work.
    cuts = sorted(first + timedelta(days=rng.randrange(days)) for _ in range(moves))
    starts = [first, *cuts]
    kinds_before = [
        PROVIDER_KINDS[(rng.random() < 0.6) ^ (n % 2 == 0)] for n in range(moves)
    ]  # alternating between consultancy and verification body more often than not
    employers: list[str] = []
    for kind in kinds_before:
        weighted = market.providers.get(kind)
        pick = organizations[weighted.pick(rng)]["id"] if weighted else employer_id
        employers.append(pick if pick != employer_id else organizations[0]["id"])
    employers.append(employer_id)
    rows = []
    for number, organization_id in enumerate(employers):
        since = starts[number]
        until = starts[number + 1] if number + 1 < len(starts) else None
        if until is not None and until <= since:
            continue
        rows.append({"id": new_id(rng), "organization_id": organization_id, "since": since, "until": until})
    # Two consecutive employments with the same firm are one: keep the history free of overlaps.
    merged: list[dict[str, Any]] = []
    for row in rows:
        if merged and merged[-1]["organization_id"] == row["organization_id"]:
            merged[-1]["until"] = row["until"]
        else:
            merged.append(row)
    return merged


def employer_on(employments: list[dict[str, Any]], day: date) -> str | None:
    """The organization that employed the person on `day`, from a `career`."""
    for row in reversed(employments):
        if row["since"] <= day and (row["until"] is None or day < row["until"]):
            return row["organization_id"]
    return None
