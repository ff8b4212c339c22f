"""graph/cypher.py: statements are composed from fixed text, and the type checker refuses text made at run time."""

import json
import subprocess
import sys
import textwrap
from pathlib import Path

import pytest

from graph.cypher import cypher, spelled
from graph.revision import MARK, STAMP

ROOT = Path(__file__).resolve().parents[2]


def test_fragments_become_the_lines_of_one_statement():
    assert cypher("MATCH (p:Practitioner {id: $id})", "RETURN p.name AS name") == (
        "MATCH (p:Practitioner {id: $id})\nRETURN p.name AS name"
    )


def test_a_name_is_spelled_from_its_pieces_with_nothing_between():
    assert spelled("practitioner", "_", "id", "_unique") == "practitioner_id_unique"


def test_the_revision_stamp_sets_the_property_the_search_index_reads():
    assert f"SET p.{MARK} = revision" in STAMP


# A repository a careless hand might write: user text glued into a statement, plain and through the helper.
UNSAFE_AND_SAFE = """
import neo4j

from graph.cypher import cypher


def glued(tx: neo4j.ManagedTransaction, name: str) -> None:
    tx.run("MATCH (n) WHERE n.name = '" + name + "' RETURN n")  # line 8


def glued_through_the_helper(tx: neo4j.ManagedTransaction, name: str) -> None:
    tx.run(cypher("MATCH (n)", "WHERE n.name = '" + name + "'", "RETURN n"))  # line 12


def formatted(tx: neo4j.ManagedTransaction, name: str) -> None:
    tx.run(f"MATCH (n) WHERE n.name = '{name}' RETURN n")  # line 16


def parameterised(tx: neo4j.ManagedTransaction, name: str) -> None:
    tx.run(cypher("MATCH (n)", "WHERE n.name = $name", "RETURN n"), name=name)
"""


def test_the_type_checker_refuses_user_text_in_a_statement(tmp_path):
    """`make lint` runs basedpyright over graph/ and services/; this proves the rule it relies on (~5 s)."""
    pytest.importorskip("basedpyright")
    (tmp_path / "repository.py").write_text(textwrap.dedent(UNSAFE_AND_SAFE))
    (tmp_path / "pyrightconfig.json").write_text(
        json.dumps({"include": ["repository.py"], "extraPaths": [str(ROOT)], "typeCheckingMode": "standard"})
    )
    result = subprocess.run(
        [str(Path(sys.executable).parent / "basedpyright"), "--outputjson", "--pythonpath", sys.executable],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=120,
        check=False,
    )
    report = json.loads(result.stdout)
    refused = {
        (d["range"]["start"]["line"] + 1, d["rule"])
        for d in report["generalDiagnostics"]
        if d["severity"] == "error"
    }
    assert refused == {(8, "reportArgumentType"), (12, "reportArgumentType"), (16, "reportArgumentType")}
