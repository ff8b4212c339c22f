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

from collections.abc import Mapping
from dataclasses import dataclass

import neo4j

from graph import draw_screen as screen_repo
from graph import draws as repo
from registry.draw_commit import MAX_REACH, Commitment, commit
from registry.draw_record import Selection, seed_for, select
from registry.draw_rules import RULE_CODES, DrawRules
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


def matched_ids(tx: neo4j.ManagedTransaction, criteria: Criteria, context: DrawContext) -> list[str]:
    """Ids of the people who meet the criteria on the reference date."""
    return screen_repo.matched_ids(tx, **_criteria_args(criteria), today=context.reference_date)  # type: ignore[arg-type]


def exclusions_among(
    tx: neo4j.ManagedTransaction,
    matched: set[str],
    draw_id: str,
    context: DrawContext,
    rules: DrawRules,
    also: set[str] = frozenset(),  # type: ignore[assignment]
) -> list[Exclusion]:
    """The avoidance exclusions of the matched people: only those a sparse fact flags are read and judged."""
    flagged = screen_repo.flagged_ids(
        tx,
        organization_id=context.organization_id,
        day=context.panel_date,
        year=context.reference_date.year,
        rules=rules,
        manual=list(context.manual),
    )
    people = screen_repo.facts_of(
        tx, sorted((flagged | also) & matched), draw_id, context.organization_id, context.reference_date.year
    )
    found: list[Exclusion] = []
    for person in people:
        found.extend(avoidance(person, context, rules))
    return sorted(found, key=lambda e: (e.practitioner_id, RULE_CODES.index(e.rule), e.detail))


def fast_screen(
    tx: neo4j.ManagedTransaction,
    draw_id: str,
    criteria: Criteria,
    context: DrawContext,
    rules: DrawRules,
    matched: list[str] | None = None,
    also: set[str] = frozenset(),  # type: ignore[assignment]
) -> Screened:
    """Who meets the criteria, who is excluded and why, who is left (ids, sorted)."""
    ids = matched if matched is not None else matched_ids(tx, criteria, context)
    pool = set(ids)
    exclusions = exclusions_among(tx, pool, draw_id, context, rules, also)
    excluded = {e.practitioner_id for e in exclusions}
    return Screened(len(pool), tuple(sorted(pool - excluded)), tuple(exclusions))


def reference_screen(
    tx: neo4j.ManagedTransaction, draw_id: str, criteria: Criteria, context: DrawContext, rules: DrawRules
) -> Screening:
    """The slow, obvious screen: everyone's full facts, every rule in Python (what fast_screen must equal)."""
    people = repo.read_candidates(
        tx,
        draw_id,
        criteria.work_type,
        criteria.min_level,
        criteria.region,
        context.organization_id,
        context.reference_date.year,
    )
    return screen(people, criteria, context, rules)


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
