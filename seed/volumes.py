"""What a national registry holds after some years besides its people: applications with training, exam sessions,
registrations and results (≈ 3 applications for every 10 people), evaluations of finished engagements, complaints
with their steps, misconduct records, expert draws (≈ 100 000 a year at a million people) with their seats
(invitations) and events, and the audit entries all of these write.

Shaped as the services write them (graph/applications.py, graph/exams.py, graph/evaluations.py,
graph/complaints.py, graph/misconduct.py, graph/draws.py, graph/audit.py): the same labels, properties and links.
Built batch by batch from a `SyntheticRegistry`'s batches, deterministic for a (seed, today). The audit entries
are chained in time order by `AuditSpool` with the real entry builder (`registry.audit.new_entry`), so the real
verifier checks them. Generated draws carry no seal or signature (as draws made before seals existed): the
bench verifies the draws it makes itself.
"""

from __future__ import annotations

import json
import pickle
import random
import tempfile
import uuid
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from datetime import UTC, date, datetime, time, timedelta
from pathlib import Path
from typing import Any

from registry.applications import fee_for, valid_until
from registry.audit import GENESIS, Actor, changes, entry_hash, new_entry
from registry.draw_record import seed_commitment
from registry.evaluations import DEFAULT_CRITERIA
from registry.exams import THEORY_SUBJECT
from seed.distributions import OCCUPATION_START, WORK_TYPE_CHOICE
from seed.numbering import new_id

YEARS = 2  # the span the volumes cover, ending today
APPLICATIONS_PER_PERSON = 0.3  # ≈ 3 applications for every 10 people (issue 24)
FROM_CERTIFICATE_SHARE = 0.5  # of them, the application a held certificate was issued from
REGISTERED_SHARE, SAT_SHARE, PASS_SHARE = 0.85, 0.9, 0.55
EVALUATED_SHARE = 0.6  # of the team members of a finished engagement
COMPLAINTS_PER_PERSON = 0.01
UPHELD_SHARE, DISMISSED_SHARE = 0.3, 0.4  # the rest still received or investigating
DIRECT_MISCONDUCT_PER_PERSON = 0.002
DRAWS_PER_PERSON_YEAR = 0.1  # ≈ 100 000 draws a year at a million people (issue 24)
ACCEPT, DECLINE = 0.85, 0.10  # a panel seat's answer; the rest never answer
SESSION_CAPACITY = 2000
RESPONSE_HOURS = 72
MISCONDUCT = (("undisclosed_conflict", 6), ("confidentiality_breach", 6), ("refused_draw", 3))
PURPOSES = (("review_panel", 5, 2), ("verification_review", 1, 2), ("policy_advice", 3, 2))

ADMINS = tuple(Actor("key", "admin", f"adm{n:03d}", f"省级管理员{n}") for n in range(31))
ORGANIZATION_KEY = Actor("key", "organization", "org001", "机构用户")


@dataclass
class Volume:
    """One batch's records: nodes by label (property dicts), links by name (start, end, properties), and the
    audit entries they write (not yet chained: at, actor, entity, entity_id, action, changes, subjects)."""

    nodes: dict[str, list[dict[str, Any]]] = field(default_factory=dict)
    links: dict[str, list[tuple[Any, Any, dict[str, Any]]]] = field(default_factory=dict)
    audit: list[tuple[Any, ...]] = field(default_factory=list)

    def node(self, label: str, props: dict[str, Any]) -> dict[str, Any]:
        self.nodes.setdefault(label, []).append(props)
        return props

    def link(self, name: str, start: Any, end: Any, **props: Any) -> None:
        self.links.setdefault(name, []).append((start, end, props))

    def record(self, at: datetime, actor: Actor, entity: str, entity_id: str | None, action: str,
               diff: dict[str, Any], subjects: list[str]) -> None:  # fmt: skip
        self.audit.append((at, actor, entity, entity_id, action, diff, subjects))


