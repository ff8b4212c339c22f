"""Fixtures shared by the integration and API suites: a real Neo4j, the app, and a clean graph.

The suite wipes the database it runs against, so it only runs against the project's local test
instance (`make test` starts it) unless REGISTRY_TEST_ALLOW_WIPE=1 says another server may be wiped.
"""

from __future__ import annotations

import os
from collections.abc import Iterator

import pytest

from api import create_app
from api.config import Settings
from graph.driver import Graph, graph_from_settings
from graph.reference import load_reference_data
from graph.schema import create_schema


def _wipe(graph: Graph) -> None:
    with graph.driver.session(database=graph.database) as session:
        session.run("MATCH (n) CALL { WITH n DETACH DELETE n } IN TRANSACTIONS OF 10000 ROWS").consume()


@pytest.fixture(scope="session")
def settings() -> Settings:
    os.environ.setdefault("NEO4J_LOCAL_INSTANCE", "test")
    if os.environ.get("NEO4J_URI") and os.environ.get("REGISTRY_TEST_ALLOW_WIPE") != "1":
        pytest.exit(
            "NEO4J_URI is set: the tests wipe the database they use. "
            "Set REGISTRY_TEST_ALLOW_WIPE=1 if that server may be wiped.",
            returncode=2,
        )
    return Settings.from_env()


@pytest.fixture(scope="session")
def graph(settings: Settings) -> Iterator[Graph]:
    graph = graph_from_settings(settings)
    _wipe(graph)
    create_schema(graph)
    load_reference_data(graph)
    yield graph
    graph.close()


@pytest.fixture(scope="session")
def app(settings: Settings, graph: Graph):
    app = create_app(settings)
    app.config["TESTING"] = True
    yield app
    app.extensions["graph"].close()


@pytest.fixture()
def client(app):
    return app.test_client()
