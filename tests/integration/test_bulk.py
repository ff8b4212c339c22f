"""Loading a synthetic registry into the real graph: counts, derived pools and search keys, idempotency."""

from datetime import date

import pytest

from seed.synthetic import generate
from services.context import Context
from services.synthetic import load_synthetic

TODAY = date(2026, 11, 25)


@pytest.fixture(scope="module")
def loaded(graph, settings):
    registry = generate(300, seed=2024, today=TODAY)
    counts = load_synthetic(Context(graph=graph, settings=settings, today=TODAY), registry, batch_size=100)
    return registry, counts


def _ids(graph, registry) -> set[str]:
    wanted = [p["id"] for batch in registry.batches(100) for p in batch.practitioners]
    records, _, _ = graph.driver.execute_query(
        "UNWIND $ids AS id MATCH (p:Practitioner {id: id}) RETURN collect(p.id) AS ids", ids=wanted
    )
    return set(records[0]["ids"])


def test_every_generated_person_certificate_and_engagement_is_written(graph, loaded):
    registry, counts = loaded
    expected = registry.counts()
    assert counts["practitioners"] == expected["practitioners"] == 300
    assert counts["certificates"] == expected["certificates"]
    assert counts["engagements"] == expected["engagements"]
    assert len(_ids(graph, registry)) == 300


def test_pools_and_search_keys_are_derived_for_everyone_loaded(graph, loaded):
    registry, _ = loaded
    records, _, _ = graph.driver.execute_query(
        """
        UNWIND $ids AS id
        MATCH (p:Practitioner {id: id})
        RETURN count(p.cert_keys) AS with_keys,
               sum(CASE WHEN EXISTS { (p)-[:MEMBER_OF]->() } THEN 1 ELSE 0 END) AS members,
               sum(CASE WHEN EXISTS { (p)-[:WORKED_ON]->(:Engagement)-[:IN_INDUSTRY]->() }
                             AND size(p.industry_keys) = 0 THEN 1 ELSE 0 END) AS engagement_industries_missing
        """,
        ids=[p["id"] for batch in registry.batches(100) for p in batch.practitioners],
    )
    assert records[0]["with_keys"] == 300
    assert records[0]["members"] > 250  # most hold a valid certificate
    assert records[0]["engagement_industries_missing"] == 0


def test_loading_the_same_registry_again_creates_nothing(graph, settings, loaded):
    registry, _ = loaded
    again = load_synthetic(Context(graph=graph, settings=settings, today=TODAY), registry, batch_size=100)
    assert (again["practitioners"], again["certificates"]) == (0, 0)
