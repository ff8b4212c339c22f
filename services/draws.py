"""Expert panel draws: make one (avoidance, sealing, invitations), answer invitations, refill, read them
(verification against the sealed record and statistics: services/draw_reports.py; the signed seal and event
chain: services/draw_seals.py).

Each use case is one write transaction that locks what it shares: the yearly loads of the people it seats
(DrawLoad, graph/draws.py), so one expert never sits on two panels of one date nor above the yearly cap, while
unrelated draws run side by side. The rules are pure (registry/draws.py, draw_record.py, draw_log.py); this module
reads the facts, applies the rules and stores the events they produce.
"""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import UTC, date, datetime
from typing import Any

import neo4j

from graph import draw_records as records
from graph import draw_screen
from graph import draws as repo
from graph.records import found
from registry.conflicts import conflict_rules_from
from registry.draw_commit import FORMAT
from registry.draw_log import (
    Blocked,
    DrawState,
    EventLog,
    check_response,
    lapse_overdue,
    open_sealed,
    record_response,
    replay,
)
from registry.draw_log import appoint as appoint_seat
from registry.draw_log import disclose as disclose_draw
from registry.draw_pool import is_pooled
from registry.draw_pool import properties as pool_properties
from registry.draw_rules import DEFAULT_RULES, DrawRules
from registry.draw_seal import canonical
from registry.draws import (
    DEFAULT_MIN_LEVEL,
    DEFAULT_RESERVES,
    Criteria,
    DrawContext,
    Exclusion,
    SealedCandidate,
    avoidance,
    criteria_problems,
    exclusions_by_rule,
    size_problems,
)
from registry.errors import NotFound, RegistryError, ValidationFailed
from registry.visibility import PUBLIC_ROLE
from services import audit, conflicts, draw_seals, independence
from services import draw_screen as screening
from services.context import Context


class NoCandidates(RegistryError):
    """Nobody in the registry meets the draw's criteria: there is nothing to draw from."""

    status = 422
    title = "No practitioner meets the criteria"
    slug = "no-candidates"


class PoolTooSmall(RegistryError):
    """Fewer candidates than seats, and the request asked not to record a shortfall."""

    status = 422
    title = "The pool cannot fill the panel"
    slug = "pool-too-small"


def rules_for(ctx: Context) -> DrawRules:
    """The draw rules of this deployment: the conflict window and the draw settings of the Settings."""
    settings = ctx.settings
    return DrawRules(
        window_years=getattr(settings, "conflict_window_years", DEFAULT_RULES.window_years),
        draws_per_year_cap=getattr(settings, "draw_cap_per_year", DEFAULT_RULES.draws_per_year_cap),
        response_hours=getattr(settings, "draw_response_hours", DEFAULT_RULES.response_hours),
    )


def _now(now: datetime | None) -> datetime:
    return now or datetime.now(UTC)


def _actor(ctx: Context) -> str:
    actor = ctx.actor
    if actor.kind == "cli":
        return "cli"
    return f"{actor.role or 'public'}:{actor.prefix or '-'}"


# --- Making a draw -------------------------------------------------------------------------------------------


def _check_request(data: dict[str, Any], today: date) -> tuple[Criteria, dict[str, str]]:
    criteria = Criteria(
        work_type=data.get("work_type"),
        min_level=data.get("min_level") or DEFAULT_MIN_LEVEL,
        industry=data.get("industry"),
        region=data.get("region"),
        specialty=data.get("specialty"),
    )
    errors = size_problems(data["purpose"], data["size"], data.get("reserves", DEFAULT_RESERVES))
    errors |= criteria_problems(criteria)
    panel_date = data.get("panel_date")
    if panel_date is not None and panel_date < today:
        errors["panel_date"] = ["The panel's date is in the past."]
    manual: dict[str, str] = {}
    for index, item in enumerate(data.get("exclusions") or []):
        pid, reason = str(item["practitioner_id"]), (item.get("reason") or "").strip()
        if not reason:
            errors.setdefault("exclusions", []).append(f"Exclusion {index + 1} needs a reason.")
        if pid in manual:
            errors.setdefault("exclusions", []).append(f"Practitioner {pid} is excluded twice.")
        manual[pid] = reason
    if errors:
        raise ValidationFailed(errors)
    return criteria, manual


