"""A draw's event log: seats, invitations and their deadlines, refills of vacated seats.

Nothing of a draw is edited: each step is a new event, and the seats (the DREW relationships) are the replay of
the events. A decline or a lapsed invitation calls the next reserve; once reserves run out, the next candidate along
the same sealed order is drawn as a replacement (logged as such); when nobody is left, the draw records a shortfall,
and the rules (财库〔2016〕198号) then let an administrator appoint someone, with a reason.
"""

from __future__ import annotations

from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from datetime import datetime, timedelta

from registry.draw_record import (
    PANEL,
    RESERVE,
    Selection,
    candidate_hash,
    employer_clash,
    sealed_order,
    seed_commitment,
    seed_for,
    select,
)
from registry.draws import SEATED_STATUSES, Exclusion, SealedCandidate
from registry.errors import InvalidTransition, NotFound

# standby: a reserve not (yet) called; skipped: a reserve passed over when its turn came.
SEAT_STATUSES: tuple[str, ...] = ("standby", "invited", "accepted", "declined", "no_response", "skipped")
RESPONSES: tuple[str, ...] = ("accepted", "declined", "no_response")
# accepted → declined is a withdrawal; declined and no_response are final.
TRANSITIONS: dict[str, frozenset[str]] = {
    "invited": frozenset(RESPONSES),
    "accepted": frozenset({"declined"}),
}
VACATING: frozenset[str] = frozenset({"declined", "no_response"})
VIAS: tuple[str, ...] = ("draw", "reserve", "replacement", "appointed")
DRAW_STATUSES: tuple[str, ...] = ("inviting", "complete", "short")


# --- Events and seats ----------------------------------------------------------------------------------------

EVENT_KINDS: tuple[str, ...] = (
    "created",  # seed commitment recorded
    "sealed",  # candidate set fixed: count, hash, seed
    "excluded",  # an avoidance exclusion found when sealing (one per rule and person)
    "selected",  # a pick along the sealed order (panel or reserve)
    "invited",  # an invitation with its deadline
    "responded",  # accepted / declined / no_response, with who recorded it and why
    "skipped",  # a reserve or candidate passed over when a seat was refilled, with the rule
    "reserve_called",  # the next reserve takes a vacated seat
    "replacement_drawn",  # reserves ran out: the next candidate along the sealed order takes it
    "shortfall",  # the pool could not fill the panel
    "appointed",  # an administrator filled a short seat from elsewhere, with a reason
    "disclosed",  # names shown to non-admin roles from now on
    "note",  # a correction or remark: never an edit of an earlier event
)


@dataclass(frozen=True)
class DrawEvent:
    seq: int
    kind: str
    at: datetime
    practitioner_id: str | None = None
    order: int | None = None
    role: str | None = None
    response: str | None = None
    replaces: str | None = None
    rule: str | None = None
    detail: str | None = None  # a reason, an exclusion's detail, the commitment of `created`
    by: str | None = None
    deadline: datetime | None = None
    count: int | None = None
    path: str | None = None  # an exclusion's evidence path (indirect conflicts), canonical JSON


@dataclass(frozen=True)
class Seat:
    practitioner_id: str
    order: int | None  # position in the sealed order; None for an appointment
    role: str
    status: str
    via: str
    replaces: str | None = None
    invited_at: datetime | None = None
    deadline: datetime | None = None
    reason: str | None = None
    responded_at: datetime | None = None


