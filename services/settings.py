"""Service configuration, read from environment variables (docs/operations.md, "Configuration")."""

from __future__ import annotations

import hashlib
import hmac
import logging
import os
import secrets
from dataclasses import dataclass, field
from pathlib import Path

from adapters import signing
from adapters.signing import Signer
from graph import local_server

ROOT = Path(__file__).resolve().parent.parent
LOCAL_SECRET_FILE = ROOT / "var" / "secret_key"


@dataclass(frozen=True)
class Settings:
    neo4j_uri: str
    neo4j_user: str
    neo4j_password: str = field(repr=False)
    neo4j_database: str
    secret_key: bytes = field(repr=False)  # REGISTRY_SECRET_KEY; the two hash keys below derive from it
    eligibility_rules_file: str | None = None
    exam_rules_file: str | None = None  # EXAM_RULES_FILE: fee, validity, retakes, exam, training, renewal
    credit_rules_file: str | None = None  # CREDIT_RULES_FILE: overrides of registry.credit's rules (JSON)
    conflict_window_years: int = 3
    draw_cap_per_year: int = 6  # panel seats per expert per calendar year (registry/draws.py)
    draw_response_hours: int = 48  # how long an invited expert has to answer
    max_connection_pool_size: int = 50
    log_level: str = "INFO"
    # SEARCH_INDEX: eager (built at start), lazy (at the first search), off (the Cypher path)
    search_index: str = "eager"
    search_index_snapshots: str = ""  # SEARCH_INDEX_SNAPSHOTS: folder where a host's processes share builds
    search_page_views: int = 500  # SEARCH_PAGE_VIEWS: page views each process keeps (~7.5 KB each; 0: none)
    # REGISTRY_SIGNING_KEY_FILE: the Ed25519 key that signs audit checkpoints and draw seals, outside Neo4j
    signing_key_file: str = str(ROOT / "var" / "signing" / "ed25519.key")
    # Notifications (docs/notifications.md): SMTP_HOST empty leaves e-mails pending until it is set.
    smtp_host: str = ""
    smtp_port: int = 587
    smtp_security: str = "starttls"  # SMTP_SECURITY: starttls, tls (implicit, port 465) or none
    smtp_user: str = ""
    smtp_password: str = field(default="", repr=False)
    mail_from: str = "registry@localhost"  # MAIL_FROM
    sms_provider: str = "log"  # SMS_PROVIDER: log, or package.module:Class (adapters/sms.py)
    sms_log_file: str = str(ROOT / "var" / "sms.log")
    public_url: str = "http://127.0.0.1:8000"  # PUBLIC_URL: where links in messages point
    notify_max_attempts: int = 5  # NOTIFY_MAX_ATTEMPTS
    notify_backoff_seconds: int = 60  # NOTIFY_BACKOFF_SECONDS: the first wait, doubled after each failure

    @property
    def signer(self) -> Signer:
        """The signing key outside Neo4j (created on first use)."""
        return signing.signer(self.signing_key_file)

    @property
    def id_card_key(self) -> bytes:
        """Keys the ID-card hashes (derived, so a leak of one hash family says nothing of the other)."""
        return hmac.new(self.secret_key, b"carbon-registry id-card v1", hashlib.sha256).digest()

    @property
    def api_key_key(self) -> bytes:
        """Keys the API-key hashes."""
        return hmac.new(self.secret_key, b"carbon-registry api-key v1", hashlib.sha256).digest()

    @classmethod
    def from_env(cls, environ: dict[str, str] | None = None) -> Settings:
        """Settings from the environment; without NEO4J_URI, the project's local server instance."""
        env = os.environ if environ is None else environ
        if env.get("NEO4J_URI"):
            uri = env["NEO4J_URI"]
            password = env.get("NEO4J_PASSWORD", "")
        else:
            inst = local_server.instance(env.get("NEO4J_LOCAL_INSTANCE", "serve"))
            uri = inst.uri
            password = env.get("NEO4J_PASSWORD") or _read(inst.password_file)
        return cls(
            neo4j_uri=uri,
            neo4j_user=env.get("NEO4J_USER", "neo4j"),
            neo4j_password=password,
            neo4j_database=env.get("NEO4J_DATABASE", "neo4j"),
            secret_key=(
                env.get("REGISTRY_SECRET_KEY") or _local_secret(external=bool(env.get("NEO4J_URI")))
            ).encode(),
            eligibility_rules_file=env.get("ELIGIBILITY_RULES_FILE") or None,
            exam_rules_file=env.get("EXAM_RULES_FILE") or None,
            credit_rules_file=env.get("CREDIT_RULES_FILE") or None,
            conflict_window_years=int(env.get("CONFLICT_WINDOW_YEARS", "3")),
            draw_cap_per_year=int(env.get("DRAW_CAP_PER_YEAR", "6")),
            draw_response_hours=int(env.get("DRAW_RESPONSE_HOURS", "48")),
            max_connection_pool_size=int(env.get("NEO4J_MAX_POOL_SIZE", "50")),
            log_level=env.get("LOG_LEVEL", "INFO"),
            search_index=env.get("SEARCH_INDEX", "eager").lower(),
            search_index_snapshots=env.get("SEARCH_INDEX_SNAPSHOTS", str(ROOT / "var" / "search_index")),
            search_page_views=int(env.get("SEARCH_PAGE_VIEWS", "500")),
            signing_key_file=env.get("REGISTRY_SIGNING_KEY_FILE")
            or str(ROOT / "var" / "signing" / "ed25519.key"),
            smtp_host=env.get("SMTP_HOST", ""),
            smtp_port=int(env.get("SMTP_PORT", "587")),
            smtp_security=env.get("SMTP_SECURITY", "starttls").lower(),
            smtp_user=env.get("SMTP_USER", ""),
            smtp_password=env.get("SMTP_PASSWORD", ""),
            mail_from=env.get("MAIL_FROM", "registry@localhost"),
            sms_provider=env.get("SMS_PROVIDER", "log"),
            sms_log_file=env.get("SMS_LOG_FILE") or str(ROOT / "var" / "sms.log"),
            public_url=env.get("PUBLIC_URL", "http://127.0.0.1:8000").rstrip("/"),
            notify_max_attempts=int(env.get("NOTIFY_MAX_ATTEMPTS", "5")),
            notify_backoff_seconds=int(env.get("NOTIFY_BACKOFF_SECONDS", "60")),
        )


def _read(path: Path) -> str:
    try:
        return path.read_text().strip()
    except FileNotFoundError:
        return ""


def _local_secret(external: bool = False) -> str:
    # For a local checkout only: generated once (O_EXCL, so concurrent workers agree) and kept out of git.
    # Production sets REGISTRY_SECRET_KEY.
    if external:
        # Against a shared Neo4j every host must use the same key, or their hashes will not match.
        logging.getLogger("registry.config").warning(
            "REGISTRY_SECRET_KEY is not set while NEO4J_URI is; using this checkout's var/secret_key"
        )
    LOCAL_SECRET_FILE.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(LOCAL_SECRET_FILE, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        return LOCAL_SECRET_FILE.read_text().strip()
    with os.fdopen(fd, "w") as handle:
        handle.write(secrets.token_hex(32) + "\n")
    return LOCAL_SECRET_FILE.read_text().strip()
