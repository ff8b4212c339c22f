"""The sender against a real SMTP server in this process (aiosmtpd) and the real graph: each message once,
nothing for a rolled-back change, retries with back-off then `failed`, a sender killed mid-batch, the SMS log."""

from __future__ import annotations

import asyncio
import email
import os
import socket
import subprocess
import sys
import threading
import time
from dataclasses import replace
from datetime import UTC, datetime, timedelta
from pathlib import Path

import pytest
from aiosmtpd.controller import Controller

from services import notification_sender, notifications, practitioners
from services.context import Context
from tests.support import unique_id_card

ROOT = Path(__file__).resolve().parents[2]


class Mailbox:
    """What the SMTP server accepted; it can refuse everything, or hold one message until released."""

    def __init__(self) -> None:
        self.messages: list[email.message.Message] = []
        self.refuse: str | None = None
        self.hold_at: int | None = None  # hold every message from the one that would be the n-th accepted
        self.holding = threading.Event()
        self.release = threading.Event()

    async def handle_DATA(self, server, session, envelope) -> str:
        if self.refuse:
            return self.refuse
        if self.hold_at is not None and len(self.messages) + 1 >= self.hold_at:
            self.holding.set()
            await asyncio.get_running_loop().run_in_executor(None, self.release.wait, 30)
            return "451 4.3.0 the sender went away"
        self.messages.append(email.message_from_bytes(envelope.content))
        return "250 OK"

    def ids(self) -> list[str]:
        return [str(m["Message-ID"]) for m in self.messages]


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


@pytest.fixture()
def mailbox():
    box = Mailbox()
    controller = Controller(box, hostname="127.0.0.1", port=_free_port())
    controller.start()
    yield box, controller.port
    box.release.set()
    controller.stop()


@pytest.fixture()
def sending(graph, settings, mailbox, tmp_path) -> Context:
    """A context whose settings send to the in-process server (no TLS), three tries, an SMS log of its own."""
    graph.driver.execute_query("MATCH (n:Notification|NotificationDelivery) DETACH DELETE n")
    _, port = mailbox
    configured = replace(
        settings, smtp_host="127.0.0.1", smtp_port=port, smtp_security="none", notify_max_attempts=3,
        notify_backoff_seconds=60, sms_log_file=str(tmp_path / "sms.log"),
    )  # fmt: skip
    return Context(graph=graph, settings=configured)


def _person(context, **contact) -> str:
    return practitioners.register(context, {"name": "收件人", "id_card": unique_id_card(), **contact})["id"]


def _expiry(number: str) -> dict:
    return {"number": number, "work_type_name": "碳排放核查员", "level_name": "二级", "expires_on": "2027-01-01",
            "days": 30}  # fmt: skip


def _enqueue(context, person: str, count: int) -> list[str]:
    def work(tx):
        return [
            notifications.enqueue(tx, person, "certificate_expiring", _expiry(f"S-{i}")) for i in range(count)
        ]

    return context.graph.write(work)


def _deliveries(graph, channel: str = "email") -> list[dict]:
    records, _, _ = graph.driver.execute_query(
        "MATCH (d:NotificationDelivery {channel: $channel}) RETURN d {.status, .attempts, .attempt_errors} AS d",
        channel=channel,
    )
    return [r["d"] for r in records]


def test_each_pending_email_arrives_once_in_chinese_and_is_marked_sent(sending, mailbox):
    box, _ = mailbox
    person = _person(sending, email="once@example.cn")
    _enqueue(sending, person, 5)
    counts = notification_sender.deliver_pending(sending)
    assert counts["sent"] == 5 and len(box.messages) == 5
    assert box.messages[0]["To"] == "once@example.cn"
    assert "证书" in str(email.header.make_header(email.header.decode_header(box.messages[0]["Subject"])))
    assert all(d["status"] == "sent" and d["attempts"] == 1 for d in _deliveries(sending.graph))
    assert notification_sender.deliver_pending(sending)["sent"] == 0
    assert len(box.messages) == 5


