"""Query parameters hold to what the API description says: a number is ASCII digits, a single value comes once.

Python's int() also reads " 1", "1_0", "+1" and a full-width "１"; schemathesis's negative data found the API
accepting them (GET /draws), so they are refused before the schema sees them."""

import pytest

from tests.support import assert_problem


@pytest.mark.parametrize("raw", [" 1", "1 ", "1_0", "+1", "１", "1.0", "0x1"])
def test_a_number_in_a_query_is_plain_digits(client, admin, raw):
    problem = assert_problem(client.get("/api/v1/draws", query_string={"page": raw}, headers=admin), 400)
    assert "page" in problem["errors"]


def test_plain_digits_are_a_number(client, admin):
    response = client.get("/api/v1/draws", query_string={"page": "2", "per_page": "5"}, headers=admin)
    assert response.status_code == 200 and response.get_json()["page"] == 2


def test_a_single_valued_parameter_given_twice_is_refused(client, admin):
    problem = assert_problem(client.get("/api/v1/draws?status=complete&status=short", headers=admin), 400)
    assert problem["errors"]["status"] == ["Give this parameter once."]


def test_a_filter_given_twice_is_refused_rather_than_one_of_them_silently_kept(client, admin):
    problem = assert_problem(
        client.get("/api/v1/practitioners?region=420000&region=110000", headers=admin), 400
    )
    assert problem["errors"]["region"] == ["Give this parameter once."]