def create(ctx: Context, data: dict[str, Any], now: datetime | None = None) -> dict[str, Any]:
    """Draw a panel: screen the pool with the avoidance rules, seal the candidates, select, invite."""
    now = _now(now)
    rules = rules_for(ctx)
    criteria, manual = _check_request(data, ctx.today)
    # The indirect conflicts (issue 23) within the bounds the request may choose (400 outside them).
    indirect = screening.Indirect(
        conflict_rules_from(data.get("rules"), conflicts.rules_of(ctx)), criteria.work_type
    )
    size, reserves = data["size"], data.get("reserves", DEFAULT_RESERVES)
    panel_date: date | None = data.get("panel_date")
    organization_id = str(data["organization_id"]) if data.get("organization_id") else None
    reference = panel_date or ctx.today
    draw_id = str(uuid.uuid4())
    # The secret exists, and its hash is fixed, before a single candidate is read (registry/draw_record.py).
    secret = secrets.token_hex(32)

    def work(tx: neo4j.ManagedTransaction) -> dict[str, Any]:
        checks = repo.reference_checks(
            tx,
            organization_id=organization_id,
            industry=criteria.industry,
            region=criteria.region,
            specialty=criteria.specialty,
            practitioner_ids=list(manual),
        )
        errors: dict[str, list[str]] = {}
        for name in ("industry", "region", "specialty"):
            if getattr(criteria, name) is not None and not checks[name]:
                errors[name] = [f"Unknown {name} code {getattr(criteria, name)}."]
        if checks["missing_practitioners"]:
            errors["exclusions"] = [
                f"No practitioner with id {pid}." for pid in checks["missing_practitioners"]
            ]
        if organization_id is not None and not checks["organization"]:
            raise NotFound(f"No organization with id {organization_id}.", organization_id=organization_id)
        if errors:
            raise ValidationFailed(errors)

        context = DrawContext(reference, panel_date, organization_id, manual)
        year = (panel_date or now.date()).year
        draw_screen.ensure_loads(tx, reference.year)
        matched = screening.matched_ids(tx, criteria, context, rules)
        if not matched.ids:
            raise NoCandidates("No active practitioner meets these criteria; nothing was drawn.")
        late: set[str] = set()
        for _ in range(screening.ATTEMPTS):
            screened = screening.fast_screen(tx, draw_id, criteria, context, rules, matched, late, indirect)
            if len(screened.candidate_ids) < size and data.get("allow_shortfall") is False:
                raise PoolTooSmall(
                    f"{len(screened.candidate_ids)} candidates remain after avoidance for {size} seats; "
                    "nothing was drawn.",
                    candidate_count=len(screened.candidate_ids),
                    exclusions_by_rule=exclusions_by_rule(screened.exclusions),
                )
            sealed = screening.seal(tx, secret, draw_id, screened.candidate_ids, size, reserves, context)
            panel_ids = [pick.practitioner_id for pick in sealed.selection.panel]
            # Seated by a draw that committed meanwhile (or barred since): screen again with them re-read.
            newly = screening.late_conflicts(tx, panel_ids, draw_id, context, rules, year)
            if not newly:
                break
            late |= newly
        else:
            raise RegistryError("The draw kept meeting concurrent draws; try again.")
        # The pool-wide exclusions are one sealed row set on the node, the others one event each (draw_pool.py).
        pooled = [e for e in screened.exclusions if is_pooled(e)]
        individual = [e for e in screened.exclusions if not is_pooled(e)]
        commitment = sealed.commitment
        opening = open_sealed(
            draw_id, secret, commitment.candidate_hash, commitment.count, sealed.order, sealed.selection,
            individual, now, rules.response_hours, by=_actor(ctx),
        )  # fmt: skip
        props = {
            "purpose": data["purpose"],
            "title": data["title"],
            "organization_id": organization_id,
            "work_type": criteria.work_type,
            "min_level": criteria.min_level,
            "industry": criteria.industry,
            "region": criteria.region,
            "specialty": criteria.specialty,
            "size": size,
            "reserves": reserves,
            "panel_date": panel_date,
            "reference_date": reference,
            "manual_ids": list(manual),
            "manual_reasons": list(manual.values()),
            "secret": secret,
            "seed_commitment": opening.seed_commitment,
            "candidate_hash": opening.candidate_hash,
            "seed": opening.seed,
            "candidate_count": sealed.commitment.count,
            "matched_count": screened.matched,
            "candidates": [],  # merkle-v2 keeps the reach instead of every line (registry/draw_commit.py)
            "candidate_format": FORMAT,
            "candidate_reach": sealed.commitment.reach(sealed.seed, sealed.order),
            "window_years": rules.window_years,
            "draw_cap": rules.draws_per_year_cap,
            "response_hours": rules.response_hours,
            "conflict_rules": canonical(indirect.rules.to_dict()),
            "conceal_project": bool(data.get("conceal_project")),  # kept out of invitations until accepted
            **pool_properties(pooled),
            "created_by": _actor(ctx),
        }
        stored_events = [records.event_properties(e) for e in opening.log.events]
        seal = draw_seals.seal(ctx, draw_id, {**props, "created_at": now}, stored_events)
        repo.create_draw(tx, draw_id, props | seal.properties, organization_id, now)
        draw_seals.store(tx, ctx, draw_id, opening.log, now, seal.head)
        draw_screen.refresh_loads(tx, list(opening.log.state.seats), year)
        view = found(repo.read_draw(tx, draw_id), "draw", draw_id)
        audit.record(
            tx, ctx, "draw", draw_id, "create",
            after={
                k: v
                for k, v in props.items()
                if k not in ("secret", "candidates", "candidate_reach", "manual_reasons", "pool_exclusions")
            },
            details={"shortfall": opening.log.state.shortfall, "seal": seal.head.seal, "seal_key_id": seal.key_id},
            subjects=list(opening.log.state.seats),
        )  # fmt: skip
        return view

    return ctx.graph.write(work)


