from dataclasses import replace
from datetime import date

import pytest

from registry.matching import Candidate, MatchRequest, score
from registry.visibility import (
    VISIBILITY_DEFAULTS,
    VISIBILITY_LEVELS,
    decode,
    effective,
    encode,
    hidden_fields,
    hidden_from,
    present,
    present_many,
    readable_levels,
    validate_visibility,
    visible_facts,
)

VIEW = {
    "id": "p1",
    "name": "王小明",
    "status": "active",
    "public_profile": True,
    "bio": "核查十年",
    "gender": "male",
    "education": "bachelor",
    "enrolled": False,
    "work_start_year": 2012,
    "experience_years": 14,
    "employer": {"id": "o1", "name": "某核查机构"},
    "region": {"code": "420100", "name_zh": "武汉市"},
    "specialties": [{"code": "cement"}],
    "industries": [{"code": "power"}],
    "qualifications": [{"code": "pmp", "status": "declared"}],
    "certificates": [{"number": "C1"}],
    "pools": ["talent"],
    "phone": "13800000000",
    "email": "w@example.cn",
    "public_welfare": {
        "activities": 1,
        "hours": 2.0,
        "by_year": [{"year": 2026, "activities": 1, "hours": 2.0}],
    },
    "id_card_tail": "123X",
    "visibility": {},
}


def test_defaults_keep_contact_details_for_admins_and_the_profile_public():
    assert VISIBILITY_DEFAULTS["phone"] == VISIBILITY_DEFAULTS["email"] == "private"
    assert VISIBILITY_DEFAULTS["bio"] == "public"
    assert effective({"bio": "clients"})["bio"] == "clients"
    assert effective(None) == VISIBILITY_DEFAULTS


@pytest.mark.parametrize(
    ("role", "is_self", "levels"),
    [
        ("public", False, {"public"}),
        ("client", False, {"public", "clients"}),
        ("government", False, {"public", "clients"}),
        ("admin", False, {"public", "clients", "private"}),
        ("practitioner", False, {"public"}),
        ("practitioner", True, {"public", "clients", "private"}),
        ("unknown-role", False, {"public"}),
    ],
)
def test_each_viewer_reads_the_levels_of_its_audience(role, is_self, levels):
    assert readable_levels(role, is_self) == levels


def test_a_visibility_value_outside_the_three_is_refused():
    errors = validate_visibility({"phone": "friends"})
    assert "visibility.phone" in errors
    assert "public, clients, private" in errors["visibility.phone"][0]


def test_a_field_without_a_setting_is_refused():
    assert "visibility.name" in validate_visibility({"name": "private"})
    assert "visibility.certificates" in validate_visibility({"certificates": "private"})


def test_visibility_must_be_an_object():
    assert validate_visibility(["phone"]) == {
        "visibility": ["Must be an object mapping a field to public, clients or private."]
    }


def test_valid_settings_have_no_problems():
    assert validate_visibility(dict.fromkeys(VISIBILITY_DEFAULTS, "clients")) == {}


VIEWERS = [
    ("public", False),
    ("client", False),
    ("government", False),
    ("admin", False),
    ("practitioner", False),
]


@pytest.mark.parametrize("level", VISIBILITY_LEVELS)
@pytest.mark.parametrize(("role", "is_self"), [*VIEWERS, ("practitioner", True)])
def test_every_governed_field_is_shown_exactly_when_the_viewer_reads_its_level(level, role, is_self):
    for field in VISIBILITY_DEFAULTS:
        shown = present({**VIEW, "visibility": {field: level}}, role, is_self)
        assert (field in shown) == (level in readable_levels(role, is_self)), (field, level, role)


def test_followers_hide_with_their_field():
    shown = present({**VIEW, "visibility": {"education": "private", "work_start_year": "clients"}}, "public")
    assert "enrolled" not in shown and "education" not in shown
    assert "experience_years" not in shown and "work_start_year" not in shown
    shown = present({**VIEW, "visibility": {"work_start_year": "clients"}}, "client")
    assert shown["experience_years"] == 14


def test_the_authoritys_facts_are_shown_to_every_viewer():
    private_everything = dict.fromkeys(VISIBILITY_DEFAULTS, "private")
    shown = present({**VIEW, "visibility": private_everything}, "public")
    assert shown["name"] == "王小明"
    assert shown["certificates"] == [{"number": "C1"}]
    assert shown["pools"] == ["talent"]
    assert shown["region"]["code"] == "420100"


def test_id_card_tail_and_settings_are_for_admin_and_the_person_only():
    for role in ("public", "client", "government"):
        shown = present({**VIEW, "visibility": {"phone": "public"}}, role)
        assert "id_card_tail" not in shown and "visibility" not in shown
        assert shown["phone"] == "13800000000"
    assert present(VIEW, "admin")["id_card_tail"] == "123X"
    mine = present(VIEW, "practitioner", is_self=True)
    assert mine["id_card_tail"] == "123X"
    assert mine["visibility"] == VISIBILITY_DEFAULTS


