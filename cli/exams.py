"""`flask --app wsgi registry exams ...`: the application-to-certificate process for administrators.

Each command calls the same service as the API, so the rules and the audit trail are the same.
"""

from __future__ import annotations

import functools
import json
from collections.abc import Callable
from datetime import date, datetime
from pathlib import Path
from typing import Any

import click
from flask.cli import AppGroup

from interface.context import ctx
from registry.applications import STATUSES
from registry.errors import ImportFileError, RegistryError
from registry.exams import CHINA_TIME
from registry.taxonomy import WORK_TYPE_CODES
from services import applications, exam_imports, exam_results, exams, renewals

exams_cli = AppGroup(
    "exams", help="Applications, training, exam sessions, results, certificates and renewals."
)

DAY = click.DateTime(formats=["%Y-%m-%d"])


def _explain(error: RegistryError) -> str:
    errors = getattr(error, "errors", None)
    if errors:
        return "; ".join(f"{field}: {' '.join(messages)}" for field, messages in errors.items())
    return error.detail


def _refusals(command: Callable[..., Any]) -> Callable[..., Any]:
    """Turn a domain refusal into a one-line error and exit status 1 instead of a traceback."""

    @functools.wraps(command)
    def wrapper(*args: Any, **kwargs: Any) -> Any:
        try:
            return command(*args, **kwargs)
        except RegistryError as error:
            raise click.ClickException(_explain(error)) from None

    return wrapper


def _day(value: datetime | None) -> date | None:
    return value.date() if value else None


def _json(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, indent=2, default=str)


def _session_line(session: dict[str, Any]) -> str:
    starts = session["starts_at"].astimezone(CHINA_TIME).strftime("%Y-%m-%d %H:%M")
    rate = f"{session['pass_rate']:.0%}" if session.get("pass_rate") is not None else "-"
    return (
        f"{session['id']}  {starts} +08:00  {session['subject']}  "
        f"{session['registered']}/{session['capacity']} registered  {session['sat']} sat  pass rate {rate}"
    )


@exams_cli.command("rules")
def rules_command() -> None:
    """Print the process rules in force, each with its source."""
    context = ctx()
    click.echo(_json(applications.rules(context).to_dict() | {"renewal": renewals.rule(context).to_dict()}))


@exams_cli.command("apply")
@click.option("--practitioner", "practitioner_id", required=True, help="the practitioner's id")
@click.option("--work-type", required=True, type=click.Choice(sorted(WORK_TYPE_CODES)))
@click.option("--level", required=True, type=click.IntRange(1, 4))
@click.option("--registered-on", type=DAY, default=None, help="报名日期 (default today)")
@click.option("--related-work-years", type=float, default=None, help="default: from the work start year")
@_refusals
def apply_command(
    practitioner_id: str,
    work_type: str,
    level: int,
    registered_on: datetime | None,
    related_work_years: float | None,
) -> None:
    """Register an application; prints its id (last line)."""
    data: dict[str, Any] = {"practitioner_id": practitioner_id, "work_type": work_type, "level": level}
    if registered_on:
        data["registered_on"] = registered_on.date()
    if related_work_years is not None:
        data["related_work_years"] = related_work_years
    view = applications.create(ctx(), data)
    click.echo(
        f"application {view['status']}, valid until {view['valid_until']}, fee {view['fee']['amount']} CNY",
        err=True,
    )
    click.echo(view["id"])


@exams_cli.command("training")
@click.argument("application_id")
@click.option("--part", required=True, help="basic or the application's work type")
@click.option("--hours", required=True, type=float)
@click.option("--completed-on", type=DAY, default=None, help="default today")
@click.option("--mode", type=click.Choice(["online", "offline"]), default=None)
@_refusals
def training_command(
    application_id: str, part: str, hours: float, completed_on: datetime | None, mode: str | None
) -> None:
    """Record training hours for an application."""
    data = {"part": part, "hours": hours, "completed_on": _day(completed_on), "mode": mode}
    view = applications.add_training(ctx(), application_id, data)
    parts = ", ".join(
        f"{p['part']} {p['hours']:g}/{p['required_hours']:g} h" for p in view["training"]["parts"]
    )
    click.echo(f"{view['status']}: {parts}")