@dataclass
class DrawState:
    """A draw's seats and flags, as the replay of its events makes them."""

    size: int
    seats: dict[str, Seat] = field(default_factory=dict)
    exhausted: bool = False  # a refill found nobody left in the sealed order
    disclosed: bool = False

    def apply(self, event: DrawEvent) -> None:
        """Apply one event; unknown or informational kinds change nothing."""
        pid = event.practitioner_id
        seat = self.seats.get(pid) if pid is not None else None
        if event.kind == "selected" and pid is not None and event.role is not None:
            status = "standby" if event.role == RESERVE else "invited"
            self.seats[pid] = Seat(pid, event.order, event.role, status, "draw")
        elif event.kind == "invited" and seat is not None:
            self.seats[pid] = replace(seat, status="invited", invited_at=event.at, deadline=event.deadline)
        elif event.kind == "responded" and seat is not None and event.response is not None:
            self.seats[pid] = replace(seat, status=event.response, reason=event.detail, responded_at=event.at)
        elif event.kind == "skipped" and seat is not None and seat.status == "standby":
            self.seats[pid] = replace(seat, status="skipped", reason=event.detail)
        elif event.kind == "reserve_called" and seat is not None:
            self.seats[pid] = replace(seat, role=PANEL, via="reserve", replaces=event.replaces)
        elif event.kind == "replacement_drawn" and pid is not None:
            self.seats[pid] = Seat(pid, event.order, PANEL, "invited", "replacement", event.replaces)
        elif event.kind == "appointed" and pid is not None:
            self.seats[pid] = Seat(
                pid, None, PANEL, "accepted", "appointed", event.replaces, reason=event.detail
            )
        elif event.kind == "shortfall":
            self.exhausted = True
        elif event.kind == "disclosed":
            self.disclosed = True

    @property
    def panel(self) -> list[Seat]:
        """Seats on the panel, including those who declined or never answered (with that status)."""
        return [s for s in self.seats.values() if s.role == PANEL]

    @property
    def reserves(self) -> list[Seat]:
        """Reserves not called (standby or skipped), in order."""
        return sorted((s for s in self.seats.values() if s.role == RESERVE), key=lambda s: s.order or 0)

    @property
    def seated(self) -> list[Seat]:
        """Panel seats held now: invited or accepted."""
        return [s for s in self.panel if s.status in SEATED_STATUSES]

    @property
    def shortfall(self) -> int:
        """Seats the pool could not fill (0 while reserves or candidates remain)."""
        return max(0, self.size - len(self.seated)) if self.exhausted else 0

    @property
    def status(self) -> str:
        """complete when every seat has accepted, short when the pool ran out, else inviting."""
        if sum(1 for s in self.panel if s.status == "accepted") >= self.size:
            return "complete"
        return "short" if self.shortfall else "inviting"


def replay(size: int, events: Iterable[DrawEvent]) -> DrawState:
    """The draw's state after its events, in sequence order."""
    state = DrawState(size)
    for event in sorted(events, key=lambda e: e.seq):
        state.apply(event)
    return state


# --- Invitations ---------------------------------------------------------------------------------------------


def deadline_for(invited_at: datetime, response_hours: int) -> datetime:
    """When an invitation made at `invited_at` lapses."""
    return invited_at + timedelta(hours=response_hours)


def check_response(state: DrawState, practitioner_id: str, response: str, now: datetime) -> Seat:
    """The seat a response applies to; raise NotFound or InvalidTransition when the response is not allowed."""
    if response not in RESPONSES:
        raise ValueError(f"unknown response {response!r}")
    seat = state.seats.get(practitioner_id)
    if seat is None or seat.role != PANEL:
        raise NotFound(
            f"practitioner {practitioner_id} holds no invitation in this draw",
            practitioner_id=practitioner_id,
        )
    allowed = TRANSITIONS.get(seat.status, frozenset())
    if response not in allowed:
        raise InvalidTransition(
            f"cannot record {response} for an invitation that is {seat.status}",
            practitioner_id=practitioner_id,
            current_status=seat.status,
            response=response,
        )
    if response == "accepted" and seat.deadline is not None and now > seat.deadline:
        raise InvalidTransition(
            f"the invitation lapsed at {seat.deadline.isoformat()}; it counts as no response",
            practitioner_id=practitioner_id,
            current_status=seat.status,
            response=response,
        )
    return seat


def overdue(state: DrawState, now: datetime) -> list[Seat]:
    """Invitations whose deadline has passed without an answer, oldest deadline first."""
    late = [s for s in state.panel if s.status == "invited" and s.deadline is not None and s.deadline < now]
    return sorted(late, key=lambda s: (s.deadline, s.order or 0))


# --- Refilling a vacated seat --------------------------------------------------------------------------------


@dataclass(frozen=True)
class Call:
    """Who takes a vacated seat: a reserve, a replacement from the sealed order, or nobody (a shortfall)."""

    practitioner_id: str | None
    via: str | None  # reserve | replacement | None
    order: int | None
    skipped: tuple[Exclusion, ...]