def exam_sessions(today: date) -> list[dict[str, Any]]:
    """Two theory sittings a month since the occupation began (online on the 10th, offline on the 24th)."""
    sessions, month = [], OCCUPATION_START.replace(day=1)
    while month <= today:
        for day, mode in ((10, "online"), (24, "offline")):
            on = month.replace(day=day)
            starts = datetime.combine(on, time(9), UTC)
            key = str(uuid.uuid5(uuid.NAMESPACE_URL, f"exam-session:{on.isoformat()}"))
            sessions.append({"id": key, "starts_at": starts,
                             "ends_at": starts + timedelta(hours=2), "day": on, "subject": THEORY_SUBJECT,
                             "capacity": SESSION_CAPACITY, "mode": mode,
                             "created_at": starts - timedelta(days=60)})  # fmt: skip
        month = (month + timedelta(days=32)).replace(day=1)
    return sessions


def batch_volume(seed: int, number: int, batch: Any, organizations: dict[str, dict[str, Any]], today: date,
                 sessions: list[dict[str, Any]]) -> Volume:  # fmt: skip
    """The volumes of one batch of a synthetic registry (`number` is its position; it seeds the choices)."""
    rng = random.Random(f"{seed}:volumes:{number}")
    volume = Volume()
    start = today - timedelta(days=365 * YEARS)
    held: dict[str, list[dict[str, Any]]] = {}
    for certificate in batch.certificates:
        held.setdefault(certificate["practitioner_id"], []).append(certificate)
    for person in batch.practitioners:
        if rng.random() < APPLICATIONS_PER_PERSON:
            _application(rng, volume, person["id"], held.get(person["id"], []), start, today, sessions)
        if rng.random() < COMPLAINTS_PER_PERSON:
            _complaint(rng, volume, person["id"], start, today)
        if rng.random() < DIRECT_MISCONDUCT_PER_PERSON:
            _misconduct(rng, volume, person["id"], None, _moment(rng, start, today))
    for engagement in batch.engagements:
        _evaluations(rng, volume, engagement, organizations, today)
    # Who may sit on a panel of each work type at each lowest level asked for (level 1 is the highest).
    pools: dict[tuple[str, int], list[str]] = {}
    for min_level in (2, 3):
        for work_type in {c["work_type"] for c in batch.certificates}:
            pools[(work_type, min_level)] = sorted({
                c["practitioner_id"] for c in batch.certificates
                if c["work_type"] == work_type and c["level"] <= min_level and c.get("status", "valid") == "valid"
            })  # fmt: skip
    draws = round(len(batch.practitioners) * DRAWS_PER_PERSON_YEAR * YEARS)
    for _ in range(draws):
        _draw(rng, volume, pools, organizations, start, today)
    return volume


# --- Applications and exams ----------------------------------------------------------------------------------


