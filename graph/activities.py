"""Public-welfare activities (issue 25): `(:Activity)-[:ORGANIZED_BY]->(:Organization)`, status history as
`(:Activity)-[:CHANGED]->(:ActivityStatusChange {from, to, reason, at})`, participation as
`(:Practitioner)-[j:JOINED]->(:Activity)` and invitations as `(:Activity)-[i:INVITED]->(:Practitioner)`.

Nothing is deleted: a cancelled activity keeps its JOINED rows and its history. The model is fixed in
docs/activities.md; other graph modules (statistics, profiles, credit, certificates) import `COUNTED`.
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any, LiteralString

import neo4j

from graph.cypher import cypher
from graph.records import native
from graph.reference import WITHIN_REGION

# Counted participation — the Cypher twin of registry.activities.counts: `j` a JOINED relationship, `a` its
# Activity. Attended, in an activity that was not cancelled.
COUNTED: LiteralString = "j.status = 'attended' AND a.status <> 'cancelled'"

# The activity as every reader sees it; `history` is added for the organizer and admins (ACTIVITY_HISTORY).
ACTIVITY_VIEW: LiteralString = """
a {.id, .title, .kind, .description, .region, .online, .place, .starts_on, .ends_on, .hours, .capacity, .status,
   .created_at, .updated_at,
   needs: {work_type: a.needs_work_type, min_level: a.needs_min_level, specialty: a.needs_specialty,
           industry: a.needs_industry},
   organizer: COLLECT { MATCH (a)-[:ORGANIZED_BY]->(o:Organization) RETURN o {.id, .name, .kind} }[0],
   region_name: COLLECT { MATCH (r:Region {code: a.region}) RETURN r.name_zh }[0],
   taken: COUNT { MATCH (:Practitioner)-[:JOINED]->(a) },
   places_left: a.capacity - COUNT { MATCH (:Practitioner)-[:JOINED]->(a) },
   status_reason: COLLECT { MATCH (a)-[:CHANGED]->(c:ActivityStatusChange) RETURN c.reason
                            ORDER BY c.at DESC LIMIT 1 }[0]}
"""

ACTIVITY_HISTORY: LiteralString = """
COLLECT { MATCH (a)-[:CHANGED]->(c:ActivityStatusChange) RETURN c {from: c.`from`, .to, .reason, .at}
          ORDER BY c.at }
"""

# The listing's catalogue (graph/activity_catalogue.py) is kept per process until this revision moves: every
# write that changes an activity's status, kind, region, dates, capacity or organizer bumps it in its transaction
# and marks the activities it changed with the new value (`catalogue_revision`, range-indexed), so a process reads
# only the activities marked after the revision it holds. The increment holds the Revision node's write lock until
# commit, so the marks become visible in order (as graph/revision.py's).
BUMP_CATALOGUE = """
MERGE (r:Revision {id: 'activities'})
ON CREATE SET r.epoch = randomUUID()
SET r.value = coalesce(r.value, 0) + 1
WITH r
UNWIND $ids AS id
MATCH (a:Activity {id: id})
SET a.catalogue_revision = r.value
"""

CREATE = cypher(
    """
MATCH (organizer:Organization {id: $organizer_id})
CREATE (a:Activity {id: $id, created_at: datetime(), updated_at: datetime(), status: 'draft'})
SET a += $props
CREATE (a)-[:ORGANIZED_BY]->(organizer)
CREATE (a)-[:CHANGED]->(:ActivityStatusChange {`from`: null, to: 'draft', reason: $reason, at: datetime()})
RETURN""",
    ACTIVITY_VIEW,
    "AS activity",
)

ONE = cypher(
    """
MATCH (a:Activity {id: $id})
RETURN""",
    ACTIVITY_VIEW,
    "AS activity,",
    ACTIVITY_HISTORY,
    "AS history",
)

# Sign-ups, confirmations, attendance and status changes of one activity take turns on its node, so two sign-ups
# for the last place never both succeed and a status change never passes a sign-up in flight.
LOCK = "MATCH (a:Activity {id: $id}) SET a._lock = true REMOVE a._lock RETURN a.id AS id"

CHANGE_STATUS = cypher(
    """
