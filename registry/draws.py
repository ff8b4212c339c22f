"""Expert panel draws (专家抽取): purposes, panel size, criteria and avoidance (回避), as data with their sources.

Where each rule comes from:

- 政府采购法实施条例 (2015) art. 9 — people in a procurement must step aside (回避) when, within the three years
  before it, they were employed by the supplier, sat on its board or supervisory board, or controlled it; when they
  are a close relative of its legal representative; or when any other relationship could affect fairness.
- 财库〔2016〕198号 《政府采购评审专家管理办法》 — review experts are drawn at random from the expert pool; experts
  with a conflict step aside; when absence or avoidance leaves a panel short, experts are drawn again (补抽), and
  when that cannot fill it the purchaser may select experts itself; the panel's names stay confidential until the
  result is announced; experts with misconduct records are barred.
- NDRC order 26 of 2024 (bid-evaluation experts and expert pools, in force 2025-01-01) — bid-evaluation panels
  drawn at random from the pool with the same avoidance, of five or more members and an odd number (as in the
  Bidding Law, 招标投标法 art. 37: 五人以上单数).
- The brochure (seed-docs) — what the 国家级碳排放专家库 is for: review panels, verification, standards, question
  banks, policy advice, enterprises' carbon-peak and neutrality consulting; the expert pool is level 2 and 1.

The numbers this registry chooses itself (the 3-year window follows art. 9; the yearly cap of 6, the 48-hour reply
window and the reserve count are registry defaults, not figures from the sources) live in `DrawRules`, which a
JSON config may override through `rules_from_mapping`.

The avoidance rules and the tunable numbers (`DrawRules`) are in `registry/draw_rules.py`; sealing, ordering,
selection, invitations and verification are in `registry/draw_record.py`.
"""

from __future__ import annotations

import json
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from registry.certificates import CertificateFacts, effective_status
from registry.declarations import LOOKBACK_YEARS
from registry.draw_rules import DEFAULT_RULES, EXCLUSION_CODES, DrawRules
from registry.misconduct import in_force
from registry.taxonomy import LEVEL_RANKS, WORK_TYPE_CODES

# --- Purposes and panel size ---------------------------------------------------------------------------------


@dataclass(frozen=True)
class Purpose:
    code: str
    name_zh: str
    name_en: str
    min_size: int  # fewest experts a draw for this purpose may ask for
    source: str


BIDDING_SOURCE = "招标投标法 art. 37; NDRC order 26 of 2024 (五人以上单数)"
BROCHURE_SOURCE = "brochure: what the 国家级碳排放专家库 serves"

PURPOSES: tuple[Purpose, ...] = (
    Purpose("review_panel", "专家评审组", "Expert review panel", 5, BIDDING_SOURCE),
    Purpose("verification_review", "核查评审", "Review of verification work", 1, "财库〔2016〕198号"),
    Purpose("standard_drafting", "标准编写", "Drafting standards", 1, BROCHURE_SOURCE),
    Purpose("question_bank", "题库建设", "Question bank and textbooks", 1, BROCHURE_SOURCE),
    Purpose("policy_advice", "政策咨询", "Policy advice", 1, BROCHURE_SOURCE),
    Purpose("consulting", "碳达峰碳中和咨询", "Carbon-peak and neutrality consulting", 1, BROCHURE_SOURCE),
)
PURPOSE_CODES: tuple[str, ...] = tuple(p.code for p in PURPOSES)
PURPOSE_BY_CODE: dict[str, Purpose] = {p.code: p for p in PURPOSES}

ODD_FROM = 5  # a panel of this many or more must have an odd number of members (BIDDING_SOURCE)
MAX_SIZE = 25  # registry limit: a larger "panel" is a list, not a draw
MAX_RESERVES = 10
DEFAULT_RESERVES = 2  # registry default: two ordered reserves
DEFAULT_MIN_LEVEL = 2  # the expert pool: level 2 or 1 (brochure)


