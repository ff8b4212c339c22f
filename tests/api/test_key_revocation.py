"""Sessions end when the key does: a revoked or deleted key, and every portal session opened with it, is refused
on the next request in every worker (two app instances sharing one graph stand for two gunicorn workers)."""

from __future__ import annotations

import re
from dataclasses import replace

import pytest

from application import create_app
from services import personal_data


@pytest.fixture()
def other_worker(settings):
    """A second app on the same graph, as another gunicorn worker is: its own driver, its own memory."""
    app = create_app(replace(settings, search_index="off", search_index_snapshots=""))
    app.config["TESTING"] = True
    yield app
    app.extensions["graph"].close()


def _create_key(app, *args: str) -> str:
    result = app.test_cli_runner().invoke(args=["registry", "create-key", *args])
    assert result.exit_code == 0, result.output
    return result.stdout.strip().splitlines()[-1]


def _revoke(app, key: str) -> None:
    assert "revoked 1" in app.test_cli_runner().invoke(args=["registry", "revoke-key", key[:12]]).output


def _logged_in(app, key: str):
    """A browser on `app`'s portal, logged in with `key`."""
    browser = app.test_client()
    form = browser.get("/login").get_data(as_text=True)
    token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
    assert browser.post("/login", data={"key": key, "csrf_token": token}).status_code == 302
    return browser


def _practitioner_key(client, admin, new_practitioner) -> tuple[str, str]:
    person = new_practitioner(name="删除者")
    response = client.post(
        f"/api/v1/practitioners/{person['id']}/keys", json={"label": "本人"}, headers=admin
    )
    assert response.status_code == 201, response.get_json()
    return person["id"], response.get_json()["key"]


def test_a_key_revoked_through_one_worker_is_refused_at_once_by_another(app, other_worker):
    key = _create_key(app, "--role", "client")
    elsewhere = other_worker.test_client()
    assert elsewhere.get("/api/v1/pools", headers={"X-API-Key": key}).status_code == 200
    _revoke(app, key)
    assert elsewhere.get("/api/v1/pools", headers={"X-API-Key": key}).status_code == 401


def test_a_portal_session_ends_with_its_key_in_every_worker(app, other_worker):
    key = _create_key(app, "--role", "admin", "--label", "portal")
    browser = _logged_in(other_worker, key)
    assert browser.get("/admin").status_code == 200
    _revoke(app, key)
    after = browser.get("/admin")
    assert after.status_code == 302 and after.headers["Location"].endswith("/login")


def test_revoking_a_key_ends_its_sessions_in_the_same_transaction(app, graph, settings):
    key = _create_key(app, "--role", "government")
    _logged_in(app, key)
    _logged_in(app, key)
    _revoke(app, key)
    live = graph.read(
        lambda tx: tx.run(
            "MATCH (s:WebSession)-[:OPENED_WITH]->(:ApiKey {prefix: $prefix}) "
            "RETURN count(s) AS opened, count(CASE WHEN s.ended_at IS NULL THEN s END) AS live",
            prefix=key[:12],
        ).single()
    )
    assert (live["opened"], live["live"]) == (2, 0)


def test_a_deletion_request_refuses_the_key_and_its_portal_session_in_every_worker(
    app, client, admin, other_worker, new_practitioner
):
    _, key = _practitioner_key(client, admin, new_practitioner)
    elsewhere = other_worker.test_client()
    assert elsewhere.get("/api/v1/me", headers={"X-API-Key": key}).status_code == 200
    browser = _logged_in(other_worker, key)
    assert browser.get("/me").status_code == 200

    assert client.post("/api/v1/me/deletion-request", headers={"X-API-Key": key}).status_code == 200

    assert elsewhere.get("/api/v1/me", headers={"X-API-Key": key}).status_code == 401
    after = browser.get("/me")
    assert after.status_code == 302 and after.headers["Location"].endswith("/login")


def test_a_deletion_made_by_another_process_refuses_the_key_here_at_once(
    client, admin, context, new_practitioner
):
    person_id, key = _practitioner_key(client, admin, new_practitioner)
    assert client.get("/api/v1/me", headers={"X-API-Key": key}).status_code == 200
    personal_data.request_deletion(context, person_id)  # another worker's transaction: nothing here is told
    assert client.get("/api/v1/me", headers={"X-API-Key": key}).status_code == 401
