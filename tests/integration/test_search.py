"""Faceted search through the service layer over the fixed registry: filters, facets, sorts, paging."""

import pytest

from services import search
from services.search import SearchFilters
from tests.fixed_graph import keys_by_id


def run(context, sort: str = "level", page: int = 1, per_page: int = 100, **filters):
    return search.run(context, SearchFilters(**filters), page=page, per_page=per_page, sort=sort)


def found(context, ids, **filters) -> set[str]:
    """The fixed-graph keys (A, B, …) a search returns."""
    result = run(context, **filters)
    assert result.total == len(result.items)
    return {keys_by_id(ids)[item["id"]] for item in result.items}


FILTERS = [
    ({}, set("ABCDEFGHIJ")),
    ({"work_type": "verification"}, set("ABCHJ")),
    ({"level": 2}, set("AFH")),
    ({"work_type": "verification", "level": 2}, set("AH")),
    ({"min_level": 2}, set("ABFH")),
    ({"work_type": "verification", "min_level": 2}, set("ABH")),
    ({"min_level": 3, "work_type": "monitoring"}, set()),
    ({"pool": "expert"}, set("ABFH")),
    ({"pool": "talent"}, set("CGJ")),
    ({"region": "420000"}, set("ABDEH")),
    ({"region": "420100"}, set("ADE")),
    ({"industry": "building_materials"}, set("ABCFH")),
    ({"industry": "steel"}, set("AG")),
    ({"specialty": "carbon_verification"}, set("A")),
    ({"specialty": "energy_audit"}, set("F")),
    ({"qualification": "ccaa_ghg_verifier"}, set("A")),
    ({"q": "张"}, set("A")),
    ({"q": "核查"}, set("AG")),
    ({"q": "碳核查 项目"}, set("G")),
    ({"q": "王芳"}, set("C")),
    ({"work_type": "verification", "region": "420000", "min_level": 2}, set("ABH")),
    ({"pool": "expert", "industry": "building_materials", "region": "420000"}, set("ABH")),
    ({"work_type": "verification", "q": "核查"}, set("A")),
]


@pytest.mark.parametrize(("params", "expected"), FILTERS, ids=[str(p) for p, _ in FILTERS])
def test_each_filter_alone_and_combined_returns_exactly_the_expected_people(context, ids, params, expected):
    assert found(context, ids, **params) == expected


def test_suspended_revoked_and_expired_certificates_never_qualify(context, ids):
    for params in ({"work_type": "verification"}, {"pool": "expert"}, {"level": 2}, {"work_type": "trading"}):
        assert not found(context, ids, **params) & {"D", "E", "I"}


@pytest.mark.parametrize(
    "params",
    [{}, {"work_type": "verification"}, {"level": 2}, {"region": "420000", "min_level": 3}, {"q": "核查"}],
    ids=str,
)
def test_each_facet_count_equals_the_total_of_the_search_narrowed_to_it(context, ids, params):
    result = run(context, **params)
    assert set(result.facets) == {"work_type", "level", "pool", "region", "industry"}
    checked = 0
    for dimension, counts in result.facets.items():
        if dimension in params:  # already narrowed: the chosen value covers every result
            assert counts[str(params[dimension])] == result.total
            continue
        for value, count in counts.items():
            narrowed_value = int(value) if dimension == "level" else value
            assert run(context, **{**params, dimension: narrowed_value}).total == count, (dimension, value)
            checked += 1
    assert checked > 0


def test_facets_count_only_valid_certificates(context, ids):
    facets = run(context).facets
    assert facets["work_type"] == {"verification": 5, "consulting": 1, "accounting": 1, "monitoring": 1}
    assert facets["level"] == {"1": 1, "2": 3, "3": 1, "4": 3}
    assert facets["pool"] == {"expert": 4, "talent": 3}
    assert facets["region"]["420000"] == 5  # Hubei: its cities roll up


def test_sort_by_level_puts_the_highest_level_first_then_experience(context, ids):
    items = run(context, work_type="verification", sort="level").items
    assert [keys_by_id(ids)[i["id"]] for i in items] == ["B", "A", "H", "C", "J"]


def test_sort_by_experience_puts_the_earliest_start_first(context, ids):
    items = run(context, work_type="verification", sort="experience").items
    assert [i["work_start_year"] for i in items] == sorted(i["work_start_year"] for i in items)


def test_sort_by_name_is_stable_across_pages(context, ids):
    everyone = [i["id"] for i in run(context, sort="name").items]
    paged = []
    for page in (1, 2, 3, 4):
        paged += [i["id"] for i in run(context, sort="name", per_page=3, page=page).items]
    assert paged == everyone
    assert len(everyone) == 10


def test_relevance_sort_ranks_a_name_match_before_a_bio_match(context, ids):
    result = run(context, q="张伟 核查", sort="relevance")
    assert [i["id"] for i in result.items] == [ids["A"]]
    assert result.scores[ids["A"]] > 0


def test_the_showcase_filter_keeps_only_consenting_practitioners(context, ids):
    assert found(context, ids, work_type="verification", public_only=True) == {"A", "C"}


def test_pool_sizes_count_active_members_with_valid_certificates(context, ids):
    sizes = {pool["code"]: pool["members"] for pool in search.pool_sizes(context)}
    assert sizes == {"expert": 4, "talent": 3}