def size_problems(purpose: str, size: int, reserves: int) -> dict[str, list[str]]:
    """Field errors for a draw's size and reserves; empty when they follow the rules."""
    errors: dict[str, list[str]] = {}
    rule = PURPOSE_BY_CODE.get(purpose)
    if rule is None:
        errors["purpose"] = [f"Unknown purpose; use one of {', '.join(PURPOSE_CODES)}."]
    if size < 1 or size > MAX_SIZE:
        errors["size"] = [f"A draw asks for 1 to {MAX_SIZE} experts."]
    elif rule is not None and size < rule.min_size:
        errors["size"] = [f"A {rule.code} needs at least {rule.min_size} experts ({rule.source})."]
    elif size >= ODD_FROM and size % 2 == 0:
        errors["size"] = [
            f"A panel of {ODD_FROM} or more must have an odd number of members ({BIDDING_SOURCE})."
        ]
    if reserves < 0 or reserves > MAX_RESERVES:
        errors["reserves"] = [f"A draw keeps 0 to {MAX_RESERVES} reserves."]
    return errors


# --- Facts about a candidate, as the graph hands them over ---------------------------------------------------


@dataclass(frozen=True)
class Employment:
    organization_id: str
    since: date | None = None
    until: date | None = None  # None: still employed


@dataclass(frozen=True)
class EngagementTie:
    engagement_id: str
    client_id: str
    start_on: date | None = None
    end_on: date | None = None  # None: not ended
    status: str = "active"


@dataclass(frozen=True)
class Declaration:
    id: str
    organization_id: str
    relationship: str
    starts_on: date | None = None
    ends_on: date | None = None  # None: ongoing


@dataclass(frozen=True)
class Sanction:
    id: str
    kind: str
    starts_on: date
    until: date | None = None  # None: indefinite
    lifted_on: date | None = None


@dataclass(frozen=True)
class Unavailability:
    id: str
    starts_on: date
    ends_on: date  # inclusive
    reason: str | None = None


@dataclass(frozen=True)
class Booking:
    """A seat the person holds or held on another draw."""

    draw_id: str
    panel_date: date | None
    drawn_on: date
    role: str  # panel | reserve
    status: str


@dataclass(frozen=True)
class CandidateFacts:
    id: str
    status: str = "active"  # practitioner status: only active people are drawn
    certificates: tuple[CertificateFacts, ...] = ()
    regions: frozenset[str] = frozenset()  # the region based in and every region it is part of
    industries: frozenset[str] = frozenset()
    specialties: frozenset[str] = frozenset()
    employments: tuple[Employment, ...] = ()
    engagements: tuple[EngagementTie, ...] = ()
    declarations: tuple[Declaration, ...] = ()
    sanctions: tuple[Sanction, ...] = ()
    unavailability: tuple[Unavailability, ...] = ()
    bookings: tuple[Booking, ...] = ()


@dataclass(frozen=True)
class Criteria:
    work_type: str | None = None
    min_level: int = DEFAULT_MIN_LEVEL
    industry: str | None = None
    region: str | None = None
    specialty: str | None = None


def criteria_problems(criteria: Criteria) -> dict[str, list[str]]:
    """Field errors for the criteria's codes that the rules know (taxonomy codes are checked by the graph)."""
    errors: dict[str, list[str]] = {}
    if criteria.work_type is not None and criteria.work_type not in WORK_TYPE_CODES:
        errors["work_type"] = [f"Unknown work type; use one of {', '.join(sorted(WORK_TYPE_CODES))}."]
    if criteria.min_level not in LEVEL_RANKS:
        errors["min_level"] = ["The level is 1 to 4 (1 is the highest)."]
    return errors


@dataclass(frozen=True)
class DrawContext:
    """What the avoidance rules need to know about the draw being made."""

    reference_date: date  # the panel's date, or the day of the draw when it has none
    panel_date: date | None = None
    organization_id: str | None = None
    manual: Mapping[str, str] = field(default_factory=dict)  # practitioner id → reason


