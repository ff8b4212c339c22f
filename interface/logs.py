"""Structured request logs: one JSON line per request, with a request id and never personal data.

Only the path is logged, never the query string or body: `/verify?name=` carries a person's name.
"""

from __future__ import annotations

import json
import logging
import sys
import time
import uuid

from flask import Flask, Response, g, request

from registry.masking import redact_text

log = logging.getLogger("registry.request")


class JsonLineFormatter(logging.Formatter):
    def format(self, record: logging.LogRecord) -> str:
        line = {
            "ts": self.formatTime(record, "%Y-%m-%dT%H:%M:%S"),
            "level": record.levelname,
            "logger": record.name,
            "msg": redact_text(record.getMessage()),
        }
        line.update(getattr(record, "fields", {}))
        if record.exc_info:
            # An exception's text is not ours: an SMTP refusal names its recipient, a driver error may quote a value.
            line["exc"] = redact_text(self.formatException(record.exc_info))
        return json.dumps(line, ensure_ascii=False)


# The driver's own messages (retries, lost connections, routing) go out as the same JSON lines. Never below
# WARNING: its INFO/DEBUG lines trace each Bolt message, query parameters (personal data) included.
DRIVER_LOGGER = "neo4j"
DRIVER_LOG_LEVEL = logging.WARNING


def configure_logging(level: str) -> None:
    """Send the registry's logs, and the Neo4j driver's warnings and errors, to stderr as JSON lines."""
    for name in ("registry", DRIVER_LOGGER):
        logger = logging.getLogger(name)
        if not any(isinstance(h.formatter, JsonLineFormatter) for h in logger.handlers):
            handler = logging.StreamHandler(sys.stderr)
            handler.setFormatter(JsonLineFormatter())
            logger.addHandler(handler)
            logger.propagate = False
    registry = logging.getLogger("registry")
    registry.setLevel(level)
    logging.getLogger(DRIVER_LOGGER).setLevel(max(registry.level, DRIVER_LOG_LEVEL))


def install_request_logging(app: Flask) -> None:
    """Give each request an id (X-Request-Id in and out) and log its outcome."""

    @app.before_request
    def start_timer() -> None:
        incoming = request.headers.get("X-Request-Id", "")
        # Accept a caller's id only when it is short and plain, so it cannot inject into log lines.
        g.request_id = incoming if incoming.isalnum() and len(incoming) <= 64 else uuid.uuid4().hex
        g.started = time.perf_counter()

    @app.after_request
    def log_request(response: Response) -> Response:
        response.headers["X-Request-Id"] = getattr(g, "request_id", "")
        started = getattr(g, "started", None)
        fields = {
            "request_id": getattr(g, "request_id", None),
            "method": request.method,
            "path": request.path,
            "status": response.status_code,
            "ms": round((time.perf_counter() - started) * 1000, 2) if started else None,
            "role": getattr(g, "role", None),
        }
        log.info("request", extra={"fields": fields})
        return response
