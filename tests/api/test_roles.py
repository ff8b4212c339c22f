"""Every endpoint with every role: the status each role gets, and no personal data where it may not be."""

import uuid

import pytest

from tests.support import PII_KEYS, keys_in, unique_id_card

ROLES = ("public", "client", "government", "admin")
ALL = set(ROLES)
CLIENT_PLUS = {"client", "government", "admin"}
ADMIN = {"admin"}
PHONE, EMAIL = "13712345678", "pii-probe@example.cn"


@pytest.fixture(scope="module")
def world(app, keys):
    """A practitioner with personal data and a certificate, an organization: what the walk reads and changes."""
    client = app.test_client()
    admin = {"X-API-Key": keys["admin"]}
    organization = client.post(
        "/api/v1/organizations", json={"name": "权限测试公司", "kind": "enterprise"}, headers=admin
    )
    person = client.post(
        "/api/v1/practitioners",
        json={
            "name": "权限测试员",
            "id_card": unique_id_card(),
            "phone": PHONE,
            "email": EMAIL,
            "public_profile": True,
            "region": "420100",
        },
        headers=admin,
    ).get_json()
    doomed = client.post(
        "/api/v1/practitioners",
        json={"name": "待删除", "id_card": unique_id_card(), "phone": PHONE},
        headers=admin,
    ).get_json()
    number = f"ROLE-{uuid.uuid4().hex[:8].upper()}"
    certificate = {"number": number, "practitioner_id": person["id"], "work_type": "verification", "level": 2,
                   "issued_on": "2024-01-01"}  # fmt: skip
    assert client.post("/api/v1/certificates", json=certificate, headers=admin).status_code == 201
    engagement = client.post(
        "/api/v1/engagements",
        json={
            "title": "权限项目",
            "kind": "verification",
            "client_id": organization.get_json()["id"],
            "start_on": "2025-01-01",
            "team": [{"practitioner_id": person["id"], "role": "lead"}],
        },
        headers=admin,
    ).get_json()
    return {
        "engagement": engagement["id"],
        "person": person["id"],
        "doomed": doomed["id"],
        "org": organization.get_json()["id"],
        "number": number,
    }


def _new_engagement(world):
    return {"title": "权限测试项目", "kind": "verification", "client_id": world["org"], "start_on": "2025-01-01",
            "team": [{"practitioner_id": world["person"], "role": "lead"}]}  # fmt: skip


def _new_certificate(world):
    return {"number": f"ROLE-{uuid.uuid4().hex[:8].upper()}", "practitioner_id": world["person"],
            "work_type": "monitoring", "level": 4, "issued_on": "2024-01-01"}  # fmt: skip


# (method, path, body, roles allowed); the walk goes public → client → government → admin on each row,
# so the admin's change (suspend, then reinstate, then revoke, then delete) comes last.
ENDPOINTS = [
    ("get", "/api/v1/health", None, ALL),
    ("get", "/api/v1/ready", None, ALL),
    *[
        ("get", f"/api/v1/taxonomy/{kind}", None, ALL)
        for kind in (
            "work-types",
            "levels",
            "pools",
            "regions",
            "industries",
            "specialties",
            "qualifications",
        )
    ],
    ("post", "/api/v1/practitioners", lambda w: {"name": "新人", "id_card": unique_id_card()}, ADMIN),
    ("get", "/api/v1/practitioners", None, ALL),
    ("get", "/api/v1/practitioners?q=权限", None, ALL),
    # client+ see anyone; the public the showcase of a consenting person (this one consented)
    ("get", "/api/v1/practitioners/{person}", None, ALL),
    ("patch", "/api/v1/practitioners/{person}", lambda w: {"bio": "更新"}, ADMIN),
    ("get", "/api/v1/practitioners/{person}/certificates", None, CLIENT_PLUS),
    ("post", "/api/v1/organizations", lambda w: {"name": "新公司", "kind": "other"}, ADMIN),
    ("get", "/api/v1/organizations", None, CLIENT_PLUS),
    ("get", "/api/v1/organizations/{org}", None, CLIENT_PLUS),
    ("patch", "/api/v1/organizations/{org}", lambda w: {"kind": "consultancy"}, ADMIN),
    ("post", "/api/v1/certificates", _new_certificate, ADMIN),
    ("get", "/api/v1/certificates/{number}", None, ADMIN),
    ("get", "/api/v1/verify?number={number}&name=权限测试员", None, ALL),
    ("get", "/api/v1/pools", None, CLIENT_PLUS),
    ("get", "/api/v1/pools/expert/members", None, CLIENT_PLUS),
    ("get", "/api/v1/pools/talent/members", None, CLIENT_PLUS),
    ("post", "/api/v1/eligibility", lambda w: {"level": 4, "education": "secondary"}, ALL),
    (
        "post",
        "/api/v1/match",
        lambda w: {"work_type": "verification", "explain": True, "limit": 100},
        CLIENT_PLUS,
    ),
    ("get", "/api/v1/practitioners/{person}/engagements", None, CLIENT_PLUS),
    ("get", "/api/v1/practitioners/{person}/graph", None, CLIENT_PLUS),
    ("post", "/api/v1/engagements", _new_engagement, ADMIN),
    ("get", "/api/v1/engagements", None, ADMIN),
    ("get", "/api/v1/engagements/{engagement}", None, ADMIN),
    ("patch", "/api/v1/engagements/{engagement}", lambda w: {"outcome": "完成"}, ADMIN),
    ("post", "/api/v1/certificates/{number}/suspend", lambda w: {"reason": "测试"}, ADMIN),
    ("post", "/api/v1/certificates/{number}/reinstate", lambda w: {"reason": "测试"}, ADMIN),
    ("post", "/api/v1/certificates/{number}/revoke", lambda w: {"reason": "测试"}, ADMIN),
    ("delete", "/api/v1/practitioners/{doomed}", None, ADMIN),
]


