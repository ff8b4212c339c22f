"""Faceted practitioner search: combinable filters, stable sorts, paging and facet counts in one query.

The query is assembled from fixed fragments, one per filter that is present (so the planner sees only the
predicates that matter); every value is a parameter. Only valid certificates count for work type and level,
and work type, level and min_level apply to the *same* certificate ("a level-2 verifier", not "a verifier
who also holds some level-2 certificate").
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from datetime import date
from typing import Any, LiteralString

import neo4j

from graph.cypher import cypher, spelled
from graph.pools import CURRENT_MEMBER
from graph.reference import WITHIN_REGION
from graph.schema import PRACTITIONER_FULLTEXT
from registry.errors import ValidationFailed

# One predicate, not an OR: an OR on expires_on makes the planner union a scan of the expires_on index.
VALID_CERT = "c.status = 'valid' AND coalesce(c.expires_on, $open_ended) >= $today"

SORTS = ("relevance", "level", "experience", "name", "evaluation")
FACET_DIMENSIONS = ("work_type", "level", "pool", "region", "industry")
# The filters that are query parameters as they are (`q` becomes the Lucene query `$lucene`).
FILTER_FIELDS = (
    "work_type",
    "level",
    "min_level",
    "pool",
    "region",
    "industry",
    "specialty",
    "qualification",
    "min_evaluation",
)


@dataclass(frozen=True)
class SearchFilters:
    work_type: str | None = None
    level: int | None = None
    min_level: int | None = None  # that level or higher, i.e. rank <= min_level
    pool: str | None = None
    region: str | None = None  # a province code also matches its cities
    industry: str | None = None  # declared experience or an engagement in that industry
    specialty: str | None = None
    qualification: str | None = None
    min_evaluation: float | None = None  # mean evaluation (in `work_type` when given) at least this
    q: str | None = None
    public_only: bool = False  # the public sees only practitioners who consented to the showcase
    audience: str | None = (
        None  # public or clients: a filter never matches a field hidden from them; None: admin
    )


_LUCENE_SPECIAL = set('+-&|!(){}[]^"~*?:\\/')


def _is_cjk(char: str) -> bool:
    return "\u3400" <= char <= "\u9fff" or "\uf900" <= char <= "\ufaff"


def _escape(term: str) -> str:
    return "".join("\\" + ch if ch in _LUCENE_SPECIAL else ch for ch in term)


def lucene_query(text: str) -> str:
    """A Lucene query that finds every word of `text` as a substring, the way a Chinese user expects.

    The cjk analyzer indexes Chinese as overlapping bigrams (核查员 → 核查, 查员), so a Chinese run becomes its
    bigrams, all required; a single character (张) matches as a prefix of a bigram; other words match as
    themselves or as a prefix. Lucene's special characters are escaped, so user text is never syntax.
    """
    clauses: list[str] = []
    for word in text.split():
        runs: list[tuple[bool, str]] = []
        for char in word:
            if runs and runs[-1][0] == _is_cjk(char):
                runs[-1] = (runs[-1][0], runs[-1][1] + char)
            else:
                runs.append((_is_cjk(char), char))
        for cjk, run in runs:
            if cjk and len(run) == 1:
                clauses.append(f"{run}*")
            elif cjk:
                clauses.extend(f'"{run[i : i + 2]}"' for i in range(len(run) - 1))
            elif any(ch.isalnum() for ch in run):
                term = _escape(run.lower())
                clauses.append(f"({term} OR {term}*)")
    return " AND ".join(clauses)


# The same certificate condition, spelled for a Certificate node `c` or for a search key `k`
# (`work_type|level|until`, see graph/pools.py).
ON_CERTIFICATE: Mapping[str, LiteralString] = {
    "valid": VALID_CERT,
    "work_type": "c.work_type",
    "level": "c.level",
}
ON_SEARCH_KEY: Mapping[str, LiteralString] = {
    "valid": "split(k, '|')[2] >= $today_iso",
    "work_type": "split(k, '|')[0]",
    "level": "toInteger(split(k, '|')[1])",
}


def _certificate_condition(
    filters: SearchFilters, on: Mapping[str, LiteralString] = ON_CERTIFICATE, *, skip: str | None = None
) -> LiteralString:
    parts: list[LiteralString] = [on["valid"]]
    if filters.work_type and skip != "work_type":
        parts.append(cypher(on["work_type"], "= $work_type"))
    if filters.level and skip != "level":
        parts.append(cypher(on["level"], "= $level"))
    if filters.min_level:
        parts.append(cypher(on["level"], "<= $min_level"))
    return " AND ".join(parts)


def _distinct(expression: LiteralString) -> LiteralString:
    return cypher("reduce(seen = [], x IN", expression, "| CASE WHEN x IN seen THEN seen ELSE seen + x END)")


# The mean evaluation a search sorts and filters on: in the work type searched for, else over all work types;
# -1 for nobody evaluated (graph/pools.py derives `evaluation_mean` and `evaluation_keys` `work_type|mean|count`).
EVALUATION_MEAN = (
    "coalesce(CASE WHEN $work_type IS NULL THEN p.evaluation_mean"
    " ELSE [k IN coalesce(p.evaluation_keys, []) WHERE split(k, '|')[0] = $work_type"
    " | toFloat(split(k, '|')[1])][0] END, -1.0)"
)


def where_clauses(filters: SearchFilters) -> list[LiteralString]:
    """The WHERE predicates on `p` for these filters."""
    clauses: list[LiteralString] = ["p.status = 'active'"]
    if filters.public_only:
        clauses.append("p.public_profile = true")
    # Certificates, pools, provinces and industries are read from the person's search keys (one property
    # each) rather than by expanding relationships; graph/pools.py keeps the keys derived.
    if filters.work_type or filters.level or filters.min_level:
        clauses.append(
            cypher("any(k IN p.cert_keys WHERE", _certificate_condition(filters, ON_SEARCH_KEY), ")")
        )
    if filters.pool:
        clauses.append(
            "any(k IN p.pool_keys WHERE split(k, '|')[0] = $pool AND split(k, '|')[1] >= $today_iso)"
        )
    if filters.region:
        clauses.append(
            cypher(
                "(p.region_key = $region OR EXISTS { MATCH (p)-[:BASED_IN]->(r:Region) WHERE",
                WITHIN_REGION,
                "})",
            )
        )
    if filters.industry:
        clauses.append("$industry IN p.industry_keys")
    if filters.specialty:
        clauses.append("EXISTS { (p)-[:HAS_SPECIALTY]->(:Specialty {code: $specialty}) }")
    if filters.qualification:
        clauses.append("EXISTS { (p)-[:HAS_QUALIFICATION]->(:Qualification {code: $qualification}) }")
    if filters.min_evaluation is not None:
        clauses.append(cypher(EVALUATION_MEAN, ">= $min_evaluation"))
    return clauses + visibility_clauses(filters)


# The fields a person hides from each audience, stored on the node by the person's edits (services/profiles.py),
# so that searching by a hidden field cannot reveal it: `HIDDEN[audience]` is a list of field names.
HIDDEN: Mapping[str, LiteralString] = {
    "public": "coalesce(p.hidden_public, [])",
    "clients": "coalesce(p.hidden_clients, [])",
}


def _engaged_in_industry(code: LiteralString) -> LiteralString:
    # Industries also come from engagements, which are the registry's record and stay searchable.
    return cypher("EXISTS { (p)-[:WORKED_ON]->(:Engagement)-[:IN_INDUSTRY]->(:Industry {code:", code, "}) }")


def visibility_clauses(filters: SearchFilters) -> list[LiteralString]:
    """Predicates that keep a filter from matching a field the person hides from the searching audience."""
    if filters.audience is None:
        return []
    hidden = HIDDEN[filters.audience]
    clauses: list[LiteralString] = []
    if filters.specialty:
        clauses.append(cypher("NOT 'specialties' IN", hidden))
    if filters.qualification:
        clauses.append(cypher("NOT 'qualifications' IN", hidden))
    if filters.industry:
        clauses.append(cypher("(NOT 'industries' IN", hidden, "OR", _engaged_in_industry("$industry"), ")"))
    if filters.q:
        # The full-text index covers name and bio; with the bio hidden, only the name may match.
        clauses.append(
            cypher("(NOT 'bio' IN", hidden, "OR all(w IN $name_words WHERE toLower(p.name) CONTAINS w))")
        )
    return clauses


def _industry_facet(filters: SearchFilters) -> LiteralString:
    keys = "coalesce(p.industry_keys, [])"
    if filters.audience is None:
        return cypher("[code IN", keys, "| 'industry|' + code]")
    return cypher(
        "[code IN", keys, "WHERE NOT 'industries' IN", HIDDEN[filters.audience],
        "OR", _engaged_in_industry("code"), "| 'industry|' + code]",
    )  # fmt: skip


FULLTEXT_ANCHOR = cypher(
    "CALL db.index.fulltext.queryNodes(", spelled("'", PRACTITIONER_FULLTEXT, "'"), ", $lucene) YIELD node AS p, score",
    "WITH p, score",
)  # fmt: skip


def _anchor(filters: SearchFilters) -> LiteralString:
    """Where the search starts: the most selective filter that an index or a unique node can answer.

    The WHERE clauses still check every filter, so the anchor only changes how fast, never what, is found.
    """
    if filters.q:
        return FULLTEXT_ANCHOR
    if filters.specialty:
        start = "MATCH (:Specialty {code: $specialty})<-[:HAS_SPECIALTY]-(p:Practitioner)"
    elif filters.qualification:
        start = "MATCH (:Qualification {code: $qualification})<-[:HAS_QUALIFICATION]-(p:Practitioner)"
    elif filters.region and filters.region.endswith("0000"):
        # A province (about 3–10% of people) is usually more selective than a work type (16–24%).
        start = "MATCH (p:Practitioner {region_key: $region})"
    elif filters.work_type or filters.level:
        start = cypher(
            "MATCH (c:Certificate) WHERE", _certificate_condition(filters),
            "MATCH (p:Practitioner)-[:HOLDS]->(c)",
            "WITH DISTINCT p",
        )  # fmt: skip
    elif filters.pool:
        start = cypher("MATCH (:Pool {code: $pool})<-[m:MEMBER_OF]-(p:Practitioner) WHERE", CURRENT_MEMBER)
    elif filters.region:
        start = cypher("MATCH (r:Region) WHERE", WITHIN_REGION, "MATCH (p:Practitioner)-[:BASED_IN]->(r)")
    else:
        start = "MATCH (p:Practitioner)"
    return cypher(start, "WITH p, 0.0 AS score")


def match_clause(filters: SearchFilters) -> LiteralString:
    """The MATCH (or full-text CALL) that yields candidate `p` with a relevance `score`, filtered."""
    return cypher(_anchor(filters), "WHERE", "\n  AND ".join(where_clauses(filters)))


def parameters(filters: SearchFilters, today: date) -> dict[str, Any]:
    """The query parameters for these filters."""
    params: dict[str, Any] = {key: getattr(filters, key) for key in FILTER_FIELDS}
    params["today"] = today
    params["today_iso"] = today.isoformat()
    params["open_ended"] = date.max
    if filters.q:
        params["name_words"] = [word.lower() for word in filters.q.split()]
        params["lucene"] = lucene_query(filters.q)
        if not params["lucene"]:
            raise ValidationFailed(
                {"q": ["Give at least one letter, digit or Chinese character to search for."]}
            )
    return params


def _order_by(sort: str, has_query: bool) -> LiteralString:
    # Every order ends on p.id, so equal keys never swap between pages or runs.
    if sort == "relevance" and has_query:
        return "score DESC, best_level, p.id"
    if sort == "experience":
        return "coalesce(p.work_start_year, 9999), best_level, p.id"
    if sort == "name":
        return "p.name, p.id"
    if sort == "evaluation":
        return cypher(EVALUATION_MEAN, "DESC, best_level, p.id")
    return "best_level, coalesce(p.work_start_year, 9999), p.id"


# Facets in one streaming pass over the matches: each person contributes each "dimension|value" key once,
# and a single count(*) per key does the rest (five separate passes cost far more memory and time).
def _facets(filters: SearchFilters) -> LiteralString:
    work_type_condition = _certificate_condition(filters, ON_SEARCH_KEY, skip="work_type")
    level_condition = _certificate_condition(filters, ON_SEARCH_KEY, skip="level")
    work_types = _distinct(
        cypher("[k IN certs WHERE", work_type_condition, "| 'work_type|' + split(k, '|')[0]]")
    )
    levels = _distinct(cypher("[k IN certs WHERE", level_condition, "| 'level|' + split(k, '|')[1]]"))
    return cypher(
        """
