"""The synthetic-data generator: deterministic, valid identifiers, plausible shares, self-consistent batches."""

from __future__ import annotations

import csv
import hashlib
import time
from collections import Counter
from datetime import date
from pathlib import Path

import pytest

from registry.engagements import engagement_problems, site_visit_problems
from registry.identifiers import normalize_email, normalize_id_card, normalize_phone, normalize_uscc
from registry.import_columns import normalize_header
from registry.import_rows import validate_row
from registry.matching import RELEVANT_QUALIFICATIONS
from registry.reference import CITIES, INDUSTRIES, PROVINCES, QUALIFICATIONS, SPECIALTIES
from registry.taxonomy import CERTIFICATE_STATUSES, ENGAGEMENT_STATUSES
from seed.distributions import OCCUPATION_START
from seed.import_file import IMPORT_HEADERS, import_rows, write_csv
from seed.synthetic import Batch, SyntheticRegistry, generate

TODAY = date(2026, 11, 25)
REGIONS = {code for code, _ in PROVINCES} | {code for code, _ in CITIES}
SPECIALTY_CATEGORY = {code: category for code, _, category in SPECIALTIES}


def _digest(registry: SyntheticRegistry, batch_size: int = 5000) -> str:
    """One digest per stream (organizations, practitioners, certificates, engagements), whatever the batches."""
    digests = {name: hashlib.sha256() for name in ("practitioners", "certificates", "engagements")}
    for batch in registry.batches(batch_size):
        for name, digest in digests.items():
            for row in getattr(batch, name):
                digest.update(repr(row).encode())
    organizations = hashlib.sha256(repr(registry.organizations).encode()).hexdigest()
    return ":".join([organizations, *(digest.hexdigest() for digest in digests.values())])


@pytest.fixture(scope="module")
def registry() -> SyntheticRegistry:
    return generate(5000, seed=42, today=TODAY)


@pytest.fixture(scope="module")
def batches(registry: SyntheticRegistry) -> list[Batch]:
    return list(registry.batches(1000))


@pytest.fixture(scope="module")
def practitioners(batches: list[Batch]) -> list[dict]:
    return [person for batch in batches for person in batch.practitioners]


@pytest.fixture(scope="module")
def certificates(batches: list[Batch]) -> list[dict]:
    return [certificate for batch in batches for certificate in batch.certificates]


# --- Determinism ---


def test_the_same_size_seed_and_day_give_the_same_registry():
    assert _digest(generate(1200, seed=7, today=TODAY)) == _digest(generate(1200, seed=7, today=TODAY))


def test_another_seed_gives_another_registry():
    assert _digest(generate(1200, seed=7, today=TODAY)) != _digest(generate(1200, seed=8, today=TODAY))


def test_the_batch_size_changes_only_where_batches_are_cut():
    registry = generate(1050, seed=3, today=TODAY)
    assert _digest(registry, 100) == _digest(registry, 5000)
    # 150 is rounded up to 200: whole blocks of 100, and the rest in the last batch.
    assert [len(batch.practitioners) for batch in registry.batches(150)] == [200] * 5 + [50]


def test_counts_match_what_the_batches_hold(registry, batches):
    assert registry.counts() == {
        "practitioners": sum(len(batch.practitioners) for batch in batches),
        "certificates": sum(len(batch.certificates) for batch in batches),
        "engagements": sum(len(batch.engagements) for batch in batches),
        "organizations": len(registry.organizations),
    }
    assert registry.counts()["practitioners"] == 5000


def test_a_size_beyond_the_unique_id_card_range_is_refused():
    with pytest.raises(ValueError):
        generate(10**9, seed=1, today=TODAY)


# --- Identifiers ---


def test_every_id_card_is_valid_unique_and_matches_gender(practitioners):
    id_cards = [normalize_id_card(person["id_card"], today=TODAY) for person in practitioners]
    assert len(set(id_cards)) == len(practitioners) == 5000
    for person in practitioners:
        assert (int(person["id_card"][16]) % 2 == 1) == (person["gender"] == "male")
        assert person["id_card"].startswith(person["region"])


def test_work_starts_in_the_early_twenties_after_birth(practitioners):
    start_ages = [
        person["work_start_year"] - int(person["id_card"][6:10])
        for person in practitioners
        if person["work_start_year"] is not None
    ]
    assert all(17 <= age <= 32 for age in start_ages)
    assert sum(20 <= age <= 25 for age in start_ages) / len(start_ages) > 0.7
    assert all(person["enrolled"] for person in practitioners if person["work_start_year"] is None)


def test_every_uscc_is_valid_and_unique():
    organizations = generate(
        50_000, seed=42, today=TODAY
    ).organizations  # organizations only: no people drawn
    usccs = [normalize_uscc(organization["uscc"]) for organization in organizations]
    assert len(set(usccs)) == len(organizations) == 50_000 // 25 + 40
    assert all(
        uscc[2:8] == organization["region"] for uscc, organization in zip(usccs, organizations, strict=True)
    )