def test_the_public_sees_a_masked_name_without_showcase_consent():
    assert present({**VIEW, "public_profile": False}, "public")["name"] == "王*明"
    assert present({**VIEW, "public_profile": False}, "practitioner")["name"] == "王*明"
    assert present({**VIEW, "public_profile": False}, "client")["name"] == "王小明"
    assert present({**VIEW, "public_profile": False}, "practitioner", is_self=True)["name"] == "王小明"


def test_present_does_not_change_the_stored_view():
    view = {**VIEW, "visibility": {"bio": "private"}}
    present(view, "public")
    assert view["bio"] == "核查十年"


def test_present_many_knows_the_viewers_own_record():
    views = [
        {**VIEW, "id": "p1", "visibility": {"bio": "private"}},
        {**VIEW, "id": "p2", "visibility": {"bio": "private"}},
    ]
    shown = present_many(views, "practitioner", self_id="p1")
    assert "bio" in shown[0] and "bio" not in shown[1]


def test_hidden_from_lists_the_fields_an_audience_may_not_search():
    settings = {"bio": "clients", "specialties": "private"}
    assert hidden_from(settings, "public") == ["bio", "email", "phone", "specialties"]
    assert hidden_from(settings, "clients") == ["email", "phone", "specialties"]
    assert hidden_fields(settings, "admin") == frozenset()


def test_a_hidden_field_earns_no_match_points_and_no_reason():
    candidate = Candidate(
        id="p1", best_level=2, certificate_number="C1", certificate_expires_on=None, declared_industry=True,
        specialties=("水泥核查",), qualifications=("PMP",), industry_name="建材",
    )  # fmt: skip
    request = MatchRequest(work_type="verification", industry="building_materials")
    today = date(2026, 11, 25)
    full = score(candidate, request, today)
    assert {"specialties", "qualifications", "declared_industry"} <= set(full.breakdown)
    settings = {"specialties": "private", "qualifications": "private", "industries": "private"}
    for_client = score(replace(candidate, **visible_facts(settings, "client")), request, today)
    assert set(for_client.breakdown) == {"level"}
    assert not any(
        "水泥核查" in reason or "PMP" in reason or "建材" in reason for reason in for_client.reasons
    )
    assert visible_facts(settings, "admin") == {}


def test_settings_survive_their_stored_form():
    settings = {"phone": "clients", "bio": "private"}
    assert encode(settings) == ["bio=private", "phone=clients"]
    assert decode(encode(settings)) == settings
    assert decode(["nickname=public", "bio=friends", "junk"]) == {}
    assert decode(None) == {}


def test_each_role_searches_and_matches_as_its_audience():
    from registry.visibility import audience_of

    assert audience_of("admin") is None
    assert audience_of("client") == audience_of("government") == "clients"
    assert audience_of("public") == audience_of("practitioner") == audience_of("no_such_role") == "public"


STEP = {
    "from": {"type": "Practitioner", "id": "p-1", "name": "李娜"},
    "rel": "EMPLOYED_BY",
    "to": {"type": "Organization", "id": "o-1", "name": "某水泥公司"},
    "since": date(2020, 1, 1),
    "until": None,
}
EMPLOYMENT = {
    "kind": "employment", "rule": "group_employment", "organization": "某水泥公司", "since": date(2020, 1, 1),
    "until": None, "path": [STEP],
}  # fmt: skip
PERSON = {"id": "p-1", "name": "李娜"}


@pytest.mark.parametrize("role", ["client", "government", "public"])
def test_an_employment_conflict_with_a_private_employer_names_no_organization_and_no_dates(role):
    from registry.visibility import conflict_as_seen

    assert conflict_as_seen(EMPLOYMENT, PERSON, {"p-1": {"employer": "private"}}, role) == {
        "kind": "employment",
        "rule": "group_employment",
        "path": [{**STEP, "to": {"type": "Organization", "hidden": True}, "since": None}],
    }


def test_an_employment_conflict_is_shown_whole_to_whoever_may_read_the_employer():
    from registry.visibility import conflict_as_seen

    assert conflict_as_seen(EMPLOYMENT, PERSON, {"p-1": {"employer": "private"}}, "admin") == EMPLOYMENT
    assert conflict_as_seen(EMPLOYMENT, PERSON, {"p-1": {"employer": "clients"}}, "client") == EMPLOYMENT
    assert conflict_as_seen(EMPLOYMENT, PERSON, {}, "government") == EMPLOYMENT  # the default is public
    shown = conflict_as_seen(EMPLOYMENT, PERSON, {"p-1": {"employer": "clients"}}, "public")
    assert shown["path"][0]["to"]["hidden"]


def test_a_declaration_names_only_the_organization_to_non_admins():
    from registry.visibility import conflict_as_seen

    declaration = {
        "kind": "declaration",
        "rule": "declaration",
        "relationship": "relative",
        "organization": "某公司",
    }
    assert conflict_as_seen(declaration, PERSON, {}, "client") == {
        "kind": "declaration", "rule": "declaration", "organization": "某公司"
    }  # fmt: skip