def test_a_rolled_back_transaction_sends_nothing(sending, mailbox):
    box, _ = mailbox
    person = _person(sending, email="rollback@example.cn")

    def work(tx):
        notifications.enqueue(tx, person, "certificate_expiring", _expiry("R-1"))
        raise RuntimeError("the event failed")

    with pytest.raises(RuntimeError):
        sending.graph.write(work)
    assert notification_sender.deliver_pending(sending)["sent"] == 0
    assert box.messages == []


def test_failures_are_retried_with_back_off_then_marked_failed(sending, mailbox):
    box, _ = mailbox
    box.refuse = "451 4.3.0 mailbox busy"
    person = _person(sending, email="busy@example.cn")
    _enqueue(sending, person, 1)
    start = datetime.now(UTC) + timedelta(seconds=1)
    assert notification_sender.deliver_pending(sending, now=start)["retrying"] == 1
    assert notification_sender.deliver_pending(sending, now=start + timedelta(seconds=59))["retrying"] == 0
    assert notification_sender.deliver_pending(sending, now=start + timedelta(seconds=61))["retrying"] == 1
    # the second wait doubles: 120 s after the second attempt
    assert (
        notification_sender.deliver_pending(sending, now=start + timedelta(seconds=61 + 119))["failed"] == 0
    )
    assert (
        notification_sender.deliver_pending(sending, now=start + timedelta(seconds=61 + 121))["failed"] == 1
    )
    [delivery] = _deliveries(sending.graph)
    assert delivery["status"] == "failed" and delivery["attempts"] == 3
    assert all("451" in error for error in delivery["attempt_errors"])
    failed = notifications.failed(sending, 1, 20)
    assert failed.total == 1 and failed.items[0]["kind"] == "certificate_expiring"
    assert "busy@example.cn" not in str(failed.items)
    box.refuse = None
    assert notification_sender.deliver_pending(sending, now=start + timedelta(days=1))["sent"] == 0


def test_a_permanent_refusal_is_failed_at_once(sending, mailbox):
    box, _ = mailbox
    box.refuse = "550 5.1.1 no such user"
    _enqueue(sending, _person(sending, email="nobody@example.cn"), 1)
    assert notification_sender.deliver_pending(sending)["failed"] == 1


def test_a_sender_killed_mid_batch_sends_each_message_once_after_a_restart(sending, mailbox):
    box, port = mailbox
    person = _person(sending, email="restart@example.cn")
    _enqueue(sending, person, 10)
    box.hold_at = 4  # the sender is killed while the server holds its fourth message and any after it
    env = {**os.environ, "SMTP_HOST": "127.0.0.1", "SMTP_PORT": str(port), "SMTP_SECURITY": "none",
           "SMS_LOG_FILE": sending.settings.sms_log_file}  # fmt: skip
    sender = subprocess.Popen(
        [sys.executable, "-m", "flask", "--app", "wsgi", "registry", "send-notifications", "--lease-seconds", "2"],
        cwd=ROOT, env=env, stdout=subprocess.PIPE, stderr=subprocess.PIPE,
    )  # fmt: skip
    try:
        assert box.holding.wait(60), (
            sender.stderr.read().decode() if sender.poll() is not None else "no 4th message"
        )
        deadline = time.monotonic() + 30  # the three accepted are recorded; every worker waits on a held one
        while (
            sum(d["status"] == "sent" for d in _deliveries(sending.graph)) < 3 and time.monotonic() < deadline
        ):
            time.sleep(0.1)
        sender.kill()
        sender.wait(10)
    finally:
        box.hold_at = None
        box.release.set()
    assert len(box.messages) == 3
    time.sleep(2.2)  # the dead sender's lease runs out
    counts = notification_sender.deliver_pending(sending)
    assert counts["sent"] == 7
    ids = box.ids()
    assert len(ids) == 10 and len(set(ids)) == 10
    assert all(d["status"] == "sent" and d["attempts"] == 1 for d in _deliveries(sending.graph))


def test_the_sms_log_masks_the_phone(sending):
    person = _person(sending, phone="13912345678")
    notifications.set_preferences(sending, person, {"certificate_expiring": ["sms"]})
    _enqueue(sending, person, 1)
    assert notification_sender.deliver_pending(sending)["by_channel"] == {"sms": 1}
    log = Path(sending.settings.sms_log_file).read_text(encoding="utf-8")
    assert "139****5678" in log and "13912345678" not in log and "证书" in log