def next_call(
    state: DrawState,
    order: Sequence[SealedCandidate],
    blocked: Callable[[str], Sequence[Exclusion]],
) -> Call:
    """The next reserve in order, else the first candidate along the sealed order not yet in the draw.

    `blocked(id)` gives the avoidance rules a person falls under now (e.g. seated on another panel that day since
    the draw); such people are skipped and the skip recorded. One expert per employer holds across the seats held.
    """
    employers = {c.id: c.employers for c in order}
    taken: dict[str, tuple[str, int | None]] = {}
    for seat in state.seated:
        for org in employers.get(seat.practitioner_id, ()):
            taken[org] = (seat.practitioner_id, seat.order)
    skipped: list[Exclusion] = []

    def fits(pid: str) -> bool:
        found = list(blocked(pid))
        if not found:
            clash = employer_clash(employers.get(pid, ()), taken)
            if clash is not None:
                found = [Exclusion(pid, "same_employer", clash)]
        skipped.extend(found)
        return not found

    for seat in state.reserves:
        if seat.status == "standby" and fits(seat.practitioner_id):
            return Call(seat.practitioner_id, "reserve", seat.order, tuple(skipped))
    for position, candidate in enumerate(order, start=1):
        if candidate.id not in state.seats and fits(candidate.id):
            return Call(candidate.id, "replacement", position, tuple(skipped))
    return Call(None, None, None, tuple(skipped))


def check_appointment(state: DrawState, practitioner_id: str) -> None:
    """An appointment fills a seat the pool could not; raise InvalidTransition otherwise."""
    if state.shortfall <= 0:
        raise InvalidTransition("the draw has no shortfall; seats are filled from the sealed order")
    seat = state.seats.get(practitioner_id)
    if seat is not None and seat.status in SEATED_STATUSES:
        raise InvalidTransition(
            f"practitioner {practitioner_id} already holds a seat", practitioner_id=practitioner_id
        )


# --- Writing events ----------------------------------------------------------------------------------------

Blocked = Callable[[str], Sequence[Exclusion]]


def _never_blocked(_practitioner_id: str) -> Sequence[Exclusion]:
    return ()


class EventLog:
    """New events for one draw, numbered after the stored ones and applied to the state as they are added."""

    def __init__(self, state: DrawState, next_seq: int = 1) -> None:
        self.state = state
        self.next_seq = next_seq
        self.events: list[DrawEvent] = []

    def add(self, kind: str, at: datetime, **values: object) -> DrawEvent:
        """Append an event of `kind` and apply it."""
        if kind not in EVENT_KINDS:
            raise ValueError(f"unknown draw event {kind!r}")
        event = DrawEvent(self.next_seq, kind, at, **values)  # type: ignore[arg-type]
        self.next_seq += 1
        self.state.apply(event)
        self.events.append(event)
        return event


@dataclass(frozen=True)
class Opening:
    """A new draw sealed: the values to store and its first events."""

    seed_commitment: str
    candidate_hash: str
    seed: str
    order: tuple[SealedCandidate, ...]
    skipped: tuple[Exclusion, ...]  # same_employer along the order
    log: EventLog


def open_draw(
    draw_id: str,
    secret: str,
    candidates: Sequence[SealedCandidate],
    exclusions: Sequence[Exclusion],
    size: int,
    reserves: int,
    now: datetime,
    response_hours: int,
    by: str | None = None,
) -> Opening:
    """Seal the candidate lines (the format that keeps every line), select along the order, invite the panel."""
    hashed = candidate_hash(candidates)
    order = sealed_order(seed_for(secret, draw_id, hashed), candidates)
    selection = select(order, size, reserves)
    return open_sealed(
        draw_id, secret, hashed, len(candidates), order, selection, exclusions, now, response_hours, by
    )


