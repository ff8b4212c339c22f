"""Log lines: the registry's and the Neo4j driver's messages reach stderr as JSON lines only."""

from __future__ import annotations

import json
import socket
import subprocess
import sys
import textwrap
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]


def _closed_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_the_drivers_retry_and_connection_messages_are_json_lines():
    # A real driver against a port nobody listens on: it retries, logs why, then gives up.
    script = textwrap.dedent(
        f"""
        import neo4j
        from interface.logs import configure_logging

        configure_logging("INFO")
        uri = "bolt://127.0.0.1:{_closed_port()}"
        with neo4j.GraphDatabase.driver(uri, auth=("neo4j", "x"), max_transaction_retry_time=1.0) as driver:
            try:
                with driver.session() as session:
                    session.execute_write(lambda tx: tx.run("RETURN 1").consume())
            except neo4j.exceptions.ServiceUnavailable:
                pass
        """
    )
    result = subprocess.run(
        [sys.executable, "-c", script], cwd=ROOT, capture_output=True, text=True, timeout=60, check=True
    )
    lines = [line for line in result.stderr.splitlines() if line.strip()]
    assert lines, "the driver said nothing about the failed connection"
    records = [json.loads(line) for line in lines]  # a plain-text line fails here
    assert any(r["logger"].startswith("neo4j") and "retried" in r["msg"] for r in records), records
    assert all(
        r["level"] in ("WARNING", "ERROR", "CRITICAL") for r in records if r["logger"].startswith("neo4j")
    )


def test_an_exceptions_text_is_logged_without_the_personal_data_it_names():
    import logging

    from interface.logs import JsonLineFormatter

    try:
        raise RuntimeError("recipient refused: li.wei@example.com.cn, 13812345678")
    except RuntimeError:
        record = logging.LogRecord("registry.jobs", logging.ERROR, __file__, 1, "job failed for %s", ("a@b.cn",),
                                   sys.exc_info())  # fmt: skip
    line = json.loads(JsonLineFormatter().format(record))
    assert "RuntimeError" in line["exc"]
    assert "li.wei" not in line["exc"] and "13812345678" not in line["exc"] and "a@b.cn" not in line["msg"]
