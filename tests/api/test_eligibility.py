"""POST /eligibility: the brochure's application conditions, with readable reasons."""

import pytest

from tests.support import assert_problem

URL = "/api/v1/eligibility"


def test_a_secondary_vocational_student_may_apply_for_level_4(client):
    body = client.post(URL, json={"level": 4, "education": "secondary", "enrolled": True}).get_json()
    assert body["eligible"] is True
    assert body["level"] == 4
    assert any(r["code"] == "education" and r["met"] for r in body["reasons"])
    assert all(r["zh"] and r["en"] for r in body["reasons"])


def test_a_level_4_holder_with_11_months_since_the_certificate_may_not_apply_for_level_3(client):
    application = {
        "level": 3, "education": "college", "related_work_years": 3, "as_of": "2025-12-01",
        "certificates": [{"work_type": "accounting", "level": 4, "issued_on": "2025-01-01"}],
    }  # fmt: skip
    assert client.post(URL, json=application).get_json()["eligible"] is False
    application["as_of"] = "2026-01-01"
    assert client.post(URL, json=application).get_json()["eligible"] is True


@pytest.mark.parametrize("level", [2, 1])
def test_levels_2_and_1_are_undetermined(client, level):
    body = client.post(
        URL, json={"level": level, "education": "doctorate", "related_work_years": 20}
    ).get_json()
    assert body["eligible"] is None
    assert [r["code"] for r in body["reasons"]] == ["undetermined"]
    assert "待定" in body["reasons"][0]["zh"]


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({}, "level"),
        ({"level": 5}, "level"),
        ({"level": 4, "education": "kindergarten"}, "education"),
        ({"level": 4, "related_work_years": -1}, "related_work_years"),
        ({"level": 4, "enrolled": "true"}, "enrolled"),
        ({"level": 3, "certificates": [{"work_type": "accounting", "level": 4}]}, "certificates.0.issued_on"),
        ({"level": 3, "as_of": "2025-13-01"}, "as_of"),
    ],
)
def test_bad_applications_are_400(client, body, field):
    assert field in assert_problem(client.post(URL, json=body), 400)["errors"]
