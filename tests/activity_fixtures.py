"""Public-welfare activities and participation written straight into the graph, in the shape of the fixed model
(docs/activities.md): for tests of the read side (profiles, credit, export, statistics) that need activities in
states the write API takes several steps to reach."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from graph.activities import BUMP_CATALOGUE
from graph.driver import Graph

ACTIVITY = """
MATCH (o:Organization {id: $organizer_id})
CREATE (a:Activity {id: $id, title: $title, kind: $kind, description: '测试活动', region: $region,
                    online: false, place: '社区服务中心', starts_on: $starts_on, ends_on: $ends_on,
                    hours: $hours, capacity: 100, status: $status, created_at: datetime(), updated_at: datetime()})
CREATE (a)-[:ORGANIZED_BY]->(o)
CREATE (a)-[:CHANGED]->(:ActivityStatusChange {`from`: 'draft', to: $status, reason: '测试', at: datetime()})
WITH a
"""
ACTIVITY = ACTIVITY + BUMP_CATALOGUE  # as every activity write does: the listing's catalogue is read again

JOIN = """
MATCH (p:Practitioner {id: $practitioner_id}), (a:Activity {id: $activity_id})
CREATE (p)-[:JOINED {id: randomUUID(), status: $status, via: 'sign_up', signed_up_at: datetime(),
                     confirmed_at: CASE WHEN $status <> 'signed_up' THEN datetime() END,
                     attended: CASE $status WHEN 'attended' THEN true WHEN 'absent' THEN false END,
                     hours: $hours, recorded_at: CASE WHEN $status IN ['attended', 'absent'] THEN datetime() END,
                     certificate_code: null}]->(a)
"""


def add_activity(
    graph: Graph,
    organizer_id: str,
    *,
    starts_on: date,
    kind: str = "lecture",
    region: str | None = "420100",
    status: str = "completed",
    hours: float = 4.0,
    title: str | None = None,
) -> str:
    """An activity of one day organized by `organizer_id`; its id."""
    activity_id = str(uuid.uuid4())
    params: dict[str, Any] = {
        "id": activity_id, "organizer_id": organizer_id, "title": title or f"公益讲座 {activity_id[:6]}",
        "kind": kind, "region": region, "starts_on": starts_on, "ends_on": starts_on, "hours": hours,
        "status": status,
    }  # fmt: skip
    graph.driver.execute_query(ACTIVITY, params | {"ids": [activity_id]}, database_=graph.database)
    return activity_id


def join(
    graph: Graph, practitioner_id: str, activity_id: str, status: str = "attended", hours: float | None = None
) -> None:
    """A participation: `attended` with `hours`, `absent`, `confirmed` or `signed_up`."""
    graph.driver.execute_query(
        JOIN,
        {"practitioner_id": practitioner_id, "activity_id": activity_id, "status": status, "hours": hours},
        database_=graph.database,
    )
