"""Generated secrets are letters and digits: never read as an option on a command line, never quoted."""

from __future__ import annotations

import re

from graph import local_server
from registry.tokens import ALPHABET, new_secret
from services.keys import KEY_PREFIX, new_key

DRAWS = 20_000  # secrets.token_urlsafe began with "-" one draw in 64: ~312 of these


def test_a_generated_secret_is_letters_and_digits_and_never_begins_with_a_dash():
    drawn = [new_secret() for _ in range(DRAWS)]
    assert all(re.fullmatch(r"[A-Za-z0-9]{43}", secret) for secret in drawn)
    assert not [secret for secret in drawn if secret.startswith("-")]


def test_every_letter_and_digit_can_begin_a_secret_and_no_two_draws_are_equal():
    drawn = [new_secret(32) for _ in range(DRAWS)]
    assert {secret[0] for secret in drawn} == set(ALPHABET)
    assert len(set(drawn)) == DRAWS


def test_an_api_key_is_its_prefix_then_256_bits_of_letters_and_digits():
    drawn = [new_key() for _ in range(DRAWS)]
    assert all(re.fullmatch(KEY_PREFIX + r"[A-Za-z0-9]{43}", key) for key in drawn)


def test_the_initial_password_command_ends_the_options_before_the_password(monkeypatch):
    monkeypatch.setenv("JAVA_HOME", "/opt/jdk")
    command = local_server.initial_password_command("var/neo4j/lib/*", "-Pc4wZ")
    assert command[0] == "/opt/jdk/bin/java"
    assert command[command.index("set-initial-password") + 1 :] == ["--", "-Pc4wZ"]