CALL (hits) {
  UNWIND hits AS h
  WITH h.p AS p
  WITH p, [k IN coalesce(p.cert_keys, []) WHERE split(k, '|')[2] >= $today_iso] AS certs
  WITH""",
        work_types,
        "     +",
        levels,
        """     + [k IN coalesce(p.pool_keys, []) WHERE split(k, '|')[1] >= $today_iso | 'pool|' + split(k, '|')[0]]
     + CASE WHEN p.region_key IS NULL THEN [] ELSE ['region|' + p.region_key] END
     +""",
        _industry_facet(filters),
        """       AS keys
  UNWIND keys AS key
  WITH key, count(*) AS count
  RETURN collect([key, count]) AS facet_counts
}""",
    )


def build_query(filters: SearchFilters, sort: str, with_facets: bool) -> LiteralString:
    """The whole search statement for these filters."""
    parts: list[LiteralString] = [
        match_clause(filters),
        cypher(
            "WITH p, score, reduce(best = 9, k IN coalesce(p.cert_keys, []) | CASE WHEN",
            _certificate_condition(filters, ON_SEARCH_KEY),
            "AND toInteger(split(k, '|')[1]) < best THEN toInteger(split(k, '|')[1]) ELSE best END) AS best_level",
        ),
        cypher("WITH p, score, best_level ORDER BY", _order_by(sort, bool(filters.q))),
        "WITH collect({p: p, score: score}) AS hits",
    ]
    returns: list[LiteralString] = [
        "size(hits) AS total",
        "[h IN hits[$skip..$skip + $limit] | {id: h.p.id, score: h.score}] AS page",
    ]
    if with_facets:
        parts.append(_facets(filters))
        returns.append("facet_counts")
    parts.append(cypher("RETURN", ", ".join(returns)))
    return cypher(*parts)


@dataclass
class SearchHits:
    ids: list[str]  # the page, in order
    total: int
    facets: dict[str, dict[str, int]] | None
    scores: dict[str, float]


def search(
    tx: neo4j.ManagedTransaction,
    filters: SearchFilters,
    *,
    today: date,
    page: int = 1,
    per_page: int = 20,
    sort: str = "level",
    with_facets: bool = True,
) -> SearchHits:
    """One page of ids of practitioners matching `filters`, the total, and facet counts over all matches."""
    statement = build_query(filters, sort, with_facets)
    params = parameters(filters, today) | {"skip": (page - 1) * per_page, "limit": per_page}
    record = tx.run(statement, params).single()
    page_rows = record["page"]
    facets = None
    if with_facets:
        facets = {name: {} for name in FACET_DIMENSIONS}
        for key, count in sorted(record["facet_counts"]):
            dimension, value = key.split("|", 1)
            facets[dimension][value] = count
    return SearchHits(
        ids=[row["id"] for row in page_rows],
        total=record["total"],
        facets=facets,
        scores={row["id"]: row["score"] for row in page_rows},
    )
