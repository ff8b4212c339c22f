"""The in-memory search index answers exactly what the Cypher reference (graph/search.py, graph/matching.py)
answers, over the same fixed graph: ids in order, totals, facet counts, scores, /match ranking and reasons,
conflict exclusions, pool sizes; and it sees every write at once (read-your-writes, across processes).
"""

from __future__ import annotations

import itertools
import uuid
from dataclasses import replace
from datetime import date, timedelta

import pytest

from graph import pools as pool_repo
from graph import search as search_repo
from graph.search import SearchFilters
from registry.audit import Actor
from registry.evaluations import DEFAULT_CRITERIA
from registry.matching import MatchRequest
from registry.visibility import audience_of
from seed.synthetic import generate
from services import (
    certificates,
    declarations,
    engagements,
    evaluations,
    organizations,
    practitioners,
    profiles,
)
from services.credit import Caller
from services.matching import match_in_graph
from services.search_index import SearchIndex
from services.synthetic import load_synthetic
from tests.support import unique_id_card

TODAY = date.today()
CRITERIA = [criterion.code for criterion in DEFAULT_CRITERIA]
# Query days: today, after the short certificates below lapse, and years later when most have expired.
DAYS = (TODAY, TODAY + timedelta(days=40), TODAY + timedelta(days=3 * 365))


def cypher_search(graph, filters, *, today, **paging):
    return graph.read(lambda tx: search_repo.search(tx, filters, today=today, **paging))


def _person(context, name, region, *, public=False, year=2015, status=None, **links):
    data = {"name": name, "id_card": unique_id_card(), "education": "bachelor", "region": region,
            "public_profile": public, "work_start_year": year, **links}  # fmt: skip
    view = practitioners.register(context, data)
    if status:
        practitioners.update(context, view["id"], {"status": status})
    return view["id"]


def _certificate(context, holder, work_type, level, *, expires_in=None, action=None):
    number = f"IX-{uuid.uuid4().hex[:10].upper()}"
    expires = TODAY + timedelta(days=expires_in) if expires_in is not None else None
    certificates.issue(context, {"number": number, "practitioner_id": holder, "work_type": work_type,
                                 "level": level, "issued_on": date(2022, 1, 10), "expires_on": expires})  # fmt: skip
    if action:
        certificates.change_status(context, number, action, "test")
    return number


@pytest.fixture(scope="module")
def fixed(graph, settings, context):
    """A synthetic registry plus hand-made edge cases: same names, lapsing certificates, suspension,
    consent, people based in a province vs in its cities, a conflicted verifier."""
    registry = generate(400, seed=7, today=TODAY)
    load_synthetic(context, registry, batch_size=200)
    people = {
        "city": _person(context, "同名", "420100", public=True, year=2012, bio="水泥行业碳核查专家"),
        "province": _person(context, "同名", "420000", year=2012, industries=["building_materials"]),
        "lapsing": _person(context, "即将过期", "420700", public=True, specialties=["carbon_verification"]),
        "suspended": _person(context, "暂停者", "420100", status="suspended"),
        "employee": _person(context, "雇员", "420100", qualifications=["ccaa_ghg_verifier"]),
    }
    _certificate(context, people["city"], "verification", 2)
    _certificate(context, people["province"], "verification", 2, expires_in=400)
    _certificate(context, people["lapsing"], "verification", 1, expires_in=10)
    _certificate(context, people["lapsing"], "verification", 3, expires_in=2000)
    _certificate(context, people["suspended"], "verification", 1)
    _certificate(context, people["employee"], "verification", 2)
    _certificate(context, people["employee"], "accounting", 3, action="suspend")
    client = organizations.create(context, {"name": "索引测试水泥有限公司", "kind": "enterprise",
                                          "industry": "building_materials", "region": "420100"})  # fmt: skip
    practitioners.update(context, people["employee"], {"employer_id": client["id"]})
    engagements.create(context, {
        "title": "索引测试碳核查", "kind": "verification", "client_id": client["id"], "industry": "building_materials",
        "region": "420100", "start_on": TODAY - timedelta(days=300), "end_on": TODAY - timedelta(days=200),
        "status": "completed", "team": [{"practitioner_id": people["city"], "role": "lead"}],
    })  # fmt: skip
    people["client"] = client["id"]
    _evaluations(context, people)
    # What each person hides (services/profiles.py keeps the lists search reads): the bio and industries from
    # some audiences, specialties from the public, qualifications from everyone but admins.
    for person, settings in (
        ("city", {"bio": "clients", "industries": "private"}),
        ("province", {"industries": "private"}),
        ("lapsing", {"specialties": "clients"}),
        ("employee", {"qualifications": "private"}),
    ):
        profiles.update_own(context, people[person], {"visibility": settings})
    # A claim the registry has not checked (declared) earns no match points until an admin confirms it.
    profiles.update_own(context, people["province"], {"qualifications": ["carbon_verifier"]})
    declarations.declare(
        context, people["lapsing"],
        {"organization_id": client["id"], "relationship": "adviser", "from_": TODAY - timedelta(days=900),
         "to": TODAY - timedelta(days=30)},
        entered_by="admin",
    )  # fmt: skip
    return people