def open_sealed(
    draw_id: str,
    secret: str,
    hashed: str,
    count: int,
    order: Sequence[SealedCandidate],
    selection: Selection,
    exclusions: Sequence[Exclusion],
    now: datetime,
    response_hours: int,
    by: str | None = None,
) -> Opening:
    """The first events of a draw whose candidates are sealed as `hashed` and whose selection is made along
    `order`: commitment, sealing, exclusions, picks, invitations, any shortfall."""
    log = EventLog(DrawState(len(selection.panel) + selection.shortfall))
    commitment = seed_commitment(secret)
    log.add("created", now, detail=commitment, by=by)
    seed = seed_for(secret, draw_id, hashed)
    log.add("sealed", now, count=count, detail=f"candidate_hash={hashed} seed={seed}", by=by)
    for exclusion in exclusions:
        log.add(
            "excluded",
            now,
            practitioner_id=exclusion.practitioner_id,
            rule=exclusion.rule,
            detail=exclusion.detail,
            path=exclusion.path,
        )
    for skip in selection.skipped:
        log.add("excluded", now, practitioner_id=skip.practitioner_id, rule=skip.rule, detail=skip.detail)
    deadline = deadline_for(now, response_hours)
    for pick in (*selection.panel, *selection.reserves):
        log.add("selected", now, practitioner_id=pick.practitioner_id, order=pick.order, role=pick.role)
    for pick in selection.panel:
        log.add("invited", now, practitioner_id=pick.practitioner_id, deadline=deadline)
    if selection.shortfall:
        log.add("shortfall", now, count=selection.shortfall, detail="the pool cannot fill the panel")
    return Opening(commitment, hashed, seed, tuple(order), selection.skipped, log)


def refill(
    log: EventLog,
    order: Sequence[SealedCandidate],
    vacated: str,
    now: datetime,
    response_hours: int,
    blocked: Blocked = _never_blocked,
) -> Call:
    """Fill the seat `vacated` left: next reserve, else a replacement along the order, else a shortfall."""
    call = next_call(log.state, order, blocked)
    for skip in call.skipped:
        log.add(
            "skipped",
            now,
            practitioner_id=skip.practitioner_id,
            rule=skip.rule,
            detail=skip.detail,
            path=skip.path,
        )
    if call.practitioner_id is None:
        log.add(
            "shortfall", now, replaces=vacated, count=1, detail="reserves and the sealed order are used up"
        )
        return call
    kind = "reserve_called" if call.via == "reserve" else "replacement_drawn"
    log.add(kind, now, practitioner_id=call.practitioner_id, order=call.order, replaces=vacated)
    log.add("invited", now, practitioner_id=call.practitioner_id, deadline=deadline_for(now, response_hours))
    return call


def record_response(
    log: EventLog,
    order: Sequence[SealedCandidate],
    practitioner_id: str,
    response: str,
    now: datetime,
    response_hours: int,
    reason: str | None = None,
    by: str | None = None,
    blocked: Blocked = _never_blocked,
) -> None:
    """Record an answer to an invitation; a decline or no response refills the seat."""
    check_response(log.state, practitioner_id, response, now)
    log.add("responded", now, practitioner_id=practitioner_id, response=response, detail=reason, by=by)
    if response in VACATING:
        refill(log, order, practitioner_id, now, response_hours, blocked)


def lapse_overdue(
    log: EventLog,
    order: Sequence[SealedCandidate],
    now: datetime,
    response_hours: int,
    blocked: Blocked = _never_blocked,
) -> int:
    """Record `no_response` for every invitation past its deadline and refill those seats; return how many."""
    lapsed = 0
    while late := overdue(log.state, now):
        seat = late[0]
        log.add(
            "responded",
            now,
            practitioner_id=seat.practitioner_id,
            response="no_response",
            detail="deadline passed",
            by="system",
        )
        refill(log, order, seat.practitioner_id, now, response_hours, blocked)
        lapsed += 1
    return lapsed


def appoint(log: EventLog, practitioner_id: str, reason: str, now: datetime, by: str | None = None) -> None:
    """Fill a short seat with someone the administrator appoints (from another pool or by name), with a reason."""
    check_appointment(log.state, practitioner_id)
    if not reason.strip():
        raise InvalidTransition("an appointment needs a reason")
    log.add("appointed", now, practitioner_id=practitioner_id, detail=reason, by=by)


def disclose(log: EventLog, now: datetime, by: str | None = None) -> None:
    """Show the panel's names to non-admin roles from now on (财库〔2016〕198号: confidential until announced)."""
    if log.state.disclosed:
        raise InvalidTransition("the draw is already disclosed")
    log.add("disclosed", now, by=by)
