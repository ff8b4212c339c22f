"""The notification outbox: (n:Notification)-[:TO]->(p:Practitioner) and its (d:NotificationDelivery)-[:OF]->(n).

A notification is written in the transaction of the event it announces, with one delivery per channel: in-app is
`sent` at once, e-mail and SMS `pending` until the sender claims them. A claim marks a batch `sending` under one
lock node (so two senders never claim the same delivery) with a lease; a sender that dies leaves its claim to
lapse and the next one takes the unsent rest. Each attempt is appended to the delivery (`attempted_at`,
`attempt_errors`). A notification with a `ref` (a certificate and a threshold, say) is written once.
A complainant who is no practitioner has no TO relationship: their e-mail address sits on the delivery.
"""

from __future__ import annotations

from datetime import datetime
from typing import Any

import neo4j

from graph.cypher import cypher
from graph.records import native

# The chosen channels (JSON text or None) and which addresses each person has, by id.
PREFERENCES = """
UNWIND $ids AS pid
MATCH (p:Practitioner {id: pid})
RETURN pid AS id, p.notification_channels AS channels,
       coalesce(p.email, '') <> '' AS has_email, coalesce(p.phone, '') <> '' AS has_phone,
       p.deletion_requested_at IS NOT NULL AS deleted
"""

# Notifications with their deliveries, each unless one with its `ref` exists: rows of {ref, props, recipient_id,
# deliveries} (one for a single notice, several for a draw's invitations).
CREATE = """
UNWIND $rows AS row
MERGE (n:Notification {ref: row.ref})
ON CREATE SET n += row.props
WITH n, row WHERE n.id = row.props.id
OPTIONAL MATCH (p:Practitioner {id: row.recipient_id})
FOREACH (_ IN CASE WHEN p IS NULL THEN [] ELSE [1] END | CREATE (n)-[:TO]->(p))
WITH n, row
UNWIND row.deliveries AS delivery
CREATE (d:NotificationDelivery)-[:OF]->(n)
SET d += delivery, d.notification_id = n.id
RETURN DISTINCT n.id AS id
"""

SET_PREFERENCES = """
MATCH (p:Practitioner {id: $practitioner_id})
SET p.notification_channels = $channels
RETURN p.id AS id
"""

NOTIFICATION_FIELDS = """
n {.id, .kind, .channel, .title, .body, .created_at, .read_at,
   delivery: COLLECT { MATCH (d:NotificationDelivery)-[:OF]->(n)
                       RETURN d {.channel, .status, .attempts} ORDER BY d.channel }}
"""

PAGE = cypher(
    """
MATCH (n:Notification {recipient_id: $practitioner_id})
WHERE $unread IS NULL OR NOT $unread OR n.read_at IS NULL
WITH n ORDER BY n.created_at DESC, n.id SKIP $skip LIMIT $limit
RETURN""",
    NOTIFICATION_FIELDS,
    "AS notification",
)

COUNT = """
MATCH (n:Notification {recipient_id: $practitioner_id})
WHERE $unread IS NULL OR NOT $unread OR n.read_at IS NULL
RETURN count(n) AS total
"""

MARK_READ = cypher(
    """
MATCH (n:Notification {id: $id, recipient_id: $practitioner_id})
SET n.read_at = coalesce(n.read_at, $now)
RETURN""",
    NOTIFICATION_FIELDS,
    "AS notification",
)

# One lock node serialises claims: the claim statement runs after the lock is held, so it reads what the previous
# claimer committed and never takes a delivery another sender holds.
LOCK_SENDER = "MERGE (l:NotificationSenderLock {id: 'sender'}) SET l.locked_at = $now"

CLAIM = """
MATCH (d:NotificationDelivery)
WHERE ((d.status = 'pending' AND d.next_attempt_at <= $now) OR (d.status = 'sending' AND d.claimed_until < $now))
  AND d.channel IN $channels
WITH d ORDER BY d.next_attempt_at LIMIT $limit
SET d.status = 'sending', d.claim = $claim, d.claimed_until = $until
WITH d
MATCH (d)-[:OF]->(n:Notification)
OPTIONAL MATCH (n)-[:TO]->(p:Practitioner)
RETURN d.id AS id, d.channel AS channel, d.attempts AS attempts, n.id AS notification_id, n.kind AS kind,
       n.title AS title, n.body AS body,
       coalesce(d.address, CASE d.channel WHEN 'email' THEN p.email WHEN 'sms' THEN p.phone END) AS address
ORDER BY d.next_attempt_at
"""

