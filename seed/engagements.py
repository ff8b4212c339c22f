"""Engagements of a synthetic registry, shaped like the market and free of every anomaly the integrity scan
looks for (issue 23 §5): the background must hold nothing the scan would report, so that what it finds is what
seed/plants.py planted.

Each engagement is drawn from its own stream `{seed}:e:{index}`. Its lead comes from the current block of 100
people, the rest of its team from that block and the `TEAM_WINDOW_BLOCKS - 1` before it, so work crosses blocks;
the engagement travels with the current block, so every member is stored before it. A `Ledger` carried from
block to block keeps what the rules need, read from registry/integrity.py and registry/rotation.py:

- a provider (from the client's roster of 2–5, else any firm of the right kind, weighted by size);
- verification rotates: no provider and no team member verifies one client in two consecutive years;
- every signer of a completed engagement visits the client's site in the client's region during the engagement,
  and nobody is on site in two provinces on one day;
- nobody runs more engagements at once than a margin below the overload threshold;
- a member from an earlier block only joins work in an industry already among their search keys (those were
  derived when their own batch was written).
"""

from __future__ import annotations

import random
from collections import deque
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from registry.integrity import THRESHOLDS, span_of
from registry.reference import province_of
from registry.rotation import counts as counts_for_rotation
from seed.distributions import (
    BLOCK_SIZE,
    ENGAGEMENT_STATUS_CHOICE,
    ENGAGEMENTS_PER_PRACTITIONER,
    LEAD_LEVEL_WEIGHTS,
    LEAD_VISITS_SHARE,
    OCCUPATION_START,
    REVIEWER_SHARE,
    SIGNER_NOT_LEAD_SHARE,
    TEAM_SIZE_CHOICE,
    TEAM_WINDOW_BLOCKS,
    WORK_TYPE_CHOICE,
    WORK_TYPE_WEIGHTS,
    Weighted,
)
from seed.numbering import new_id

# The background stays this far below the overload threshold, so a planted engagement or two on top of a busy
# person's work never crosses it by accident.
BACKGROUND_MAX_CONCURRENT = THRESHOLDS.overload_max_concurrent - 3
FAR_FUTURE = date(9999, 12, 31)

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


@dataclass
class PersonState:
    """What the rules need to know about one person while they can still be put on a team."""

    block: int
    person: dict[str, Any]
    kinds: dict[str, int]  # work type → best level held (suspended and revoked certificates left out)
    keys: set[str]  # industries among their search keys
    spans: list[tuple[date, date]] = field(default_factory=list)
    visits: dict[date, str] = field(default_factory=dict)  # day → province
    verified: dict[str, set[int]] = field(default_factory=dict)  # client id → years of verification
    blocked: set[str] = field(default_factory=set)  # clients of a planted familiar pair: no more work there


@dataclass
class Ledger:
    """The rules' memory across blocks: people of the team window, and verification years of provider pairs."""

    people: dict[str, PersonState] = field(default_factory=dict)
    window: deque[list[str]] = field(default_factory=deque)  # person ids of the recent blocks, oldest first
    provider_years: dict[tuple[int, int], set[int]] = field(
        default_factory=dict
    )  # (provider, client) → years
    blocked_pairs: set[tuple[int, int]] = field(default_factory=set)
    reserved_people: set[str] = field(default_factory=set)
    current_block: int = -1

    def open_block(
        self, number: int, people: list[dict[str, Any]], certificates: list[dict[str, Any]]
    ) -> None:
        """Add a block's people to the window, dropping the block that leaves it."""
        self.current_block = number
        kinds: dict[str, dict[str, int]] = {}
        for certificate in certificates:
            if certificate["status"] in ("valid", "expired"):
                held = kinds.setdefault(certificate["practitioner_id"], {})
                held[certificate["work_type"]] = min(
                    held.get(certificate["work_type"], 9), certificate["level"]
                )
        for person in people:
            self.people[person["id"]] = PersonState(
                number, person, kinds.get(person["id"], {}), set(person.get("industries") or ())
            )
        self.window.append([person["id"] for person in people])
        while len(self.window) > TEAM_WINDOW_BLOCKS:
            for person_id in self.window.popleft():
                self.people.pop(person_id, None)

    # -- the rules ------------------------------------------------------------------------------------------

    def free(self, person_id: str, span: tuple[date, date], limit: int = BACKGROUND_MAX_CONCURRENT) -> bool:
        """Whether one more engagement over `span` keeps the person within `limit` at once (counted as every
        engagement that overlaps the span at all: more than the peak, never less)."""
        start, end = span
        overlapping = sum(1 for s, e in self.people[person_id].spans if s <= end and start <= e)
        return overlapping + 1 <= limit

    def person_rotates(self, person_id: str, client_id: str, year: int) -> bool:
        """Whether verifying this client in `year` keeps the person's run of consecutive years at one."""
        state = self.people[person_id]
        years = state.verified.get(client_id, ())
        return client_id not in state.blocked and year - 1 not in years and year + 1 not in years

    def provider_rotates(self, provider: int, client: int, year: int) -> bool:
        """The same for a provider."""
        if (provider, client) in self.blocked_pairs:
            return False
        years = self.provider_years.get((provider, client), ())
        return year - 1 not in years and year + 1 not in years

    def visit_day(
        self, rng: random.Random, person_id: str, first: date, last: date, province: str
    ) -> date | None:
        """A day in [first, last] when the person is on no other province's site; None when there is none."""
        visits = self.people[person_id].visits
        days = (last - first).days + 1
        for _ in range(6):
            day = first + timedelta(days=rng.randrange(days))
            if visits.get(day, province) == province:
                return day
        for offset in range(days):
            day = first + timedelta(days=offset)
            if visits.get(day, province) == province:
                return day
        return None

    def record(self, engagement: dict[str, Any], provider: int, client: int, today: date) -> None:
        """Note an engagement's spans, visits and verification years (its block's members' industries too)."""
        span = span_of(
            engagement["id"], engagement["start_on"], engagement["end_on"], engagement["status"], today
        )
        assert span is not None
        for member in engagement["team"]:
            state = self.people.get(member["practitioner_id"])
            if state is None:
                continue
            state.spans.append((span.start_on, span.end_on))
            if state.block == self.current_block:
                state.keys.add(engagement["industry"])
        for visit in engagement["site_visits"]:
            self.people[visit["practitioner_id"]].visits[visit["date"]] = province_of(visit["region"])
        if counts_for_rotation(engagement["kind"], engagement["status"]):
            year = engagement["start_on"].year
            self.provider_years.setdefault((provider, client), set()).add(year)
            for member in engagement["team"]:
                state = self.people.get(member["practitioner_id"])
                if state is not None:
                    state.verified.setdefault(engagement["client_id"], set()).add(year)