MATCH (a:Activity {id: $id})
CREATE (a)-[:CHANGED]->(:ActivityStatusChange {`from`: a.status, to: $status, reason: $reason, at: datetime()})
SET a.status = $status, a.updated_at = datetime()
RETURN""",
    ACTIVITY_VIEW,
    "AS activity",
)

# Filters are fixed fragments switched on by parameters. `$all` (admin) sees every status; otherwise the public
# statuses, plus every status of `$own` (the organizer a government key is bound to).
# `$statuses` (the status asked for, or every status the caller may list) lets the status index find the
# activities; the region's codes (it and its cities) are read once, not per activity.
LIST_MATCH = cypher(
    """
CALL () { MATCH (r:Region) WHERE $region IS NOT NULL AND""",
    WITHIN_REGION,
    """RETURN collect(r.code) AS regions }
MATCH (a:Activity)
WHERE a.status IN $statuses
  AND ($all OR a.status IN $public OR ($own IS NOT NULL AND EXISTS { (a)-[:ORGANIZED_BY]->(:Organization {id: $own}) }))
  AND ($kind IS NULL OR a.kind = $kind)
  AND ($from IS NULL OR a.ends_on >= $from)
  AND ($to IS NULL OR a.starts_on <= $to)
  AND ($organizer_id IS NULL OR EXISTS { (a)-[:ORGANIZED_BY]->(:Organization {id: $organizer_id}) })
  AND ($region IS NULL OR a.region IN regions)""",
)

# Open for sign-up (or not): a separate fragment, because the planner counts every candidate's sign-ups for it even
# when the filter is off.
OPEN_FILTER: LiteralString = """
WITH a WHERE $open = (a.status = 'open' AND a.ends_on >= $today AND COUNT { (:Practitioner)-[:JOINED]->(a) } < a.capacity)"""

# The page and the total are two statements: ORDER BY with LIMIT keeps only the page's rows while it sorts (a
# top-k), where collecting every match to slice it would hold them all.
PAGE: LiteralString = cypher(
    """WITH a ORDER BY a.starts_on DESC, a.id SKIP $skip LIMIT $limit
RETURN""",
    ACTIVITY_VIEW,
    "AS activity",
)
LIST_PAGE = cypher(LIST_MATCH, PAGE)
LIST_TOTAL = cypher(LIST_MATCH, "RETURN count(a) AS total")
LIST_OPEN_PAGE = cypher(LIST_MATCH, OPEN_FILTER, PAGE)
LIST_OPEN_TOTAL = cypher(LIST_MATCH, OPEN_FILTER, "RETURN count(a) AS total")

# A participation's fields; each use closes the map (`}`) after adding its own keys.
JOINED_FIELDS: LiteralString = (
    "j {.id, .status, .via, .signed_up_at, .confirmed_at, .attended, .hours, .recorded_at"
)

JOIN_OF = """
MATCH (p:Practitioner {id: $practitioner_id})-[j:JOINED]->(a:Activity {id: $id})
RETURN j.status AS status
"""

# The participations of the listed people in one activity: id → status (absent: never signed up).
JOINS_OF = """
UNWIND $ids AS pid
MATCH (:Practitioner {id: pid})-[j:JOINED]->(:Activity {id: $id})
RETURN pid, j.status AS status
"""

SIGN_UP = cypher(
    """
MATCH (p:Practitioner {id: $practitioner_id}), (a:Activity {id: $id})
CREATE (p)-[j:JOINED {id: $join_id, status: 'signed_up', via: $via, signed_up_at: datetime(), confirmed_at: null,
                      attended: null, hours: null, recorded_at: null, certificate_code: null}]->(a)
RETURN""",
    JOINED_FIELDS,
    "} AS joined",
)

CONFIRM = cypher(
    """