# --- Changing a draw: responses, lapses, appointments, disclosure, notes -------------------------------------


@dataclass
class _Loaded:
    view: dict[str, Any]
    head: draw_seals.Head | None
    log: EventLog
    order: tuple[SealedCandidate, ...]
    context: DrawContext
    rules: DrawRules


def _load_locked(tx: neo4j.ManagedTransaction, ctx: Context, draw_id: str) -> _Loaded:
    """Lock the draw, then read it and rebuild its state from its events (people it seats are locked as reached)."""
    reference = found(repo.reference_date(tx, draw_id), "draw", draw_id)
    repo.lock_draw(tx, draw_id)
    view = found(repo.read_draw(tx, draw_id), "draw", draw_id)
    events = [records.event_from(e) for e in view["events"]]
    state = replay(view["size"], events)
    manual = dict(zip(view.get("manual_ids") or [], view.get("manual_reasons") or [], strict=False))
    context = DrawContext(reference, view.get("panel_date"), view.get("organization_id"), manual)
    rules = DrawRules(
        window_years=view.get("window_years") or DEFAULT_RULES.window_years,
        draws_per_year_cap=view.get("draw_cap") or DEFAULT_RULES.draws_per_year_cap,
        response_hours=view.get("response_hours") or DEFAULT_RULES.response_hours,
    )
    next_seq = max((e.seq for e in events), default=0) + 1
    return _Loaded(
        view,
        draw_seals.head(ctx, view),
        EventLog(state, next_seq),
        records.sealed_order_of(view),
        context,
        rules,
    )


def _blocked(tx: neo4j.ManagedTransaction, loaded: _Loaded) -> Blocked:
    """The avoidance rules a person falls under now, read fresh for a refill."""

    def blocked(practitioner_id: str) -> Sequence[Exclusion]:
        context = loaded.context
        # Whoever may take the seat is locked first, so a draw seating them at once waits and reads this one.
        draw_screen.lock_loads(tx, [practitioner_id], screening.seat_year(loaded.view))
        facts = repo.read_person(
            tx, loaded.view["id"], practitioner_id, context.organization_id, context.reference_date.year
        )
        if facts is None or facts.status != "active":
            return [Exclusion(practitioner_id, "unavailable", "no longer active in the registry")]
        found = avoidance(facts, loaded.context, loaded.rules)
        indirect = screening.indirect_of(loaded.view)
        return found + screening.conflict_exclusions(
            tx, context, indirect, {practitioner_id}, [practitioner_id]
        )

    return blocked


def _change(
    ctx: Context, draw_id: str, action: str, step: Any, now: datetime | None, precheck: Any = None
) -> dict[str, Any]:
    """On the locked draw: `precheck`, record lapsed invitations, run `step(tx, loaded, now)`, store the events."""
    now = _now(now)

    def work(tx: neo4j.ManagedTransaction) -> dict[str, Any]:
        loaded = _load_locked(tx, ctx, draw_id)
        if precheck is not None:
            precheck(loaded, now)
        lapse_overdue(loaded.log, loaded.order, now, loaded.rules.response_hours, _blocked(tx, loaded))
        details = step(tx, loaded, now) or {}
        if loaded.log.events:
            draw_seals.store(tx, ctx, draw_id, loaded.log, now, loaded.head)
            draw_screen.refresh_loads(tx, list(loaded.log.state.seats), screening.seat_year(loaded.view))
            audit.record(
                tx, ctx, "draw", draw_id, action,
                details={**details, "events": [e.kind for e in loaded.log.events]},
                subjects=sorted({e.practitioner_id for e in loaded.log.events if e.practitioner_id}),
            )  # fmt: skip
        return found(repo.read_draw(tx, draw_id), "draw", draw_id)

    return ctx.graph.write(work)


