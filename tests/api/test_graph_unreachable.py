"""While Neo4j is down: once the driver has found it unreachable, calls fail at once for a moment instead of each
waiting out the driver's retries (6–7.8 s per 503 before issue 22 item 8); static files never need the graph.

The "down" server is a real listening socket that counts the connections made to it and closes each at once, so
the tests see from the outside whether the driver was used — nothing of the driver is replaced."""

from __future__ import annotations

import dataclasses
import socket
import threading
from collections.abc import Iterator

import neo4j
import pytest

from application import create_app
from graph.driver import graph_from_settings
from tests.support import assert_problem

CLOSED = "bolt://127.0.0.1:1"  # nothing listens there: connections are refused


class DownServer:
    """A TCP port that accepts and at once closes every connection (a Neo4j that is not answering), counting them."""

    def __init__(self) -> None:
        self.listener = socket.create_server(("127.0.0.1", 0))
        self.connections = 0
        self._thread = threading.Thread(target=self._serve, daemon=True)
        self._thread.start()

    @property
    def uri(self) -> str:
        return f"bolt://127.0.0.1:{self.listener.getsockname()[1]}"

    def _serve(self) -> None:
        while True:
            try:
                connection, _ = self.listener.accept()
            except OSError:
                return
            self.connections += 1
            connection.close()

    def close(self) -> None:
        self.listener.close()


@pytest.fixture()
def down() -> Iterator[DownServer]:
    server = DownServer()
    yield server
    server.close()


@pytest.fixture()
def unreachable(settings, down):
    graph = graph_from_settings(dataclasses.replace(settings, neo4j_uri=down.uri))
    graph.unreachable_seconds = 3600.0  # the window never ends during a test
    yield graph
    graph.close()


def _one(tx: neo4j.ManagedTransaction) -> int:
    return tx.run("RETURN 1 AS one").single(strict=True)["one"]


def test_once_the_graph_is_found_unreachable_every_call_fails_at_once_without_the_driver(unreachable, down):
    with pytest.raises(neo4j.exceptions.ServiceUnavailable):
        unreachable.read(_one)  # the driver tries, retries, and gives up
    assert unreachable.unreachable_until > 0
    tried = down.connections
    assert tried > 0
    for call in (lambda: unreachable.read(_one), lambda: unreachable.write(_one), unreachable.server_info):
        with pytest.raises(neo4j.exceptions.ServiceUnavailable):
            call()
    assert down.connections == tried  # not one connection attempt while the window lasts


def test_after_the_window_one_probe_finds_the_graph_still_down_and_opens_a_new_window(unreachable, down):
    with pytest.raises(neo4j.exceptions.ServiceUnavailable):
        unreachable.read(_one)
    unreachable.unreachable_until = 1e-9  # a window that has ended
    before = down.connections
    with pytest.raises(neo4j.exceptions.ServiceUnavailable):
        unreachable.read(_one)  # the probe (verify_connectivity) is refused
    assert down.connections > before  # the probe did try the server
    assert unreachable.unreachable_until > 1e-9  # a new window
    probed = down.connections
    with pytest.raises(neo4j.exceptions.ServiceUnavailable):
        unreachable.read(_one)
    assert down.connections == probed  # and within it nothing is tried again


def test_after_the_window_a_graph_that_answers_again_is_used_at_once(settings):
    reachable = graph_from_settings(settings)
    try:
        reachable.unreachable_until = 1e-9  # it was down; the window has ended
        assert reachable.read(_one) == 1
        assert reachable.unreachable_until == 0
    finally:
        reachable.close()


def test_the_api_answers_503_without_trying_the_graph_once_it_is_known_unreachable(settings, down):
    app = create_app(dataclasses.replace(settings, neo4j_uri=down.uri))
    app.extensions["graph"].unreachable_seconds = 3600.0
    try:
        client = app.test_client()
        assert_problem(client.get("/api/v1/taxonomy/work-types"), 503)
        tried = down.connections
        response = client.get("/api/v1/taxonomy/work-types")
        assert_problem(response, 503)
        assert response.headers["Retry-After"] == "5"
        assert down.connections == tried
    finally:
        app.extensions["graph"].close()


def test_static_files_answer_a_signed_in_browser_while_the_graph_is_unreachable(settings):
    app = create_app(dataclasses.replace(settings, neo4j_uri=CLOSED))
    try:
        client = app.test_client()
        client.set_cookie("cmr_session", "a" * 43)  # a signed-in visitor: the portal looks the session up
        response = client.get("/static/portal.css")
        assert response.status_code == 200
        assert response.mimetype == "text/css"
    finally:
        app.extensions["graph"].close()
