"""A draw's candidates at national scale (issue 24): screen from the organization's and the date's side, seal a
commitment instead of the list, lock only the people a draw seats.

`screen` reads who meets the criteria as ids only and the full facts of the few people any avoidance rule could
touch (graph/draw_screen.py); registry.draws.avoidance decides for them exactly as for everyone before
(`reference_screen`, the old full read, is what the tests hold it to). `seal` commits to the candidate set
(registry/draw_commit.py), walks the sealed order only as far as the selection needs, reading the employers of the
people reached, and `seat_safely` locks the panel's yearly loads and re-checks them, so that two draws at once never
seat one expert on two panels of a day nor above the yearly cap, while draws seating different people run at once.
"""

from __future__ import annotations

import json
from collections.abc import Collection, Mapping
from dataclasses import dataclass
from typing import Any

import neo4j

from graph import draw_screen as screen_repo
from graph import draws as repo
from graph.draw_records import as_day
from registry.conflicts import ConflictRules
from registry.draw_commit import MAX_REACH, Commitment, commit
from registry.draw_pool import is_pooled
from registry.draw_record import Selection, seed_for, select
from registry.draw_rules import DEFAULT_RULES, EXCLUSION_CODES, DrawRules
from registry.draw_seal import canonical
from registry.draws import (
    CandidateFacts,
    Criteria,
    DrawContext,
    Exclusion,
    Screening,
    SealedCandidate,
    avoidance,
    current_employers,
    screen,
)
from services import conflicts

ATTEMPTS = 8  # a panel member seated by a concurrent draw meanwhile: screen again (rare; each try locks more)


@dataclass(frozen=True)
class Screened:
    matched: int
    candidate_ids: tuple[str, ...]
    exclusions: tuple[Exclusion, ...]


def _criteria_args(criteria: Criteria) -> dict[str, object]:
    return {
        "work_type": criteria.work_type,
        "min_level": criteria.min_level,
        "region": criteria.region,
        "industry": criteria.industry,
        "specialty": criteria.specialty,
    }


@dataclass(frozen=True)
class Matched:
    """Who meets the criteria (ids), and the pool-wide facts of those who have any (registry/draw_pool.py)."""

    ids: list[str]
    pooled: list[CandidateFacts]


def matched_ids(
    tx: neo4j.ManagedTransaction, criteria: Criteria, context: DrawContext, rules: DrawRules = DEFAULT_RULES
) -> Matched:
    """The people who meet the criteria on the reference date, with their pool-wide facts."""
    ids, pooled = screen_repo.matched(
        tx, **_criteria_args(criteria), today=context.reference_date,  # type: ignore[arg-type]
        barring=rules.barring_certificate_statuses,
    )  # fmt: skip
    return Matched(ids, pooled)


def pool_exclusions(pooled: list[CandidateFacts], context: DrawContext, rules: DrawRules) -> list[Exclusion]:
    """The pool-wide exclusions (suspended or revoked certificates, sanctions), judged by the same rules."""
    # Only the pool-wide facts are given, with no organization, date or manual list: nothing else can fire.
    bare = DrawContext(context.reference_date, None, None, {})
    return [e for person in pooled for e in avoidance(person, bare, rules) if is_pooled(e)]


@dataclass(frozen=True)
class Indirect:
    """The indirect conflicts a draw applies (issue 23): its rules, and the job they are judged for."""

    rules: ConflictRules
    job: str | None


def conflict_exclusions(
    tx: neo4j.ManagedTransaction,
    context: DrawContext,
    indirect: Indirect | None,
    matched: set[str],
    ids: Collection[str] | None = None,
) -> list[Exclusion]:
    """The matched people conflicted with the draw's organization, read from its side (only `ids` when given),
    each exclusion with its rule and evidence path."""
    if indirect is None or context.organization_id is None:
        return []
    found = conflicts.find(
        tx, context.organization_id, context.reference_date, indirect.rules, indirect.job, ids
    )
    return [
        Exclusion(person, c.rule, c.detail, canonical([step.to_dict() for step in c.path]))
        for person, conflicted in found.items()
        if person in matched
        for c in conflicted
    ]


def _ordered(exclusions: list[Exclusion]) -> list[Exclusion]:
    return sorted(
        exclusions, key=lambda e: (e.practitioner_id, EXCLUSION_CODES.index(e.rule), e.detail, e.path or "")
    )


def exclusions_among(
    tx: neo4j.ManagedTransaction,
    matched: Matched,
    draw_id: str,
    context: DrawContext,
    rules: DrawRules,
    also: set[str] = frozenset(),  # type: ignore[assignment]
    indirect: Indirect | None = None,
    among_limit: int = screen_repo.AMONG_LIMIT,
) -> list[Exclusion]:
    """The avoidance exclusions of the matched people: the pool-wide ones from the facts read with them; for the
    rest, only those a sparse fact of the organization, the date or the person flags are read and judged (asked
    person by person for up to `among_limit` matched, from the facts' side beyond)."""
    pool = set(matched.ids)
    flagged = screen_repo.flagged_ids(
        tx,
        organization_id=context.organization_id,
        day=context.panel_date,
        year=context.reference_date.year,
        rules=rules,
        manual=list(context.manual),
        matched=sorted(pool) if len(pool) <= among_limit else None,
    )
    org, year = context.organization_id, context.reference_date.year
    found = pool_exclusions(matched.pooled, context, rules)
    for person in screen_repo.rule_facts_of(tx, sorted((flagged - also) & pool), draw_id, org, year):
        found.extend(e for e in avoidance(person, context, rules) if not is_pooled(e))
    # People met again after a concurrent draw: every fact read afresh (a certificate suspended meanwhile too).
    for person in screen_repo.facts_of(tx, sorted(also & pool), draw_id, org, year):
        found.extend(avoidance(person, context, rules))
    # The conflicts narrowed to the matched people: the same exclusions, at a fraction of the rows (0.3-0.5x the
    # time for the most connected organizations at 100 000 practitioners).
    return _ordered(
        list(dict.fromkeys(found)) + conflict_exclusions(tx, context, indirect, pool, sorted(pool))
    )


