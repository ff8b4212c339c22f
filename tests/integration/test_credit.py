"""The credit services on the real graph: sanctions over time, the daily end-of-sanction job, the one-per-pair key."""

from __future__ import annotations

import uuid
from dataclasses import replace
from datetime import date, timedelta

import neo4j
import pytest

from graph import misconduct as misconduct_repo
from services import certificates, misconduct, practitioners
from tests.support import unique_id_card

TODAY = date.today()


def pools(context, practitioner_id: str) -> list[str]:
    return practitioners.get(context, practitioner_id)["pools"]


@pytest.fixture()
def expert(context):
    """A level-2 verifier (expert pool) certified long ago."""
    person = practitioners.register(context, {"name": "测试专家", "id_card": unique_id_card()})
    certificates.issue(
        context,
        {"number": f"IT-{uuid.uuid4().hex[:10]}", "practitioner_id": person["id"], "work_type": "verification",
         "level": 2, "issued_on": TODAY - timedelta(days=2000)},
    )  # fmt: skip
    return person["id"]


def test_a_suspension_imposed_in_the_past_ends_and_the_daily_job_brings_the_expert_back(context, expert):
    assert "expert" in pools(context, expert)
    first = replace(context, today=TODAY - timedelta(days=400))
    second = replace(context, today=TODAY - timedelta(days=390))
    misconduct.record_misconduct(first, expert, {"category": "refused_draw", "occurred_on": first.today})
    view = misconduct.record_misconduct(
        second, expert, {"category": "refused_draw", "occurred_on": second.today}
    )
    (suspension,) = view["sanctions"]
    assert suspension["until"] == (TODAY - timedelta(days=26)).isoformat()  # 390 days ago + 12 months − 1 day
    assert "expert" not in pools(context, expert)
    assert misconduct.end_sanctions(context) >= 1
    assert "expert" in pools(context, expert)
    assert misconduct.sanctions_of(context, expert)[0]["active"] is False
    assert expert not in context.graph.read(lambda tx: misconduct_repo.sanctions_ended(tx, TODAY))


def test_records_more_than_12_months_apart_never_suspend(context, expert):
    long_ago = replace(context, today=TODAY - timedelta(days=500))
    misconduct.record_misconduct(
        long_ago, expert, {"category": "refused_draw", "occurred_on": long_ago.today}
    )
    view = misconduct.record_misconduct(context, expert, {"category": "refused_draw", "occurred_on": TODAY})
    assert view["sanctions"] == []
    assert "expert" in pools(context, expert)


def test_the_graph_refuses_a_second_evaluation_of_the_same_pair(graph):
    pair = f"{uuid.uuid4()}|{uuid.uuid4()}"
    graph.driver.execute_query("CREATE (:Evaluation {id: $id, pair: $pair})", id=str(uuid.uuid4()), pair=pair)
    with pytest.raises(neo4j.exceptions.ConstraintError):
        graph.driver.execute_query(
            "CREATE (:Evaluation {id: $id, pair: $pair})", id=str(uuid.uuid4()), pair=pair
        )
    graph.driver.execute_query("MATCH (e:Evaluation {pair: $pair}) DELETE e", pair=pair)