def test_phones_and_emails_are_valid_and_unique(practitioners):
    phones = [normalize_phone(person["phone"]) for person in practitioners]
    emails = [normalize_email(person["email"]) for person in practitioners]
    assert len(set(phones)) == len(set(emails)) == len(practitioners)


def test_certificate_numbers_are_unique(certificates):
    numbers = [certificate["number"] for certificate in certificates]
    assert len(set(numbers)) == len(numbers)
    assert all(
        number.startswith(f"CPCIF-{c['issued_on'].year}-")
        for number, c in zip(numbers, certificates, strict=True)
    )


# --- Organizations ---


def test_organizations_have_every_kind_and_enterprises_an_industry(registry):
    kinds = Counter(organization["kind"] for organization in registry.organizations)
    assert set(kinds) == {"enterprise", "consultancy", "verification_body", "training_base"}
    assert kinds["enterprise"] > len(registry.organizations) / 2
    industries = {code for code, _, _ in INDUSTRIES}
    for organization in registry.organizations:
        assert organization["region"] in REGIONS
        assert (organization["industry"] in industries) == (organization["kind"] == "enterprise")
    assert len({organization["name"] for organization in registry.organizations}) == len(
        registry.organizations
    )


# --- Certificates ---


def test_level_and_work_type_shares_are_plausible(certificates):
    levels = Counter(certificate["level"] for certificate in certificates)
    share = {level: count / len(certificates) for level, count in levels.items()}
    assert 0.45 <= share[4] <= 0.65
    assert 0.20 <= share[3] <= 0.36
    assert 0.08 <= share[2] <= 0.18
    assert 0.015 <= share[1] <= 0.07
    work_types = Counter(certificate["work_type"] for certificate in certificates)
    assert work_types["verification"] > work_types["aviation"] * 2
    assert work_types["accounting"] > work_types["aviation"] * 2
    assert 1.3 <= len(certificates) / 5000 <= 1.5


def test_each_person_holds_one_to_three_certificates_at_most_one_per_work_type_and_level(certificates):
    per_person = Counter(certificate["practitioner_id"] for certificate in certificates)
    assert set(per_person.values()) == {1, 2, 3}
    pairs = Counter((c["practitioner_id"], c["work_type"], c["level"]) for c in certificates)
    assert max(pairs.values()) == 1


def test_level_1_and_2_holders_usually_hold_an_earlier_lower_certificate(certificates):
    by_person: dict[str, list[dict]] = {}
    for certificate in certificates:
        by_person.setdefault(certificate["practitioner_id"], []).append(certificate)
    experts = [held for held in by_person.values() if min(c["level"] for c in held) <= 2]
    with_lower = [
        held
        for held in experts
        if any(
            lower["level"] > top["level"] and lower["issued_on"] < top["issued_on"]
            for top in held
            if top["level"] <= 2
            for lower in held
        )
    ]
    assert len(with_lower) / len(experts) > 0.7


def test_statuses_include_suspended_revoked_and_expired_ones(certificates):
    statuses = Counter(certificate["status"] for certificate in certificates)
    assert set(statuses) == set(CERTIFICATE_STATUSES)
    assert statuses["valid"] / len(certificates) > 0.85
    past = [c for c in certificates if c["status"] == "valid" and c["expires_on"] and c["expires_on"] < TODAY]
    assert past, "some expiries are left for the registry to derive"
    for certificate in certificates:
        assert OCCUPATION_START <= certificate["issued_on"] <= TODAY
        if certificate["status"] == "expired":
            assert certificate["expires_on"] < TODAY
        if certificate["status"] in ("suspended", "revoked"):
            assert certificate["status_reason"]
        if certificate["expires_on"] is not None:
            assert (certificate["expires_on"] - certificate["issued_on"]).days in (1460, 1461)


# --- Practitioners ---


def test_specialties_and_qualifications_fit_the_work_types(practitioners, certificates):
    work_types: dict[str, set[str]] = {}
    for certificate in certificates:
        work_types.setdefault(certificate["practitioner_id"], set()).add(certificate["work_type"])
    for person in practitioners:
        held = work_types[person["id"]]
        assert 1 <= len(person["specialties"]) <= 3
        assert {SPECIALTY_CATEGORY[code] for code in person["specialties"]} <= held
        relevant = set().union(*(RELEVANT_QUALIFICATIONS[work_type] for work_type in held))
        assert set(person["qualifications"]) <= relevant
        assert len(person["industries"]) <= 2
        assert person["region"] in REGIONS
        assert person["bio"].endswith("。")