def engagement_count(seed: int, block: int, people: int) -> int:
    """How many background engagements a block of `people` practitioners worked on."""
    low, high = ENGAGEMENTS_PER_PRACTITIONER
    return round(people * random.Random(f"{seed}:b:{block}").uniform(low, high))


def block_engagements(registry: Any, ledger: Ledger, block: int) -> list[dict[str, Any]]:
    """The background engagements led by the newest block of the ledger's window."""
    count = engagement_count(registry.seed, block, len(ledger.window[-1]))
    newest = [ledger.people[person_id] for person_id in ledger.window[-1]]
    leads = [state for state in newest if state.person["id"] not in ledger.reserved_people]
    if not count or not leads:
        return []
    holders: dict[str, list[PersonState]] = {}
    for state in leads:
        for kind in state.kinds:
            holders.setdefault(kind, []).append(state)
    if not holders:  # a tiny block where every certificate is suspended or revoked: anyone may lead
        holders = {kind: leads for kind in WORK_TYPE_WEIGHTS}
    window = [ledger.people[p] for ids in ledger.window for p in ids if p not in ledger.reserved_people]
    available = Weighted((code, WORK_TYPE_WEIGHTS[code]) for code in WORK_TYPE_WEIGHTS if code in holders)
    return [
        _engagement(registry, ledger, block * BLOCK_SIZE + number, holders, available, window, leads)
        for number in range(count)
    ]


def _engagement(
    registry: Any,
    ledger: Ledger,
    index: int,
    holders: dict[str, list[PersonState]],
    available: Weighted[str],
    window: list[PersonState],
    leads: list[PersonState],
) -> dict[str, Any]:
    rng = random.Random(f"{registry.seed}:e:{index}")
    engagement_id = new_id(rng)
    kind = WORK_TYPE_CHOICE.pick(rng)
    if kind not in holders:
        kind = available.pick(rng)
    status, start_on, end_on = engagement_dates(registry.today, rng)
    span = _span(engagement_id, start_on, end_on, status, registry.today)
    candidates = [state for state in holders[kind] if ledger.free(state.person["id"], span)]
    if not candidates:  # everyone who holds this kind is busy: someone else of the block leads
        candidates = [state for state in leads if ledger.free(state.person["id"], span)] or leads
    lead = Weighted(
        (state, LEAD_LEVEL_WEIGHTS.get(state.kinds.get(kind, 4), 1)) for state in candidates
    ).pick(rng)
    verification = counts_for_rotation(kind, status)
    year = start_on.year

    client, provider = None, None
    for attempt in range(30):
        client = pick_client(registry, rng, kind, lead.person, broad=attempt >= 10)
        if client["id"] == lead.person.get("employer_id"):
            continue
        if verification and not ledger.person_rotates(lead.person["id"], client["id"], year):
            continue
        provider = pick_provider(
            registry, ledger, rng, kind, registry.position[client["id"]], year, verification
        )
        if provider is not None:
            break
    if provider is None or client is None:  # no rotation-safe pair in 30 tries: the work was called off
        status, verification = "cancelled", False
        provider = pick_provider(registry, ledger, rng, kind, registry.position[client["id"]], year, False)
        assert provider is not None

    size = TEAM_SIZE_CHOICE.pick(rng)
    team = [lead]
    chosen = {lead.person["id"]}
    employer_ids = {client["id"]}
    for _ in range(4 * size):
        if len(team) >= size or not window:
            break
        state = rng.choice(window)
        person_id = state.person["id"]
        if (
            person_id in chosen
            or (kind not in state.kinds and rng.random() < 0.8)  # mostly holders of the kind
            or (state.block != lead.block and client["industry"] not in state.keys)
            or state.person.get("employer_id") in employer_ids
            or not ledger.free(person_id, span)
            or (verification and not ledger.person_rotates(person_id, client["id"], year))
        ):
            continue
        team.append(state)
        chosen.add(person_id)

    engagement = build(
        registry, ledger, rng, engagement_id, kind, client, provider, status, start_on, end_on, team
    )
    ledger.record(engagement, provider, registry.position[client["id"]], registry.today)
    return engagement


