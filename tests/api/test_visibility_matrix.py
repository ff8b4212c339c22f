"""Every read path × every role × every visibility level: a field is shown exactly when its level allows.

One practitioner fills every governed field, then sets all of them to one level; each role reads them through
every endpoint that shows a practitioner (search, profile, pool members, match, neighbourhood graph, /me,
export) and searches by each governed field (a hidden field must not be findable either).
"""

import re
import uuid

import pytest

from registry.visibility import VISIBILITY_DEFAULTS, VISIBILITY_FIELDS
from tests.support import unique_id_card

LEVELS = ("public", "clients", "private")
ROLES = ("public", "client", "government", "admin", "other_practitioner", "self")
# Who reads which level (issue 13): written out here rather than taken from the code under test.
READS = {
    "public": {"public"},
    "client": {"public", "clients"},
    "government": {"public", "clients"},
    "admin": {"public", "clients", "private"},
    "other_practitioner": {"public"},
    "self": {"public", "clients", "private"},
}
# Fields of a practitioner answer that each governed field controls.
SHOWN_AS = {
    "bio": ("bio",),
    "phone": ("phone",),
    "email": ("email",),
    "gender": ("gender",),
    "education": ("education", "enrolled"),
    "work_start_year": ("work_start_year", "experience_years"),
    "employer": ("employer",),
    "specialties": ("specialties",),
    "industries": ("industries",),
    "qualifications": ("qualifications",),
}
SPECIALTY_NAME, QUALIFICATION_NAME, INDUSTRY_NAME = (
    "民航碳排放监测与 CORSIA",
    "CCAA 注册温室气体核查员",
    "民航",
)
# Which endpoint each role may call: the status it gets otherwise.
CLIENT_PLUS = {"client", "government", "admin"}


@pytest.fixture(scope="module")
def world(app, keys):
    client = app.test_client()
    admin = {"X-API-Key": keys["admin"]}
    token = "mx" + uuid.uuid4().hex[:10]
    bio_token = "bio" + uuid.uuid4().hex[:10]
    employer = client.post(
        "/api/v1/organizations", json={"name": f"矩阵雇主{token}", "kind": "consultancy"}, headers=admin
    ).get_json()

    def register(name: str, **fields) -> dict:
        body = {"name": name, "id_card": unique_id_card(), **fields}
        response = client.post("/api/v1/practitioners", json=body, headers=admin)
        assert response.status_code == 201, response.get_json()
        return response.get_json()

    person = register(
        f"矩阵员 {token}", gender="male", education="master", work_start_year=2010, region="420100",
        employer_id=employer["id"], phone="13600001234", email=f"{token}@example.cn", public_profile=True,
        bio=f"民航核查 {bio_token}", specialties=["aviation_emissions"], industries=["aviation"],
        qualifications=["ccaa_ghg_verifier"],
    )  # fmt: skip
    other = register(f"旁人 {token}")
    certificate = {"number": f"MX-{token.upper()}", "practitioner_id": person["id"], "work_type": "aviation",
                   "level": 1, "issued_on": "2024-01-01"}  # fmt: skip
    assert client.post("/api/v1/certificates", json=certificate, headers=admin).status_code == 201

    def key_for(practitioner_id: str) -> dict[str, str]:
        response = client.post(f"/api/v1/practitioners/{practitioner_id}/keys", json={}, headers=admin)
        return {"X-API-Key": response.get_json()["key"]}

    headers = {
        role: ({} if role == "public" else {"X-API-Key": keys[role]}) for role in CLIENT_PLUS | {"public"}
    }
    headers["self"] = key_for(person["id"])
    headers["other_practitioner"] = key_for(other["id"])
    yield {"client": client, "person": person, "employer": employer, "token": token, "bio_token": bio_token,
           "headers": headers}  # fmt: skip
    # Back to the defaults: other suites read the whole registry and expect no published contact details.
    client.patch("/api/v1/me", json={"visibility": VISIBILITY_DEFAULTS}, headers=headers["self"])


def set_all(world, level: str) -> None:
    response = world["client"].patch(
        "/api/v1/me",
        json={"visibility": dict.fromkeys(VISIBILITY_FIELDS, level)},
        headers=world["headers"]["self"],
    )
    assert response.status_code == 200, response.get_json()


def governed_fields_shown(answer: dict) -> set[str]:
    return {name for name, keys in SHOWN_AS.items() if any(key in answer for key in keys)}


def expected_status(role: str, allowed: set[str]) -> int:
    if role in allowed:
        return 200
    return 401 if role == "public" else 403