MATCH (p:Practitioner {id: $practitioner_id})-[j:JOINED]->(a:Activity {id: $id})
SET j.status = 'confirmed', j.confirmed_at = datetime()
RETURN""",
    JOINED_FIELDS,
    "} AS joined",
)

RECORD_ATTENDANCE = """
UNWIND $rows AS row
MATCH (:Practitioner {id: row.practitioner_id})-[j:JOINED]->(:Activity {id: $id})
SET j.status = CASE WHEN row.attended THEN 'attended' ELSE 'absent' END,
    j.attended = row.attended, j.hours = row.hours, j.recorded_at = datetime()
RETURN count(j) AS recorded
"""

PARTICIPANTS = cypher(
    """
MATCH (p:Practitioner)-[j:JOINED]->(a:Activity {id: $id})
WITH p, j, a ORDER BY j.signed_up_at, p.id
RETURN""",
    JOINED_FIELDS,
    """, practitioner: p {.id, .name}, counted: """,
    COUNTED,
    """} AS participant
""",
)

OF_PRACTITIONER = cypher(
    """
MATCH (:Practitioner {id: $practitioner_id})-[j:JOINED]->(a:Activity)
WITH j, a ORDER BY a.starts_on DESC, a.id
RETURN""",
    JOINED_FIELDS,
    ", activity:",
    ACTIVITY_VIEW,
    ", counted:",
    COUNTED,
    """} AS participation
""",
)

# Whom an invitation may reach: a stored, active person, and whether they accept activity invitations (on unless
# they turned `contact_for_activities` off), are already invited, or already take part.
INVITEES = """
UNWIND $ids AS pid
OPTIONAL MATCH (p:Practitioner {id: pid})
RETURN pid, p IS NOT NULL AND p.status = 'active' AS active,
       coalesce(p.contact_for_activities, true) AS contact,
       EXISTS { (:Activity {id: $id})-[:INVITED]->(p) } AS invited,
       EXISTS { (p)-[:JOINED]->(:Activity {id: $id}) } AS joined
"""

# An invitation's fields; each use closes the map (`}`) after adding its own keys.
INVITATION_FIELDS: LiteralString = "i {.id, .status, .invited_at, .deadline, .responded_at, .reason"

INVITE = cypher(
    """
MATCH (a:Activity {id: $id})
UNWIND $invitations AS invitation
MATCH (p:Practitioner {id: invitation.practitioner_id})
CREATE (a)-[i:INVITED {id: invitation.id, status: 'pending', invited_at: datetime(), deadline: $deadline,
                       responded_at: null, reason: null}]->(p)
RETURN""",
    INVITATION_FIELDS,
    ", practitioner: p {.id, .name}} AS invitation",
)

INVITATIONS = cypher(
    """
MATCH (a:Activity {id: $id})-[i:INVITED]->(p:Practitioner)
WITH i, p ORDER BY i.invited_at, p.id
RETURN""",
    INVITATION_FIELDS,
    ", practitioner: p {.id, .name}} AS invitation",
)

# A person's activity invitations as /me/invitations lists them (newest first).
MY_INVITATION_FIELDS: LiteralString = """
i {.id, .status, .invited_at, .deadline, .responded_at, .reason, kind: 'activity',
   activity: a {.id, .title, .kind, .starts_on, .ends_on, .status, .online, .place, .region,
                organizer: COLLECT { MATCH (a)-[:ORGANIZED_BY]->(o:Organization) RETURN o {.id, .name, .kind} }[0]}}
"""

MY_INVITATIONS = cypher(
    """
MATCH (a:Activity)-[i:INVITED]->(:Practitioner {id: $practitioner_id})
WITH a, i ORDER BY i.invited_at DESC, i.id
RETURN""",
    MY_INVITATION_FIELDS,
    "AS invitation",
)

MY_INVITATION = cypher(
    """
