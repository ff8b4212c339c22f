"""The anomaly queue for supervisors (issue 23 §4): the scan that writes findings, and the queue's use cases.

For the API and the portal (admin and government only; the callers check the role):
- `list(ctx, filters, page, per_page) -> Page`: findings, highest score first; filters `kind`, `status`, `region`
  (a province takes in its cities), `person` (practitioner id), `organization` (organization id).
- `get(ctx, id) -> dict`: one finding with what it concerns (practitioners, organizations, engagements, regions),
  its `evidence` (a dict), every decision with its reason, and the misconduct records it opened; NotFound (404).
- `decide(ctx, id, data) -> dict`: `data = {status: reviewing|confirmed|dismissed, reason, open_misconduct?,
  practitioner_id?, category?, occurred_on?}`; 400 without a reason, 404 unknown, 409 once confirmed or dismissed.
- `kinds() -> list[dict]`: the finding kinds with their Chinese names, descriptions and sources.
- `scan(ctx, progress=callback) -> dict`: run every kind (registry/integrity.py), idempotent and resumable.
"""

from __future__ import annotations

import builtins
import json
import uuid
from collections.abc import Callable, Iterable
from datetime import date
from typing import Any

import neo4j

from graph import findings as repo
from graph import practitioners as practitioner_repo
from graph.records import found
from graph.rotation import familiar_pairs
from registry import integrity as rules
from registry.circles import CLIENT, PROVIDER, VERIFIER, Work, find_circles
from registry.errors import NotFound, NotPermitted, ValidationFailed
from registry.misconduct import category_for, validate_record_dates
from registry.rotation import ROTATION_RULE
from services import audit, credit, reference
from services.context import Context, Page
from services.credit import entered_by
from services.misconduct import write_record

Row = dict[str, Any]
BATCH = 500
LIVE = [rules.OPEN, rules.REVIEWING]


def _row(
    kind: str,
    subject: Iterable[Any],
    score: float,
    evidence: dict[str, Any],
    *,
    practitioners: Iterable[str] = (),
    organizations: Iterable[str] = (),
    engagements: Iterable[str] = (),
    regions: Iterable[str] = (),
) -> Row:
    return {
        "key": rules.finding_key(kind, *subject),
        "kind": kind,
        "score": score,
        # sorted keys: the same evidence is the same text, so a re-scan of unchanged facts rewrites nothing
        "evidence": json.dumps(evidence, sort_keys=True, ensure_ascii=False, default=str),
        "practitioners": sorted(set(practitioners)),
        "organizations": sorted(set(o for o in organizations if o)),
        "engagements": sorted(set(engagements)),
        "regions": sorted(set(regions)),
    }


def _signed_not_on_site(ctx: Context) -> builtins.list[Row]:
    found_rows = ctx.graph.read(repo.signed_not_on_site, builtins.list(rules.SITE_VISIT_KINDS))
    return [
        _row(
            rules.SIGNED_NOT_ON_SITE,
            (r["engagement_id"], r["practitioner_id"]),
            rules.signed_not_on_site_score(r["team_visited"]),
            {
                "practitioner_id": r["practitioner_id"],
                "engagement_id": r["engagement_id"],
                "role": "signer",
                "start_on": r["start_on"],
                "end_on": r["end_on"],
                "site_visits_of_signer": 0,
                "team_visited": r["team_visited"],
            },
            practitioners=[r["practitioner_id"]],
            organizations=r["organization_ids"],
            engagements=[r["engagement_id"]],
        )
        for r in found_rows
    ]


def _two_places(ctx: Context) -> builtins.list[Row]:
    return [
        _row(
            rules.TWO_PLACES,
            (r["practitioner_id"], r["day"]),
            rules.two_places_score(len(r["provinces"])),
            {
                "practitioner_id": r["practitioner_id"],
                "date": r["day"],
                "provinces": sorted(r["provinces"]),
                "visits": sorted(
                    r["visits"], key=lambda v: (v["province"], v["region"], v["engagement_id"] or "")
                ),
            },
            practitioners=[r["practitioner_id"]],
            engagements=[v["engagement_id"] for v in r["visits"] if v["engagement_id"]],
            regions=r["provinces"],
        )
        for r in ctx.graph.read(repo.two_places)
    ]


def _overload(ctx: Context) -> builtins.list[Row]:
    threshold = rules.THRESHOLDS.overload_max_concurrent
    rows = []
    for person in ctx.graph.read(repo.overload_candidates, threshold):
        spans = [
            span
            for e in person["engagements"]
            if (
                span := rules.span_of(e["id"], e.get("start_on"), e.get("end_on"), e.get("status"), ctx.today)
            )
        ]
        peak, day, engagement_ids = rules.peak_concurrency(spans)
        if peak <= threshold or day is None:
            continue
        rows.append(
            _row(
                rules.OVERLOAD,
                (person["practitioner_id"], day.year),
                rules.overload_score(peak, threshold),
                {
                    "practitioner_id": person["practitioner_id"],
                    "peak": peak,
                    "date": day,
                    "threshold": threshold,
                    "engagement_ids": builtins.list(engagement_ids),
                },
                practitioners=[person["practitioner_id"]],
                engagements=engagement_ids,
            )
        )
    return rows