@dataclass(frozen=True)
class Exclusion:
    practitioner_id: str
    rule: str
    detail: str
    path: str | None = None  # an indirect conflict's evidence path, canonical JSON (registry/conflicts.py)

    def to_dict(self) -> dict[str, Any]:
        """Return the exclusion as a JSON-ready dict (with its path when it has one)."""
        found: dict[str, Any] = {
            "practitioner_id": self.practitioner_id,
            "rule": self.rule,
            "detail": self.detail,
        }
        if self.path is not None:
            found["path"] = json.loads(self.path)
        return found


# --- Criteria and avoidance ----------------------------------------------------------------------------------

# Seats that count as serving: an uncalled reserve, a decline or no answer is not a seat taken.
SEATED_STATUSES: tuple[str, ...] = ("invited", "accepted")


def window_start(reference: date, years: int) -> date:
    """The first day of the `years` before `reference` (29 February falls back to the 28th)."""
    try:
        return reference.replace(year=reference.year - years)
    except ValueError:
        return reference.replace(year=reference.year - years, day=28)


def meets_criteria(candidate: CandidateFacts, criteria: Criteria, today: date) -> bool:
    """Whether the person belongs to the pool the draw asks for, before any avoidance.

    A certificate of the work type at `min_level` or higher counts unless it has expired, so that people whose
    certificate is suspended or revoked are listed as excluded (`certificate_status`) rather than silently absent.
    """
    if candidate.status != "active":
        return False
    if not any(
        (criteria.work_type is None or cert.work_type == criteria.work_type)
        and cert.level <= criteria.min_level
        and effective_status(cert, today) != "expired"
        for cert in candidate.certificates
    ):
        return False
    if criteria.region is not None and criteria.region not in candidate.regions:
        return False
    if criteria.industry is not None and criteria.industry not in candidate.industries:
        return False
    return criteria.specialty is None or criteria.specialty in candidate.specialties


def _within(until: date | None, since: date) -> bool:
    """An interval that is open or ended on or after `since`."""
    return until is None or until >= since


def _started_by(starts_on: date | None, reference: date) -> bool:
    return starts_on is None or starts_on <= reference


def current_employers(candidate: CandidateFacts, reference: date) -> tuple[str, ...]:
    """Organizations the person works for on the reference date (for `same_employer`)."""
    return tuple(
        sorted(
            {
                job.organization_id
                for job in candidate.employments
                if _started_by(job.since, reference) and _within(job.until, reference)
            }
        )
    )


def sanction_active(sanction: Sanction, day: date) -> bool:
    """In force on `day`, by the misconduct rules' one statement of it (registry.misconduct.in_force)."""
    return in_force(sanction.starts_on, sanction.until, sanction.lifted_on, day)