MATCH (a:Activity)-[i:INVITED {id: $invitation_id}]->(:Practitioner {id: $practitioner_id})
RETURN""",
    MY_INVITATION_FIELDS,
    "AS invitation",
)

ANSWER_INVITATION = cypher(
    """
MATCH (a:Activity)-[i:INVITED {id: $invitation_id}]->(:Practitioner {id: $practitioner_id})
SET i.status = $status, i.responded_at = datetime(), i.reason = $reason
RETURN""",
    MY_INVITATION_FIELDS,
    "AS invitation",
)


def create(
    tx: neo4j.ManagedTransaction, activity_id: str, organizer_id: str, props: dict[str, Any], reason: str
) -> dict[str, Any] | None:
    """Store a draft activity of the organizer, with its first history entry; None for an unknown organizer."""
    record = tx.run(CREATE, id=activity_id, organizer_id=organizer_id, props=props, reason=reason).single()
    if record is None:
        return None
    tx.run(BUMP_CATALOGUE, ids=[activity_id]).consume()
    return native(record["activity"])


def find(tx: neo4j.ManagedTransaction, activity_id: str) -> dict[str, Any] | None:
    """The activity with its status history, or None."""
    record = tx.run(ONE, id=activity_id).single()
    return native(record["activity"]) | {"history": native(record["history"])} if record else None


def lock(tx: neo4j.ManagedTransaction, activity_id: str) -> bool:
    """Take the activity's write lock; False when there is no such activity."""
    return tx.run(LOCK, id=activity_id).single() is not None


def change_status(tx: neo4j.ManagedTransaction, activity_id: str, status: str, reason: str) -> dict[str, Any]:
    """Set the status and keep the change (from, to, reason, at) in the activity's history."""
    view = native(tx.run(CHANGE_STATUS, id=activity_id, status=status, reason=reason).single()["activity"])
    tx.run(BUMP_CATALOGUE, ids=[activity_id]).consume()
    return view


def search(
    tx: neo4j.ManagedTransaction,
    filters: dict[str, Any],
    scope: dict[str, Any],
    today: date,
    page: int,
    per_page: int,
) -> tuple[list[dict[str, Any]], int]:
    """A page of activities (latest start first) and the total; `scope` says which statuses the caller sees:
    {all: bool, public: [statuses], own: organizer id or None, statuses: [every status it may list]}."""
    params = {key: filters.get(key) for key in ("kind", "from", "to", "organizer_id", "region")}
    statuses = [filters["status"]] if filters.get("status") else list(scope["statuses"])
    if filters.get(
        "open_for_sign_up"
    ):  # only an open activity takes sign-ups: the status index finds them alone
        statuses = [status for status in statuses if status == "open"]
    params |= {"statuses": statuses, "all": scope["all"], "public": list(scope["public"]), "own": scope["own"],
               "today": today, "open": filters.get("open_for_sign_up")}  # fmt: skip
    listing, total = (LIST_PAGE, LIST_TOTAL) if params["open"] is None else (LIST_OPEN_PAGE, LIST_OPEN_TOTAL)
    items = [
        native(r["activity"]) for r in tx.run(listing, params, skip=(page - 1) * per_page, limit=per_page)
    ]
    return items, tx.run(total, params).single()["total"]


def join_status(tx: neo4j.ManagedTransaction, activity_id: str, practitioner_id: str) -> str | None:
    """The person's participation status in the activity, or None when they never signed up."""
    record = tx.run(JOIN_OF, id=activity_id, practitioner_id=practitioner_id).single()
    return record["status"] if record else None


def join_statuses(
    tx: neo4j.ManagedTransaction, activity_id: str, practitioner_ids: list[str]
) -> dict[str, str]:
    """practitioner id → participation status, for those of the listed people who signed up."""
    return {r["pid"]: r["status"] for r in tx.run(JOINS_OF, id=activity_id, ids=practitioner_ids)}


