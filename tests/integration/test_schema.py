"""Schema and reference data are created by code, idempotently."""

from graph.reference import load_reference_data
from graph.schema import UNIQUE_KEYS, create_schema, describe_schema


def _counts(graph) -> dict[str, int]:
    records, _, _ = graph.driver.execute_query(
        "MATCH (n) UNWIND labels(n) AS label RETURN label, count(*) AS n ORDER BY label"
    )
    return {r["label"]: r["n"] for r in records}


def test_creating_the_schema_twice_gives_the_same_constraints_and_indexes(graph):
    create_schema(graph)
    first = describe_schema(graph)
    create_schema(graph)
    assert describe_schema(graph) == first
    assert len(first["constraints"]) == len(UNIQUE_KEYS)
    assert "practitioner_text" in first["indexes"]


def test_the_fulltext_index_uses_the_cjk_analyzer(graph):
    records, _, _ = graph.driver.execute_query(
        "SHOW FULLTEXT INDEXES YIELD name, options WHERE name = 'practitioner_text' RETURN options"
    )
    assert records[0]["options"]["indexConfig"]["fulltext.analyzer"] == "cjk"


def test_loading_reference_data_twice_creates_nothing_new(graph):
    before = _counts(graph)
    counters = graph.write(load_reference_data)
    assert counters.nodes_created == 0
    assert counters.relationships_created == 0
    assert _counts(graph) == before


def test_reference_data_has_the_domain_vocabulary(graph):
    counts = _counts(graph)
    assert counts["WorkType"] == 6
    assert counts["Level"] == 4
    assert counts["Pool"] == 2
    records, _, _ = graph.driver.execute_query(
        "MATCH (r:Region {level: 'province'}) RETURN count(r) AS provinces"
    )
    assert records[0]["provinces"] == 34
    records, _, _ = graph.driver.execute_query(
        "MATCH (c:Region {level: 'city'}) WHERE NOT (c)-[:PART_OF]->(:Region {level: 'province'}) "
        "RETURN count(c) AS orphans"
    )
    assert records[0]["orphans"] == 0