# Attempts are written in groups (services/notification_sender.py's recorder): each row one delivery's attempt.
RECORD_ATTEMPTS = """
UNWIND $rows AS row
MATCH (d:NotificationDelivery {id: row.id, claim: $claim})
SET d.attempts = coalesce(d.attempts, 0) + 1,
    d.attempted_at = coalesce(d.attempted_at, []) + [row.at],
    d.attempt_errors = coalesce(d.attempt_errors, []) + [coalesce(row.error, '')],
    d.status = row.status, d.next_attempt_at = row.next_at, d.last_error = row.error,
    d.sent_at = CASE WHEN row.status = 'sent' THEN row.at ELSE d.sent_at END,
    d.claim = null, d.claimed_until = null
RETURN d.id AS id
"""

FAILED = """
MATCH (d:NotificationDelivery {status: 'failed'})-[:OF]->(n:Notification)
WITH d, n ORDER BY d.attempted_at[-1] DESC SKIP $skip LIMIT $limit
RETURN {delivery_id: d.id, notification_id: n.id, kind: n.kind, channel: d.channel, recipient_id: n.recipient_id,
        external: n.recipient_id IS NULL, attempts: d.attempts, attempted_at: d.attempted_at,
        errors: d.attempt_errors, created_at: n.created_at} AS failure
"""

FAILED_COUNT = "MATCH (d:NotificationDelivery {status: 'failed'}) RETURN count(d) AS total"

STATUS_COUNTS = "MATCH (d:NotificationDelivery) RETURN d.status AS status, count(*) AS count"


def preferences(tx: neo4j.ManagedTransaction, practitioner_id: str) -> dict[str, Any] | None:
    """The person's chosen channels (JSON text or None) and which addresses they have; None when unknown."""
    return preferences_of(tx, [practitioner_id]).get(practitioner_id)


def preferences_of(tx: neo4j.ManagedTransaction, ids: list[str]) -> dict[str, dict[str, Any]]:
    """`preferences` of several people at once, by id (unknown ids are left out)."""
    return {r["id"]: dict(r) for r in tx.run(PREFERENCES, ids=ids)}


def set_preferences(tx: neo4j.ManagedTransaction, practitioner_id: str, channels: str) -> bool:
    """Store the person's choice of channels (JSON text); False when there is no such person."""
    return tx.run(SET_PREFERENCES, practitioner_id=practitioner_id, channels=channels).single() is not None


def create(
    tx: neo4j.ManagedTransaction,
    ref: str,
    props: dict[str, Any],
    recipient_id: str | None,
    deliveries: list[dict[str, Any]],
) -> bool:
    """Write a notification and its deliveries unless one with `ref` exists; whether it was written."""
    row = {"ref": ref, "props": props, "recipient_id": recipient_id, "deliveries": deliveries}
    return bool(create_many(tx, [row]))


def create_many(tx: neo4j.ManagedTransaction, rows: list[dict[str, Any]]) -> set[str]:
    """`create` for several notifications ({ref, props, recipient_id, deliveries} rows); the ids written."""
    return {r["id"] for r in tx.run(CREATE, rows=rows)} if rows else set()


def page(
    tx: neo4j.ManagedTransaction, practitioner_id: str, unread: bool | None, skip: int, limit: int
) -> tuple[list[dict[str, Any]], int]:
    """A page of the person's notifications, newest first, and the total."""
    args = {"practitioner_id": practitioner_id, "unread": unread}
    items = [native(r["notification"]) for r in tx.run(PAGE, args, skip=skip, limit=limit)]
    return items, tx.run(COUNT, args).single(strict=True)["total"]


def unread_count(tx: neo4j.ManagedTransaction, practitioner_id: str) -> int:
    """How many of the person's notifications are unread."""
    return tx.run(COUNT, practitioner_id=practitioner_id, unread=True).single(strict=True)["total"]


def mark_read(
    tx: neo4j.ManagedTransaction, practitioner_id: str, notification_id: str, now: datetime
) -> dict[str, Any] | None:
    """Mark one of the person's notifications read (the first time counts); None when it is not theirs."""
    record = tx.run(MARK_READ, id=notification_id, practitioner_id=practitioner_id, now=now).single()
    return native(record["notification"]) if record else None


