"""Synthetic key emitting units: deterministic, realistic scale and shares, valid and unique codes."""

import csv
from collections import Counter

import openpyxl
import pytest

from registry.identifiers import normalize_uscc
from registry.reference import CITIES, PROVINCES, province_of
from seed.key_emitters import LIST_HEADERS, generate_key_emitters, list_rows, write_list
from seed.synthetic import generate

REGIONS = {code for code, _ in PROVINCES} | {code for code, _ in CITIES}


@pytest.fixture(scope="module")
def units() -> list[dict]:
    return generate_key_emitters(seed=42, latest_year=2026)


def test_the_same_seed_gives_the_same_units_and_another_seed_others(units):
    assert generate_key_emitters(seed=42, latest_year=2026) == units
    assert generate_key_emitters(seed=7, latest_year=2026) != units


@pytest.mark.parametrize("seed", [1, 42, 2026])
def test_the_latest_list_has_realistic_size_provinces_and_sector_shares(seed):
    latest = [u for u in generate_key_emitters(seed=seed) if 2026 in u["listed_years"]]
    assert 2100 <= len(latest) <= 3800
    assert 29 <= len({province_of(u["region"]) for u in latest}) <= 31
    shares = {k: v / len(latest) for k, v in Counter(u["industry"] for u in latest).items()}
    assert shares["power"] == pytest.approx(0.60, abs=0.03)
    assert shares["steel"] == pytest.approx(0.18, abs=0.03)
    assert shares["building_materials"] == pytest.approx(0.15, abs=0.03)


def test_sectors_enter_the_lists_in_their_years(units):
    for unit in units:
        years = unit["listed_years"]
        assert years == list(range(years[0], years[-1] + 1))
        assert years[0] >= (2021 if unit["industry"] == "power" else 2025)
        assert years[-1] <= 2026
    assert not [u for u in units if u["industry"] == "steel" and 2024 in u["listed_years"]]
    assert [u for u in units if 2026 not in u["listed_years"]]  # some units left the list


def test_codes_are_valid_unique_and_apart_from_the_synthetic_registry(units):
    codes = [u["uscc"] for u in units]
    assert len(set(codes)) == len(codes)
    assert all(normalize_uscc(code) == code for code in codes)
    registry_codes = {o["uscc"] for o in generate(5000, seed=42).organizations}
    assert not registry_codes & set(codes)
    assert len({u["id"] for u in units}) == len(units)
    assert len({u["name"] for u in units}) == len(units)
    assert {u["region"] for u in units} <= REGIONS
    assert all(u["key_emitter"] and u["kind"] == "enterprise" for u in units)


def test_a_ministry_style_list_in_csv_and_xlsx(units, tmp_path):
    rows = list_rows(units, 2025)
    assert len(rows) == len([u for u in units if 2025 in u["listed_years"]])
    assert rows[0]["序号"] == "1"
    assert write_list(tmp_path / "list.csv", units, 2025) == len(rows)
    with open(tmp_path / "list.csv", encoding="utf-8-sig", newline="") as handle:
        read = list(csv.DictReader(handle))
    assert tuple(read[0]) == LIST_HEADERS
    assert read == rows
    write_list(tmp_path / "list.xlsx", units, 2025)
    sheet = openpyxl.load_workbook(tmp_path / "list.xlsx").active
    assert tuple(next(sheet.iter_rows(values_only=True))) == LIST_HEADERS
    assert sheet.max_row == len(rows) + 1
