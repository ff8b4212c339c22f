"""The Swagger document says what the API does: nulls, errors, enums, patterns and ranges (issue 9, item 9).

Before issue 9 it documented no 4xx answer, not /ready's 200, declared seven nullable fields non-null, and
stated none of the rules validation enforces (half the generated admin requests were refused for rules the
document did not state). tests/api/test_api_contract.py checks the answers against it with schemathesis.
"""

from __future__ import annotations

import re

import pytest

from interface.schemas.common import Text


@pytest.fixture(scope="module")
def spec(app):
    return app.test_client().get("/api/v1/swagger.json").get_json()


def _operations(spec):
    for path, item in spec["paths"].items():
        shared = item.get("parameters", [])
        for method, operation in item.items():
            if method != "parameters":
                yield path, method, operation, shared + operation.get("parameters", [])


@pytest.mark.parametrize(
    ("model", "field"),
    [
        ("Certificate", "expires_on"),
        ("Certificate", "status_reason"),
        ("CertificateEvent", "from_status"),
        ("Organization", "uscc"),
        ("Organization", "region"),
        ("Eligibility", "eligible"),
        ("Reason", "met"),
        ("Verification", "reason"),
        ("Practitioner", "work_start_year"),
    ],
)
def test_fields_that_can_be_null_say_so(spec, model, field):
    assert spec["definitions"][model]["properties"][field].get("x-nullable") is True


def test_ready_documents_both_its_answers(spec):
    responses = spec["paths"]["/ready"]["get"]["responses"]
    assert responses["200"]["schema"] == {"$ref": "#/definitions/Ready"}
    assert responses["503"]["schema"] == {"$ref": "#/definitions/Problem"}
    assert {"status", "neo4j"} <= set(spec["definitions"]["Ready"]["properties"])


def test_every_operation_documents_the_problems_it_can_answer(spec):
    missing = []
    for path, method, operation, parameters in _operations(spec):
        documented = set(operation["responses"])
        places = {p["in"] for p in parameters}
        expected = set()
        if path not in ("/health", "/ready"):
            expected |= {"401", "503"}
        if places & {"query", "body", "formData"}:
            expected.add("400")
        if "path" in places:
            expected.add("404")
        if places & {"body", "formData"}:
            expected.add("413")
        if operation.get("x-roles"):
            expected.add("403")
        if expected - documented:
            missing.append(f"{method.upper()} {path}: {sorted(expected - documented)}")
        for status, response in operation["responses"].items():
            if int(status) >= 400:
                assert response["schema"] == {"$ref": "#/definitions/Problem"}, (path, method, status)
    assert missing == []
    assert "application/problem+json" in spec["produces"]


def test_conflicting_writes_document_409(spec):
    paths = spec["paths"]
    for path, method in [
        ("/practitioners", "post"), ("/practitioners/{practitioner_id}", "patch"), ("/organizations", "post"),
        ("/organizations/{organization_id}", "patch"), ("/certificates", "post"),
        ("/certificates/{number}/revoke", "post"),
    ]:  # fmt: skip
        assert "409" in paths[path][method]["responses"], (method, path)


def _body_model(spec, path, method):
    body = next(p for p in spec["paths"][path][method]["parameters"] if p["in"] == "body")
    return spec["definitions"][body["schema"]["$ref"].rsplit("/", 1)[1]]


def test_request_bodies_state_enums_patterns_ranges_and_refuse_unknown_fields(spec):
    issue = _body_model(spec, "/certificates", "post")
    assert issue["additionalProperties"] is False
    assert issue["properties"]["level"]["enum"] == [1, 2, 3, 4]
    assert "verification" in issue["properties"]["work_type"]["enum"]
    assert issue["properties"]["number"]["pattern"] == "^[A-Za-z0-9][A-Za-z0-9-]{3,39}$"
    assert issue["properties"]["practitioner_id"]["format"] == "uuid"
    assert issue["properties"]["issued_on"]["format"] == "date"
    person = _body_model(spec, "/practitioners", "post")
    assert person["properties"]["work_start_year"]["minimum"] == 1950
    assert person["properties"]["id_card"]["pattern"] == "^[0-9]{17}[0-9Xx]$"
    assert person["properties"]["name"]["maxLength"] == 50
    assert person["properties"]["specialties"]["maxItems"] == 30
    engagement = _body_model(spec, "/engagements", "post")
    team = engagement["properties"]["team"]["items"]
    nested = spec["definitions"][team["$ref"].rsplit("/", 1)[1]]
    assert nested["additionalProperties"] is False
    assert nested["properties"]["role"]["enum"]


@pytest.mark.parametrize("multiline", [False, True])
@pytest.mark.parametrize(
    "text",
    ["王小明", "  王小明 ", "a\tb", "a\nb", "a\rb", "\x00", "", "   ", "\u3000王", "x\x1fy", "多\n行\t文"],
)
def test_the_documented_text_pattern_accepts_what_validation_accepts(multiline, text):
    # Where the pattern is stricter (leading or trailing line breaks, later trimmed), validation accepts more;
    # a text the pattern admits is never refused for its characters.
    field = Text(max_length=50, multiline=multiline)
    admitted = re.search(field.swagger_pattern, text) is not None
    try:
        field.deserialize(text)
        accepted = True
    except Exception:
        accepted = False
    assert accepted or not admitted, (text, field.swagger_pattern)