def _span(
    engagement_id: str, start_on: date, end_on: date | None, status: str, today: date
) -> tuple[date, date]:
    span = span_of(engagement_id, start_on, end_on, status, today)
    assert span is not None
    return span.start_on, span.end_on


def build(
    registry: Any,
    ledger: Ledger,
    rng: random.Random,
    engagement_id: str,
    kind: str,
    client: dict[str, Any],
    provider: int,
    status: str,
    start_on: date,
    end_on: date | None,
    team: list[PersonState],
    *,
    signer_visits: bool = True,
) -> dict[str, Any]:
    """An engagement row with roles and site visits: a verification has a signer, who visits the client's site
    during the engagement (unless `signer_visits` is off: a planted anomaly); the lead may visit too."""
    roles: list[list[str]] = [["lead"]] + [["member"] for _ in team[1:]]
    signer = None
    if kind == "verification":
        signer = 0
        if len(team) > 1 and rng.random() < SIGNER_NOT_LEAD_SHARE:
            signer = rng.randrange(1, len(team))
        roles[signer].append("signer")
        reviewers = [n for n in range(1, len(team)) if n != signer]
        if reviewers and rng.random() < REVIEWER_SHARE:
            roles[rng.choice(reviewers)].append("reviewer")
    visitors: list[int] = []
    if status == "completed" or (status == "active" and start_on <= registry.today):
        if signer is not None and signer_visits:
            visitors.append(signer)
        if signer != 0 and rng.random() < (LEAD_VISITS_SHARE if signer is not None else 0.3):
            visitors.append(0)
    last = min(end_on or registry.today, registry.today)
    visits = []
    for visitor in visitors:
        person_id = team[visitor].person["id"]
        day = ledger.visit_day(rng, person_id, start_on, last, province_of(client["region"]))
        if day is not None:
            visits.append(
                {"id": new_id(rng), "practitioner_id": person_id, "date": day, "region": client["region"]}
            )
    year = start_on.year
    title = rng.choice(_ENGAGEMENT_TITLES[kind]).format(client=client["name"], year=year, report=year - 1)
    return {
        "id": engagement_id,
        "title": title,
        "kind": kind,
        "client_id": client["id"],
        "provider_id": registry.organizations[provider]["id"],
        "industry": client["industry"],
        "region": client["region"],
        "start_on": start_on,
        "end_on": end_on,
        "status": status,
        "team": [
            {"practitioner_id": state.person["id"], "role": member_roles[0], "roles": member_roles}
            for state, member_roles in zip(team, roles, strict=True)
        ],
        "site_visits": visits,
    }


def pick_client(
    registry: Any, rng: random.Random, kind: str, lead: dict[str, Any], *, broad: bool = False
) -> dict[str, Any]:
    """A client for work of this kind led by `lead`: often in the lead's industries or province; never a firm set
    aside for a planted circle."""
    enterprises = registry.clients
    candidates = enterprises
    if kind == "aviation":
        candidates = registry.clients_by_industry.get("aviation") or enterprises
    elif broad:
        pass
    elif lead["industries"] and rng.random() < 0.6:
        candidates = registry.clients_by_industry.get(rng.choice(lead["industries"])) or enterprises
    elif rng.random() < 0.5:
        candidates = registry.clients_by_province.get(province_of(lead["region"])) or enterprises
    return registry.organizations[rng.choice(candidates)]


def pick_provider(
    registry: Any, ledger: Ledger, rng: random.Random, kind: str, client: int, year: int, verification: bool
) -> int | None:
    """The firm that does the work: from the client's roster, else any of the right kind by size; for a
    verification only one that keeps rotation (None when no such firm turns up)."""
    provider_kind = "verification_body" if kind == "verification" else "consultancy"
    own = registry.roster_of(client).get(provider_kind, [])
    weighted = registry.market.providers[provider_kind]
    options = rng.sample(own, len(own)) + [weighted.pick(rng) for _ in range(8)]
    for provider in options:
        if not verification or ledger.provider_rotates(provider, client, year):
            return provider
    return None


def engagement_dates(today: date, rng: random.Random) -> tuple[str, date, date | None]:
    """Status, start and end of an engagement: any time since the occupation began, some still to come."""
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