def claim(
    tx: neo4j.ManagedTransaction,
    claim_id: str,
    now: datetime,
    until: datetime,
    limit: int,
    channels: list[str],
) -> list[dict[str, Any]]:
    """Claim up to `limit` deliveries on `channels` due now (or left by a sender whose lease ran out)."""
    tx.run(LOCK_SENDER, now=now).consume()
    found = tx.run(CLAIM, claim=claim_id, now=now, until=until, limit=limit, channels=channels)
    return [dict(r) for r in found]


def record_attempts(tx: neo4j.ManagedTransaction, claim_id: str, rows: list[dict[str, Any]]) -> set[str]:
    """Append one attempt to each delivery this sender still holds ({id, at, status, error, next_at} rows);
    the ids recorded (a delivery whose claim was lost is not)."""
    return {r["id"] for r in tx.run(RECORD_ATTEMPTS, claim=claim_id, rows=rows)}


def failed(tx: neo4j.ManagedTransaction, skip: int, limit: int) -> tuple[list[dict[str, Any]], int]:
    """Deliveries that kept failing, latest attempt first (no addresses: the recipient's id only)."""
    items = [native(r["failure"]) for r in tx.run(FAILED, skip=skip, limit=limit)]
    return items, tx.run(FAILED_COUNT).single(strict=True)["total"]


def status_counts(tx: neo4j.ManagedTransaction) -> dict[str, int]:
    """Deliveries by status."""
    return {r["status"]: r["count"] for r in tx.run(STATUS_COUNTS)}


# --- What the events' messages say (services/notification_events.py) ----------------------------------------

DRAW_CONCEALS = "MATCH (d:Draw {id: $id}) RETURN coalesce(d.conceal_project, false) AS concealed"

EXPIRING = """
MATCH (p:Practitioner)-[:HOLDS]->(c:Certificate {status: 'valid'})
WHERE c.expires_on >= $today AND c.expires_on <= $until AND p.deletion_requested_at IS NULL
RETURN p.id AS practitioner_id, c.number AS number, c.work_type AS work_type, c.level AS level,
       c.expires_on AS expires_on
ORDER BY c.expires_on, c.number
"""

OPEN_INVITATIONS = """
MATCH (d:Draw)-[r:DREW {status: 'invited'}]->(p:Practitioner)
WHERE r.deadline > $now AND r.deadline <= $until
RETURN d.id AS draw_id, p.id AS practitioner_id, r.deadline AS deadline
"""

COMPLAINT_CONTACT = "MATCH (c:Complaint {id: $id}) RETURN c.contact_email AS email"

EXAM_FACTS = """
MATCH (a:Application {id: $application_id})
OPTIONAL MATCH (s:ExamSession {id: $session_id})
RETURN a.work_type AS work_type, a.level AS level, s.starts_at AS starts_at, s.day AS day
"""


def draw_conceals(tx: neo4j.ManagedTransaction, draw_id: str) -> bool:
    """Whether the draw keeps its title and organization out of invitations until the expert accepts."""
    record = tx.run(DRAW_CONCEALS, id=draw_id).single()
    return bool(record and record["concealed"])


def expiring(tx: neo4j.ManagedTransaction, today: Any, until: Any) -> list[dict[str, Any]]:
    """Valid certificates expiring between `today` and `until`, with their holders."""
    return [native(dict(r)) for r in tx.run(EXPIRING, today=today, until=until)]


def open_invitations(tx: neo4j.ManagedTransaction, now: datetime, until: datetime) -> list[dict[str, Any]]:
    """Unanswered invitations whose deadline falls between `now` and `until`."""
    return [native(dict(r)) for r in tx.run(OPEN_INVITATIONS, now=now, until=until)]


def complaint_contact(tx: neo4j.ManagedTransaction, complaint_id: str) -> str | None:
    """The e-mail address the complainant gave, if any."""
    record = tx.run(COMPLAINT_CONTACT, id=complaint_id).single()
    return record["email"] if record else None


def exam_facts(tx: neo4j.ManagedTransaction, application_id: str, session_id: str) -> dict[str, Any]:
    """An application's work type and level, and the session's start."""
    record = tx.run(EXAM_FACTS, application_id=application_id, session_id=session_id).single()
    return native(dict(record)) if record else {}
