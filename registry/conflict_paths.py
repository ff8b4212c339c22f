"""Conflict paths from the facts around an organization (issue 23): which people fall under which kind, and the path
that shows why. The graph hands over plain rows (graph/conflicts.py); this module decides.

A person may be conflicted through many facts (a large provider did dozens of engagements for a group): each rule
keeps the `MAX_PATHS_PER_RULE` shortest paths, which is enough evidence to act on and keeps a draw's sealed record
small.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any

from registry.conflicts import (
    PREPARATION_KINDS,
    Conflict,
    ConflictRules,
    Node,
    Step,
    detail_of,
    ordered,
    overlaps,
)

MAX_PATHS_PER_RULE = 3

PRACTITIONER, ORGANIZATION, ENGAGEMENT = "Practitioner", "Organization", "Engagement"


@dataclass(frozen=True)
class Facts:
    """What graph/conflicts.py read around the organization."""

    organization: Mapping[str, Any]
    members: tuple[
        Mapping[str, Any], ...
    ] = ()  # group members other than the organization, with control steps
    employed: tuple[Mapping[str, Any], ...] = ()
    engagements: tuple[Mapping[str, Any], ...] = ()
    staff: tuple[Mapping[str, Any], ...] = ()
    colleagues: tuple[Mapping[str, Any], ...] = ()


def _node(kind: str, row: Mapping[str, Any]) -> Node:
    return Node(kind, row["id"], row.get("name") or row.get("title"))  # an engagement is named by its title


def _group_steps(facts: Facts) -> dict[str, tuple[Step, ...]]:
    """Each member's control steps up to the organization (none for the organization itself)."""
    steps: dict[str, tuple[Step, ...]] = {facts.organization["id"]: ()}
    for member in facts.members:
        steps[member["id"]] = tuple(
            Step(
                _node(ORGANIZATION, s["child"]),
                "CONTROLLED_BY",
                _node(ORGANIZATION, s["parent"]),
                s.get("since"),
                s.get("until"),
            )
            for s in member["steps"]
        )
    return steps


def _client_step(engagement: Mapping[str, Any], member: str, names: Mapping[str, str | None]) -> Step:
    return Step(_node(ENGAGEMENT, engagement), "FOR_CLIENT", Node(ORGANIZATION, member, names.get(member)))


def member_names(facts: Facts) -> dict[str, str | None]:
    """The name of each group member, the organization's included."""
    names = {member["id"]: member.get("name") for member in facts.members}
    names[facts.organization["id"]] = facts.organization.get("name")
    return names


def conflicts(
    facts: Facts, rules: ConflictRules, job: str | None, since: date, on: date
) -> dict[str, list[Conflict]]:
    """Every conflict of every person the facts reach, by person id, in the kinds' order, shortest path first."""
    kinds = set(rules.applying_to(job))
    up = _group_steps(facts)
    names = member_names(facts)
    found: list[Conflict] = []

    def add(
        person: Mapping[str, Any], rule: str, path: Iterable[Step], facts_ids: Iterable[str] = ()
    ) -> None:
        steps = tuple(path)
        found.append(Conflict(person["id"], rule, steps, detail_of(rule, steps), tuple(facts_ids)))

    if "group_employment" in kinds:
        for row in facts.employed:
            person = row["person"]
            job_step = Step(
                _node(PRACTITIONER, person), "EMPLOYED_BY", Node(ORGANIZATION, row["member"], names.get(row["member"])),
                row.get("since"), row.get("until"),
            )  # fmt: skip
            add(person, "group_employment", (job_step, *up[row["member"]]))

    staff_of: dict[str, list[Mapping[str, Any]]] = defaultdict(list)
    for row in facts.staff:
        staff_of[row["provider"]].append(row)
    for row in facts.engagements:
        engagement, member, provider = row["engagement"], row["member"], row.get("provider")
        rules_here = [r for r in ("group_engagement", "consult_then_verify") if r in kinds]
        if "consult_then_verify" in rules_here and engagement.get("kind") not in PREPARATION_KINDS:
            rules_here.remove("consult_then_verify")
        if not rules_here:
            continue
        client = (_client_step(engagement, member, names), *up[member])
        worked = (engagement.get("start_on"), engagement.get("end_on"))
        for person in row["team"]:
            on_team = Step(_node(PRACTITIONER, person), "WORKED_ON", _node(ENGAGEMENT, engagement), *worked)
            for rule in rules_here:
                add(person, rule, (on_team, *client), (engagement["id"],))
        if provider is None:
            continue
        performed = Step(
            _node(ENGAGEMENT, engagement), "PERFORMED_BY", _node(ORGANIZATION, provider), *worked
        )
        # Employed by the provider while the engagement ran, or since (the firm's work is the person's firm's).
        start = max(engagement.get("start_on") or since, since)
        for staff in staff_of.get(provider["id"], ()):
            if not overlaps(staff.get("since"), staff.get("until"), start, on):
                continue
            person = staff["person"]
            employed = Step(
                _node(PRACTITIONER, person), "EMPLOYED_BY", _node(ORGANIZATION, provider),
                staff.get("since"), staff.get("until"),
            )  # fmt: skip
            for rule in rules_here:
                add(person, rule, (employed, performed, *client), (engagement["id"],))

    if "colleague" in kinds:
        for row in facts.colleagues:
            engagement, colleague, member = row["engagement"], row["colleague"], row["member"]
            worked = (engagement.get("start_on"), engagement.get("end_on"))
            path = (
                Step(_node(PRACTITIONER, row["person"]), "WORKED_ON", _node(ENGAGEMENT, engagement), *worked),
                Step(_node(PRACTITIONER, colleague), "WORKED_ON", _node(ENGAGEMENT, engagement), *worked),
                Step(
                    _node(PRACTITIONER, colleague), "EMPLOYED_BY", Node(ORGANIZATION, member, names.get(member)),
                    row.get("since"), row.get("until"),
                ),
                *up[member],
            )  # fmt: skip
            add(row["person"], "colleague", path, (engagement["id"],))

    return _kept(found)


def _kept(found: Iterable[Conflict]) -> dict[str, list[Conflict]]:
    """By person, each rule's shortest `MAX_PATHS_PER_RULE` paths."""
    by_person: dict[str, list[Conflict]] = defaultdict(list)
    per_rule: dict[tuple[str, str], int] = defaultdict(int)
    for conflict in ordered(found):
        key = (conflict.practitioner_id, conflict.rule)
        if per_rule[key] < MAX_PATHS_PER_RULE:
            per_rule[key] += 1
            by_person[conflict.practitioner_id].append(conflict)
    return dict(by_person)
