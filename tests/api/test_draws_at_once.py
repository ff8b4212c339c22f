"""Eight administrators drawing at once through the API (issue 24): nobody is seated twice on one day, nobody
above the yearly cap, the yearly loads equal the seats, and every draw verifies.

The pools: five level-1 verification experts in 海南 (460000) and five level-1 monitoring experts in 黑龙江 (230000), regions
no other suite draws from, on panel dates in a year of their own (the synthetic people other suites load there may
be drawn too; the rules hold for them as well).
"""

from __future__ import annotations

import threading
import uuid
from datetime import date

import pytest

from registry.draws import SEATED_STATUSES
from tests.support import unique_id_card

URL = "/api/v1/draws"
YEAR = date.today().year + 47
POOLS = {"verification": "460000", "monitoring": "230000"}
CAP = 6  # DRAW_CAP_PER_YEAR, the default


@pytest.fixture(scope="module")
def pools(app, keys) -> dict[str, list[str]]:
    client, admin = app.test_client(), {"X-API-Key": keys["admin"]}
    people: dict[str, list[str]] = {}
    for work_type, region in POOLS.items():
        for i in range(5):
            body = {
                "name": f"同时{work_type}{i}",
                "id_card": unique_id_card(),
                "region": region,
                "education": "master",
            }
            response = client.post("/api/v1/practitioners", json=body, headers=admin)
            assert response.status_code == 201, response.get_json()
            pid = response.get_json()["id"]
            certificate = {"number": f"AO-{uuid.uuid4().hex[:10].upper()}", "practitioner_id": pid,
                           "work_type": work_type, "level": 1, "issued_on": "2023-03-01"}  # fmt: skip
            assert client.post("/api/v1/certificates", json=certificate, headers=admin).status_code == 201
            people.setdefault(work_type, []).append(pid)
    return people


def _at_once(app, admin: dict[str, str], bodies: list[dict]) -> list[dict]:
    """POST every body from its own thread and client, released together."""
    barrier, results = threading.Barrier(len(bodies)), [None] * len(bodies)

    def run(index: int, body: dict) -> None:
        client = app.test_client()
        barrier.wait()
        response = client.post(URL, json=body, headers=admin)
        results[index] = (response.status_code, response.get_json())

    threads = [threading.Thread(target=run, args=(i, b)) for i, b in enumerate(bodies)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=600)
    assert all(status == 201 for status, _ in results), [body for status, body in results if status != 201]
    return [body for _, body in results]


def _body(work_type: str, day: date, size: int) -> dict:
    return {"purpose": "policy_advice", "title": "同时抽取", "work_type": work_type, "min_level": 1,
            "region": POOLS[work_type], "size": size, "reserves": 0, "panel_date": day.isoformat(),
            "exclusions": []}  # fmt: skip


SEATS = """
UNWIND $ids AS pid
MATCH (p:Practitioner {id: pid})
OPTIONAL MATCH (l:DrawLoad {key: pid + '|' + toString($year)})
RETURN pid, COUNT { MATCH (d:Draw)-[s:DREW {role: 'panel'}]->(p)
                    WHERE s.status IN $seated AND d.panel_date.year = $year } AS seats,
       coalesce(l.seats, 0) AS load,
       COLLECT { MATCH (d:Draw)-[s:DREW {role: 'panel'}]->(p) WHERE s.status IN $seated AND d.panel_date.year = $year
                 RETURN d.panel_date } AS days
"""


def _seats(graph, ids: list[str]) -> list[dict]:
    return graph.read(
        lambda tx: [r.data() for r in tx.run(SEATS, ids=ids, year=YEAR, seated=list(SEATED_STATUSES))]
    )


def _seated(views: list[dict]) -> list[str]:
    return [s["practitioner"]["id"] for v in views for s in v["panel"] if s["status"] == "invited"]


def test_eight_draws_at_once_on_one_day_seat_nobody_twice(app, keys, graph, pools):
    admin, day = {"X-API-Key": keys["admin"]}, date(YEAR, 4, 8)
    # Four administrators per pool, each asking for 3 of its 5 (and any synthetic) people on the same day.
    views = _at_once(app, admin, [_body(wt, day, 3) for wt in POOLS for _ in range(4)])
    seated = _seated(views)
    assert len(seated) == len(set(seated)) == sum(3 - v["shortfall"] for v in views)
    assert any(v["shortfall"] for v in views)  # 24 seats asked of ~10 people: the same-day rule was tested
    client = app.test_client()
    for view in views:
        assert client.get(f"{URL}/{view['id']}/verify").get_json()["verified"] is True


def test_eight_draws_at_once_on_different_days_keep_the_yearly_cap_and_the_loads(app, keys, graph, pools):
    admin = {"X-API-Key": keys["admin"]}
    # Twelve draws of 4 per pool of 5 level-1 experts (+ the rare synthetic one) on days of their own, eight at a
    # time: 48 seats asked for, at most 6 a person.
    for start in (1, 9, 17):
        days = [date(YEAR, 9, start + i) for i in range(8)]
        _at_once(app, admin, [_body(wt, day, 4) for wt, day in zip(list(POOLS) * 4, days, strict=True)])
    rows = _seats(graph, pools["verification"] + pools["monitoring"])
    assert all(row["seats"] <= CAP for row in rows), rows
    assert all(row["load"] == row["seats"] for row in rows), rows  # the loads the draws kept equal the seats
    assert all(len(row["days"]) == len(set(row["days"])) for row in rows)  # never two panels on one day
    assert any(row["seats"] == CAP for row in rows)  # the cap was reached: the rule was tested, not idle
