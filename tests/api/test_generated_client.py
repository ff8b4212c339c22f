"""A client generated from the served OpenAPI 3 document works, as an integrator would use it (issue 22, item 17).

Before: the Swagger 2.0 document, converted to OpenAPI 3 and given to openapi-python-client, made a package pip
refuses (its name came from a Chinese `info.title`), dropped the `Record` and `Evaluation` schemas (`_Ref`), and
the client crashed on `GET /practitioners` (`employer: null`) and `GET /verify` (`reason: null`). Here the
document the app serves at /api/v1/openapi.json is turned into a typed client by openapi-python-client (pinned in
requirements-dev.txt), with every generator warning an error, and the client calls the core read paths against
a real HTTP server: search, a profile, verify, each statistic, a draw, `/me`.
"""

from __future__ import annotations

import importlib
import json
import re
import subprocess
import sys
import threading
from datetime import date, timedelta
from pathlib import Path
from types import ModuleType
from typing import Any

import pytest
from werkzeug.serving import make_server

from api import _namespaces

VENV_BIN = Path(sys.executable).parent
PACKAGE = "carbon_manager_registry_api_client"
# PEP 508 names, what pip accepts (packaging.utils' rule).
VALID_PROJECT_NAME = re.compile(r"^([A-Z0-9]|[A-Z0-9][A-Z0-9._-]*[A-Z0-9])$", re.IGNORECASE)
STATISTICS = ("supply", "demand", "engagements", "expiring", "trends")


@pytest.fixture(scope="module")
def served(app):
    """The app behind a real HTTP server on a free port, for the length of the module."""
    server = make_server("127.0.0.1", 0, app, threaded=True)
    thread = threading.Thread(target=server.serve_forever, daemon=True)
    thread.start()
    yield f"http://127.0.0.1:{server.server_port}/api/v1"
    server.shutdown()
    thread.join()


@pytest.fixture(scope="module")
def generated(app, tmp_path_factory) -> tuple[Path, ModuleType]:
    """The client package openapi-python-client makes from the served document, imported from a temporary dir."""
    where = tmp_path_factory.mktemp("client")
    document = where / "openapi.json"
    document.write_text(json.dumps(app.test_client().get("/api/v1/openapi.json").get_json()))
    output = where / "generated"
    run = subprocess.run(
        [str(VENV_BIN / "openapi-python-client"), "generate", "--path", str(document),
         "--output-path", str(output), "--meta", "setup", "--fail-on-warning"],
        capture_output=True, text=True, timeout=300,
        env={"PATH": f"{VENV_BIN}:/usr/bin:/bin", "HOME": str(where)},  # its post-hooks run ruff from the venv
    )  # fmt: skip
    assert run.returncode == 0, run.stdout + run.stderr
    sys.path.insert(0, str(output))
    try:
        yield output, importlib.import_module(PACKAGE)
    finally:
        sys.path.remove(str(output))
        for name in [name for name in sys.modules if name.split(".")[0] == PACKAGE]:
            del sys.modules[name]


def _call(tag: str, operation: str, **arguments: Any) -> Any:
    """Call one generated operation; an undocumented status raises, an answer that does not parse fails."""
    module = importlib.import_module(f"{PACKAGE}.api.{tag}.{operation}")
    response = module.sync_detailed(**arguments)
    assert response.status_code == 200, (operation, response.status_code, response.content[:300])
    return response.parsed


@pytest.fixture(scope="module")
def world(app, ids, keys) -> dict[str, str]:
    """The fixed registry (tests/fixed_graph.py), a draw over it, and a practitioner key for A."""
    client, admin = app.test_client(), {"X-API-Key": keys["admin"]}
    draw = {
        "purpose": "verification_review", "title": "生成客户端测试", "work_type": "verification",
        "min_level": 2, "size": 1, "reserves": 0, "panel_date": str(date.today() + timedelta(days=30)),
    }  # fmt: skip
    made = client.post("/api/v1/draws", json=draw, headers=admin)
    assert made.status_code == 201, made.get_json()
    issued = client.post(f"/api/v1/practitioners/{ids['A']}/keys", json={"label": "client"}, headers=admin)
    assert issued.status_code == 201, issued.get_json()
    return {"draw": made.get_json()["id"], "own_key": issued.get_json()["key"]}


def test_schema_names_are_plain_and_each_names_one_shape(app):
    # Namespaces share one document: a second model of the same name would silently replace the first.
    shapes: dict[str, str] = {}
    with app.test_request_context():
        for namespace in _namespaces():
            for name, model in namespace.models.items():
                assert re.fullmatch(r"[A-Z][A-Za-z0-9]*", name), name
                shape = json.dumps(model.__schema__, sort_keys=True, default=str)
                assert shapes.setdefault(name, shape) == shape, f"two schemas are named {name}"


def test_the_generated_package_has_a_name_pip_accepts_and_every_schema(generated):
    output, _ = generated
    assert VALID_PROJECT_NAME.match(re.search(r'name="([^"]+)"', (output / "setup.py").read_text())[1])
    models = importlib.import_module(f"{PACKAGE}.models")
    for schema in ("Record", "Evaluation", "Practitioner", "Verification", "Draw", "StatisticsAnswer"):
        assert hasattr(models, schema), schema


def test_the_generated_client_reads_the_core_paths_of_a_live_server(generated, served, world, ids, keys):
    client_module = importlib.import_module(f"{PACKAGE}.client")

    def as_key(key: str) -> Any:
        return client_module.AuthenticatedClient(
            base_url=served,
            token=key,
            prefix="",
            auth_header_name="X-API-Key",
            raise_on_unexpected_status=True,
        )

    admin, government = as_key(keys["admin"]), as_key(keys["government"])
    public = client_module.Client(base_url=served, raise_on_unexpected_status=True)

    # Search: nullable references (an employer or none) and enums parse.
    page = _call("practitioners", "get_practitioner_list", client=admin, per_page=100)
    assert page.total >= 10
    found = {item.id: item for item in page.items}
    assert found[ids["A"]].employer is not None and found[ids["C"]].employer is None

    profile = _call("practitioners", "get_practitioner_item", client=admin, practitioner_id=ids["A"])
    assert profile.name == "张伟"

    # Verify: a valid certificate (reason null) and a revoked one (reason from the enum).
    valid = _call("verify", "get_verify", client=public, number=ids["A:verification"], name="张伟")
    assert valid.valid is True and valid.reason is None
    revoked = _call("verify", "get_verify", client=public, number=ids["I:trading"], name="周杰")
    assert revoked.valid is False and str(revoked.reason.value) == "certificate_revoked"

    for statistic in STATISTICS:
        answer = _call("stats", f"get_statistic_{statistic}", client=government)
        assert answer is not None, statistic

    draw = _call("draws", "get_draw_item", client=admin, draw_id=world["draw"])
    assert draw.id == world["draw"]

    me = _call("me", "get_me", client=as_key(world["own_key"]))
    assert me.id == ids["A"]
