"""One way to compose Cypher: statements are written in this package from fixed fragments, never from input.

A statement is a named constant when it is one piece of text. When it is put together — a shared projection,
the predicates of the filters that are present, a sort order chosen from a whitelist — `cypher()` joins the
fragments, a line each; a list of predicates is joined with its operator (`" AND ".join(clauses)`). What
varies is chosen by key from a fixed table typed `Mapping[str, LiteralString]`; a name made of fixed pieces
(an index name, `n.property`) is `spelled()`. Values always travel as `$parameters`.

Every fragment is a `LiteralString` (PEP 675): text written in the code, or made only from such text. The
neo4j driver types a query as `LiteralString`, so `make lint` (basedpyright) refuses a statement that holds a
`str` made at run time — a name, a filter value, anything from a request — before it can run.
"""

from __future__ import annotations

from typing import LiteralString


def cypher(*parts: LiteralString) -> LiteralString:
    """One statement (or clause) from fixed fragments, a line each."""
    return "\n".join(parts)


def spelled(*parts: LiteralString) -> LiteralString:
    """One name — an index, `n.property`, a name in quotes — spelled from fixed pieces with nothing between."""
    return "".join(parts)