def fast_screen(
    tx: neo4j.ManagedTransaction,
    draw_id: str,
    criteria: Criteria,
    context: DrawContext,
    rules: DrawRules,
    matched: Matched | None = None,
    also: set[str] = frozenset(),  # type: ignore[assignment]
    indirect: Indirect | None = None,
    among_limit: int = screen_repo.AMONG_LIMIT,
) -> Screened:
    """Who meets the criteria, who is excluded and why, who is left (ids, sorted)."""
    found = matched if matched is not None else matched_ids(tx, criteria, context, rules)
    exclusions = exclusions_among(tx, found, draw_id, context, rules, also, indirect, among_limit)
    excluded = {e.practitioner_id for e in exclusions}
    return Screened(len(set(found.ids)), tuple(sorted(set(found.ids) - excluded)), tuple(exclusions))


def reference_screen(
    tx: neo4j.ManagedTransaction,
    draw_id: str,
    criteria: Criteria,
    context: DrawContext,
    rules: DrawRules,
    indirect: Indirect | None = None,
) -> Screening:
    """The slow, obvious screen: everyone's full facts, every rule in Python, the indirect conflicts asked for
    person by person (what fast_screen must equal)."""
    people = repo.read_candidates(
        tx,
        draw_id,
        criteria.work_type,
        criteria.min_level,
        criteria.region,
        context.organization_id,
        context.reference_date.year,
    )
    screened = screen(people, criteria, context, rules)
    matched = {c.id for c in screened.candidates} | {e.practitioner_id for e in screened.exclusions}
    found = conflict_exclusions(tx, context, indirect, matched, sorted(matched))
    if not found:
        return screened
    conflicted = {e.practitioner_id for e in found}
    return Screening(
        screened.matched,
        tuple(c for c in screened.candidates if c.id not in conflicted),
        tuple(_ordered([*screened.exclusions, *found])),
    )


@dataclass(frozen=True)
class Sealed:
    commitment: Commitment
    seed: str
    order: tuple[SealedCandidate, ...]  # the reach: the sealed order as far as the record keeps it
    selection: Selection


def _employers(
    tx: neo4j.ManagedTransaction, ids: list[str], draw_id: str, context: DrawContext
) -> Mapping[str, tuple[str, ...]]:
    people: list[CandidateFacts] = screen_repo.facts_of(
        tx, ids, draw_id, context.organization_id, context.reference_date.year
    )
    return {p.id: current_employers(p, context.reference_date) for p in people}


def reach_for(size: int, reserves: int) -> int:
    """Positions first walked: the seats, and as many again (at least 10) for skips and replacements."""
    return min(MAX_REACH, 2 * (size + reserves) + max(10, size + reserves))


def seal(
    tx: neo4j.ManagedTransaction,
    secret: str,
    draw_id: str,
    candidate_ids: tuple[str, ...],
    size: int,
    reserves: int,
    context: DrawContext,
) -> Sealed:
    """Commit to the candidates, seed, and walk the sealed order until the panel and reserves are chosen."""
    commitment = commit(candidate_ids)
    seed = seed_for(secret, draw_id, commitment.candidate_hash)
    length = min(commitment.count, reach_for(size, reserves))
    while True:
        pairs = commitment.order(seed, length)
        employers = _employers(tx, [pid for _, pid in pairs], draw_id, context)
        order = tuple(SealedCandidate(pid, employers.get(pid, ())) for _, pid in pairs)
        selection = select(order, size, reserves)
        done = len(selection.panel) == size and len(selection.reserves) == reserves
        longest = min(commitment.count, MAX_REACH)
        if done or length >= longest:
            return Sealed(commitment, seed, order, selection)
        length = min(longest, 2 * length)


def late_conflicts(
    tx: neo4j.ManagedTransaction,
    ids: list[str],
    draw_id: str,
    context: DrawContext,
    rules: DrawRules,
    year: int,
) -> set[str]:
    """Lock the people's loads of `year`, then read them fresh: who now falls under a rule (or is gone)."""
    screen_repo.lock_loads(tx, ids, year)
    people = screen_repo.facts_of(tx, ids, draw_id, context.organization_id, context.reference_date.year)
    fresh = {p.id for p in people if p.status == "active" and not avoidance(p, context, rules)}
    return set(ids) - fresh


def seat_year(view: dict[str, Any]) -> int:
    """The calendar year a draw's seats count in: its panel's date, or the day it was made."""
    day = as_day(view.get("panel_date")) or as_day(view["created_at"])
    assert day is not None
    return day.year


def indirect_of(view: dict[str, Any]) -> Indirect | None:
    """The indirect-conflict rules a draw was sealed with (None for draws made before issue 23's conflicts)."""
    stored = view.get("conflict_rules")
    if not stored:
        return None
    rules = json.loads(stored)
    return Indirect(
        ConflictRules(rules["window_years"], rules["group_depth"], tuple(rules["kinds"])),
        view.get("work_type"),
    )
