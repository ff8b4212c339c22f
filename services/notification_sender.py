"""The sender: delivers pending e-mail and SMS deliveries of the outbox, with retries and back-off.

`deliver_pending(ctx)` claims a batch (graph/notifications.py: one lock, a lease), sends each message and records
the attempt at once, so a sender stopped mid-batch leaves only the unsent rest, which the next run takes when the
lease has run out: a message is sent once (the one in flight when a process dies is the exception SMTP cannot
avoid; its Message-ID is the delivery's id, so a mail system can drop the copy). A failed attempt waits
NOTIFY_BACKOFF_SECONDS, doubled after each failure; after NOTIFY_MAX_ATTEMPTS (or a permanent refusal) the
delivery is `failed` and shown to administrators (GET /notifications/failed). E-mail waits while SMTP_HOST is
unset. The scheduler runs this; `flask registry send-notifications` runs it by hand or from cron.
"""

from __future__ import annotations

import queue
import threading
import uuid
from dataclasses import dataclass, field
from datetime import UTC, datetime, timedelta
from typing import Any

import neo4j

from adapters import sms as sms_adapter
from adapters.mail import Mailer, MailError, MailServer
from adapters.sms import SmsError, SmsProvider
from graph import notifications as repo
from registry.notifications import EMAIL, FAILED, PENDING, SENT, SKIPPED, SMS, gives_up, next_attempt_in
from services import audit
from services.context import Context

BATCH = 200
LEASE_SECONDS = 300  # a claimed batch is someone else's for this long (far more than sending it takes)
WORKERS = 4  # threads sending side by side: SMTP and Neo4j round trips overlap


@dataclass
class Transports:
    """Where messages go: a Mailer (None: e-mail waits) and an SMS provider."""

    mail: Mailer | None
    sms: SmsProvider | None

    def channels(self) -> list[str]:
        return [c for c, t in ((EMAIL, self.mail), (SMS, self.sms)) if t is not None]

    def close(self) -> None:
        if self.mail is not None:
            self.mail.close()


def transports(ctx: Context) -> Transports:
    """The transports the Settings describe."""
    settings = ctx.settings
    mail = None
    if settings.smtp_host:
        mail = Mailer(
            MailServer(
                settings.smtp_host,
                settings.smtp_port,
                settings.smtp_security,
                settings.smtp_user,
                settings.smtp_password,
                settings.mail_from,
            )
        )
    return Transports(mail, sms_adapter.provider(settings.sms_provider, settings.sms_log_file, settings))


@dataclass
class Counts:
    sent: int = 0
    retrying: int = 0
    failed: int = 0
    skipped: int = 0
    lost: int = 0  # the claim ran out and another sender took the delivery: its attempt is not recorded
    by_channel: dict[str, int] = field(default_factory=dict)
    lock: threading.Lock = field(default_factory=threading.Lock, repr=False)

    def add(self, name: str, channel: str | None = None) -> None:
        with self.lock:
            setattr(self, name, getattr(self, name) + 1)
            if channel is not None:
                self.by_channel[channel] = self.by_channel.get(channel, 0) + 1

    def as_dict(self) -> dict[str, Any]:
        return {
            "sent": self.sent,
            "retrying": self.retrying,
            "failed": self.failed,
            "skipped": self.skipped,
            "lost": self.lost,
            "by_channel": dict(self.by_channel),
        }


def deliver_pending(
    ctx: Context,
    *,
    now: datetime | None = None,
    limit: int | None = None,
    through: Transports | None = None,
    lease_seconds: int = LEASE_SECONDS,
    workers: int = WORKERS,
) -> dict[str, Any]:
    """Send what is due (at most `limit` deliveries); counts of sent, retrying, failed, skipped and lost.

    `workers` threads send side by side, each over its own SMTP connection and recording each attempt as soon
    as it is made (given `through`, one worker uses it)."""
    counts = Counts()
    claim_id = str(uuid.uuid4())
    routes = [through] if through is not None else [transports(ctx) for _ in range(max(1, workers))]
    handled = 0
    try:
        while limit is None or handled < limit:
            at = now or datetime.now(UTC)
            size = BATCH if limit is None else min(BATCH, limit - handled)
            until = at + timedelta(seconds=lease_seconds)
            batch = ctx.graph.write(repo.claim, claim_id, at, until, size, routes[0].channels())
            with Recorder(ctx, claim_id) as recorder:
                _send_batch(ctx, routes, recorder, batch, now, counts)
            handled += len(batch)
            if len(batch) < size:
                break
    finally:
        if through is None:
            for route in routes:
                route.close()
    result = counts.as_dict()
    if handled:
        ctx.graph.write(_audit, ctx, result)
    return result


