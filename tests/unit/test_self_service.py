from registry.self_service import (
    AUTHORITY_FIELDS,
    KEPT,
    REMOVED_RELATIONSHIPS,
    SELF_EDITABLE_FIELDS,
    deletion_plan,
    patch_problems,
    qualification_changes,
    qualification_problems,
)
from registry.visibility import VISIBILITY_FIELDS


def test_a_person_may_change_their_profile_contact_details_consent_and_visibility():
    assert patch_problems(SELF_EDITABLE_FIELDS) == {}


def test_the_authoritys_fields_are_refused_with_a_reason():
    errors = patch_problems(["name", "id_card", "certificates", "pools", "status", "bio"])
    assert set(errors) == {"name", "id_card", "certificates", "pools", "status"}
    assert "administrators" in errors["name"][0]


def test_an_unknown_field_is_refused_and_the_allowed_ones_named():
    errors = patch_problems(["nickname"])
    assert "Unknown field" in errors["nickname"][0]
    assert "bio" in errors["nickname"][0]


def test_editable_and_authority_fields_do_not_overlap():
    assert not set(SELF_EDITABLE_FIELDS) & set(AUTHORITY_FIELDS)


def test_new_claims_are_declared_and_dropped_claims_withdrawn():
    changes = qualification_changes(
        {"pmp": "declared", "vcs_auditor": "confirmed"}, ["vcs_auditor", "enms_auditor"]
    )
    assert changes.declare == ("enms_auditor",)
    assert changes.withdraw == ("pmp",)
    assert changes.refused == ()
    assert qualification_problems(changes) == {}


def test_a_confirmed_qualification_is_removed_only_by_an_admin():
    changes = qualification_changes({"vcs_auditor": "confirmed"}, [])
    assert changes.refused == ("vcs_auditor",)
    assert "only an administrator" in qualification_problems(changes)["qualifications"][0]


def test_claiming_the_same_code_twice_declares_it_once():
    assert qualification_changes({}, ["pmp", "pmp"]).declare == ("pmp",)


def test_a_deletion_request_withdraws_consent_and_keeps_the_certification_record():
    plan = deletion_plan()
    assert plan.properties["public_profile"] is False
    assert plan.properties["status"] == "deleted"
    assert (
        plan.properties["phone"] is None
        and plan.properties["bio"] is None
        and plan.properties["email"] is None
    )
    assert set(plan.properties["visibility"].values()) == {"private"}
    assert set(plan.properties["visibility"]) == set(VISIBILITY_FIELDS)
    assert "name" not in plan.properties  # verification matches the holder's name
    assert "HOLDS" not in REMOVED_RELATIONSHIPS and "MEMBER_OF" not in REMOVED_RELATIONSHIPS
    assert {"DECLARED", "UNAVAILABLE", "HAS_SPECIALTY"} <= set(plan.removed_relationships)
    assert any("certificates" in kept.what for kept in KEPT)


def test_a_deletion_keeps_the_evidence_others_rely_on():
    from registry.self_service import EVIDENCE_RELATIONSHIPS

    assert not set(EVIDENCE_RELATIONSHIPS) & set(REMOVED_RELATIONSHIPS)
    assert "EMPLOYED_BY" not in deletion_plan().removed_relationships
    assert any("site visits" in kept.what and "775" in kept.why for kept in KEPT)


def test_the_evidence_is_kept_five_years_from_the_request():
    from datetime import date

    from registry.self_service import evidence_kept_until

    assert evidence_kept_until(date(2026, 12, 7)) == date(2031, 12, 7)
    assert evidence_kept_until(date(2024, 2, 29)) == date(2029, 2, 28)
