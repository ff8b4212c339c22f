"""A practitioner's draw invitations, read from the seats the draws write (graph/draws.py; answers go through them):
(d:Draw {id, purpose, panel_date, status, ...})-[:DREW {order, role, status, deadline, ...}]->(p).
"""

from __future__ import annotations

from typing import Any

import neo4j

from graph.cypher import cypher
from graph.records import native

# The deadline to answer is the seat's (DREW.deadline, set when the draw invites the person). A draw that conceals
# its project (conceal_project) shows neither title nor organization until the person accepts.
INVITATION_FIELDS = """
{draw_id: d.id, purpose: d.purpose, panel_date: d.panel_date, draw_status: d.status,
 title: CASE WHEN d.conceal_project AND r.status <> 'accepted' THEN null ELSE d.title END,
 organization: CASE WHEN d.conceal_project AND r.status <> 'accepted' THEN null
               ELSE COLLECT { MATCH (d)-[:FOR]->(o:Organization) RETURN o {.id, .name, .kind} }[0] END,
 role: r.role, order: r.order, status: r.status,
 deadline: r.deadline,
 responded_at: r.responded_at, reason: r.reason}
"""

LIST = cypher(
    """
MATCH (d:Draw)-[r:DREW]->(:Practitioner {id: $practitioner_id})
RETURN""",
    INVITATION_FIELDS,
    """AS invitation
ORDER BY coalesce(d.panel_date, d.created_at) DESC, d.id
""",
)

ONE = cypher(
    """
MATCH (d:Draw {id: $draw_id})-[r:DREW]->(:Practitioner {id: $practitioner_id})
RETURN""",
    INVITATION_FIELDS,
    "AS invitation",
)


# Several seats at once (a draw's new invitations, the hourly reminders), each with whether its draw conceals.
MANY = cypher(
    """
UNWIND $pairs AS pair
MATCH (d:Draw {id: pair.draw_id})-[r:DREW]->(p:Practitioner {id: pair.practitioner_id})
RETURN pair.draw_id AS draw_id, pair.practitioner_id AS practitioner_id,
       coalesce(d.conceal_project, false) AS concealed,""",
    INVITATION_FIELDS,
    "AS invitation",
)


def of_practitioner(tx: neo4j.ManagedTransaction, practitioner_id: str) -> list[dict[str, Any]]:
    """The person's invitations, latest draw first."""
    return [native(r["invitation"]) for r in tx.run(LIST, practitioner_id=practitioner_id)]


def find(tx: neo4j.ManagedTransaction, practitioner_id: str, draw_id: str) -> dict[str, Any] | None:
    """The person's invitation to one draw; None when they were not drawn."""
    record = tx.run(ONE, practitioner_id=practitioner_id, draw_id=draw_id).single()
    return native(record["invitation"]) if record else None


def seats(
    tx: neo4j.ManagedTransaction, pairs: list[tuple[str, str]]
) -> dict[tuple[str, str], tuple[dict[str, Any], bool]]:
    """The invitations of (draw id, practitioner id) pairs, each with whether its draw conceals its project."""
    rows = [{"draw_id": draw_id, "practitioner_id": pid} for draw_id, pid in pairs]
    return {
        (r["draw_id"], r["practitioner_id"]): (native(r["invitation"]), bool(r["concealed"]))
        for r in tx.run(MANY, pairs=rows)
    }