def _send_batch(
    ctx: Context,
    routes: list[Transports],
    recorder: Recorder,
    batch: list[dict[str, Any]],
    now: datetime | None,
    counts: Counts,
) -> None:
    if len(routes) == 1 or len(batch) <= 1:
        for delivery in batch:
            _deliver(ctx, routes[0], recorder, delivery, now, counts)
        return
    waiting: queue.SimpleQueue[dict[str, Any]] = queue.SimpleQueue()
    for delivery in batch:
        waiting.put(delivery)
    errors: list[BaseException] = []

    def work(route: Transports) -> None:
        try:
            while True:
                try:
                    delivery = waiting.get_nowait()
                except queue.Empty:
                    return
                _deliver(ctx, route, recorder, delivery, now, counts)
        except BaseException as error:  # handed to the caller; the claim's lease returns the rest
            errors.append(error)

    threads = [threading.Thread(target=work, args=(route,), daemon=True) for route in routes]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    if errors:
        raise errors[0]


class Recorder:
    """Records the workers' attempts, as many as are waiting in one transaction (a group commit); a worker
    waits until its attempt is committed before it sends its next message."""

    def __init__(self, ctx: Context, claim_id: str):
        self.ctx, self.claim_id = ctx, claim_id
        self.waiting: queue.SimpleQueue[tuple[dict[str, Any], threading.Event, list[Any]] | None]
        self.waiting = queue.SimpleQueue()
        self.thread = threading.Thread(target=self._run, daemon=True)

    def __enter__(self) -> Recorder:
        self.thread.start()
        return self

    def __exit__(self, *_exc: object) -> None:
        self.waiting.put(None)
        self.thread.join()

    def record(self, row: dict[str, Any]) -> bool:
        """Record one attempt and wait for its commit; False when this sender's claim on it was lost."""
        done, answer = threading.Event(), []
        self.waiting.put((row, done, answer))
        done.wait()
        if isinstance(answer[0], BaseException):
            raise answer[0]
        return bool(answer[0])

    def _run(self) -> None:
        while (first := self.waiting.get()) is not None:
            group, stop = [first], False
            while True:
                try:
                    item = self.waiting.get_nowait()
                except queue.Empty:
                    break
                if item is None:
                    stop = True
                    break
                group.append(item)
            try:
                written = self.ctx.graph.write(
                    repo.record_attempts, self.claim_id, [row for row, _, _ in group]
                )
                outcomes: list[Any] = [row["id"] in written for row, _, _ in group]
            except BaseException as error:  # each waiting worker raises it; their claims' lease returns them
                outcomes = [error] * len(group)
            for (_, done, answer), outcome in zip(group, outcomes, strict=True):
                answer.append(outcome)
                done.set()
            if stop:
                return


def _audit(tx: neo4j.ManagedTransaction, ctx: Context, result: dict[str, Any]) -> None:
    audit.record(tx, ctx, "notification", None, "deliver", details=result)


def _deliver(
    ctx: Context,
    route: Transports,
    recorder: Recorder,
    delivery: dict[str, Any],
    now: datetime | None,
    counts: Counts,
) -> None:
    channel, address = delivery["channel"], delivery["address"]
    error: str | None = None
    permanent = False
    if not address:
        status, error = SKIPPED, "no address on file"
    else:
        try:
            _send(route, channel, address, delivery)
            status = SENT
        except MailError as failure:
            error, permanent = str(failure), failure.permanent
            status = PENDING
        except SmsError as failure:
            error, status = str(failure), PENDING
    at = now or datetime.now(UTC)
    attempts = (delivery["attempts"] or 0) + 1
    next_at = None
    if status == PENDING:
        if permanent or gives_up(attempts, ctx.settings.notify_max_attempts):
            status = FAILED
        else:
            next_at = at + timedelta(seconds=next_attempt_in(attempts, ctx.settings.notify_backoff_seconds))
    row = {"id": delivery["id"], "at": at, "status": status, "error": error, "next_at": next_at}
    if not recorder.record(row):
        counts.add("lost")
        return
    name = {SENT: "sent", FAILED: "failed", SKIPPED: "skipped"}.get(status, "retrying")
    counts.add(name, channel if status == SENT else None)


def _send(route: Transports, channel: str, address: str, delivery: dict[str, Any]) -> None:
    if channel == EMAIL and route.mail is not None:
        route.mail.send(address, delivery["title"], delivery["body"], delivery["id"])
    elif channel == SMS and route.sms is not None:
        route.sms.send(address, f"【碳排放管理员人才库】{delivery['title']}：{delivery['body']}")
    else:
        raise MailError(f"no transport for {channel}")