@pytest.mark.parametrize(
    ("method", "path", "body", "allowed"), ENDPOINTS, ids=[f"{m} {p}" for m, p, _, _ in ENDPOINTS]
)
def test_each_role_gets_the_status_its_rights_allow_and_no_pii_unless_admin(
    client, as_role, world, method, path, body, allowed
):
    url = path.format(**world)
    for role in ROLES:
        kwargs = {"headers": as_role(role)}
        if body is not None:
            kwargs["json"] = body(world)
        response = getattr(client, method)(url, **kwargs)
        if role in allowed:
            assert response.status_code in (200, 201), (role, response.get_json())
        else:
            assert response.status_code == (401 if role == "public" else 403), role
            assert response.mimetype == "application/problem+json"
        if role != "admin":
            text = response.get_data(as_text=True)
            assert not keys_in(response.get_json(silent=True)) & PII_KEYS, (role, url)
            assert PHONE not in text and EMAIL not in text, (role, url)


def test_admin_sees_personal_data(client, as_role, world):
    person = client.get(f"/api/v1/practitioners/{world['person']}", headers=as_role("admin")).get_json()
    assert (person["phone"], person["email"]) == (PHONE, EMAIL)
    assert len(person["id_card_tail"]) == 4


def test_an_unknown_key_is_401_even_on_public_endpoints(client):
    response = client.get("/api/v1/taxonomy/levels", headers={"X-API-Key": "cmr_not-a-real-key"})
    assert response.status_code == 401
    assert response.mimetype == "application/problem+json"
    assert response.headers["WWW-Authenticate"].startswith("ApiKey")


def test_imports_are_for_admins_only(client, as_role):
    assert client.post("/api/v1/imports").status_code == 401
    for role in ("client", "government"):
        assert client.post("/api/v1/imports", headers=as_role(role)).status_code == 403


def test_a_revoked_key_stops_working(app, client):
    runner = app.test_cli_runner()
    key = runner.invoke(args=["registry", "create-key", "--role", "client"]).stdout.strip().splitlines()[-1]
    assert client.get("/api/v1/pools", headers={"X-API-Key": key}).status_code == 200
    assert "revoked 1" in runner.invoke(args=["registry", "revoke-key", key[:12]]).output
    assert client.get("/api/v1/pools", headers={"X-API-Key": key}).status_code == 401


def test_the_public_showcase_lists_only_consenting_practitioners(client, as_role, admin, new_practitioner):
    shown = new_practitioner(name="公开者", public_profile=True)
    hidden = new_practitioner(name="隐私者", public_profile=False)

    def ids(q: str, role: str) -> set[str]:
        response = client.get("/api/v1/practitioners", query_string={"q": q}, headers=as_role(role))
        return {p["id"] for p in response.get_json()["items"]}

    assert ids("公开者", "public") == {shown["id"]}
    assert ids("隐私者", "public") == set()
    assert ids("隐私者", "client") == {hidden["id"]}


def test_the_public_sees_a_consenting_practitioners_showcase_profile_and_nobody_else(
    client, new_practitioner
):
    shown = new_practitioner(name="展示者", public_profile=True)
    hidden = new_practitioner(name="不展示者", public_profile=False)
    profile = client.get(f"/api/v1/practitioners/{shown['id']}")
    assert profile.status_code == 200
    assert profile.get_json()["name"] == "展示者"
    assert "credit" not in profile.get_json() or profile.get_json()["credit"] is None
    assert not keys_in(profile.get_json()) & PII_KEYS
    assert client.get(f"/api/v1/practitioners/{hidden['id']}").status_code == 404