@exams_cli.command("applications")
@click.option("--status", type=click.Choice(STATUSES), default=None)
@click.option("--work-type", type=click.Choice(sorted(WORK_TYPE_CODES)), default=None)
@click.option("--level", type=click.IntRange(1, 4), default=None)
@click.option("--session", "session_id", default=None)
@click.option("--region", default=None)
@click.option("--limit", default=100, show_default=True)
@_refusals
def applications_command(
    status: str | None,
    work_type: str | None,
    level: int | None,
    session_id: str | None,
    region: str | None,
    limit: int,
) -> None:
    """List applications with their derived status."""
    filters = {
        "status": status,
        "work_type": work_type,
        "level": level,
        "session_id": session_id,
        "region": region,
        "practitioner_id": None,
    }
    items, total = applications.search(ctx(), filters, 1, limit)
    for view in items:
        person = view["practitioner"]["name"]
        click.echo(
            f"{view['id']}  {person}  {view['work_type']} L{view['level']}  {view['status']}  "
            f"registered {view['registered_on']}  valid until {view['valid_until']}"
        )
    click.echo(f"{total} application(s)", err=True)


@exams_cli.command("generate-sessions")
@click.option("--year", type=int, default=None, help="default: this year")
@click.option("--month", type=click.IntRange(1, 12), default=None, help="default: this month")
@click.option(
    "--months", type=click.IntRange(1, 24), default=1, show_default=True, help="this many months from there"
)
@click.option("--capacity", type=click.IntRange(1, 100_000), default=None)
@_refusals
def generate_sessions_command(year: int | None, month: int | None, months: int, capacity: int | None) -> None:
    """Create the default sessions (last weekend, 09:00 and 14:00 China time) of one or more months. Idempotent."""
    context = ctx()
    year = year or context.today.year
    month = month or context.today.month
    for offset in range(months):
        index = month - 1 + offset
        for session, created in exams.generate_month(context, year + index // 12, index % 12 + 1, capacity):
            click.echo(("created  " if created else "exists   ") + _session_line(session))


@exams_cli.command("add-session")
@click.option("--starts-at", required=True, help="ISO datetime with offset, e.g. 2026-12-27T09:00:00+08:00")
@click.option("--subject", default=None, help="default: 碳排放管理员理论基础知识")
@click.option("--capacity", type=click.IntRange(1, 100_000), default=None)
@_refusals
def add_session_command(starts_at: str, subject: str | None, capacity: int | None) -> None:
    """Add a session outside the monthly schedule; prints its id (last line)."""
    try:
        start = datetime.fromisoformat(starts_at)
    except ValueError:
        raise click.BadParameter("not an ISO datetime", param_hint="--starts-at") from None
    data: dict[str, Any] = {"starts_at": start, "subject": subject}
    if capacity is not None:
        data["capacity"] = capacity
    session = exams.create(ctx(), data)
    click.echo(_session_line(session), err=True)
    click.echo(session["id"])


@exams_cli.command("sessions")
@click.option("--from", "from_", type=DAY, default=None)
@click.option("--to", type=DAY, default=None)
def sessions_command(from_: datetime | None, to: datetime | None) -> None:
    """List sessions with capacity, registrations and pass rates."""
    items, total = exams.search(ctx(), {"from": _day(from_), "to": _day(to), "subject": None}, 1, 100)
    for session in items:
        click.echo(_session_line(session))
    click.echo(f"{total} session(s)", err=True)


@exams_cli.command("register")
@click.argument("session_id")
@click.argument("application_id")
@_refusals
def register_command(session_id: str, application_id: str) -> None:
    """Register an application for a session (the first sitting or the free retake)."""
    view, created = applications.register(ctx(), session_id, application_id)
    what = "registered" if created else "already registered"
    click.echo(f"{what}: attempt {view['attempt']}{' (free retake)' if view['free'] else ''}")


@exams_cli.command("result")
@click.argument("application_id")
@click.argument("session_id")
@click.argument("score", type=float)
@_refusals
def result_command(application_id: str, session_id: str, score: float) -> None:
    """Record a score; prints the result's id (last line)."""
    view, created = exam_results.record_result(
        ctx(), {"application_id": application_id, "session_id": session_id, "score": score}
    )
    outcome = "passed" if view["passed"] else "failed"
    click.echo(
        f"{'recorded' if created else 'unchanged'}: {view['score']:g} {outcome}, attempt {view['attempt']}"
        f"{' (free retake)' if view['free'] else ''}",
        err=True,
    )
    click.echo(view["id"])


@exams_cli.command("import-results")
@click.argument("path", type=click.Path(exists=True, dir_okay=False))
@click.option("--errors", "show_errors", default=20, show_default=True, help="how many row errors to print")
@_refusals
def import_results_command(path: str, show_errors: int) -> None:
    """Import the exam provider's results file (CSV or XLSX: 身份证号, 姓名, 考试场次, 成绩)."""
    try:
        report = exam_imports.import_results(ctx(), path, Path(path).name)
    except ImportFileError as error:
        raise click.ClickException(str(error)) from None
    for error in report.errors[:show_errors]:
        click.echo(f"row {error.row} {error.column}: {error.reason} ({error.value})", err=True)
    for warning in report.warnings:
        click.echo(f"warning: {warning}", err=True)
    click.echo(
        f"{report.rows_read} rows: {report.results_created} results recorded, {report.results_unchanged} unchanged, "
        f"{report.rows_invalid} refused"
    )


@exams_cli.command("certify")
@click.argument("result_id")
@click.option("--number", required=True, help="the certificate number")
@click.option("--issued-on", type=DAY, default=None, help="default today")
@click.option("--expires-on", type=DAY, default=None)
@_refusals
def certify_command(
    result_id: str, number: str, issued_on: datetime | None, expires_on: datetime | None
) -> None:
    """Issue the certificate from a passing result."""
    view = exam_results.issue_certificate(
        ctx(), result_id, {"number": number, "issued_on": _day(issued_on), "expires_on": _day(expires_on)}
    )
    click.echo(f"issued {view['number']} ({view['work_type']} L{view['level']}) to {view['holder']['name']}")


@exams_cli.command("continuing-education")
@click.argument("number")
@click.option("--hours", required=True, type=float)
@click.option("--completed-on", type=DAY, default=None, help="default today")
@click.option("--provider", default=None)
@_refusals
def continuing_education_command(
    number: str, hours: float, completed_on: datetime | None, provider: str | None
) -> None:
    """Record continuing-education hours for a certificate."""
    view = renewals.add_continuing_education(
        ctx(), number, {"hours": hours, "completed_on": _day(completed_on), "provider": provider}
    )
    click.echo(f"{view['number']}: {view['hours']:g} of {view['required_hours']:g} h within its validity")


@exams_cli.command("renew")
@click.argument("number")
@click.option("--new-number", required=True, help="the follow-on certificate's number")
@click.option("--issued-on", type=DAY, default=None, help="default today")
@click.option(
    "--expires-on", type=DAY, default=None, help="default: the same term as the renewed certificate"
)
@_refusals
def renew_command(
    number: str, new_number: str, issued_on: datetime | None, expires_on: datetime | None
) -> None:
    """Renew a certificate: issue the follow-on, linked to it."""
    view = renewals.renew(
        ctx(), number, {"number": new_number, "issued_on": _day(issued_on), "expires_on": _day(expires_on)}
    )
    click.echo(f"issued {view['number']} renewing {number}, valid {view['issued_on']} – {view['expires_on']}")
