"""SMS through a provider adapter with one method, `send(phone, text)`.

No SMS provider is reachable from here, so the default adapter writes each message to a log file (var/sms.log
unless SMS_LOG_FILE names another) with the phone number masked (138****5678) and the links' tokens cut, so the
file holds neither a number nor a working link. To add a provider, write a class with `send(phone, text)` that
raises SmsError when the message was not accepted, and name it in SMS_PROVIDER as `package.module:Class`; it is
built with the Settings (docs/notifications.md, "SMS").
"""

from __future__ import annotations

import importlib
import re
import threading
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol

from registry.masking import mask_phone

TOKEN = re.compile(r"(/n/[a-z]+/)[A-Za-z0-9_.\-]+")


class SmsError(Exception):
    """The provider did not accept the message."""


class SmsProvider(Protocol):
    def send(self, phone: str, text: str) -> None:
        """Send `text` to `phone`; SmsError when it was not accepted."""
        ...


class LogFileSms:
    """Appends each message to a log file, the phone masked and link tokens cut (the default provider)."""

    _lock = threading.Lock()

    def __init__(self, path: str | Path):
        self.path = Path(path)

    def send(self, phone: str, text: str) -> None:
        """Write one line: the time (UTC), the masked phone and the text on one line."""
        line = "\t".join(
            (datetime.now(UTC).isoformat(timespec="seconds"), mask_phone(phone), TOKEN.sub(r"\1…", text))
        )
        try:
            self.path.parent.mkdir(parents=True, exist_ok=True)
            with self._lock, self.path.open("a", encoding="utf-8") as log:
                log.write(line.replace("\n", " ") + "\n")
        except OSError as error:
            raise SmsError(f"cannot write the SMS log: {error}") from error


def provider(spec: str, log_file: str, settings: Any = None) -> SmsProvider:
    """The provider SMS_PROVIDER names (`log`, or `package.module:Class` built with the Settings)."""
    if spec in ("", "log"):
        return LogFileSms(log_file)
    module, _, name = spec.partition(":")
    return getattr(importlib.import_module(module), name)(settings)
