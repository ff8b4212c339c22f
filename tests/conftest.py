"""Fixtures shared by the integration and API suites: a real Neo4j, the app, and a clean graph.

The suite wipes the database it runs against, so it only runs against the project's local test
instance (`make test` starts it) unless REGISTRY_TEST_ALLOW_WIPE=1 says another server may be wiped.
"""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from datetime import date

import pytest

from application import create_app
from graph.driver import Graph, graph_from_settings
from graph.reference import load_reference_data
from graph.schema import create_schema
from registry.audit import Actor
from services.context import Context as ServiceContext
from services.settings import Settings
from tests import fixed_graph
from tests.support import unique_id_card


def _wipe(graph: Graph) -> None:
    with graph.driver.session(database=graph.database) as session:
        session.run("MATCH (n) CALL { WITH n DETACH DELETE n } IN TRANSACTIONS OF 1000 ROWS").consume()


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
    graph.write(load_reference_data)
    yield graph
    graph.close()


@pytest.fixture(scope="session")
def context(graph: Graph, settings: Settings):
    """A service Context acting as the command line does (`dataclasses.replace(context, today=…)` for
    another day)."""
    return ServiceContext(graph=graph, settings=settings, actor=Actor.cli(), today=date.today())


@pytest.fixture(scope="session")
def app(settings: Settings, graph: Graph):
    app = create_app(settings, serving=True)  # the app under test stands for the server
    app.config["TESTING"] = True
    yield app
    app.extensions["graph"].close()


@pytest.fixture()
def client(app):
    return app.test_client()


# --- Roles, keys and factories used by the API suites ------------------------------------------------------

ROLES = ("admin", "government", "client")


@pytest.fixture(scope="session")
def keys(app) -> dict[str, str]:
    """One API key per role, created through the real CLI command."""
    runner = app.test_cli_runner()
    created = {}
    for role in ROLES:
        result = runner.invoke(args=["registry", "create-key", "--role", role, "--label", "tests"])
        assert result.exit_code == 0, result.output
        created[role] = result.stdout.strip().splitlines()[-1]
    return created


@pytest.fixture(scope="session")
def as_role(keys):
    """Headers for a role; `public` sends no key."""

    def headers(role: str) -> dict[str, str]:
        return {} if role == "public" else {"X-API-Key": keys[role]}

    return headers


@pytest.fixture()
def admin(as_role) -> dict[str, str]:
    return as_role("admin")


@pytest.fixture()
def new_practitioner(client, admin):
    """Register a practitioner through the API; returns the response body."""

    def create(**fields) -> dict:
        body = {
            "name": "测试员",
            "id_card": unique_id_card(),
            "education": "bachelor",
            "work_start_year": 2015,
        }
        body.update(fields)
        response = client.post("/api/v1/practitioners", json=body, headers=admin)
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    return create


@pytest.fixture()
def issue(client, admin):
    """Issue a certificate through the API; returns the response body."""

    def create(practitioner_id: str, work_type: str = "verification", level: int = 2, **fields) -> dict:
        body = {
            "number": f"T-{uuid.uuid4().hex[:12].upper()}",
            "practitioner_id": practitioner_id,
            "work_type": work_type,
            "level": level,
            "issued_on": "2024-03-01",
        }
        body.update(fields)
        response = client.post("/api/v1/certificates", json=body, headers=admin)
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    return create


@pytest.fixture(scope="module")
def ids(graph, context) -> dict[str, str]:
    """The fixed registry of tests/fixed_graph.py, built afresh for the module that asks for it."""
    fixed_graph.wipe_registry(graph)
    return fixed_graph.build(context)
