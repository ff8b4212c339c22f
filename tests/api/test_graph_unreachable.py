"""While Neo4j is down: once the driver has found it unreachable, calls fail at once for a moment instead of each
waiting out the driver's retries (6–7.8 s per 503 before issue 22 item 8); static files never need the graph."""

from __future__ import annotations

import dataclasses

import neo4j
import pytest

from application import create_app
from graph import driver as graph_driver
from graph.driver import graph_from_settings
from tests.support import assert_problem

CLOSED = "bolt://127.0.0.1:1"  # nothing listens there: connections are refused


def _one(tx: neo4j.ManagedTransaction) -> int:
    return tx.run("RETURN 1 AS one").single(strict=True)["one"]


def _record_driver_calls(graph, monkeypatch) -> list[str]:
    calls: list[str] = []
    monkeypatch.setattr(graph.driver, "session", lambda **options: calls.append("session"))
    monkeypatch.setattr(graph.driver, "verify_connectivity", lambda: calls.append("probe"))
    return calls


@pytest.fixture()
def unreachable(settings, monkeypatch):
    monkeypatch.setattr(graph_driver, "UNREACHABLE_SECONDS", 3600.0)  # the window never ends during a test
    down = graph_from_settings(dataclasses.replace(settings, neo4j_uri=CLOSED))
    yield down
    down.close()


def test_once_the_graph_is_found_unreachable_every_call_fails_at_once_without_the_driver(
    unreachable, monkeypatch
):
    with pytest.raises(neo4j.exceptions.ServiceUnavailable):
        unreachable.read(_one)  # the driver tries, retries, and gives up
    assert unreachable.unreachable_until > 0
    calls = _record_driver_calls(unreachable, monkeypatch)
    for call in (lambda: unreachable.read(_one), lambda: unreachable.write(_one), unreachable.server_info):
        with pytest.raises(neo4j.exceptions.ServiceUnavailable):
            call()
    assert calls == []


def test_after_the_window_one_probe_finds_the_graph_still_down_and_no_session_is_opened(
    unreachable, monkeypatch
):
    unreachable.unreachable_until = 1e-9  # a window that has ended
    opened: list[dict] = []
    monkeypatch.setattr(unreachable.driver, "session", lambda **options: opened.append(options))
    with pytest.raises(neo4j.exceptions.ServiceUnavailable):
        unreachable.read(_one)  # the probe (verify_connectivity: no retries) is refused
    assert opened == []
    assert unreachable.unreachable_until > 1e-9  # a new window


def test_after_the_window_a_graph_that_answers_again_is_used_at_once(settings):
    reachable = graph_from_settings(settings)
    try:
        reachable.unreachable_until = 1e-9  # it was down; the window has ended
        assert reachable.read(_one) == 1
        assert reachable.unreachable_until == 0
    finally:
        reachable.close()


def test_the_api_answers_503_without_calling_the_driver_once_the_graph_is_known_unreachable(
    settings, monkeypatch
):
    monkeypatch.setattr(graph_driver, "UNREACHABLE_SECONDS", 3600.0)
    app = create_app(dataclasses.replace(settings, neo4j_uri=CLOSED))
    try:
        client = app.test_client()
        assert_problem(client.get("/api/v1/taxonomy/work-types"), 503)
        calls = _record_driver_calls(app.extensions["graph"], monkeypatch)
        response = client.get("/api/v1/taxonomy/work-types")
        assert_problem(response, 503)
        assert response.headers["Retry-After"] == "5"
        assert calls == []
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