def _application(rng, volume, pid, certificates, start, today, sessions) -> None:
    origin = certificates[0] if certificates and rng.random() < FROM_CERTIFICATE_SHARE else None
    if origin is not None:
        work_type, level = origin["work_type"], origin["level"]
        registered_on = origin["issued_on"] - timedelta(days=rng.randint(90, 200))
    else:
        work_type, level = WORK_TYPE_CHOICE.pick(rng), rng.choice((4, 4, 4, 3))
        registered_on = _moment(rng, start, today).date()
    created = datetime.combine(registered_on, time(9), UTC) + timedelta(seconds=rng.randint(0, 30000))
    admin = rng.choice(ADMINS)
    params = {"id": new_id(rng), "work_type": work_type, "level": level, "registered_on": registered_on,
              "valid_until": valid_until(registered_on), "fee_cny": fee_for(work_type, level).amount,
              "related_work_years": rng.randint(1, 12)}  # fmt: skip
    eligibility = {"eligible": True, "level": level, "reasons": []}
    app = volume.node("Application", params | {"eligibility": json.dumps(eligibility), "created_at": created})
    volume.link("application_by", app["id"], pid)
    diff = changes(None, params | {"practitioner_id": pid})
    volume.record(created, admin, "application", app["id"], "create", diff, [pid])
    at = created + timedelta(days=rng.randint(5, 40))
    for part, hours in (("basic", 40), (work_type, 20)):
        record = {
            "id": new_id(rng),
            "part": part,
            "hours": hours,
            "completed_on": at.date(),
            "mode": "online",
        }
        volume.node("TrainingRecord", record | {"created_at": at})
        volume.link("has_training", app["id"], record["id"])
        details = {k: v for k, v in record.items() if k != "completed_on"} | {"completed_on": str(at.date())}
        volume.record(at, admin, "application", app["id"], "training", details, [pid])
    if origin is None and rng.random() > REGISTERED_SHARE:
        return
    later = [s for s in sessions if s["day"] > at.date()]
    if not later:
        return
    session = later[0] if origin is None else _session_before(sessions, origin["issued_on"])
    registered_at = min(at + timedelta(days=3), session["starts_at"] - timedelta(days=1))
    volume.link("registered_for", app["id"], session["id"], at=registered_at)
    volume.record(registered_at, admin, "application", app["id"], "register",
                  {"session_id": session["id"], "attempt": 1}, [pid])  # fmt: skip
    if session["day"] >= today or (origin is None and rng.random() > SAT_SHARE):
        return
    passed = origin is not None or rng.random() < PASS_SHARE
    score = rng.randint(60, 98) if passed else rng.randint(25, 59)
    recorded = session["ends_at"] + timedelta(days=rng.randint(7, 20))
    result = {
        "id": new_id(rng),
        "score": score,
        "passed": passed,
        "attempt": 1,
        "free": False,
        "source": "import",
    }
    volume.node("ExamResult", result | {"recorded_at": recorded})
    volume.link("result_of", result["id"], app["id"])
    volume.link("in_session", result["id"], session["id"])
    after = {k: v for k, v in result.items() if k != "id"} | {
        "application_id": app["id"],
        "session_id": session["id"],
    }
    volume.record(recorded, ADMINS[0], "exam_result", result["id"], "record", changes(None, after), [pid])
    if origin is not None:
        volume.link("from_result", origin["number"], result["id"])
        certified = recorded + timedelta(days=1)
        volume.record(certified, ADMINS[0], "exam_result", result["id"], "certify",
                      {"number": origin["number"], "application_id": app["id"]}, [pid])  # fmt: skip


def _session_before(sessions: list[dict[str, Any]], day: date) -> dict[str, Any]:
    earlier = [s for s in sessions if s["day"] < day - timedelta(days=30)]
    return earlier[-1] if earlier else sessions[0]


# --- Evaluations, complaints, misconduct ---------------------------------------------------------------------


def _evaluations(rng, volume, engagement, organizations, today) -> None:
    end_on = engagement.get("end_on")
    if engagement["status"] != "completed" or end_on is None or end_on > today:
        return
    client = organizations.get(engagement["client_id"])
    criteria = [c.code for c in DEFAULT_CRITERIA]
    for member in engagement["team"]:
        if rng.random() > EVALUATED_SHARE:
            continue
        pid = member["practitioner_id"]
        scores = [rng.randint(60, 100) for _ in criteria]
        score = round(sum(s * c.weight for s, c in zip(scores, DEFAULT_CRITERIA, strict=True)) / 100, 1)
        on = min(today, end_on + timedelta(days=rng.randint(1, 30)))
        at = datetime.combine(on, time(10), UTC)
        evaluation = volume.node("Evaluation", {
            "id": new_id(rng), "pair": f"{engagement['id']}|{pid}", "score": score, "work_type": engagement["kind"],
            "criteria": criteria, "criterion_scores": scores, "weights": [c.weight for c in DEFAULT_CRITERIA],
            "effective": True, "on_time": True, "due_on": end_on + timedelta(days=30), "created_on": on,
            "created_at": at, "entered_by": f"{ORGANIZATION_KEY.prefix} {ORGANIZATION_KEY.label}",
        })  # fmt: skip
        volume.link("evaluation_of", evaluation["id"], pid)
        volume.link("for_engagement", evaluation["id"], engagement["id"])
        if client is not None:
            volume.link("evaluation_by", evaluation["id"], client["id"])
        after = {"engagement_id": engagement["id"], "practitioner_id": pid, "score": score,
                 "scores": dict(zip(criteria, scores, strict=True)), "work_type": engagement["kind"]}  # fmt: skip
        volume.record(
            at, ORGANIZATION_KEY, "evaluation", evaluation["id"], "create", changes(None, after), [pid]
        )