def test_education_enrolment_and_consent_shares_are_plausible(practitioners):
    education = Counter(person["education"] for person in practitioners)
    assert 0.38 <= education["bachelor"] / 5000 <= 0.52
    assert education["doctorate"] < education["master"] < education["college"]
    assert 0.04 <= sum(person["enrolled"] for person in practitioners) / 5000 <= 0.12
    assert 0.25 <= sum(person["public_profile"] for person in practitioners) / 5000 <= 0.35


def test_employers_are_organizations_of_the_registry(registry, practitioners):
    kinds = {organization["id"]: organization["kind"] for organization in registry.organizations}
    employed = [person["employer_id"] for person in practitioners if person["employer_id"] is not None]
    assert len(employed) / len(practitioners) > 0.85
    assert all(employer in kinds for employer in employed)


# --- Engagements ---


def test_every_engagement_team_is_stored_by_its_batch_with_one_lead_holding_its_kind(registry, batches):
    clients = {o["id"]: o for o in registry.organizations if o["kind"] == "enterprise"}
    providers = {o["id"] for o in registry.organizations if o["kind"] in ("consultancy", "verification_body")}
    total = 0
    seen: set[str] = set()  # people of this batch and the ones before: stored before its engagements
    for batch in batches:
        seen |= {person["id"] for person in batch.practitioners}
        held = {(c["practitioner_id"], c["work_type"]) for c in batch.certificates}
        for engagement in batch.engagements:
            total += 1
            members = [member["practitioner_id"] for member in engagement["team"]]
            assert set(members) <= seen
            assert 1 <= len(members) <= 4
            leads = [member for member in engagement["team"] if member["role"] == "lead"]
            assert len(leads) == 1
            assert (leads[0]["practitioner_id"], engagement["kind"]) in held
            client = clients[engagement["client_id"]]
            assert (engagement["industry"], engagement["region"]) == (client["industry"], client["region"])
            assert engagement["provider_id"] in providers
            assert engagement["status"] in ENGAGEMENT_STATUSES
            assert engagement["start_on"] >= OCCUPATION_START
            assert (
                engagement_problems(
                    engagement["start_on"], engagement["end_on"], engagement["status"], engagement["team"]
                )
                == {}
            )
            assert (
                site_visit_problems(
                    engagement["site_visits"], members, engagement["start_on"], engagement["end_on"]
                )
                == {}
            )
            assert all(visit["region"] == engagement["region"] for visit in engagement["site_visits"])
            if engagement["kind"] == "verification":
                assert sum("signer" in member["roles"] for member in engagement["team"]) == 1
            if engagement["status"] == "completed":
                assert engagement["end_on"] <= TODAY
    assert 0.4 <= total / 5000 <= 0.6


# --- Import file ---


@pytest.fixture(scope="module")
def rows(registry: SyntheticRegistry) -> list[dict[str, str]]:
    return list(import_rows(registry))


def test_import_rows_have_exactly_the_import_headers_and_one_row_per_certificate(
    registry, rows, certificates
):
    assert len(rows) == len(certificates)
    assert all(tuple(row) == IMPORT_HEADERS for row in rows)
    assert all(isinstance(value, str) for row in rows[:200] for value in row.values())
    assert [row["证书编号"] for row in rows] == [certificate["number"] for certificate in certificates]
    assert list(import_rows(registry, limit=7)) == rows[:7]


def test_import_rows_pass_the_importers_row_validation(rows):
    known = {
        "regions": REGIONS,
        "specialties": set(SPECIALTY_CATEGORY),
        "qualifications": {code for code, _, _ in QUALIFICATIONS},
    }
    for number, row in enumerate(rows[:1000], start=2):
        raw = {normalize_header(header): value or None for header, value in row.items()}
        parsed, errors = validate_row(number, raw, today=TODAY, known=known)
        assert errors == [], errors
        assert parsed is not None and parsed.certificate is not None


def test_write_csv_writes_a_bom_and_every_row(tmp_path: Path):
    path = tmp_path / "registry.csv"
    written = write_csv(path, import_rows(generate(300, seed=5, today=TODAY)))
    assert path.read_bytes().startswith(b"\xef\xbb\xbf")
    with path.open(encoding="utf-8-sig", newline="") as handle:
        rows = list(csv.DictReader(handle))
    assert written == len(rows) > 300
    assert tuple(rows[0]) == IMPORT_HEADERS


# --- Speed ---


def test_generating_20000_practitioners_is_quick():
    started = time.perf_counter()
    totals = Counter()
    for batch in generate(20_000, seed=1, today=TODAY).batches():
        totals.update(
            practitioners=len(batch.practitioners),
            certificates=len(batch.certificates),
            engagements=len(batch.engagements),
        )
    seconds = time.perf_counter() - started
    print(f"generated {dict(totals)} in {seconds:.2f} s")  # reported, not asserted: machines are shared
    assert totals["practitioners"] == 20_000