def sign_up(
    tx: neo4j.ManagedTransaction, activity_id: str, practitioner_id: str, join_id: str, via: str
) -> dict[str, Any]:
    """Create the person's participation (status signed_up)."""
    record = tx.run(
        SIGN_UP, id=activity_id, practitioner_id=practitioner_id, join_id=join_id, via=via
    ).single()
    return native(record["joined"])


def confirm(tx: neo4j.ManagedTransaction, activity_id: str, practitioner_id: str) -> dict[str, Any]:
    """Mark the person's sign-up confirmed."""
    return native(tx.run(CONFIRM, id=activity_id, practitioner_id=practitioner_id).single()["joined"])


# What counts (attended, hours) changes only here: the statistics kept per process (graph/activity_stats.py
# CHANGE_KEY) read this counter; the listing's catalogue does not, so attendance never rebuilds it.
BUMP_ATTENDANCE = """
MERGE (r:Revision {id: 'activities'})
ON CREATE SET r.epoch = randomUUID()
SET r.attendance = coalesce(r.attendance, 0) + 1
"""


def record_attendance(tx: neo4j.ManagedTransaction, activity_id: str, rows: list[dict[str, Any]]) -> int:
    """Set attended/absent and hours for each {practitioner_id, attended, hours}; the number recorded."""
    recorded = tx.run(RECORD_ATTENDANCE, id=activity_id, rows=rows).single()["recorded"]
    tx.run(BUMP_ATTENDANCE).consume()
    return recorded


def participants(tx: neo4j.ManagedTransaction, activity_id: str) -> list[dict[str, Any]]:
    """Everyone who signed up, in the order they did, with whether their participation counts."""
    return [native(r["participant"]) for r in tx.run(PARTICIPANTS, id=activity_id)]


def of_practitioner(tx: neo4j.ManagedTransaction, practitioner_id: str) -> list[dict[str, Any]]:
    """The person's participations with their activities, latest start first."""
    return [native(r["participation"]) for r in tx.run(OF_PRACTITIONER, practitioner_id=practitioner_id)]


def invitees(
    tx: neo4j.ManagedTransaction, activity_id: str, practitioner_ids: list[str]
) -> list[dict[str, Any]]:
    """For each listed id: {pid, active, contact, invited, joined} (see INVITEES)."""
    return [dict(r) for r in tx.run(INVITEES, id=activity_id, ids=practitioner_ids)]


def invite(
    tx: neo4j.ManagedTransaction,
    activity_id: str,
    invitations: list[dict[str, str]],
    deadline: datetime | None,
) -> list[dict[str, Any]]:
    """Create a pending invitation for each {id, practitioner_id}."""
    result = tx.run(INVITE, id=activity_id, invitations=invitations, deadline=deadline)
    return [native(r["invitation"]) for r in result]


def invitations(tx: neo4j.ManagedTransaction, activity_id: str) -> list[dict[str, Any]]:
    """The activity's invitations, oldest first."""
    return [native(r["invitation"]) for r in tx.run(INVITATIONS, id=activity_id)]


def invitations_of(tx: neo4j.ManagedTransaction, practitioner_id: str) -> list[dict[str, Any]]:
    """The person's activity invitations, newest first."""
    return [native(r["invitation"]) for r in tx.run(MY_INVITATIONS, practitioner_id=practitioner_id)]


def invitation_of(
    tx: neo4j.ManagedTransaction, practitioner_id: str, invitation_id: str
) -> dict[str, Any] | None:
    """One of the person's activity invitations, or None."""
    record = tx.run(MY_INVITATION, practitioner_id=practitioner_id, invitation_id=invitation_id).single()
    return native(record["invitation"]) if record else None


def answer_invitation(
    tx: neo4j.ManagedTransaction, practitioner_id: str, invitation_id: str, status: str, reason: str | None
) -> dict[str, Any]:
    """Record the person's answer (accepted or declined, with the reason)."""
    record = tx.run(
        ANSWER_INVITATION, practitioner_id=practitioner_id, invitation_id=invitation_id, status=status,
        reason=reason,
    ).single()  # fmt: skip
    return native(record["invitation"])
