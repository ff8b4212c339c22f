"""The registry's signing key, kept outside Neo4j: an Ed25519 key in a file (`var/signing/ed25519.key` unless
`REGISTRY_SIGNING_KEY_FILE` names another), created on first use and never committed.

Whoever can write to Neo4j can rewrite a hash chain and recompute every hash after the change; they cannot sign
without this file. The audit chain's daily checkpoints and the draws' seals are signed with it, and anyone holding
the public key (published with each day's open data) can check them.
"""

from __future__ import annotations

import base64
import functools
import hashlib
import os
import time
from dataclasses import dataclass
from pathlib import Path

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey


@dataclass(frozen=True)
class Signer:
    """Signs and checks messages with one Ed25519 key; `key_id` names the key in what it signs."""

    private: Ed25519PrivateKey

    @property
    def public_key(self) -> str:
        """The raw 32-byte public key, base64."""
        raw = self.private.public_key().public_bytes(
            serialization.Encoding.Raw, serialization.PublicFormat.Raw
        )
        return base64.b64encode(raw).decode()

    @property
    def key_id(self) -> str:
        """The first 16 hex digits of the public key's SHA-256."""
        return hashlib.sha256(base64.b64decode(self.public_key)).hexdigest()[:16]

    def sign(self, message: bytes) -> str:
        """The signature of `message`, base64."""
        return base64.b64encode(self.private.sign(message)).decode()

    def verifies(self, message: bytes, signature: str) -> bool:
        """Whether `signature` is this key's signature of `message`."""
        return verifies(self.public_key, message, signature)


def verifies(public_key: str, message: bytes, signature: str) -> bool:
    """Whether `signature` (base64) is the signature of `message` by the base64 raw Ed25519 `public_key`."""
    try:
        key = Ed25519PublicKey.from_public_bytes(base64.b64decode(public_key, validate=True))
        key.verify(base64.b64decode(signature, validate=True), message)
    except (InvalidSignature, ValueError, TypeError):
        return False
    return True


@functools.cache
def signer(path: str) -> Signer:
    """The key in the file at `path`, created (mode 0600, O_EXCL so concurrent processes agree) if missing."""
    file = Path(path)
    file.parent.mkdir(parents=True, exist_ok=True)
    try:
        fd = os.open(file, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    except FileExistsError:
        pass
    else:
        pem = Ed25519PrivateKey.generate().private_bytes(
            serialization.Encoding.PEM, serialization.PrivateFormat.PKCS8, serialization.NoEncryption()
        )
        with os.fdopen(fd, "wb") as handle:
            handle.write(pem)
    for _ in range(50):  # another process may be between O_EXCL and its write
        data = file.read_bytes()
        if data:
            break
        time.sleep(0.01)
    key = serialization.load_pem_private_key(data, password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ValueError(f"{path} does not hold an Ed25519 private key")
    return Signer(key)
