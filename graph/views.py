"""The read model of a practitioner: the one view every screen and answer starts from, resolved for a date.

A view holds personal data (`id_card_tail`, `phone`, `email`); `interface/presenters.py` decides who sees it.
Certificates in a view carry their status *as of the given day* (a valid certificate past its expiry
reads as expired even before the nightly job has recorded it).
"""

from __future__ import annotations

from datetime import date, datetime
from typing import Any

import neo4j

from graph.cypher import cypher
from graph.pools import CURRENT_MEMBER
from graph.records import native
from registry import visibility
from registry.certificates import CertificateFacts, effective_status

# Instants and certificate dates come back as ISO strings and are parsed here: the driver's own temporal types
# cost several times more to decode (a page of 20 views: 3.7 ms instead of 5.2 ms).
INSTANTS = ("created_at", "updated_at", "deleted_at", "deletion_requested_at")

PRACTITIONER_VIEW = cypher(
    """
p {.id, .name, .gender, .education, .enrolled, .work_start_year, .status, .public_profile, .bio,
    .id_card_tail, .phone, .email, .visibility,
    contact_for_activities: coalesce(p.contact_for_activities, true),
    created_at: toString(p.created_at), updated_at: toString(p.updated_at), deleted_at: toString(p.deleted_at),
    deletion_requested_at: toString(p.deletion_requested_at),
    region: COLLECT { MATCH (p)-[:BASED_IN]->(r:Region) RETURN r {.code, .name_zh} }[0],
    employer: COLLECT { MATCH (p)-[e:EMPLOYED_BY]->(o:Organization) WHERE e.until IS NULL
                        RETURN o {.id, .name, .kind, since: e.since} }[0],
    specialties: COLLECT { MATCH (p)-[:HAS_SPECIALTY]->(s:Specialty)
                           RETURN s {.code, .name_zh, .category} ORDER BY s.code },
    industries: COLLECT { MATCH (p)-[:EXPERIENCED_IN]->(i:Industry) RETURN i {.code, .name_zh} ORDER BY i.code },
    qualifications: COLLECT { MATCH (p)-[h:HAS_QUALIFICATION]->(q:Qualification)
                              RETURN q {.code, .name_zh, number: h.number, since: h.since,
                                        status: coalesce(h.status, 'confirmed')} ORDER BY q.code },
    pools: COLLECT { MATCH (p)-[m:MEMBER_OF]->(pool:Pool) WHERE""",
    CURRENT_MEMBER,
    """RETURN pool.code ORDER BY pool.code DESC },
    draws_served: COUNT { MATCH (:Draw)-[:DREW {status: 'accepted'}]->(p) },
    last_draw_on: COLLECT { MATCH (d:Draw)-[:DREW {status: 'accepted'}]->(p)
                            RETURN coalesce(d.panel_date, date(d.created_at)) AS day ORDER BY day DESC LIMIT 1 }[0],
    certificates: COLLECT { MATCH (p)-[:HOLDS]->(c:Certificate)
                            RETURN c {.number, .work_type, .level, .status,
                                      issued_on: toString(c.issued_on), expires_on: toString(c.expires_on)}
                            ORDER BY c.issued_on, c.number }
}
""",
)

PRACTITIONER_VIEWS = cypher(
    """
UNWIND $ids AS id
MATCH (p:Practitioner {id: id})
RETURN""",
    PRACTITIONER_VIEW,
    "AS practitioner",
)


def certificate_as_of(certificate: dict[str, Any], today: date) -> dict[str, Any]:
    """A stored certificate with `status` as of `today` (a valid one past its expiry reads as expired)."""
    facts = CertificateFacts(
        number=certificate["number"],
        work_type=certificate["work_type"],
        level=certificate["level"],
        status=certificate["status"],
        issued_on=certificate["issued_on"],
        expires_on=certificate.get("expires_on"),
    )
    return {**certificate, "status": effective_status(facts, today)}


def _instant(text: str | None) -> datetime | None:
    # A zone id (`…+08:00[Asia/Shanghai]`) adds nothing to the offset before it.
    return datetime.fromisoformat(text.partition("[")[0]) if text else None


def _day(text: str | None) -> date | None:
    return date.fromisoformat(text) if text else None


def _as_of(view: dict[str, Any], today: date) -> dict[str, Any]:
    certificates = [
        {**c, "issued_on": _day(c["issued_on"]), "expires_on": _day(c["expires_on"])}
        for c in view.get("certificates") or []
    ]
    return {
        **view,
        **{name: _instant(view.get(name)) for name in INSTANTS},
        "certificates": [certificate_as_of(c, today) for c in certificates],
        # The person's per-field visibility choices (registry/visibility.py), decoded from their stored form.
        "visibility": visibility.decode(view.get("visibility")),
    }


def practitioners(tx: neo4j.ManagedTransaction, ids: list[str], today: date) -> dict[str, dict[str, Any]]:
    """The views of these practitioners as of `today`, by id (ids not stored are absent)."""
    return {
        record["practitioner"]["id"]: _as_of(native(record["practitioner"]), today)
        for record in tx.run(PRACTITIONER_VIEWS, ids=list(ids), today=today)
    }


def practitioner(tx: neo4j.ManagedTransaction, practitioner_id: str, today: date) -> dict[str, Any] | None:
    """One practitioner's view as of `today`, or None."""
    return practitioners(tx, [practitioner_id], today).get(practitioner_id)


def in_order(views: dict[str, dict[str, Any]], ids: list[str]) -> list[dict[str, Any]]:
    """The views of `ids` in that order (ids that vanished meanwhile are skipped)."""
    return [views[i] for i in ids if i in views]
