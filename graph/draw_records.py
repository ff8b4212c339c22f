"""Draw records at the graph's boundary: stored properties and rows ↔ the registry's draw values (events, seats,
sealed candidates, candidate facts, exclusions), so graph/draws.py keeps the statements and their transaction steps."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date, datetime
from typing import Any

from graph.records import native
from registry.certificates import CertificateFacts
from registry.draw_commit import stored_order
from registry.draw_log import DrawEvent, Seat
from registry.draw_record import sealed_order
from registry.draws import (
    Booking,
    CandidateFacts,
    Declaration,
    Employment,
    EngagementTie,
    Exclusion,
    Sanction,
    SealedCandidate,
    Unavailability,
)


def as_day(value: Any) -> date | None:
    """A date from a Neo4j Date, a DateTime, a Python date or an ISO string (owners may store either)."""
    value = native(value)
    if value is None:
        return None
    if isinstance(value, datetime):
        return value.date()
    if isinstance(value, date):
        return value
    return date.fromisoformat(str(value)[:10])


def candidate_facts(record: Any) -> CandidateFacts:
    """CandidateFacts from a record of FACTS_PROJECTION."""
    row = native(dict(record))
    return CandidateFacts(
        id=row["id"],
        status=row["status"] or "active",
        certificates=tuple(
            CertificateFacts(
                c["number"], c["work_type"], c["level"], c["status"], c["issued_on"], c.get("expires_on")
            )
            for c in row["certificates"]
        ),
        regions=frozenset(row["regions"]),
        industries=frozenset(row["industries"] or ()),
        specialties=frozenset(row["specialties"]),
        employments=tuple(
            Employment(e["organization_id"], as_day(e["since"]), as_day(e["until"]))
            for e in row["employments"]
        ),
        engagements=tuple(
            EngagementTie(
                e["engagement_id"],
                e["client_id"],
                as_day(e["start_on"]),
                as_day(e["end_on"]),
                e["status"] or "active",
            )
            for e in row["engagements"]
        ),
        declarations=tuple(
            Declaration(
                d["id"], d["organization_id"], d["relationship"], as_day(d["starts_on"]), as_day(d["ends_on"])
            )
            for d in row["declarations"]
        ),
        sanctions=tuple(
            Sanction(
                s["id"],
                s["kind"],
                as_day(s["starts_on"]) or date.min,
                as_day(s["until"]),
                as_day(s["lifted_on"]),
            )
            for s in row["sanctions"]
        ),
        unavailability=tuple(
            Unavailability(
                a["id"], as_day(a["starts_on"]) or date.min, as_day(a["ends_on"]) or date.max, a["reason"]
            )
            for a in row["unavailability"]
        ),
        bookings=tuple(
            Booking(
                b["draw_id"],
                as_day(b["panel_date"]),
                as_day(b["drawn_on"]) or date.min,
                b["role"],
                b["status"],
            )
            for b in row["bookings"]
        ),
    )


def pool_facts(record: Any) -> CandidateFacts:
    """CandidateFacts holding only the pool-wide facts (barring certificates, sanctions) of a matched record."""
    row = native(dict(record))
    empty = ("regions", "industries", "specialties", "employments", "engagements", "declarations",
             "unavailability", "bookings")  # fmt: skip
    bare: dict[str, Any] = {key: [] for key in empty} | {"status": "active"}
    return candidate_facts(bare | {k: row[k] for k in ("id", "certificates", "sanctions")})


def event_properties(event: DrawEvent) -> dict[str, Any]:
    """A DrawEvent as node properties (None values left out)."""
    values = {
        "seq": event.seq,
        "kind": event.kind,
        "at": event.at,
        "practitioner_id": event.practitioner_id,
        "order": event.order,
        "role": event.role,
        "response": event.response,
        "replaces": event.replaces,
        "rule": event.rule,
        "detail": event.detail,
        "by": event.by,
        "deadline": event.deadline,
        "count": event.count,
        "path": event.path,
    }
    return {key: value for key, value in values.items() if value is not None}


def event_from(properties: dict[str, Any]) -> DrawEvent:
    """A DrawEvent from its stored properties."""
    row = native(properties)
    return DrawEvent(
        seq=row["seq"],
        kind=row["kind"],
        at=row["at"],
        practitioner_id=row.get("practitioner_id"),
        order=row.get("order"),
        role=row.get("role"),
        response=row.get("response"),
        replaces=row.get("replaces"),
        rule=row.get("rule"),
        detail=row.get("detail"),
        by=row.get("by"),
        deadline=row.get("deadline"),
        count=row.get("count"),
        path=row.get("path"),
    )


def seat_properties(seat: Seat) -> dict[str, Any]:
    """A seat as DREW properties; `practitioner_id` picks the node."""
    return {
        "practitioner_id": seat.practitioner_id,
        "order": seat.order,
        "role": seat.role,
        "status": seat.status,
        "via": seat.via,
        "replaces": seat.replaces,
        "invited_at": seat.invited_at,
        "deadline": seat.deadline,
        "reason": seat.reason,
        "responded_at": seat.responded_at,  # read by issue 13's /me invitations
    }


def seat_from(properties: dict[str, Any]) -> Seat:
    """A Seat from stored DREW properties."""
    row = native(properties)
    return Seat(
        practitioner_id=row["practitioner"]["id"] if "practitioner" in row else row["practitioner_id"],
        order=row.get("order"),
        role=row["role"],
        status=row["status"],
        via=row.get("via") or "draw",
        replaces=row.get("replaces"),
        invited_at=row.get("invited_at"),
        deadline=row.get("deadline"),
        reason=row.get("reason"),
        responded_at=row.get("responded_at"),
    )


def sealed_candidates(lines: Iterable[str]) -> tuple[SealedCandidate, ...]:
    """The stored candidate lines (`id|employer,employer`) back as SealedCandidates."""
    result = []
    for line in lines:
        pid, _, employers = line.partition("|")
        result.append(SealedCandidate(pid, tuple(e for e in employers.split(",") if e)))
    return tuple(result)


def sealed_order_of(view: dict[str, Any]) -> tuple[SealedCandidate, ...]:
    """A stored draw's sealed order: the reach it keeps (merkle-v2), or every line sorted by order key (before)."""
    if view.get("candidate_reach"):
        return stored_order(view["candidate_reach"])
    return sealed_order(view["seed"], sealed_candidates(view.get("candidates") or ()))


def candidate_line(candidate: SealedCandidate) -> str:
    """One stored candidate line (the candidate hash covers these lines, each with a newline)."""
    return f"{candidate.id}|{','.join(sorted(candidate.employers))}"


def exclusion_from(row: dict[str, Any]) -> Exclusion:
    """An Exclusion from an EXCLUDED view row."""
    return Exclusion(row["practitioner_id"], row["rule"], row["detail"] or "", row.get("path"))
