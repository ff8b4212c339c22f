"""The credit record (资信档案): what its use cases share — the rules in force, who is calling, who entered
a change — and the read side: the profile's credit summary and the annual assessment.

The use cases live next to this module: `services.evaluations` (evaluate, reply), `services.misconduct`
(records, sanctions and the pools they feed), `services.complaints` (triage) and `services.appeals`.
Each write is one transaction that takes the practitioner's lock, checks the rules (`registry.evaluations`,
`registry.misconduct`, `registry.appeals`), writes, re-derives the sanctions and pools, and records the audit
entry, so a refused request leaves nothing behind.
"""

from __future__ import annotations

import functools
import json
from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

import neo4j

from graph import activity_stats as activity_repo
from graph import credit as repo
from graph import misconduct as misconduct_repo
from graph import practitioners as practitioner_repo
from registry.assessment import assess
from registry.credit import DEFAULT_CREDIT_RULES, CreditRules, credit_rules_from_mapping
from registry.errors import RegistryError
from registry.evaluations import summarize
from registry.misconduct import is_active
from registry.public_welfare import credit_entry, record
from services.context import Context


@dataclass(frozen=True)
class Caller:
    """The caller's role and its key's binding (a client key's organization, a practitioner key's person)."""

    role: str
    organization_id: str | None = None
    practitioner_id: str | None = None


class NotAllowed(RegistryError):
    status = 403
    title = "Forbidden"
    slug = "forbidden"


@functools.cache
def _rules_from(path: str | None) -> CreditRules:
    if not path:
        return DEFAULT_CREDIT_RULES
    return credit_rules_from_mapping(json.loads(Path(path).read_text(encoding="utf-8")))


def rules(ctx: Context) -> CreditRules:
    """The credit rules: the published defaults, overridden by the JSON file `CREDIT_RULES_FILE` names."""
    return _rules_from(ctx.settings.credit_rules_file)


def entered_by(ctx: Context) -> str:
    """How a stored record names who entered it: the key's prefix and label, or `cli`."""
    actor = ctx.actor
    return " ".join(part for part in (actor.prefix, actor.label) if part) or actor.kind


def active_sanctions(tx: neo4j.ManagedTransaction, practitioner_id: str, today: date) -> list[dict[str, Any]]:
    """A person's sanctions in force on `today`, as the API shows them."""
    return [
        s.to_dict() | {"active": True}
        for s in misconduct_repo.sanctions(tx, practitioner_id)
        if is_active(s, today)
    ]


def summary(ctx: Context, practitioner_id: str) -> dict[str, Any]:
    """The profile's `credit` for one practitioner, as the caller may see it: panels served count only disclosed
    draws but for admins, so the count never moves with a panel whose members are not yet disclosed."""
    return summary_and_public_welfare(ctx, practitioner_id)[0]


def summary_and_public_welfare(ctx: Context, practitioner_id: str) -> tuple[dict[str, Any], dict[str, Any]]:
    """The credit summary and the profile's `public_welfare` record, from one read of the person's participation
    (the summary's 公益服务 is that record's count and hours)."""
    every_draw = ctx.actor.role == "admin"

    def work(tx: neo4j.ManagedTransaction) -> tuple[dict[str, Any], dict[str, Any]]:
        welfare = record(activity_repo.record(tx, practitioner_id))
        facts = credit_summary(
            tx,
            practitioner_id,
            ctx.today,
            rules(ctx).recent_evaluations,
            every_draw=every_draw,
            welfare=welfare,
        )
        return facts, welfare

    return ctx.graph.read(work)


def credit_summary(
    tx: neo4j.ManagedTransaction,
    practitioner_id: str,
    today: date,
    recent: int = 5,
    *,
    every_draw: bool = True,
    welfare: dict[str, Any] | None = None,
) -> dict[str, Any]:
    """The profile's `credit`: evaluations {count, mean, recent}, active sanctions, draws served (of every draw,
    or of disclosed draws only), records, and 公益服务 (`public_welfare`: activities and hours, no score; from
    `welfare`, the person's record, when the caller has read it already)."""
    facts = repo.credit_facts(tx, practitioner_id, recent, every_draw) or {
        "scores": [], "recent": [], "draws_served": 0, "records": 0,
    }  # fmt: skip
    return {
        "evaluations": summarize(facts["scores"]).to_dict() | {"recent": facts["recent"]},
        "sanctions": active_sanctions(tx, practitioner_id, today),
        "draws_served": facts["draws_served"],
        "records": facts["records"],
        "public_welfare": credit_entry(welfare or record(activity_repo.record(tx, practitioner_id))),
    }


def assessment_of(ctx: Context, practitioner_id: str, year: int) -> dict[str, Any]:
    """The annual assessment (NDRC order 26) of `year`: provisional until the year has ended."""

    def work(tx: neo4j.ManagedTransaction) -> dict[str, Any]:
        practitioner_repo.require(tx, practitioner_id)
        scores = repo.year_scores(tx, practitioner_id, year)
        records = misconduct_repo.record_facts(tx, practitioner_id)
        return assess(year, scores, records, ctx.today, rules(ctx).assessment).to_dict()

    return ctx.graph.read(work)
