"""The project-local Neo4j manager: a busy port is named and, unless asked for, replaced by a free one."""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
import textwrap
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest

from graph import local_server


@pytest.fixture()
def other_instance_name() -> Iterator[str]:
    name = f"porttest-{uuid.uuid4().hex[:8]}"
    yield name
    shutil.rmtree(local_server.VAR / name, ignore_errors=True)


@pytest.fixture()
def other_checkout_listener(tmp_path: Path) -> Iterator[tuple[int, Path]]:
    """A process listening on a port, started the way a local Neo4j of another checkout is (--home-dir=...)."""
    checkout = tmp_path / "other-checkout"
    home = checkout / "var" / "neo4j" / "test"
    script = textwrap.dedent(
        """
        import socket, sys
        sock = socket.socket()
        sock.bind(("127.0.0.1", 0))
        sock.listen()
        print(sock.getsockname()[1], flush=True)
        sys.stdin.read()
        """
    )
    process = subprocess.Popen(
        [sys.executable, "-c", script, f"--home-dir={home}"],
        stdin=subprocess.PIPE, stdout=subprocess.PIPE, text=True,
    )  # fmt: skip
    try:
        yield int(process.stdout.readline()), checkout
    finally:
        process.kill()
        process.wait()


@pytest.mark.skipif(bool(os.environ.get("NEO4J_URI")), reason="the tests run against an external Neo4j")
def test_the_tests_own_server_is_named_as_this_checkouts_instance(settings):
    port = int(settings.neo4j_uri.rsplit(":", 1)[1])
    assert local_server.port_holder(port).startswith("the Neo4j 'test' instance of this checkout (pid ")


def test_a_port_held_by_another_checkout_is_named_with_that_checkout(other_checkout_listener):
    port, checkout = other_checkout_listener
    assert local_server.port_holder(port).startswith(f"the Neo4j 'test' instance of the checkout {checkout} ")


def test_a_busy_default_port_is_replaced_by_a_free_one_and_recorded(
    other_checkout_listener, other_instance_name, monkeypatch, capsys
):
    monkeypatch.delenv("NEO4J_BOLT_PORT", raising=False)
    port, checkout = other_checkout_listener
    monkeypatch.setitem(local_server.DEFAULT_PORTS, other_instance_name, port)
    busy = local_server.instance(other_instance_name)
    assert (busy.port, busy.explicit) == (port, False)
    chosen = local_server.choose_port(busy)
    assert chosen.port != port
    assert not local_server._port_open(chosen.port)
    said = capsys.readouterr().out
    assert f"Port {port} is held by the Neo4j 'test' instance of the checkout {checkout}" in said
    # The app and the tests of this checkout find the new port (Settings reads local_server.instance).
    assert local_server.instance(other_instance_name).port == chosen.port


def test_a_busy_port_asked_for_explicitly_is_an_error_naming_its_holder(
    other_checkout_listener, other_instance_name
):
    port, checkout = other_checkout_listener
    with pytest.raises(local_server.ServerError, match=f"port {port} .* is held by .*checkout {checkout}"):
        local_server.choose_port(local_server.instance(other_instance_name, port))


def test_neo4j_admin_takes_an_initial_password_that_begins_with_a_dash(other_instance_name):
    inst = local_server.Instance(other_instance_name, 1)
    conf_dir = local_server._write_config(inst)
    env = {**os.environ, "NEO4J_HOME": str(inst.home), "NEO4J_CONF": str(conf_dir)}
    command = local_server.initial_password_command(f"{local_server.resolve_jars()}/*", "-Pc4wZ" + "x" * 26)
    result = subprocess.run(command, env=env, capture_output=True, text=True, check=False)
    assert result.returncode == 0, result.stdout + result.stderr
    assert (inst.home / "data" / "dbms" / "auth.ini").exists()
