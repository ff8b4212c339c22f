"""E-mail through SMTP (smtplib): one connection reused for a batch, STARTTLS or implicit TLS, optional login.

The settings come from the environment (services/settings.py; docs/notifications.md). Each message carries a
Message-ID made from its delivery's id, so a receiving system can drop a copy it already has.
"""

from __future__ import annotations

import smtplib
import ssl
from dataclasses import dataclass, field
from email.message import EmailMessage
from email.utils import formatdate

SECURITY_MODES: tuple[str, ...] = ("starttls", "tls", "none")


class MailError(Exception):
    """A message was not accepted; `permanent` when the server refused it for good (a 5xx answer)."""

    def __init__(self, message: str, permanent: bool = False):
        super().__init__(message)
        self.permanent = permanent


@dataclass(frozen=True)
class MailServer:
    host: str
    port: int = 587
    security: str = "starttls"  # starttls (587), tls (465), none (a local relay)
    user: str = ""
    password: str = field(default="", repr=False)
    sender: str = "registry@localhost"
    timeout: float = 10.0


class Mailer:
    """Sends messages over one SMTP connection, opened at the first message and again after a drop."""

    def __init__(self, server: MailServer):
        self.server = server
        self._smtp: smtplib.SMTP | None = None

    def _connect(self) -> smtplib.SMTP:
        server = self.server
        if server.security == "tls":
            smtp: smtplib.SMTP = smtplib.SMTP_SSL(
                server.host, server.port, timeout=server.timeout, context=ssl.create_default_context()
            )
        else:
            smtp = smtplib.SMTP(server.host, server.port, timeout=server.timeout)
            if server.security == "starttls":
                smtp.starttls(context=ssl.create_default_context())
        if server.user:
            smtp.login(server.user, server.password)
        return smtp

    def send(self, to: str, subject: str, body: str, message_id: str) -> None:
        """Send one plain-text message; MailError when it was not accepted."""
        message = EmailMessage()
        message["From"] = self.server.sender
        message["To"] = to
        message["Subject"] = subject
        message["Date"] = formatdate(localtime=False, usegmt=True)
        message["Message-ID"] = f"<{message_id}@{self.server.sender.rpartition('@')[2] or 'registry'}>"
        message.set_content(body, charset="utf-8")
        for retry in (True, False):
            try:
                if self._smtp is None:
                    self._smtp = self._connect()
                self._smtp.send_message(message)
                return
            except smtplib.SMTPServerDisconnected as error:
                self._smtp = None
                if not retry:
                    raise MailError(f"the SMTP server closed the connection: {error}") from error
            except smtplib.SMTPRecipientsRefused as error:
                codes = [code for code, _ in error.recipients.values()]
                raise MailError(
                    "the recipient was refused", permanent=all(c >= 500 for c in codes)
                ) from error
            except smtplib.SMTPResponseException as error:
                self.close()
                raise MailError(f"SMTP {error.smtp_code}", permanent=error.smtp_code >= 500) from error
            except (smtplib.SMTPException, OSError) as error:
                self.close()
                raise MailError(f"{type(error).__name__}: {error}") from error

    def close(self) -> None:
        """Quit the connection, if one is open."""
        smtp, self._smtp = self._smtp, None
        if smtp is not None:
            try:
                smtp.quit()
            except (smtplib.SMTPException, OSError):
                smtp.close()