def respond(ctx: Context, draw_id: str, data: dict[str, Any], now: datetime | None = None) -> dict[str, Any]:
    """Record accepted / declined / no_response for an invitation; a vacated seat is refilled at once."""
    practitioner_id, response = str(data["practitioner_id"]), data["response"]

    def precheck(loaded: _Loaded, at: datetime) -> None:
        # Before lapsed invitations are recorded, so a late "accepted" is told that it lapsed.
        check_response(loaded.log.state, practitioner_id, response, at)

    def step(tx: neo4j.ManagedTransaction, loaded: _Loaded, at: datetime) -> dict[str, Any]:
        record_response(
            loaded.log,
            loaded.order,
            practitioner_id,
            response,
            at,
            loaded.rules.response_hours,
            reason=data.get("reason"),
            by=_actor(ctx),
            blocked=_blocked(tx, loaded),
        )
        return {"practitioner_id": practitioner_id, "response": response}

    return _change(ctx, draw_id, "respond", step, now, precheck)


def appoint(ctx: Context, draw_id: str, data: dict[str, Any], now: datetime | None = None) -> dict[str, Any]:
    """Fill a seat the pool could not (shortfall) with a named practitioner, with a reason."""
    practitioner_id = str(data["practitioner_id"])

    def step(tx: neo4j.ManagedTransaction, loaded: _Loaded, at: datetime) -> dict[str, Any]:
        draw_screen.lock_loads(tx, [practitioner_id], screening.seat_year(loaded.view))
        exists = repo.is_active_practitioner(tx, practitioner_id)
        if not exists:
            raise ValidationFailed(
                {"practitioner_id": [f"No active practitioner with id {practitioner_id}."]}
            )
        appoint_seat(loaded.log, practitioner_id, data["reason"], at, by=_actor(ctx))
        return {"practitioner_id": practitioner_id}

    return _change(ctx, draw_id, "appoint", step, now)


def disclose(ctx: Context, draw_id: str, now: datetime | None = None) -> dict[str, Any]:
    """Show the panel's names to every role that may read the draw."""

    def step(_tx: neo4j.ManagedTransaction, loaded: _Loaded, at: datetime) -> None:
        disclose_draw(loaded.log, at, by=_actor(ctx))

    return _change(ctx, draw_id, "disclose", step, now)


def add_note(ctx: Context, draw_id: str, note: str, now: datetime | None = None) -> dict[str, Any]:
    """A correction or remark, as a new event: nothing recorded before is edited."""

    def step(_tx: neo4j.ManagedTransaction, loaded: _Loaded, at: datetime) -> None:
        loaded.log.add("note", at, detail=note, by=_actor(ctx))

    return _change(ctx, draw_id, "note", step, now)


def rebuild_loads(ctx: Context) -> dict[int, int]:
    """Recount every year's loads from the seats (graph/draw_screen.py); people with a seat, by year."""

    def work(tx: neo4j.ManagedTransaction) -> dict[int, int]:
        return {year: draw_screen.rebuild_loads(tx, year) for year in draw_screen.years_with_seats(tx)}

    return ctx.graph.write(work)


def lapse_invitations(ctx: Context, now: datetime | None = None) -> int:
    """Record no_response for every invitation past its deadline, refilling the seats; the draws touched."""
    now = _now(now)
    ids = ctx.graph.read(repo.draws_with_lapsed_invitations, now)
    for draw_id in ids:
        _change(ctx, draw_id, "lapse", lambda _tx, _loaded, _at: None, now)
    return len(ids)


# --- Reading -------------------------------------------------------------------------------------------------


def get(ctx: Context, draw_id: str) -> dict[str, Any]:
    """The stored draw (api/draws.py decides who sees what); a verification review's seats' rotation warnings."""

    def work(tx: neo4j.ManagedTransaction) -> dict[str, Any]:
        view = found(repo.read_draw(tx, draw_id), "draw", draw_id)
        org = (view.get("organization") or {}).get("id")
        if view.get("purpose") == "verification_review" and org:
            seated, role = [seat["practitioner"]["id"] for seat in view.get("seats") or []], ctx.actor.role
            view["rotation"] = independence.warnings(tx, org, seated, ctx.today, role or PUBLIC_ROLE)
        return view

    return ctx.graph.read(work)


def list_draws(
    ctx: Context, args: dict[str, Any], page: int, per_page: int
) -> tuple[list[dict[str, Any]], int]:
    """A page of draws, newest first."""
    result = ctx.graph.read(
        repo.list_draws, args.get("purpose"), args.get("status"), (page - 1) * per_page, per_page
    )
    return result["items"], result["total"]


def state_of(view: dict[str, Any]) -> DrawState:
    """The replayed state of a stored draw (for presenters that need overdue flags)."""
    return replay(view["size"], [records.event_from(e) for e in view["events"]])


def exclusion_rows(view: dict[str, Any]) -> list[Exclusion]:
    """The stored exclusions of a draw view."""
    return [records.exclusion_from(row) for row in view.get("excluded") or []]
