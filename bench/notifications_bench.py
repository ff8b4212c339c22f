"""Notifications (issue 26): e-mails sent per second by the sender to a local SMTP server (goal ≥ 100/s).

    NEO4J_LOCAL_INSTANCE=<yours> .venv/bin/python -m bench.notifications_bench [--messages 2000] [--people 200]

Against a running Neo4j (the instance NEO4J_LOCAL_INSTANCE names): registers `--people` practitioners with an
e-mail address (once; they are reused), writes `--messages` notifications through the outbox (`enqueue`, 200 a
transaction), starts a local SMTP server (aiosmtpd's Sink in its own process, or `--server thread`; port chosen
free, no TLS) and times
`deliver_pending` until every e-mail is sent: each message over one SMTP connection, each attempt recorded in
Neo4j before the next is sent. Prints a Markdown table (docs/notifications.md keeps it). Leaves the notifications
in the graph (status sent); the people are tagged `bench-notify` in their name.
"""

from __future__ import annotations

import argparse
import os
import socket
import subprocess
import sys
import threading
import time
from dataclasses import replace
from datetime import date

from aiosmtpd.controller import Controller

from graph.driver import graph_from_settings
from graph.schema import create_schema
from registry.audit import Actor
from registry.identifiers import make_id_card
from services import notification_sender, notifications, practitioners
from services.context import Context
from services.settings import Settings

GOAL = 100.0


class Counter:
    def __init__(self) -> None:
        self.count = 0
        self.lock = threading.Lock()

    async def handle_DATA(self, server, session, envelope) -> str:
        with self.lock:
            self.count += 1
        return "250 OK"


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return probe.getsockname()[1]


def _wait_for(port: int) -> None:
    for _ in range(100):
        with socket.socket() as probe:
            if probe.connect_ex(("127.0.0.1", port)) == 0:
                return
        time.sleep(0.1)
    raise SystemExit(f"the SMTP server did not start on port {port}")


def _people(context: Context, wanted: int) -> list[str]:
    records, _, _ = context.graph.driver.execute_query(
        "MATCH (p:Practitioner) WHERE p.name STARTS WITH 'bench-notify' RETURN p.id AS id LIMIT $n", n=wanted
    )
    ids = [r["id"] for r in records]
    for index in range(len(ids), wanted):
        card = make_id_card("110105", date(1980, 1, 1 + index % 28), (index * 7) % 1000)
        person = practitioners.register(
            context, {"name": f"bench-notify{index}", "id_card": card, "email": f"bench{index}@example.cn"}
        )
        ids.append(person["id"])
    return ids


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--messages", type=int, default=2000)
    parser.add_argument("--people", type=int, default=200)
    parser.add_argument("--workers", type=int, default=notification_sender.WORKERS)
    parser.add_argument(
        "--server", choices=("process", "thread"), default="process",
        help="the SMTP server in its own process (as a local relay is) or in a thread of this one",
    )  # fmt: skip
    args = parser.parse_args()
    box = Counter()
    port = _free_port()
    if args.server == "thread":
        controller = Controller(box, hostname="127.0.0.1", port=port)
        controller.start()
        stop = controller.stop
    else:
        relay = subprocess.Popen(
            [
                sys.executable,
                "-m",
                "aiosmtpd",
                "-n",
                "-c",
                "aiosmtpd.handlers.Sink",
                "-l",
                f"127.0.0.1:{port}",
            ]
        )
        _wait_for(port)
        stop = relay.terminate
    settings = replace(Settings.from_env(), smtp_host="127.0.0.1", smtp_port=port, smtp_security="none")
    graph = graph_from_settings(settings)
    create_schema(graph)
    context = Context(graph=graph, settings=settings, actor=Actor.cli())
    people = _people(context, args.people)
    notification_sender.deliver_pending(context)  # anything left from an earlier run
    data = {"number": "BENCH", "work_type_name": "碳排放核查员", "level_name": "二级", "expires_on": "2027-01-01",
            "days": 30}  # fmt: skip
    started = time.perf_counter()
    for start in range(0, args.messages, 200):
        chunk = range(start, min(args.messages, start + 200))

        def work(tx, chunk=chunk) -> None:
            for i in chunk:
                notifications.enqueue(tx, people[i % len(people)], "certificate_expiring", data)

        graph.write(work)
    enqueue_seconds = time.perf_counter() - started
    box.count = 0
    started, cpu = time.perf_counter(), time.process_time()
    counts = notification_sender.deliver_pending(context, workers=args.workers)
    seconds, cpu = time.perf_counter() - started, time.process_time() - cpu
    stop()
    graph.close()
    rate = counts["sent"] / seconds if seconds else 0.0
    print("| measure | value |")
    print("|---|---|")
    print(f"| notifications written (enqueue, 200 a transaction) | {args.messages} in {enqueue_seconds:.1f} s "
          f"({args.messages / enqueue_seconds:.0f}/s) |")  # fmt: skip
    received = (
        f"the server received {box.count}" if args.server == "thread" else "the server in its own process"
    )
    print(
        f"| e-mails sent and recorded, {args.workers} workers | {counts['sent']} ({received}) in {seconds:.1f} s |"
    )
    print(
        f"| the sender's CPU per e-mail | {cpu / max(1, counts['sent']) * 1000:.1f} ms "
        f"({counts['sent'] / cpu if cpu else 0:.0f} e-mails per CPU-second) |"
    )
    print(f"| load average (1 min) while it ran, on {os.cpu_count()} cores | {os.getloadavg()[0]:.1f} |")
    print(
        f"| **e-mails per second** | **{rate:.0f}** (goal ≥ {GOAL:.0f}: {'met' if rate >= GOAL else 'NOT met'}) |"
    )


if __name__ == "__main__":
    main()