def _familiar_pair(ctx: Context) -> builtins.list[Row]:
    threshold = ROTATION_RULE.warn_at
    rows = []
    for pair in ctx.graph.read(familiar_pairs, threshold):
        verifier, client = pair["verifier"], pair["client"]
        person = verifier["type"] == "practitioner"
        rows.append(
            _row(
                rules.FAMILIAR_PAIR,
                (verifier["type"], verifier["id"], client["id"]),
                rules.familiar_pair_score(pair["consecutive_years"], threshold),
                {
                    "verifier": {"type": verifier["type"], "id": verifier["id"]},
                    "client_id": client["id"],
                    "years": pair["years"],
                    "consecutive_years": pair["consecutive_years"],
                    "threshold": threshold,
                    "engagement_ids": pair["engagement_ids"],
                },
                practitioners=[verifier["id"]] if person else [],
                organizations=[client["id"]] + ([] if person else [verifier["id"]]),
                engagements=pair["engagement_ids"],
            )
        )
    return rows


def _closed_circle(ctx: Context) -> builtins.list[Row]:
    works = [
        Work(w["engagement_id"], w["client_id"], w["provider_id"], w["verifier_ids"])
        for w in ctx.graph.read(repo.verification_work)
    ]
    rows = []
    for found_circle in find_circles(works, rules.THRESHOLDS):
        circle, members = found_circle.circle, found_circle.members
        organizations = [*members[PROVIDER], *members[CLIENT]]
        rows.append(
            _row(
                rules.CLOSED_CIRCLE,
                (rules.circle_subject(organizations),),
                rules.circle_score(circle.cohesion, circle.exclusivity),
                {
                    "verifier_ids": builtins.list(members[VERIFIER]),
                    "provider_ids": builtins.list(members[PROVIDER]),
                    "client_ids": builtins.list(members[CLIENT]),
                    "engagement_ids": builtins.list(found_circle.engagement_ids),
                    "cohesion": circle.cohesion,
                    "exclusivity": circle.exclusivity,
                    "thresholds": {
                        "cohesion": rules.THRESHOLDS.circle_min_cohesion,
                        "exclusivity": rules.THRESHOLDS.circle_min_exclusivity,
                    },
                    "method": rules.WACHS_KERTESZ,
                },
                practitioners=members[VERIFIER],
                organizations=organizations,
                engagements=found_circle.engagement_ids,
            )
        )
    return rows


DETECTORS: dict[str, Callable[[Context], builtins.list[Row]]] = {
    rules.SIGNED_NOT_ON_SITE: _signed_not_on_site,
    rules.TWO_PLACES: _two_places,
    rules.OVERLOAD: _overload,
    rules.FAMILIAR_PAIR: _familiar_pair,
    rules.CLOSED_CIRCLE: _closed_circle,
}


def scan(ctx: Context, progress: Callable[[int], Any] | None = None) -> dict[str, Any]:
    """Run every kind and write its findings by key: a re-scan refreshes undecided findings and never reopens a
    decided one. An interrupted scan run is resumed at the kinds it had not finished. `progress(1)` per kind.
    Answers `{scan_id, resumed, counts: {kind: {found, created, refreshed, decided}}}`."""
    run, resumed = ctx.graph.write(repo.open_or_start_scan, str(uuid.uuid4()))
    scan_id, counts = run["id"], json.loads(run["counts"] or "{}")
    for kind, detect in DETECTORS.items():
        if kind not in run["done"]:
            rows = builtins.list({row["key"]: row for row in detect(ctx)}.values())
            totals = {"found": len(rows), "created": 0, "refreshed": 0, "decided": 0}
            for start in range(0, len(rows), BATCH):
                written = ctx.graph.write(repo.upsert, rows[start : start + BATCH], scan_id, LIVE)
                for name, value in written.items():
                    totals[name] += value
            counts[kind] = totals
            ctx.graph.write(_kind_done, ctx, scan_id, kind, counts)
        if progress is not None:
            progress(1)
    ctx.graph.write(_finish, ctx, scan_id, counts)
    return {"scan_id": scan_id, "resumed": resumed, "counts": counts}


def _kind_done(
    tx: neo4j.ManagedTransaction, ctx: Context, scan_id: str, kind: str, counts: dict[str, Any]
) -> None:
    repo.kind_done(tx, scan_id, kind, json.dumps(counts, sort_keys=True))
    audit.record(tx, ctx, "integrity_scan", scan_id, "kind_done", details={"kind": kind, **counts[kind]})


