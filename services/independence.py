"""Independence of verifiers (issue 23 part 3): who verified a client, year by year, for how many consecutive
years, and the rotation warning beside a candidate for the client's next verification."""

from __future__ import annotations

from datetime import date
from typing import Any

import neo4j

from graph import rotation as repo
from graph.records import found
from registry import visibility
from registry.rotation import ROTATION_RULE, current_run, identity_visible, rotation_row, shown, warns
from services.context import Context


def _ordered(rows: list[dict[str, Any]]) -> list[dict[str, Any]]:
    """The longest tenure first, organizations before people, then by name."""
    return sorted(
        rows,
        key=lambda row: (
            -row["consecutive_years"],
            row["verifier"]["type"] != "organization",
            row["verifier"].get("hidden", False),
            row["verifier"].get("name") or "",
            row["verifier"].get("id") or "",
        ),
    )


def table(ctx: Context, organization_id: str, role: str = visibility.PUBLIC_ROLE) -> dict[str, Any]:
    """The organization's independence table as `role` may see it: each provider and each verifier on its
    verification teams with their years, the run of consecutive years ending at the latest, and the warning;
    how many verifications count and how many of them name no provider (their body is missing from the rows);
    NotFound for an unknown organization."""

    def work(tx: neo4j.ManagedTransaction) -> dict[str, Any]:
        organization = found(repo.client(tx, organization_id), "organization", organization_id)
        verifications = repo.client_verifications(tx, organization_id)
        rows = [
            rotation_row(shown(pair["verifier"], identity_visible(pair["verifier"], role)), pair["years"])
            for pair in repo.pairs_of(verifications)
        ]
        return {
            "organization": organization,
            "rule": ROTATION_RULE.as_dict(),
            "rows": _ordered(rows),
            "verifications": len(verifications),
            "provider_unknown": sum(1 for v in verifications if not v.get("provider")),
        }

    return ctx.graph.read(work)


def warnings(
    tx: neo4j.ManagedTransaction,
    client_id: str,
    practitioner_ids: list[str],
    on: date,
    role: str = visibility.PUBLIC_ROLE,
) -> dict[str, dict[str, Any]]:
    """The rotation warning beside each candidate for the client's verification on `on`: the run a verification
    that year would continue, the person's own or their employer's (on that day), whichever is longer (the
    person's on a tie). `{practitioner_id: {consecutive_years, years, warning, via: {type, id, name}}}`, only for
    people with such a run; an employer the person keeps from `role` is `via: {type: organization, hidden: true}`.
    """
    answer: dict[str, dict[str, Any]] = {}
    for person_id, facts in repo.warnings_for(tx, client_id, practitioner_ids, on).items():
        own = current_run(facts["years"], on.year)
        employer = facts["employer"]
        by_employer = current_run(facts["employer_years"], on.year) if employer else 0
        if not own and not by_employer:
            continue
        if own >= by_employer:
            run, years, via = (
                own,
                facts["years"],
                shown({"type": "practitioner", **facts["practitioner"]}, True),
            )
        else:
            hidden = visibility.hidden_fields(visibility.decode(facts["visibility"]), role)
            run, years = by_employer, facts["employer_years"]
            via = shown({"type": "organization", **employer}, "employer" not in hidden)
        answer[person_id] = {"consecutive_years": run, "years": years, "warning": warns(run), "via": via}
    return answer