def avoidance(
    candidate: CandidateFacts, context: DrawContext, rules: DrawRules = DEFAULT_RULES
) -> list[Exclusion]:
    """Every avoidance rule the person falls under for this draw, each with a detail naming the fact."""
    found: list[Exclusion] = []
    ref = context.reference_date
    since = window_start(ref, rules.window_years)
    org = context.organization_id

    def exclude(rule: str, detail: str) -> None:
        found.append(Exclusion(candidate.id, rule, detail))

    if org is not None:
        for job in candidate.employments:
            if job.organization_id == org and _started_by(job.since, ref) and _within(job.until, since):
                until = f"until {job.until.isoformat()}" if job.until else "currently"
                exclude(
                    "employment", f"employed by the organization {until} (window {rules.window_years} years)"
                )
        for tie in candidate.engagements:
            if tie.client_id == org and tie.status != "cancelled" and _within(tie.end_on, since):
                ended = f"ended {tie.end_on.isoformat()}" if tie.end_on else "not ended"
                exclude("engagement", f"engagement {tie.engagement_id} for the organization, {ended}")
        for decl in candidate.declarations:
            # A relative's tie conflicts only while it lasts (art. 9(4) has no window; registry/declarations.py).
            lasts_after_end = LOOKBACK_YEARS.get(decl.relationship, rules.window_years) > 0
            if (
                decl.organization_id != org
                or not _started_by(decl.starts_on, ref)
                or not _within(decl.ends_on, since if lasts_after_end else ref)
            ):
                continue
            ongoing = f"until {decl.ends_on.isoformat()}" if decl.ends_on else "ongoing"
            if decl.relationship == "employment":
                exclude(
                    "employment",
                    f"declared employment by the organization ({ongoing}), declaration {decl.id}",
                )
            elif decl.relationship in rules.declared_relationships:
                exclude(
                    "declaration", f"declared {decl.relationship} of the organization ({ongoing}), {decl.id}"
                )

    for cert in candidate.certificates:
        status = effective_status(cert, ref)
        if status in rules.barring_certificate_statuses:
            exclude("certificate_status", f"certificate {cert.number} is {status}")

    for sanction in candidate.sanctions:
        if sanction.kind in rules.barring_sanction_kinds and sanction_active(sanction, ref):
            until = sanction.until.isoformat() if sanction.until else "indefinite"
            exclude("sanction", f"{sanction.kind} {sanction.id} active on {ref.isoformat()} (until {until})")

    if context.panel_date is not None:
        day = context.panel_date
        for spell in candidate.unavailability:
            if spell.starts_on <= day <= spell.ends_on:
                exclude(
                    "unavailable", f"unavailable {spell.starts_on.isoformat()} to {spell.ends_on.isoformat()}"
                )
        for booking in candidate.bookings:
            if booking.panel_date == day and booking.role == "panel" and booking.status in SEATED_STATUSES:
                exclude("unavailable", f"on the panel of draw {booking.draw_id} on {day.isoformat()}")

    served = draws_in_year(candidate.bookings, ref.year)
    if served >= rules.draws_per_year_cap:
        exclude(
            "draw_cap", f"{served} panel seats in {ref.year}; the cap is {rules.draws_per_year_cap} a year"
        )

    reason = context.manual.get(candidate.id)
    if reason is not None:
        exclude("manual", reason)
    return found


def draws_in_year(bookings: Iterable[Booking], year: int) -> int:
    """Panel seats taken in a calendar year, dated by the panel's date (or the draw's day when it has none)."""
    return sum(
        1
        for b in bookings
        if b.role == "panel" and b.status in SEATED_STATUSES and (b.panel_date or b.drawn_on).year == year
    )


@dataclass(frozen=True)
class SealedCandidate:
    """A candidate as the sealed record keeps them: the id and the employers that `same_employer` compares."""

    id: str
    employers: tuple[str, ...] = ()


@dataclass(frozen=True)
class Screening:
    matched: int  # people who meet the criteria, before avoidance
    candidates: tuple[SealedCandidate, ...]  # sorted by id
    exclusions: tuple[Exclusion, ...]


def screen(
    people: Iterable[CandidateFacts],
    criteria: Criteria,
    context: DrawContext,
    rules: DrawRules = DEFAULT_RULES,
) -> Screening:
    """Split the people who meet the criteria into the candidate set and the excluded, each with its rules."""
    candidates: list[SealedCandidate] = []
    exclusions: list[Exclusion] = []
    matched = 0
    for person in people:
        if not meets_criteria(person, criteria, context.reference_date):
            continue
        matched += 1
        found = avoidance(person, context, rules)
        if found:
            exclusions.extend(found)
        else:
            candidates.append(SealedCandidate(person.id, current_employers(person, context.reference_date)))
    candidates.sort(key=lambda c: c.id)
    exclusions.sort(key=lambda e: (e.practitioner_id, EXCLUSION_CODES.index(e.rule), e.detail))
    return Screening(matched, tuple(candidates), tuple(exclusions))


def exclusions_by_rule(exclusions: Iterable[Exclusion]) -> dict[str, int]:
    """Count of exclusions per rule code, every code present (0 when unused), in the rules' order."""
    counts = dict.fromkeys(EXCLUSION_CODES, 0)
    for exclusion in exclusions:
        counts[exclusion.rule] += 1
    return counts