def _complaint(rng, volume, pid, start, today) -> None:
    at = _moment(rng, start, today)
    admin = rng.choice(ADMINS)
    complaint = volume.node("Complaint", {"id": new_id(rng), "text": "（投诉内容）", "status": "received",
                                          "created_at": at, "created_on": at.date(), "filed_by": admin.prefix,
                                          "filer_role": "admin"})  # fmt: skip
    volume.link("complaint_about", complaint["id"], pid)
    _complaint_event(volume, rng, complaint["id"], "received", "filed", at, admin.prefix)
    after = {"practitioner_id": pid, "engagement_id": None, "status": "received"}
    volume.record(
        at, admin, "complaint", complaint["id"], "file", changes(None, after) | {"text": "changed"}, [pid]
    )
    roll = rng.random()
    if roll > UPHELD_SHARE + DISMISSED_SHARE:
        return
    status = "upheld" if roll < UPHELD_SHARE else "dismissed"
    decided = min(at + timedelta(days=rng.randint(5, 60)), datetime.combine(today, time(8), UTC))
    complaint["status"], complaint["updated_at"] = status, decided
    _complaint_event(volume, rng, complaint["id"], status, "调查结论", decided, admin.prefix)
    diff = changes({"status": "received"}, {"status": status}) | {"reason": "调查结论"}
    volume.record(decided, admin, "complaint", complaint["id"], "decide", diff, [pid])
    if status == "upheld":
        _misconduct(rng, volume, pid, complaint["id"], decided + timedelta(minutes=5))


def _complaint_event(volume, rng, complaint_id, status, reason, at, by) -> None:
    event = volume.node(
        "ComplaintEvent", {"id": new_id(rng), "status": status, "reason": reason, "at": at, "by": by}
    )
    volume.link("complaint_event", complaint_id, event["id"])


def _misconduct(rng, volume, pid, complaint_id, at) -> None:
    category, points = rng.choice(MISCONDUCT)
    admin = rng.choice(ADMINS)
    occurred = at.date() - timedelta(days=rng.randint(10, 90))
    origin = "complaint" if complaint_id else "manual"
    record = volume.node("MisconductRecord", {
        "id": new_id(rng), "category": category, "points": points, "occurred_on": occurred, "recorded_on": at.date(),
        "evidence": "（证据材料编号）", "note": None, "origin": origin, "effective": True, "created_at": at,
        "entered_by": f"{admin.prefix} {admin.label}",
    })  # fmt: skip
    volume.link("has_record", pid, record["id"])
    if complaint_id:
        volume.link("from_complaint", record["id"], complaint_id)
    after = {"practitioner_id": pid, "category": category, "points": points, "occurred_on": occurred,
             "origin": origin, "complaint_id": complaint_id, "certificate_number": None}  # fmt: skip
    volume.record(at, admin, "record", record["id"], "create", changes(None, after), [pid])


# --- Draws, their seats (invitations) and events -------------------------------------------------------------


