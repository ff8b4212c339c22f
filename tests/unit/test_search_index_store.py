"""The index's store: changes applied one by one leave it as a fresh build from the final rows would."""

from __future__ import annotations

import random
import uuid
from datetime import date, timedelta

import numpy as np
import pytest

from graph.search import SearchFilters
from graph.search_index import ROW_KEYS
from services.search_index.query import search
from services.search_index.store import Store

TODAY = date(2026, 11, 25)
REGIONS = [("420000", None, "湖北省"), ("420100", "420000", "武汉市"), ("110000", None, "北京市")]
NAMES = ["张伟", "李娜", "王芳", "张伟", None, "Zhang Wei", "阿卜杜热合曼·买买提"]


def _row(rng: random.Random, person_id: str | None = None) -> list:
    certificates = [
        f"{rng.choice(['verification', 'accounting', 'aviation'])}|{rng.randint(1, 4)}|"
        + rng.choice(["9999-12-31", (TODAY + timedelta(days=rng.randint(-5, 900))).isoformat()])
        for _ in range(rng.randint(0, 3))
    ]
    industries = rng.sample(["steel", "power", "cement"], rng.randint(0, 2))
    hidden_public = rng.sample(["industries", "specialties", "bio"], rng.randint(0, 2))
    evaluations = (
        [f"verification|{rng.randint(500, 990) / 10}|{rng.randint(1, 5)}"] if rng.random() < 0.3 else []
    )
    values = {
        "id": person_id or str(uuid.UUID(int=rng.getrandbits(128), version=4)),
        "status": rng.choice(["active", "active", "active", "suspended"]),
        "name": rng.choice(NAMES),
        "public": rng.random() < 0.5,
        "year": rng.choice([None, 2005, 2010, 2018]),
        "region_key": rng.choice(["420000", "110000", None]),
        "cert_keys": certificates,
        "pool_keys": [f"talent|{(TODAY + timedelta(days=rng.randint(0, 900))).isoformat()}"]
        if certificates
        else [],
        "industry_keys": industries,
        "mark": 1,
        "region": rng.choice(["420000", "420100", "110000", None]),
        "declared": [],
        "specialties": rng.sample(["carbon_verification", "energy_audit"], rng.randint(0, 1)),
        "qualifications": [["ccaa_ghg_verifier", rng.random() < 0.5]] if rng.random() < 0.3 else [],
        "engagements": [],
        "hidden_public": hidden_public,
        "hidden_clients": rng.sample(hidden_public, min(1, len(hidden_public))),
        "engaged_industries": industries[:1] if "industries" in hidden_public else [],
        "evaluation_mean": float(evaluations[0].split("|")[1]) if evaluations else None,
        "evaluation_keys": evaluations,
        "contact": rng.choice([None, True, False]),
    }
    return [values[key] for key in ROW_KEYS]


def _fresh(rows: list[list]) -> Store:
    store = Store(REGIONS)
    store.append(rows)
    store.finish(TODAY)
    return store


def _answers(store: Store) -> list:
    answers = []
    for sort in ("level", "experience", "name", "evaluation"):
        for filters in (SearchFilters(), SearchFilters(work_type="verification", min_level=2),
                        SearchFilters(region="420000"), SearchFilters(pool="talent", industry="steel"),
                        SearchFilters(industry="steel", audience="public"), SearchFilters(min_evaluation=70),
                        SearchFilters(specialty="energy_audit", audience="clients"),
                        SearchFilters(work_type="verification", qualification="ccaa_ghg_verifier")):  # fmt: skip
            hits = search(store, filters, today=TODAY, per_page=500, sort=sort)
            answers.append((hits.ids, hits.total, hits.facets))
    return answers


@pytest.mark.parametrize("seed", [1, 2, 3])
def test_changes_one_by_one_equal_a_fresh_build(seed):
    rng = random.Random(seed)
    rows = [_row(rng) for _ in range(300)]
    store = _fresh(rows)
    for step in range(60):  # renames, status changes, new certificates, and new people, one at a time
        if step % 20 == 0:
            _answers(store)  # counts kept for a version must not outlive it
        if rng.random() < 0.3:
            rows.append(_row(rng))
            store.apply([rows[-1]])
        else:
            i = rng.randrange(len(rows))
            rows[i] = _row(rng, rows[i][0])
            store.apply([rows[i]])
    fresh = _fresh(rows)
    assert _answers(store) == _answers(fresh)
    ordered = store.id_of(store.name_order)
    assert ordered == fresh.id_of(fresh.name_order)
    assert _contacts(store) == _contacts(fresh)


def _contacts(store: Store) -> dict[str, bool]:
    """Who may be suggested for activities, by id (an absent preference is on)."""
    return dict(zip(store.id_of(range(1, store.size)), store.contact[1 : store.size].tolist(), strict=True))


def test_validity_follows_the_day_asked_about():
    rows = [_row(random.Random(9))]
    rows[0][1], rows[0][6] = "active", [f"aviation|1|{(TODAY + timedelta(days=3)).isoformat()}"]
    store = _fresh(rows)
    wanted = SearchFilters(work_type="aviation")
    assert search(store, wanted, today=TODAY + timedelta(days=3)).total == 1
    assert search(store, wanted, today=TODAY + timedelta(days=4)).total == 0
    assert search(store, wanted, today=TODAY).total == 1


def test_a_page_of_only_inactive_people_adds_nobody():
    rows = [_row(random.Random(5)) for _ in range(5)]
    store = Store(REGIONS)
    store.append(rows[:2])
    store.append([])  # the cold build reads id ranges; one holding only deleted people comes back empty
    store.append(rows[2:])
    store.finish(TODAY)
    assert _answers(store) == _answers(_fresh(rows))


def test_lookup_of_unknown_ids_gives_row_zero():
    rng = random.Random(4)
    store = _fresh([_row(rng) for _ in range(20)])
    rows = store.rows_of([store.id_of([5])[0], "not-an-id", str(uuid.uuid4())])
    assert rows.tolist()[0] == 5 and rows.tolist()[1:] == [0, 0]
    assert np.all(store.rows_of([]) == 0)


def test_a_saved_snapshot_loads_into_the_same_answers_and_takes_changes(tmp_path):
    from services.search_index import snapshot

    rng = random.Random(11)
    rows = [_row(rng) for _ in range(200)]
    store = _fresh(rows)
    store.revision, store.epoch = 7, "epoch-1"
    path = snapshot.path_for(tmp_path, "bolt://x", "neo4j")
    snapshot.save(path, store, {"industry_names": {"steel": "钢铁"}})
    loaded, reference = snapshot.load(path)
    assert (loaded.revision, loaded.epoch, reference) == (7, "epoch-1", {"industry_names": {"steel": "钢铁"}})
    assert _answers(loaded) == _answers(store)
    changed = [_row(rng, rows[3][0]), _row(rng)]
    for target in (store, loaded):
        target.apply([list(r) for r in changed])
    assert _answers(loaded) == _answers(store)
    assert snapshot.load(tmp_path / "missing.npz") is None
