"""The talent and expert pools: sizes and members, always derived from valid certificates."""

from tests.support import assert_problem


def _sizes(client, headers) -> dict[str, int]:
    response = client.get("/api/v1/pools", headers=headers)
    assert response.status_code == 200
    return {p["code"]: p["members"] for p in response.get_json()["items"]}


def test_pool_sizes_follow_issuing_and_revoking(client, admin, new_practitioner, issue):
    before = _sizes(client, admin)
    person = new_practitioner()
    certificate = issue(person["id"], "verification", 1)
    assert _sizes(client, admin) == {**before, "expert": before["expert"] + 1}
    client.post(f"/api/v1/certificates/{certificate['number']}/revoke", json={"reason": "r"}, headers=admin)
    assert _sizes(client, admin) == before


def test_pool_members_can_be_filtered_by_work_type(client, as_role, new_practitioner, issue):
    verifier = new_practitioner(name="核查专家")
    issue(verifier["id"], "verification", 2)
    trader = new_practitioner(name="交易专家")
    issue(trader["id"], "trading", 2)
    response = client.get(
        "/api/v1/pools/expert/members", query_string={"work_type": "verification", "per_page": 100},
        headers=as_role("client"),
    )  # fmt: skip
    assert response.status_code == 200
    ids = {m["id"] for m in response.get_json()["items"]}
    assert verifier["id"] in ids
    assert trader["id"] not in ids
    assert all("expert" in m["pools"] for m in response.get_json()["items"])


def test_an_unknown_pool_is_404(client, as_role):
    assert_problem(client.get("/api/v1/pools/heroes/members", headers=as_role("client")), 404)