def _draw(rng, volume, pools, organizations, start, today) -> None:
    purpose, size, reserves = rng.choice(PURPOSES)
    min_level = 2 if purpose == "review_panel" else 3
    work_type = WORK_TYPE_CHOICE.pick(rng)
    pool = pools.get((work_type, min_level), [])
    if not pool:
        return
    created = _moment(rng, start, today)
    order = rng.sample(pool, min(len(pool), size + reserves))
    organization = rng.choice(list(organizations.values())) if rng.random() < 0.8 else None
    admin = rng.choice(ADMINS)
    by = f"{admin.prefix} {admin.label}"
    secret = f"{rng.getrandbits(256):064x}"
    draw_id = new_id(rng)
    panel_date = created.date() + timedelta(days=rng.randint(7, 30))
    events: list[dict[str, Any]] = []

    def event(kind: str, at: datetime, **props: Any) -> None:
        seq = len(events) + 1
        events.append({"seq": seq, "kind": kind, "at": at, "draw_id": draw_id, "key": f"{draw_id}:{seq}", "by": by}
                      | {k: v for k, v in props.items() if v is not None})  # fmt: skip

    event("created", created, detail=seed_commitment(secret))
    event("sealed", created, count=len(pool))
    settled = created + timedelta(hours=rng.randint(2, RESPONSE_HOURS))
    open_draw = settled > datetime.combine(today, time(0), UTC)
    seats, accepted = [], 0
    for position, pid in enumerate(order, start=1):
        role = "panel" if position <= size else "reserve"
        event("selected", created, practitioner_id=pid, order=position, role=role)
        seat = {"order": position, "role": role, "status": "standby", "via": "draw"}
        if role == "panel":
            deadline = created + timedelta(hours=RESPONSE_HOURS)
            event("invited", created, practitioner_id=pid, deadline=deadline)
            seat |= {"status": "invited", "invited_at": created, "deadline": deadline}
            if not open_draw:
                roll = rng.random()
                answer = (
                    "accepted" if roll < ACCEPT else "declined" if roll < ACCEPT + DECLINE else "no_response"
                )
                event("responded", settled, practitioner_id=pid, response=answer)
                seat |= {"status": answer, "responded_at": settled}
                accepted += answer == "accepted"
        seats.append((pid, seat))
    for pid, seat in seats:
        volume.link("drew", draw_id, pid, **seat)
    status = "inviting" if open_draw else "complete" if accepted >= size else "short"
    shortfall = max(0, size - len(order))
    draw = {"id": draw_id, "purpose": purpose, "title": f"{work_type} 专家抽取", "organization_id":
            organization["id"] if organization else None, "work_type": work_type, "min_level": min_level,
            "size": size, "reserves": reserves, "panel_date": panel_date, "reference_date": panel_date,
            "secret": secret, "seed_commitment": seed_commitment(secret), "seed": secret[:16],
            "candidate_count": len(pool), "matched_count": len(pool), "window_years": 3, "draw_cap": 4,
            "response_hours": RESPONSE_HOURS, "created_by": by}  # fmt: skip
    volume.node("Draw", draw | {"created_at": created, "updated_at": settled if not open_draw else created,
                                "status": status, "shortfall": shortfall, "disclosed": False,
                                "event_count": len(events)})  # fmt: skip
    if organization is not None:
        volume.link("draw_for", draw_id, organization["id"])
    for props in events:
        volume.node("DrawEvent", props)
        volume.link("draw_event", draw_id, props["key"])
    seated = [pid for pid, _ in seats]
    after = {k: v for k, v in draw.items() if k != "secret"}
    volume.record(
        created, admin, "draw", draw_id, "create", changes(None, after) | {"shortfall": shortfall}, seated
    )
    if not open_draw:
        responded = [e["practitioner_id"] for e in events if e["kind"] == "responded"]
        volume.record(settled, admin, "draw", draw_id, "respond", {"events": ["responded"] * len(responded)},
                      responded)  # fmt: skip


# --- The audit chain -----------------------------------------------------------------------------------------