def read_everywhere(world, role: str) -> dict[str, object]:
    """What `role` is shown of the person by every endpoint that shows a practitioner (None: not allowed)."""
    client, person, headers = world["client"], world["person"], world["headers"][role]
    pid, token = person["id"], world["token"]
    shown: dict[str, object] = {}

    def get(path: str, allowed: set[str], **query):
        response = client.get(path, query_string=query, headers=headers)
        assert response.status_code == expected_status(role, allowed), (path, role, response.get_json())
        return response.get_json() if response.status_code == 200 else None

    def entry(page: dict | None) -> dict | None:
        if page is None:
            return None
        found = [item for item in page["items"] if item["id"] == pid]
        assert found, f"{role} did not find the person"
        return found[0]

    everyone = set(ROLES)
    shown["search"] = entry(get("/api/v1/practitioners", everyone, q=token, per_page=100))
    shown["profile"] = get(f"/api/v1/practitioners/{pid}", everyone)  # a consenting person: the showcase
    shown["pool members"] = entry(get("/api/v1/pools/expert/members", CLIENT_PLUS, q=token, per_page=100))
    if role == "other_practitioner":  # their /me is their own record, not this person's
        assert get("/api/v1/me", everyone)["id"] != pid
        shown["me"] = shown["export"] = None
    else:
        shown["me"] = get("/api/v1/me", {"self"})
        export = get("/api/v1/me/export", {"self"})
        shown["export"] = export["practitioner"] if export else None
    graph = get(f"/api/v1/practitioners/{pid}/graph", CLIENT_PLUS)
    shown["graph"] = graph
    request = {"work_type": "aviation", "min_level": 1, "industry": "aviation", "limit": 100}
    response = client.post("/api/v1/match", json=request, headers=headers)
    assert response.status_code == expected_status(role, CLIENT_PLUS), response.get_json()
    if response.status_code == 200:
        shown["match"] = next(
            item for item in response.get_json()["items"] if item["practitioner"]["id"] == pid
        )
    return shown


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("role", ROLES)
def test_every_read_path_shows_a_field_exactly_when_its_level_allows(world, level, role):
    set_all(world, level)
    visible = level in READS[role]
    expected = set(SHOWN_AS) if visible else set()
    shown = read_everywhere(world, role)
    for endpoint in ("search", "profile", "pool members", "me", "export"):
        if shown[endpoint] is not None:
            assert governed_fields_shown(shown[endpoint]) == expected, (endpoint, role, level)
            assert ("id_card_tail" in shown[endpoint]) == (role in ("admin", "self")), (endpoint, role)
    if shown.get("graph") is not None:
        employer_node = f"Organization:{world['employer']['id']}"
        assert (employer_node in {node["id"] for node in shown["graph"]["nodes"]}) == visible, (role, level)
        assert "visibility" not in shown["graph"]
    if shown.get("match") is not None:
        match = shown["match"]
        assert governed_fields_shown(match["practitioner"]) == expected, ("match", role, level)
        reasons = " ".join(match["reasons"])
        for fact in (SPECIALTY_NAME, QUALIFICATION_NAME, f"declares experience in {INDUSTRY_NAME}"):
            assert (fact in reasons) == visible, (fact, role, level, reasons)
        assert ("specialties" in match["score_breakdown"]) == visible


SEARCHERS = ("public", "client", "government", "admin", "other_practitioner")


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("role", SEARCHERS)
def test_a_hidden_field_cannot_be_found_by_searching_for_it(world, level, role):
    set_all(world, level)
    visible = level in READS[role]
    client, headers, pid, token = (
        world["client"],
        world["headers"][role],
        world["person"]["id"],
        world["token"],
    )

    def finds(**query) -> bool:
        response = client.get(
            "/api/v1/practitioners", query_string={**query, "per_page": 100}, headers=headers
        )
        assert response.status_code == 200, response.get_json()
        return pid in {item["id"] for item in response.get_json()["items"]}

    assert finds(q=token)  # by name, the registry's own record: always
    assert finds(q=token, specialty="aviation_emissions") == visible, ("specialty", role, level)
    assert finds(q=token, qualification="ccaa_ghg_verifier") == visible, ("qualification", role, level)
    assert finds(q=token, industry="aviation") == visible, ("industry", role, level)
    assert finds(q=world["bio_token"]) == visible, ("bio", role, level)
    facets = client.get("/api/v1/practitioners", query_string={"q": token}, headers=headers).get_json()[
        "facets"
    ]
    assert ("aviation" in facets["industry"]) == visible, ("industry facet", role, level)


def _portal_visitor(app, key: str | None):
    """A browser on the web portal: anonymous, or logged in with `key` (the CSRF token read from the form)."""
    browser = app.test_client()
    if key is not None:
        form = browser.get("/login").get_data(as_text=True)
        token = re.search(r'name="csrf_token" value="([^"]+)"', form).group(1)
        assert browser.post("/login", data={"key": key, "csrf_token": token}).status_code == 302
    return browser


@pytest.mark.parametrize("level", LEVELS)
@pytest.mark.parametrize("role", ["public", "client", "admin"])
def test_the_portal_pages_honour_the_same_visibility(app, keys, world, level, role):
    set_all(world, level)
    visible = level in READS[role]
    browser = _portal_visitor(app, None if role == "public" else keys[role])
    pid, token = world["person"]["id"], world["token"]
    profile = browser.get(f"/practitioners/{pid}").get_data(as_text=True)
    assert (world["bio_token"] in profile) == visible, ("bio", role, level)
    assert ("13600001234" in profile) == visible, ("phone", role, level)
    assert (world["employer"]["name"] in profile) == visible, ("employer, also in the drawing", role, level)
    found = browser.get("/search", query_string={"q": token, "specialty": "aviation_emissions"})
    assert (f"/practitioners/{pid}" in found.get_data(as_text=True)) == visible, ("search", role, level)
