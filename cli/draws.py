"""`flask --app wsgi registry draw ...`: expert panel draws for administrators without a UI."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

import click
from flask.cli import AppGroup
from marshmallow import ValidationError

from interface.context import ctx
from interface.schemas.draw import CreateDrawSchema, DrawAppointmentSchema, InvitationResponseSchema
from registry.draw_log import RESPONSES
from registry.draws import PURPOSE_CODES
from registry.errors import RegistryError, ValidationFailed
from services import draw_reports, draws

draw_cli = AppGroup("draw", help="Expert review panels: draw, answer invitations, verify, statistics.")


def _fail(error: RegistryError | ValidationError) -> click.ClickException:
    if isinstance(error, ValidationError):
        return click.ClickException(json.dumps(error.messages, ensure_ascii=False))
    if isinstance(error, ValidationFailed):
        return click.ClickException(f"{error.detail}: {json.dumps(error.errors, ensure_ascii=False)}")
    return click.ClickException(error.detail)


def _run(call: Any) -> Any:
    try:
        return call()
    except (RegistryError, ValidationError) as error:
        raise _fail(error) from None


def _echo_draw(view: dict[str, Any]) -> None:
    click.echo(
        f"draw {view['id']}  {view['purpose']}  status {view['status']}  panel date {view.get('panel_date') or '-'}  "
        f"candidates {view['candidate_count']}  shortfall {view.get('shortfall', 0)}"
    )
    click.echo(f"seed commitment {view['seed_commitment']}  candidate hash {view['candidate_hash']}")
    for seat in view["seats"]:
        person = seat["practitioner"]
        order = seat.get("order") if seat.get("order") is not None else "-"
        click.echo(
            f"  {seat['role']:<7} #{order:<4} {seat['status']:<11} {seat.get('via', 'draw'):<11} "
            f"{person['id']}  {person['name']}"
        )
    counts: dict[str, int] = {}
    for exclusion in view["excluded"]:
        counts[exclusion["rule"]] = counts.get(exclusion["rule"], 0) + 1
    if counts:
        click.echo("excluded: " + ", ".join(f"{rule} {n}" for rule, n in counts.items()))


@draw_cli.command("create")
@click.option("--purpose", required=True, type=click.Choice(PURPOSE_CODES))
@click.option("--title", required=True)
@click.option("--size", required=True, type=int, help="experts on the panel (5 or more: odd)")
@click.option("--reserves", type=int, default=2, show_default=True)
@click.option(
    "--organization", "organization_id", default=None, help="the organization the panel is for (id)"
)
@click.option("--work-type", default=None)
@click.option("--min-level", type=int, default=2, show_default=True)
@click.option("--industry", default=None)
@click.option("--region", default=None)
@click.option("--specialty", default=None)
@click.option("--panel-date", default=None, help="YYYY-MM-DD")
@click.option("--exclude", "exclusions", multiple=True, help="PRACTITIONER_ID=reason (repeatable)")
def create_command(**options: Any) -> None:
    """Draw a panel; prints the draw and, as the last line, its id."""
    exclusions = []
    for item in options.pop("exclusions"):
        practitioner_id, _, reason = item.partition("=")
        exclusions.append({"practitioner_id": practitioner_id.strip(), "reason": reason.strip()})
    raw = {key: value for key, value in options.items() if value is not None}
    raw["exclusions"] = exclusions
    data = _run(lambda: CreateDrawSchema().load(raw))
    view = _run(lambda: draws.create(ctx(), data))
    _echo_draw(view)
    click.echo(view["id"])


@draw_cli.command("show")
@click.argument("draw_id")
def show_command(draw_id: str) -> None:
    """Show a draw: criteria, seats, exclusions by rule."""
    _echo_draw(_run(lambda: draws.get(ctx(), draw_id)))


@draw_cli.command("verify")
@click.argument("draw_id")
def verify_command(draw_id: str) -> None:
    """Recompute a draw from its stored record; exit status 1 when it does not match."""
    result = _run(lambda: draw_reports.verify(ctx(), draw_id))
    for check in result["checks"]:
        click.echo(f"  {'ok ' if check['ok'] else 'BAD'}  {check['check']}: {check['detail']}")
    click.echo(f"verified: {'true' if result['verified'] else 'false'}")
    if not result["verified"]:
        raise SystemExit(1)


@draw_cli.command("respond")
@click.argument("draw_id")
@click.argument("practitioner_id")
@click.argument("response", type=click.Choice(RESPONSES))
@click.option("--reason", default=None)
def respond_command(draw_id: str, practitioner_id: str, response: str, reason: str | None) -> None:
    """Record an answer to an invitation; a decline or no response refills the seat."""
    raw = {"practitioner_id": practitioner_id, "response": response, "reason": reason}
    data = _run(lambda: InvitationResponseSchema().load(raw))
    _echo_draw(_run(lambda: draws.respond(ctx(), draw_id, data)))


@draw_cli.command("appoint")
@click.argument("draw_id")
@click.argument("practitioner_id")
@click.option("--reason", required=True)
def appoint_command(draw_id: str, practitioner_id: str, reason: str) -> None:
    """Fill a seat the pool could not (after a shortfall) with a named practitioner."""
    data = _run(lambda: DrawAppointmentSchema().load({"practitioner_id": practitioner_id, "reason": reason}))
    _echo_draw(_run(lambda: draws.appoint(ctx(), draw_id, data)))


@draw_cli.command("disclose")
@click.argument("draw_id")
def disclose_command(draw_id: str) -> None:
    """Show the panel's names to non-admin roles."""
    _echo_draw(_run(lambda: draws.disclose(ctx(), draw_id)))


@draw_cli.command("note")
@click.argument("draw_id")
@click.argument("note")
def note_command(draw_id: str, note: str) -> None:
    """Add a correction or remark as a new event."""
    _echo_draw(_run(lambda: draws.add_note(ctx(), draw_id, note)))


@draw_cli.command("lapse")
def lapse_command() -> None:
    """Record no_response for invitations past their deadline and refill their seats (run it hourly)."""
    click.echo(f"{draws.lapse_invitations(ctx())} draw(s) had lapsed invitations")


@draw_cli.command("loads")
def loads_command() -> None:
    """Recount every person's yearly panel seats from the draws' seats (after an offline import of draws)."""
    for year, people in draws.rebuild_loads(ctx()).items():
        click.echo(f"{year}: {people} people with panel seats")


@draw_cli.command("stats")
@click.option("--from", "period_from", default=None, help="YYYY-MM-DD")
@click.option("--to", "period_to", default=None, help="YYYY-MM-DD")
def stats_command(period_from: str | None, period_to: str | None) -> None:
    """Draw statistics as JSON."""
    start = date.fromisoformat(period_from) if period_from else None
    end = date.fromisoformat(period_to) if period_to else None
    click.echo(
        json.dumps(draw_reports.statistics(ctx(), start, end), ensure_ascii=False, indent=2, default=str)
    )