class AuditSpool:
    """Collects the batches' audit entries on disk by month, then chains them in time order (`chained`)."""

    def __init__(self, folder: Path | None = None) -> None:
        self.folder = Path(tempfile.mkdtemp(prefix="audit-spool-", dir=folder))
        self.handles: dict[str, Any] = {}

    def add(self, entries: list[tuple[Any, ...]]) -> None:
        by_month: dict[str, list[tuple[Any, ...]]] = {}
        for entry in entries:
            by_month.setdefault(entry[0].strftime("%Y-%m"), []).append(entry)
        for month, rows in by_month.items():
            if month not in self.handles:
                self.handles[month] = (self.folder / f"{month}.pickle").open("wb")
            pickle.dump(rows, self.handles[month], protocol=pickle.HIGHEST_PROTOCOL)

    def chained(self, start_seq: int = 0, start_hash: str = GENESIS) -> Iterator[dict[str, Any]]:
        """Every entry as stored (seq, links, hash), oldest first; the spool is removed afterwards."""
        for handle in self.handles.values():
            handle.close()
        for month in sorted(self.handles):
            path = self.folder / f"{month}.pickle"
            rows: list[tuple[Any, ...]] = []
            with path.open("rb") as handle:
                while True:
                    try:
                        rows.extend(pickle.load(handle))  # written by this object
                    except EOFError:
                        break
            path.unlink()
            rows.sort(key=lambda row: row[0])
            for entry in chain(rows, start_seq, start_hash):
                start_seq, start_hash = entry["seq"], entry["hash"]
                yield entry
        self.folder.rmdir()


def chain(
    rows: Iterable[tuple[Any, ...]], start_seq: int = 0, start_hash: str = GENESIS
) -> Iterator[dict[str, Any]]:
    """Audit entries (at, actor, entity, entity_id, action, changes, subjects) in order, as stored: numbered,
    linked and hashed by the real builder, each with a request id of its own."""
    seq, previous = start_seq, start_hash
    for at, actor, entity, entity_id, action, diff, subjects in rows:
        seq += 1
        request = Actor(actor.kind, actor.role, actor.prefix, actor.label, f"req-{seq:010d}")
        entry = new_entry(seq, previous, at.isoformat(timespec="microseconds"), request, entity=entity,
                          entity_id=entity_id, action=action, changes=diff, subjects=subjects)  # fmt: skip
        previous = entry["hash"]
        yield entry


def filler_chain(count: int, today: date, seed: int = 7) -> Iterator[dict[str, Any]]:
    """A stored chain of `count` entries of the services' kinds in time order over the span, about made-up people,
    for the audit check's benchmark (no records behind them): each hashed with `entry_hash` like any entry, the
    change's JSON text written once (it is the same for all)."""
    rng = random.Random(f"{seed}:audit-filler")
    start = datetime.combine(today - timedelta(days=365 * YEARS), time(0), UTC)
    step = timedelta(days=365 * YEARS) / max(1, count)
    kinds = (("application", "create"), ("application", "training"), ("application", "register"),
             ("exam_result", "record"), ("evaluation", "create"), ("draw", "create"), ("draw", "respond"))  # fmt: skip
    diff = {"level": {"before": None, "after": 4}, "work_type": {"before": None, "after": "verification"}}
    text = json.dumps(
        diff, sort_keys=True, ensure_ascii=False, default=str
    )  # as registry.audit.new_entry writes it
    previous = GENESIS
    for n in range(count):
        entity, action = kinds[n % len(kinds)]
        admin = ADMINS[n % len(ADMINS)]
        content = {"seq": n + 1, "at": (start + step * n).isoformat(timespec="microseconds"), "actor_kind": admin.kind,
                   "actor_role": admin.role, "actor_prefix": admin.prefix, "actor_label": admin.label,
                   "request_id": f"req-{n + 1:010d}", "entity": entity, "entity_id": f"{rng.getrandbits(122):031x}",
                   "action": action, "changes": text, "subjects": [f"p-{rng.getrandbits(40):012x}"]}  # fmt: skip
        digest = entry_hash(previous, content)
        content["previous_hash"], content["hash"], previous = previous, digest, digest
        yield content


def _moment(rng: random.Random, start: date, today: date) -> datetime:
    days = (today - start).days
    return datetime.combine(start, time(0), UTC) + timedelta(
        days=rng.randint(0, days - 1), seconds=rng.randint(28800, 64800)
    )
