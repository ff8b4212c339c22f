"""Conflicts of interest as evidence paths (issue 23): for an organization, a date and a job, who is conflicted and
why. One service for draws, /match and engagements; the rules are in registry/conflicts.py, the paths are built by
registry/conflict_paths.py from what graph/conflicts.py reads around the organization.

How the callers use it: draws exclude every person found (each exclusion carries `rule` and `path` into the sealed
record); /match leaves them out and shows the path; an engagement team with a conflicted person is refused (409)
unless an administrator acknowledges the conflict.
"""

from __future__ import annotations

from collections.abc import Collection, Mapping
from datetime import date
from typing import Any

import neo4j

from graph import conflicts as repo
from graph import declarations, profiles
from registry import visibility
from registry.conflict_paths import Facts
from registry.conflict_paths import conflicts as build
from registry.conflicts import (
    DEFAULT_CONFLICT_RULES,
    ENGAGEMENT_TEAM_KINDS,
    KIND_BY_CODE,
    Conflict,
    ConflictRules,
    match_entry,
)
from registry.draws import window_start
from registry.errors import Conflict as ConflictError
from registry.errors import NotFound
from services.context import Context


def rules_of(ctx: Context) -> ConflictRules:
    """This deployment's conflict rules: the defaults, with the Settings' conflict window."""
    return ConflictRules(window_years=ctx.settings.conflict_window_years)


def find(
    tx: neo4j.ManagedTransaction,
    organization_id: str,
    on: date,
    rules: ConflictRules = DEFAULT_CONFLICT_RULES,
    job: str | None = None,
    practitioner_ids: Collection[str] | None = None,
    except_engagement: str | None = None,
) -> dict[str, list[Conflict]]:
    """Who is conflicted with the organization on `on` for `job`, by person id (only `practitioner_ids` when
    given), each conflict with its rule and path; 404 for an unknown organization. `except_engagement`: an
    engagement that is not evidence (the one whose team is being checked)."""
    since = window_start(on, rules.window_years)
    group = repo.group(tx, organization_id, rules.group_depth, since, on)
    if group is None:
        raise NotFound(f"No organization with id {organization_id}.")
    kinds = set(rules.applying_to(job))
    if not kinds or (practitioner_ids is not None and not practitioner_ids):
        return {}
    members = [group["organization"]["id"], *(m["id"] for m in group["members"])]
    found = repo.evidence(
        tx, members, since, on, practitioner_ids,
        employment="group_employment" in kinds,
        engagements=bool(kinds & {"group_engagement", "consult_then_verify"}),
        colleagues="colleague" in kinds,
    )  # fmt: skip
    for key in ("engagements", "colleagues"):
        found[key] = [row for row in found[key] if row["engagement"]["id"] != except_engagement]
    facts = Facts(
        organization=group["organization"],
        members=tuple(group["members"]),
        employed=tuple(found["employed"]),
        engagements=tuple(found["engagements"]),
        staff=tuple(found["staff"]),
        colleagues=tuple(found["colleagues"]),
    )
    return build(facts, rules, job, since, on)


def for_match(
    tx: neo4j.ManagedTransaction,
    organization_id: str,
    on: date,
    rules: ConflictRules,
    job: str | None,
) -> dict[str, dict[str, Any]]:
    """Who /match leaves out, by id: `{id, name, conflicts}`, each conflict with its `kind`, `rule` and `path`:
    the four kinds of registry/conflicts.py, then declared relationships (graph/declarations.py)."""
    entries: dict[str, dict[str, Any]] = {
        person: {
            "id": person,
            "name": found[0].path[0].source.name,
            "conflicts": [match_entry(c) for c in found],
        }
        for person, found in find(tx, organization_id, on, rules, job).items()
    }
    lookback = declarations.declaration_lookback(rules.window_years)
    for person, entry in declarations.declared(tx, organization_id, on, lookback).items():
        entries.setdefault(person, {**entry, "conflicts": []})["conflicts"].extend(entry["conflicts"])
    return entries


def check_team(
    tx: neo4j.ManagedTransaction,
    ctx: Context,
    engagement: Mapping[str, Any],
    acknowledged: Mapping[str, str],
) -> list[dict[str, Any]]:
    """Refuse (409, with the paths) a team with a person conflicted with the engagement's client, unless an
    administrator acknowledged that person's conflicts with a reason; the acknowledged conflicts, to be recorded
    in the audit chain. `engagement`: id, client_id, kind, start_on and the team's practitioner ids."""
    team = engagement["team_ids"]
    if not team or not engagement.get("client_id"):
        return []
    rules = ConflictRules(window_years=ctx.settings.conflict_window_years, kinds=ENGAGEMENT_TEAM_KINDS)
    on = engagement.get("start_on") or ctx.today
    found = find(
        tx,
        engagement["client_id"],
        on,
        rules,
        engagement.get("kind"),
        team,
        except_engagement=engagement["id"],
    )
    refused = {person: conflicts for person, conflicts in found.items() if person not in acknowledged}
    if refused:
        raise ConflictError(
            f"{len(refused)} team member(s) have a conflict of interest with the client; an administrator may "
            "acknowledge each with a reason (acknowledged_conflicts).",
            conflicts=[
                {"practitioner_id": person, "conflicts": [c.to_record() for c in conflicts]}
                for person, conflicts in sorted(refused.items())
            ],
        )
    return [
        {
            "practitioner_id": person,
            "reason": acknowledged[person],
            "rules": sorted({c.rule for c in found[person]}),
        }
        for person in sorted(found)
    ]


def people_on_paths(found: Mapping[str, list[Conflict]]) -> list[str]:
    """Every practitioner named on the paths (the conflicted and their colleagues), sorted."""
    ids = {
        node.id
        for conflicts in found.values()
        for conflict in conflicts
        for step in conflict.path
        for node in (step.source, step.target)
        if node.type == "Practitioner"
    }
    return sorted(ids)


def as_seen(
    tx: neo4j.ManagedTransaction, found: Mapping[str, list[Conflict]], role: str
) -> dict[str, list[dict[str, Any]]]:
    """The conflicts as `role` may see them: a node the role may not see is a hidden step (registry/visibility)."""
    settings: dict[str, Mapping[str, str] | None] = {}
    if role != "admin" and found:
        stored = profiles.visibility_of(tx, people_on_paths(found))
        settings = {person: visibility.decode(value) for person, value in stored.items()}
    return {
        person: [
            {**shown, "path": visibility.path_as_seen(shown["path"], person, settings, role)}
            for shown in (c.to_dict() for c in conflicts)
        ]
        for person, conflicts in found.items()
    }


def rules_view(rules: ConflictRules) -> dict[str, Any]:
    """The conflict rules as GET /draws/rules shows them: the settings and each kind with its source."""
    return {
        **rules.to_dict(),
        "kind_rules": [
            {"code": code, "name_zh": KIND_BY_CODE[code].name_zh, "description": KIND_BY_CODE[code].description,
             "source": KIND_BY_CODE[code].source, "verification_only": KIND_BY_CODE[code].verification_only}
            for code in KIND_BY_CODE
        ],
    }  # fmt: skip