def _evaluations(context, people):
    """Three verification evaluations of `city` (enough to count) and one of `province` (too few)."""
    rater = organizations.create(
        context, {"name": "索引测试评价方", "kind": "enterprise", "region": "110000"}
    )
    for score, team in ((92, ("city", "province")), (71, ("city",)), (88, ("city",))):
        engagement = engagements.create(context, {
            "title": "索引测试评价", "kind": "verification", "client_id": rater["id"], "industry": "steel",
            "region": "110000", "start_on": TODAY - timedelta(days=900), "end_on": TODAY - timedelta(days=800),
            "status": "completed", "team": [{"practitioner_id": people[who], "role": "member"} for who in team],
        })  # fmt: skip
        for who in team:
            evaluations.evaluate(
                context, engagement["id"],
                {"practitioner_id": people[who], "scores": dict.fromkeys(CRITERIA, score)}, Caller(role="admin"),
            )  # fmt: skip


@pytest.fixture(scope="module")
def index(graph, fixed):
    built = SearchIndex(graph)
    built.build(TODAY)
    return built


FILTERS = [
    {}, {"work_type": "verification"}, {"work_type": "verification", "min_level": 2, "region": "420000"},
    {"level": 2}, {"min_level": 1}, {"level": 3, "min_level": 3}, {"pool": "expert"}, {"pool": "talent"},
    {"region": "420000"}, {"region": "420100"}, {"region": "110000", "pool": "talent"}, {"industry": "steel"},
    {"industry": "building_materials", "work_type": "verification"}, {"specialty": "carbon_verification"},
    {"qualification": "ccaa_ghg_verifier"}, {"q": "核查"}, {"q": "同名"}, {"q": "张", "work_type": "accounting"},
    {"q": "碳 水泥", "min_level": 2}, {"work_type": "aviation", "level": 1}, {"industry": "no_such_code"},
    {"industry": "building_materials"}, {"q": "水泥"}, {"min_evaluation": 80}, {"min_evaluation": 0},
    {"work_type": "verification", "min_evaluation": 75.5}, {"work_type": "accounting", "min_evaluation": 10},
]  # fmt: skip
SORTS = ("relevance", "level", "experience", "name", "evaluation")
AUDIENCES = (None, "public", "clients")


def _same(reference, hits):
    assert reference.ids == hits.ids
    assert reference.total == hits.total
    assert reference.facets == hits.facets
    assert reference.scores == pytest.approx(hits.scores)


@pytest.mark.parametrize("values", FILTERS, ids=[repr(f) for f in FILTERS])
def test_search_equals_cypher_for_every_filter_sort_page_day_and_audience(graph, index, values):
    for (sort, day, audience), page in zip(
        itertools.product(SORTS, DAYS, AUDIENCES), itertools.cycle((1, 2))
    ):
        public = audience == "public" and page == 1  # the public showcase; everyone on other pages
        filters = SearchFilters(**values, public_only=public, audience=audience)
        reference = cypher_search(graph, filters, today=day, page=page, per_page=7, sort=sort)
        _same(reference, index.search(filters, today=day, page=page, per_page=7, sort=sort))


def test_paging_far_past_the_end_and_big_pages_agree(graph, index):
    for page, per_page in ((1, 100), (3, 100), (500, 20)):
        reference = cypher_search(
            graph, SearchFilters(), today=TODAY, page=page, per_page=per_page, sort="name"
        )
        _same(
            reference, index.search(SearchFilters(), today=TODAY, page=page, per_page=per_page, sort="name")
        )


MATCHES = [
    {"work_type": "verification", "industry": "building_materials", "region": "420000", "min_level": 3},
    {"work_type": "verification", "region": "420100", "min_level": 2},
    {"work_type": "accounting", "industry": "steel"},
    {"work_type": "consulting", "min_level": 2, "limit": 50},
    {"work_type": "monitoring", "region": "110000", "industry": "power"},
]


def _as(context, role, day):
    return replace(context, actor=Actor(kind="key", role=role), today=day)


@pytest.mark.parametrize("values", MATCHES, ids=[repr(m) for m in MATCHES])
def test_match_ranks_scores_reasons_and_exclusions_equal_cypher(graph, context, index, fixed, values):
    for day, conflict, role in itertools.product(
        DAYS, (None, fixed["client"]), ("admin", "client", "public")
    ):
        request = MatchRequest(**values, conflict_org_id=conflict)
        reference = match_in_graph(_as(context, role, day), request)
        found = index.match(
            request, day, audience=audience_of(role)
        )  # fmt: skip
        assert [(s.candidate, s.score, s.reasons, s.breakdown) for s, _ in reference.ranked] == [
            (s.candidate, s.score, s.reasons, s.breakdown) for s in found.ranked
        ]
        assert reference.total == found.total

        def key(entries):
            return [(e["id"], e["name"], sorted(map(repr, e["conflicts"]))) for e in entries]

        assert key(reference.excluded) == key(found.excluded)


