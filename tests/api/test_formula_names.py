"""Formula-like names are refused by the API as by the bulk import (registry/formulas.py, one rule), and what is
already stored leaves in a person's export escaped with a leading `'`."""

from __future__ import annotations

import io

import openpyxl
import pytest

from tests.support import assert_problem, unique_id_card

FORMULAS = ['=HYPERLINK("http://example.invalid","点我")', "@SUM(A1:A9)", "＝1+1", "＋1", "－1", "＠SUM(A1)"]


def _practitioner(**fields) -> dict:
    return {"name": "公式测试", "id_card": unique_id_card(), "education": "bachelor", **fields}


@pytest.mark.parametrize("name", FORMULAS)
def test_a_practitioner_named_like_a_formula_is_refused(client, admin, name):
    body = assert_problem(
        client.post("/api/v1/practitioners", json=_practitioner(name=name), headers=admin), 400
    )
    assert "formula" in " ".join(body["errors"]["name"])


def test_an_email_starting_like_a_formula_is_refused(client, admin):
    response = client.post(
        "/api/v1/practitioners", json=_practitioner(email="=1+1@example.cn"), headers=admin
    )
    assert "formula" in " ".join(assert_problem(response, 400)["errors"]["email"])


@pytest.mark.parametrize("name", FORMULAS)
def test_an_organization_named_like_a_formula_is_refused(client, admin, name):
    response = client.post("/api/v1/organizations", json={"name": name, "kind": "enterprise"}, headers=admin)
    assert "formula" in " ".join(assert_problem(response, 400)["errors"]["name"])


def test_a_name_with_a_formula_sign_inside_is_accepted(client, admin):
    response = client.post("/api/v1/organizations", json={"name": "甲=乙咨询有限公司", "kind": "enterprise"},
                           headers=admin)  # fmt: skip
    assert response.status_code == 201, response.get_json()


@pytest.mark.parametrize(
    "stored", ['=HYPERLINK("http://example.invalid","点我")', "＝1+1", "@SUM(A1)", "﹦1+1"]
)
def test_the_export_workbook_escapes_a_formula_like_name_stored_before_the_rule(
    client, admin, graph, new_practitioner, stored
):
    person = new_practitioner()
    graph.write(
        lambda tx: tx.run("MATCH (p:Practitioner {id: $id}) SET p.name = $name", id=person["id"], name=stored)
    )
    key = client.post(f"/api/v1/practitioners/{person['id']}/keys", json={"label": "本人"}, headers=admin)
    headers = {"X-API-Key": key.get_json()["key"]}
    response = client.get("/api/v1/me/export?format=xlsx", headers=headers)
    assert response.status_code == 200
    sheet = openpyxl.load_workbook(io.BytesIO(response.data))["practitioner"]
    rows = {row[0]: row[1] for row in sheet.iter_rows(min_row=2, values_only=True)}
    assert rows["name"] == "'" + stored