def _finish(tx: neo4j.ManagedTransaction, ctx: Context, scan_id: str, counts: dict[str, Any]) -> None:
    repo.finish_scan(tx, scan_id)
    created = sum(c["created"] for c in counts.values())
    audit.record(
        tx, ctx, "integrity_scan", scan_id, "finish", details={"created": created, "kinds": len(counts)}
    )


# --- The queue -------------------------------------------------------------------------------------------------


def _present(view: dict[str, Any]) -> dict[str, Any]:
    return {**view, "evidence": json.loads(view["evidence"]) if view.get("evidence") else {}}


def kinds() -> builtins.list[dict[str, str]]:
    """The finding kinds, with Chinese name, description and source."""
    return [kind.to_dict() for kind in rules.KINDS.values()]


def list(ctx: Context, filters: dict[str, Any], page: int, per_page: int) -> Page:
    """A page of findings, highest score first, by kind, status, region, person and organization."""
    filters = {k: (str(v) if v is not None else None) for k, v in filters.items()}
    reference.check_codes(ctx.graph, filters, {"region": "regions"})
    items, total = ctx.graph.read(repo.search, filters, (page - 1) * per_page, per_page)
    return Page([_present(item) for item in items], total)


def get(ctx: Context, finding_id: str) -> dict[str, Any]:
    """One finding with its subjects, evidence, decisions and misconduct records; NotFound when unknown."""
    return _present(found(ctx.graph.read(repo.get, finding_id), "finding", finding_id))


def _record_subject(view: dict[str, Any], data: dict[str, Any]) -> str:
    concerned = [p["id"] for p in view["practitioners"]]
    chosen = str(data["practitioner_id"]) if data.get("practitioner_id") else None
    if chosen is None and len(concerned) == 1:
        return concerned[0]
    if chosen is None or chosen not in concerned:
        raise ValidationFailed(
            {"practitioner_id": ["Name the person the misconduct record is for: one the finding concerns."]}
        )
    return chosen


# Misconduct records are entered by administrators everywhere (docs/credit.md); a government supervisor confirms
# a finding and leaves the record to them.
MISCONDUCT_BY_ADMINS = (
    "Only an administrator opens a misconduct record (as POST .../records); confirm without it."
)


def decide(ctx: Context, finding_id: str, data: dict[str, Any]) -> dict[str, Any]:
    """A supervisor moves a finding on (open → reviewing → confirmed | dismissed) with a reason, recorded in the
    audit chain; a confirmation with `open_misconduct` also writes a misconduct record linked to the finding."""
    reason = (data.get("reason") or "").strip()
    if not reason:
        raise ValidationFailed({"reason": ["Missing data for required field."]})
    wants_record = bool(data.get("open_misconduct"))
    if wants_record and ctx.actor.role != "admin":
        raise NotPermitted(MISCONDUCT_BY_ADMINS)
    errors = rules.misconduct_problems(data.get("status") or "", wants_record)
    occurred_on: date = data.get("occurred_on") or ctx.today
    if wants_record:
        errors |= validate_record_dates(occurred_on, ctx.today)
        if data.get("category") is not None:
            category_for(data["category"], credit.rules(ctx).catalogue)
    if errors:
        raise ValidationFailed(errors)

    def work(tx: neo4j.ManagedTransaction) -> dict[str, Any]:
        current = repo.lock(tx, finding_id)
        if current is None:
            raise NotFound(f"No finding with id {finding_id}.")
        status = rules.next_status(current, data.get("status") or "")
        view = found(repo.get(tx, finding_id), "finding", finding_id)
        record_id = None
        if wants_record:
            subject = _record_subject(view, data)
            practitioner_repo.lock(tx, [subject])
            record_id = write_record(
                tx, ctx, subject, data.get("category") or rules.MISCONDUCT_CATEGORY[view["kind"]], occurred_on,
                evidence=f"integrity finding {finding_id} ({view['kind']})", note=reason, origin="integrity_finding",
            )  # fmt: skip
        repo.decide(tx, finding_id, current, status, reason, entered_by(ctx), record_id)
        audit.record(
            tx, ctx, "finding", finding_id, "decide",
            before={"status": current}, after={"status": status},
            details={"reason": reason, "kind": view["kind"], "misconduct_record_id": record_id},
            subjects=[p["id"] for p in view["practitioners"]],
        )  # fmt: skip
        return _present(found(repo.get(tx, finding_id), "finding", finding_id))

    return ctx.graph.write(work)


def engagement_flags(tx: neo4j.ManagedTransaction, engagement_id: str) -> builtins.list[dict[str, Any]]:
    """The findings that concern an engagement (for its risk answer), inside the caller's transaction."""
    return repo.engagement_flags(tx, engagement_id)
