"""Random secrets — the local Neo4j password, API keys — made of letters and digits only.

`secrets.token_urlsafe` begins with `-` one draw in 64, and a command line then reads the secret as an option
(`neo4j-admin dbms set-initial-password -Pc4wZ…` exits 64). Letters and digits are never an option, need no
quoting in a shell, a URL or a header, and survive a double click in a terminal.
"""

from __future__ import annotations

import secrets
import string

ALPHABET = string.ascii_letters + string.digits  # 62 symbols: 5.95 bits each


def new_secret(length: int = 43) -> str:
    """A random secret of `length` letters and digits (43, the default, carry 256 bits)."""
    return "".join(secrets.choice(ALPHABET) for _ in range(length))
