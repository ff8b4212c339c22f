"""The synthetic market (issue 23 §5): groups, providers, careers, and a background in which the integrity rules
find exactly what was planted."""

from __future__ import annotations

import itertools
import statistics
from collections import defaultdict
from datetime import date

import pytest

from registry.groups import would_make_cycle
from registry.integrity import THRESHOLDS, peak_concurrency, span_of
from registry.reference import province_of
from registry.rotation import ROTATION_RULE, consecutive_years
from registry.rotation import counts as counts_for_rotation
from seed.distributions import ANOMALY_RATES, CONFLICT_CASE_RATES, GROUP_SIZE_RANGE
from seed.synthetic import SyntheticRegistry, generate

TODAY = date(2026, 11, 25)
SIZE = 20_000


@pytest.fixture(scope="module")
def registry() -> SyntheticRegistry:
    return generate(SIZE, seed=11, today=TODAY)


@pytest.fixture(scope="module")
def generated(registry) -> tuple[list[dict], list[dict]]:
    people, engagements = [], []
    for batch in registry.batches(5000):
        people += batch.practitioners
        engagements += batch.engagements
    return people, engagements


def _found(engagements: list[dict]) -> dict[str, set[tuple]]:
    """What the scan's rules (registry/integrity.py, registry/rotation.py) find in the engagements."""
    found: dict[str, set[tuple]] = defaultdict(set)
    spans, provinces, years = defaultdict(list), defaultdict(set), defaultdict(set)
    for e in engagements:
        visitors = {v["practitioner_id"] for v in e["site_visits"]}
        for m in e["team"]:
            if e["status"] == "completed" and "signer" in m["roles"] and m["practitioner_id"] not in visitors:
                found["signed_not_on_site"].add((m["practitioner_id"], e["id"]))
            spans[m["practitioner_id"]].append(
                span_of(e["id"], e["start_on"], e["end_on"], e["status"], TODAY)
            )
            if counts_for_rotation(e["kind"], e["status"]):
                years[(m["practitioner_id"], e["client_id"])].add(e["start_on"].year)
        for v in e["site_visits"]:
            provinces[(v["practitioner_id"], v["date"].isoformat())].add(province_of(v["region"]))
        if counts_for_rotation(e["kind"], e["status"]):
            years[(e["provider_id"], e["client_id"])].add(e["start_on"].year)
    found["two_places"] = {key for key, seen in provinces.items() if len(seen) > 1}
    found["overload"] = {
        (person,)
        for person, held in spans.items()
        if peak_concurrency(held)[0] > THRESHOLDS.overload_max_concurrent
    }
    found["familiar_pair"] = {
        pair for pair, held in years.items() if consecutive_years(held) >= ROTATION_RULE.warn_at
    }
    return found


def test_the_rules_find_exactly_what_was_planted(registry, generated):
    _, engagements = generated
    planted = registry.truth["anomalies"]
    expected = {
        "signed_not_on_site": {
            (t["practitioner_id"], t["engagement_id"]) for t in planted["signed_not_on_site"]
        },
        "two_places": {(t["practitioner_id"], t["date"]) for t in planted["two_places"]},
        "overload": {(t["practitioner_id"],) for t in planted["overload"]},
        "familiar_pair": {(t["verifier_id"], t["client_id"]) for t in planted["familiar_pair"]},
    }
    found = _found(engagements)
    for kind, subjects in expected.items():
        assert subjects, kind
        assert found[kind] == subjects, kind


def test_each_kind_is_planted_at_its_rate(registry, generated):
    for kind, rate in ANOMALY_RATES.items():
        assert len(registry.truth["anomalies"][kind]) == round(rate * SIZE / 100_000), kind
    for kind, rate in CONFLICT_CASE_RATES.items():
        assert len(registry.truth["conflicts"][kind]) == round(rate * SIZE / 100_000), kind


def test_a_planted_circle_works_only_with_itself(registry, generated):
    _, engagements = generated
    circles = registry.truth["anomalies"]["closed_circle"]
    assert circles
    for circle in circles:
        organizations, people = set(circle["organization_ids"]), set(circle["practitioner_ids"])
        inside = [
            e for e in engagements if e["client_id"] in organizations or e["provider_id"] in organizations
        ]
        assert len(inside) >= THRESHOLDS.circle_min_engagements
        for e in inside:
            assert {e["client_id"], e["provider_id"]} <= organizations
            assert {m["practitioner_id"] for m in e["team"]} <= people
        assert not [
            e for e in engagements if e not in inside and people & {m["practitioner_id"] for m in e["team"]}
        ]


def test_the_truth_is_the_same_for_the_same_seed(registry, generated):
    again = generate(SIZE, seed=11, today=TODAY)
    for _ in again.batches(5000):
        pass
    assert again.truth == registry.truth


def test_groups_have_5_to_50_plants_and_no_cycle_and_parents_come_first(registry):
    position = {o["id"]: n for n, o in enumerate(registry.organizations)}
    edges: list[tuple[str, str]] = []
    for relation in registry.relations:
        assert position[relation["parent_id"]] < position[relation["child_id"]]
        assert not would_make_cycle(relation["child_id"], relation["parent_id"], edges)
        edges.append((relation["child_id"], relation["parent_id"]))
    sizes = defaultdict(int)
    for head in registry.market.group_of.values():
        sizes[head] += 1
    low, high = GROUP_SIZE_RANGE
    assert sizes and all(low <= size <= high for size in sizes.values())
    # Two levels in the bigger groups: a plant under a regional subsidiary under the head.
    assert any(parent in registry.market.parent_of for parent in registry.market.parent_of.values())


def test_careers_are_histories_without_overlap_ending_with_the_current_employer(generated):
    people, _ = generated
    moved = 0
    for person in people:
        history = person["employments"]
        if person["employer_id"] is None:
            assert history == []
            continue
        assert history[-1]["organization_id"] == person["employer_id"] and history[-1]["until"] is None
        assert all(row["since"] <= TODAY for row in history)
        for before, after in itertools.pairwise(history):
            assert before["until"] is not None and before["since"] < before["until"] <= after["since"]
        moved += len(history) > 1
    assert 0.3 < moved / len(people) < 0.7


def test_clients_have_a_few_providers_and_big_providers_many_clients_across_provinces(generated):
    _, engagements = generated
    by_client, by_provider, provinces = defaultdict(set), defaultdict(set), defaultdict(set)
    for e in engagements:
        by_client[e["client_id"]].add(e["provider_id"])
        by_provider[e["provider_id"]].add(e["client_id"])
        provinces[e["provider_id"]].add(province_of(e["region"]))
    assert 2 <= statistics.median(len(p) for p in by_client.values()) <= 5
    # The biggest firm serves a tenth of all clients (hundreds from 100 000 practitioners on).
    assert max(len(c) for c in by_provider.values()) >= 0.1 * len(by_client)
    assert max(len(p) for p in provinces.values()) >= 20