def test_the_fixed_graph_exercises_evaluations_visibility_claims_and_declarations(graph, index, fixed):
    """The cases the equivalence tests must cover are really in the graph the index was built from."""
    request = MatchRequest(
        work_type="verification", region="420100", industry="building_materials", limit=100
    )
    as_admin = {s.candidate.id: s for s in index.match(request, TODAY).ranked}
    as_client = {s.candidate.id: s for s in index.match(request, TODAY, audience="clients").ranked}
    assert as_admin[fixed["city"]].breakdown["evaluations"] == 12  # mean 83.7 over 3: (83.7 − 60) ÷ 2 = 11.85
    assert as_admin[fixed["province"]].breakdown.get("evaluations") == 0  # one evaluation: shown, not counted
    assert as_admin[fixed["province"]].breakdown["declared_industry"] == 5
    assert "declared_industry" not in as_client[fixed["province"]].breakdown  # hidden from clients
    assert "qualifications" not in as_admin[fixed["province"]].breakdown  # declared, not confirmed
    assert "qualifications" in as_admin[fixed["employee"]].breakdown
    assert "qualifications" not in as_client[fixed["employee"]].breakdown
    conflicted = MatchRequest(work_type="verification", conflict_org_id=fixed["client"], limit=100)
    excluded = index.match(conflicted, TODAY).excluded
    assert {e["id"] for e in excluded} == {fixed["employee"], fixed["city"], fixed["lapsing"]}
    by_clients = SearchFilters(industry="building_materials", audience="clients")
    assert fixed["province"] not in index.search(by_clients, today=TODAY, per_page=500).ids
    assert fixed["city"] in index.search(by_clients, today=TODAY, per_page=500).ids  # through its engagement
    assert fixed["city"] not in index.search(SearchFilters(q="水泥", audience="public"), today=TODAY).ids
    assert fixed["city"] in index.search(SearchFilters(q="水泥"), today=TODAY).ids


def test_the_conflict_check_excludes_the_client_s_employee(graph, index, fixed):
    request = MatchRequest(
        work_type="verification", region="420100", conflict_org_id=fixed["client"], limit=100
    )
    found = index.match(request, TODAY)
    ranked, excluded = found.ranked, found.excluded
    assert {e["id"] for e in excluded} == {fixed["employee"], fixed["city"], fixed["lapsing"]}
    assert fixed["employee"] not in {s.candidate.id for s in ranked}


def test_pool_sizes_equal_cypher(graph, index):
    for day in DAYS:
        assert {p["code"]: p["members"] for p in graph.read(pool_repo.pool_sizes, day)} == index.pool_sizes(
            day
        )


def test_a_certificate_lapses_at_midnight_without_any_write(graph, index, fixed):
    lapsing = SearchFilters(work_type="verification", level=1, region="420700")
    assert fixed["lapsing"] in index.search(lapsing, today=TODAY).ids
    assert fixed["lapsing"] not in index.search(lapsing, today=TODAY + timedelta(days=11)).ids


def test_every_process_sees_a_write_at_once(graph, context, index, fixed):
    other = SearchIndex(graph)  # another API process: its own index over the same graph
    other.build(TODAY)
    mine = SearchFilters(work_type="trading", level=1)
    before = index.search(mine, today=TODAY).total
    person = _person(context, "新登记", "440300", public=True)
    _certificate(context, person, "trading", 1)
    for process in (index, other):
        hits = process.search(mine, today=TODAY)
        assert person in hits.ids and hits.total == before + 1
    certificates_of = [SearchFilters(work_type="verification", min_level=1), SearchFilters(q="新登记")]
    practitioners.update(context, person, {"status": "suspended"})
    for process, filters in itertools.product((index, other), [mine, *certificates_of]):
        assert person not in process.search(filters, today=TODAY).ids
    practitioners.update(context, person, {"status": "active", "name": "改名者"})
    for process in (index, other):
        _same(
            cypher_search(graph, mine, today=TODAY, sort="name"),
            process.search(mine, today=TODAY, sort="name"),
        )
        _same(cypher_search(graph, SearchFilters(), today=TODAY, sort="name", per_page=50),
              process.search(SearchFilters(), today=TODAY, sort="name", per_page=50))  # fmt: skip


def test_status_reports_warm_with_the_graph_revision(graph, index):
    index.refresh()
    status = index.status()
    assert status["state"] == "warm" and status["practitioners"] > 400 and status["revision"] > 0
