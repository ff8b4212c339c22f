"""The Swagger document describes every parameter the API takes."""


def test_every_parameter_in_the_spec_has_a_description(client):
    spec = client.get("/api/v1/swagger.json").get_json()
    undocumented = []
    for path, item in spec["paths"].items():
        shared = item.get("parameters", [])
        for method, operation in item.items():
            if method == "parameters":
                continue
            for parameter in shared + operation.get("parameters", []):
                if not (parameter.get("description") or "").strip():
                    undocumented.append(f"{method.upper()} {path} {parameter['in']}:{parameter['name']}")
    assert undocumented == []


def test_query_parameters_state_the_rules_validation_enforces(client):
    spec = client.get("/api/v1/swagger.json").get_json()
    search = {p["name"]: p for p in spec["paths"]["/practitioners"]["get"]["parameters"]}
    assert search["work_type"]["enum"] == sorted(search["work_type"]["enum"])
    assert "verification" in search["work_type"]["enum"]
    assert search["per_page"]["maximum"] == 100
    assert search["region"]["pattern"] == "^[0-9]{6}$"
    assert search["sort"]["default"] == "relevance"
