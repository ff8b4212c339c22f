"""Health, readiness, problem responses and the OpenAPI document."""

import dataclasses

import pytest
from openapi_spec_validator import validate

from application import create_app
from tests.support import assert_problem


def test_health_answers_without_the_graph(client):
    response = client.get("/api/v1/health")
    assert response.status_code == 200
    assert response.get_json() == {"status": "ok"}


def test_ready_reports_neo4j_5_26_community(client):
    response = client.get("/api/v1/ready")
    assert response.status_code == 200
    neo4j = response.get_json()["neo4j"]
    assert neo4j["version"].startswith("5.26.")
    assert neo4j["edition"] == "community"


@pytest.mark.parametrize(
    "change",
    [{"neo4j_password": "not-the-password"}, {"neo4j_uri": "bolt://127.0.0.1:1"}],
    ids=["wrong-password", "no-server"],
)
def test_ready_is_503_problem_when_the_graph_is_unreachable(settings, change):
    app = create_app(dataclasses.replace(settings, **change))
    try:
        response = app.test_client().get("/api/v1/ready")
    finally:
        app.extensions["graph"].close()
    body = assert_problem(response, 503)
    assert "Neo4j" in body["detail"]


def test_a_data_endpoint_is_503_problem_when_the_graph_is_unreachable(settings):
    app = create_app(dataclasses.replace(settings, neo4j_uri="bolt://127.0.0.1:1"))
    try:
        response = app.test_client().get("/api/v1/taxonomy/work-types")
    finally:
        app.extensions["graph"].close()
    assert_problem(response, 503)
    assert response.headers["Retry-After"] == "5"


@pytest.mark.parametrize("path", ["/api/v1/no-such-thing", "/api/v1/taxonomy/planets"])
def test_unknown_api_paths_are_404_problems(client, path):
    assert_problem(client.get(path), 404)


def test_unknown_portal_paths_are_a_friendly_404_page(client):
    response = client.get("/no-such-thing")
    assert response.status_code == 404
    assert response.mimetype == "text/html"
    assert "页面不存在" in response.get_data(as_text=True)
    assert "Traceback" not in response.get_data(as_text=True)


def test_a_portal_page_answers_a_friendly_503_when_the_graph_is_down(settings):
    app = create_app(dataclasses.replace(settings, neo4j_uri="bolt://127.0.0.1:1"))
    try:
        response = app.test_client().get("/")
    finally:
        app.extensions["graph"].close()
    assert response.status_code == 503
    assert "服务暂时不可用" in response.get_data(as_text=True)
    assert response.headers["Retry-After"]


def test_a_wrong_method_is_a_405_problem_with_allow(client):
    response = client.post("/api/v1/health")
    assert_problem(response, 405)
    assert "GET" in response.headers["Allow"]


def test_the_spec_is_valid_swagger_2(client):
    response = client.get("/api/v1/swagger.json")
    assert response.status_code == 200
    spec = response.get_json()
    assert spec["swagger"] == "2.0"
    validate(spec)
    assert "/taxonomy/work-types" in spec["paths"]


def test_the_swagger_ui_is_served_at_docs(client):
    response = client.get("/docs")
    assert response.status_code == 200
    assert b"swagger" in response.data.lower()


def test_every_response_carries_a_request_id(client):
    response = client.get("/api/v1/health", headers={"X-Request-Id": "abc123"})
    assert response.headers["X-Request-Id"] == "abc123"
    generated = client.get("/api/v1/health", headers={"X-Request-Id": "bad id; with spaces"})
    assert generated.headers["X-Request-Id"] != "bad id; with spaces"
    assert len(generated.headers["X-Request-Id"]) == 32
