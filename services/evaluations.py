"""Evaluations (履职评价): the client organization rates each member of a completed engagement once; the
practitioner may reply once (rules: `registry.evaluations`)."""

from __future__ import annotations

import uuid
from typing import Any

import neo4j

from graph import evaluations as repo
from graph import practitioners as practitioner_repo
from graph.records import found
from registry.appeals import appeal_deadline
from registry.errors import Conflict, ValidationFailed
from registry.evaluations import (
    EngagementFacts,
    Evaluator,
    check_may_evaluate,
    check_may_reply,
    due_on,
    on_time,
    validate_scores,
    weighted_score,
)
from services import audit, credit
from services.context import Context, Page
from services.credit import Caller, entered_by
from services.pools import rederive


def evaluate(ctx: Context, engagement_id: str, data: dict[str, Any], caller: Caller) -> dict[str, Any]:
    """Rate one team member of a completed engagement; the answer carries `id` and `score`."""
    rules = credit.rules(ctx)
    errors = validate_scores(data.get("scores"), rules.criteria)
    if errors:
        raise ValidationFailed(errors)
    practitioner_id = str(data["practitioner_id"])
    scores = {c.code: data["scores"][c.code] for c in rules.criteria}
    score = weighted_score(scores, rules.criteria)
    evaluation_id = str(uuid.uuid4())

    def work(tx: neo4j.ManagedTransaction) -> dict[str, Any]:
        facts = found(repo.engagement_facts(tx, engagement_id, practitioner_id), "engagement", engagement_id)
        engagement = EngagementFacts(
            id=facts["id"],
            status=facts["status"],
            client_id=facts["client_id"],
            work_type=facts["work_type"],
            end_on=facts["end_on"],
            team=frozenset(facts["team"]),
        )
        check_may_evaluate(
            engagement,
            practitioner_id,
            Evaluator(caller.role, caller.organization_id),
            facts["already_evaluated"],
            ctx.today,
            rules.window,
        )
        practitioner_repo.lock(tx, [practitioner_id])
        repo.create_evaluation(
            tx,
            id=evaluation_id,
            engagement_id=engagement_id,
            practitioner_id=practitioner_id,
            score=score,
            work_type=engagement.work_type,
            criteria=list(scores),
            criterion_scores=list(scores.values()),
            weights=[c.weight for c in rules.criteria],
            comment=data.get("comment"),
            on_time=on_time(engagement.end_on, ctx.today, rules.window),
            due_on=due_on(engagement.end_on, rules.window),
            today=ctx.today,
            entered_by=entered_by(ctx),
        )
        rederive(tx, [practitioner_id], ctx.today)  # the search keys carry the mean evaluation
        audit.record(
            tx, ctx, "evaluation", evaluation_id, "create",
            after={"engagement_id": engagement_id, "practitioner_id": practitioner_id, "score": score,
                   "scores": scores, "work_type": engagement.work_type},
            details={"comment": "changed"} if data.get("comment") else None,
            subjects=[practitioner_id],
        )  # fmt: skip
        return _evaluation_view(tx, ctx, evaluation_id)

    try:
        return ctx.graph.write(work)
    except neo4j.exceptions.ConstraintError:
        # A concurrent request wrote the same pair first; the unique `pair` key refused this one.
        raise Conflict(
            f"Practitioner {practitioner_id} has already been evaluated for engagement {engagement_id}."
        ) from None


def _evaluation_view(tx: neo4j.ManagedTransaction, ctx: Context, evaluation_id: str) -> dict[str, Any]:
    view = found(repo.get_evaluation(tx, evaluation_id), "evaluation", evaluation_id)
    view["appeal_deadline"] = appeal_deadline(view["created_on"], credit.rules(ctx).appeal)
    return view


def reply(ctx: Context, evaluation_id: str, text: str, caller: Caller) -> dict[str, Any]:
    """The evaluated practitioner's one reply, shown beside the evaluation."""

    def work(tx: neo4j.ManagedTransaction) -> dict[str, Any]:
        view = found(repo.get_evaluation(tx, evaluation_id), "evaluation", evaluation_id)
        check_may_reply(view["practitioner_id"], view.get("reply"), caller.role, caller.practitioner_id)
        if not repo.set_reply(tx, evaluation_id, text):
            raise Conflict("This evaluation already has a reply; a practitioner replies once.")
        audit.record(
            tx, ctx, "evaluation", evaluation_id, "reply",
            details={"reply": "changed"}, subjects=[view["practitioner_id"]],
        )  # fmt: skip
        return _evaluation_view(tx, ctx, evaluation_id)

    return ctx.graph.write(work)


def get_evaluation(ctx: Context, evaluation_id: str) -> dict[str, Any]:
    """One evaluation, or NotFound."""
    return ctx.graph.read(_evaluation_view, ctx, evaluation_id)


def evaluations_of(ctx: Context, practitioner_id: str, page: int, per_page: int) -> Page:
    """A page of a person's evaluations, newest first, each with its appeal deadline."""

    def work(tx: neo4j.ManagedTransaction) -> tuple[list[dict[str, Any]], int]:
        practitioner_repo.require(tx, practitioner_id)
        items, total, _ = repo.practitioner_evaluations(tx, practitioner_id, (page - 1) * per_page, per_page)
        for item in items:
            item["appeal_deadline"] = appeal_deadline(item["created_on"], credit.rules(ctx).appeal)
        return items, total

    return Page.of(ctx.graph.read(work))
