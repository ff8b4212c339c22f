"""`flask --app wsgi registry send-notifications`: deliver the outbox's pending e-mails and SMS once (for cron; the
scheduler runs the same function), and `registry queue-expiry-notices` for the certificates' 90- and 30-day notices."""

from __future__ import annotations

import json

import click

from interface.context import ctx
from services import notification_events, notification_sender


@click.command("send-notifications")
@click.option("--limit", type=click.IntRange(min=1), default=None, help="at most this many deliveries")
@click.option(
    "--lease-seconds",
    type=click.IntRange(min=1),
    default=notification_sender.LEASE_SECONDS,
    show_default=True,
    help="how long a claimed batch stays this run's before another sender may take it",
)
@click.option(
    "--workers",
    type=click.IntRange(min=1, max=32),
    default=notification_sender.WORKERS,
    show_default=True,
    help="threads sending side by side, each with its own SMTP connection",
)
def send_notifications(limit: int | None, lease_seconds: int, workers: int) -> None:
    """Send the pending notifications (retries with back-off; failures shown on GET /notifications/failed)."""
    counts = notification_sender.deliver_pending(
        ctx(), limit=limit, lease_seconds=lease_seconds, workers=workers
    )
    click.echo(json.dumps(counts, ensure_ascii=False))


@click.command("queue-expiry-notices")
def queue_expiry_notices() -> None:
    """Write the 90- and 30-day notices of certificates that expire soon (once per certificate and threshold)."""
    click.echo(json.dumps(notification_events.queue_expiry_notices(ctx())))
