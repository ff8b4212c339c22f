"""Ranking candidates for a client's request: a documented score whose every point is a checkable fact.

Hard filters (applied in the graph before scoring): the practitioner is active and holds a *valid* certificate of
the requested work type at `min_level` or higher, and has no conflict of interest with `conflict_org_id`.

Score (the README repeats this table):

| factor | points |
|---|---|
| level of the best valid certificate of the work type | level 1: 40 · level 2: 30 · level 3: 20 · level 4: 10 |
| completed engagements of that work type in the requested industry | 6 each, at most 30 |
| completed engagements of that work type in the requested region (a province includes its cities) | 3 each, at most 15 |
| based in the requested region | 10 |
| declared experience in the requested industry | 5 |
| most recent completed engagement of that work type | within 1 year: 10 · within 3 years: 5 |
| specialties of that work type | 3 each, at most 9 |
| qualifications relevant to that work type (`RELEVANT_QUALIFICATIONS`) | 4 each, at most 12 |
| mean evaluation in that work type, counted from 3 evaluations (`EvaluationFactor`) | (mean − 60) ÷ 2, −10 to +20 |

Ties are broken by the better level, then the practitioner id, so the same graph and request give the same order.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date

from registry.evaluations import (
    DEFAULT_FACTOR,
    NO_EVALUATIONS,
    EvaluationFactor,
    EvaluationSummary,
    evaluation_points,
)
from registry.taxonomy import LEVEL_BY_RANK, WORK_TYPE_BY_CODE

LEVEL_POINTS: dict[int, int] = {1: 40, 2: 30, 3: 20, 4: 10}
INDUSTRY_ENGAGEMENT_POINTS, INDUSTRY_ENGAGEMENT_CAP = 6, 30
REGION_ENGAGEMENT_POINTS, REGION_ENGAGEMENT_CAP = 3, 15
BASED_IN_REGION_POINTS = 10
DECLARED_INDUSTRY_POINTS = 5
RECENT_1Y_POINTS, RECENT_3Y_POINTS = 10, 5
SPECIALTY_POINTS, SPECIALTY_CAP = 3, 9
QUALIFICATION_POINTS, QUALIFICATION_CAP = 4, 12

# Credentials that speak to each kind of work (DESIGN.md §2 lists the ones experts hold).
RELEVANT_QUALIFICATIONS: dict[str, frozenset[str]] = {
    "monitoring": frozenset({"carbon_verifier", "iso14064_lead_auditor", "enms_auditor"}),
    "accounting": frozenset(
        {"iso14064_lead_auditor", "ccaa_ghg_verifier", "carbon_verifier", "cdm_ccer_auditor"}
    ),
    "verification": frozenset(
        {"ccaa_ghg_verifier", "carbon_verifier", "iso14064_lead_auditor", "cdm_ccer_auditor", "vcs_auditor"}
    ),
    "consulting": frozenset(
        {
            "registered_consulting_engineer",
            "energy_saving_auditor",
            "cleaner_production_auditor",
            "enms_auditor",
            "pmp",
        }
    ),
    "trading": frozenset({"cdm_ccer_auditor", "vcs_auditor", "registered_consulting_engineer"}),
    "aviation": frozenset({"iso14064_lead_auditor", "ccaa_ghg_verifier", "carbon_verifier"}),
}


@dataclass(frozen=True)
class MatchRequest:
    work_type: str
    industry: str | None = None
    region: str | None = None
    min_level: int = 4
    conflict_org_id: str | None = None
    limit: int = 10


@dataclass(frozen=True)
class Candidate:
    """What the graph knows about one practitioner who passed the hard filters."""

    id: str
    best_level: int
    certificate_number: str
    certificate_expires_on: date | None
    industry_engagements: int = 0
    industry_engagements_since: date | None = None
    region_engagements: int = 0
    based_in_region: bool = False
    declared_industry: bool = False
    last_engagement_on: date | None = None
    specialties: tuple[str, ...] = ()  # names of specialties of the work type
    qualifications: tuple[str, ...] = ()  # names of relevant qualifications
    industry_name: str | None = None
    region_name: str | None = None
    evaluations: EvaluationSummary = NO_EVALUATIONS  # those of the work type that still count


@dataclass(frozen=True)
class Scored:
    candidate: Candidate
    score: int
    reasons: tuple[str, ...]
    breakdown: dict[str, int] = field(default_factory=dict)


def best_certificate(certificates: list[dict], request: MatchRequest) -> dict | None:
    """The certificate a candidate is matched on: valid (as of the day the view was read for) and of the work type
    at `min_level` or higher; the best level first, then the one valid longest (no expiry first), then by number
    (graph/matching.py orders `c.level, c.expires_on DESC, c.number`, and Cypher sorts a missing date above any)."""
    held = [c for c in certificates if c["work_type"] == request.work_type and c["level"] <= request.min_level
            and c["status"] == "valid"]  # fmt: skip
    if not held:
        return None
    return min(held, key=lambda c: (c["level"], c["expires_on"] is not None,
                                    -(c["expires_on"] or date.min).toordinal(), c["number"]))  # fmt: skip


def _years_between(earlier: date, later: date) -> float:
    return (later - earlier).days / 365.25


def score(
    candidate: Candidate, request: MatchRequest, today: date, factor: EvaluationFactor = DEFAULT_FACTOR
) -> Scored:
    """The candidate's score for the request, with one reason per factor that earned points."""
    work = WORK_TYPE_BY_CODE[request.work_type].name_zh
    level_zh = LEVEL_BY_RANK[candidate.best_level].name_zh
    until = candidate.certificate_expires_on.isoformat() if candidate.certificate_expires_on else "no expiry"
    breakdown = {"level": LEVEL_POINTS[candidate.best_level]}
    reasons = [f"持有{level_zh}{work}证书 {candidate.certificate_number} (valid until {until})"]

    if request.industry and candidate.industry_engagements:
        breakdown["industry_engagements"] = min(
            INDUSTRY_ENGAGEMENT_CAP, INDUSTRY_ENGAGEMENT_POINTS * candidate.industry_engagements
        )
        since = candidate.industry_engagements_since
        reasons.append(
            f"{candidate.industry_engagements} completed {request.work_type} engagements in {candidate.industry_name}"
            + (f" since {since.year}" if since else "")
        )
    if request.region and candidate.region_engagements:
        breakdown["region_engagements"] = min(
            REGION_ENGAGEMENT_CAP, REGION_ENGAGEMENT_POINTS * candidate.region_engagements
        )
        reasons.append(
            f"{candidate.region_engagements} completed {request.work_type} engagements in {candidate.region_name}"
        )
    if request.region and candidate.based_in_region:
        breakdown["based_in_region"] = BASED_IN_REGION_POINTS
        reasons.append(f"based in {candidate.region_name}")
    if request.industry and candidate.declared_industry:
        breakdown["declared_industry"] = DECLARED_INDUSTRY_POINTS
        reasons.append(f"declares experience in {candidate.industry_name}")
    if candidate.last_engagement_on:
        age = _years_between(candidate.last_engagement_on, today)
        if age <= 1:
            breakdown["recency"] = RECENT_1Y_POINTS
        elif age <= 3:
            breakdown["recency"] = RECENT_3Y_POINTS
        if "recency" in breakdown:
            reasons.append(
                f"last completed {request.work_type} engagement ended {candidate.last_engagement_on.isoformat()}"
            )
    if candidate.specialties:
        breakdown["specialties"] = min(SPECIALTY_CAP, SPECIALTY_POINTS * len(candidate.specialties))
        reasons.append("specialties: " + "、".join(candidate.specialties))
    if candidate.qualifications:
        breakdown["qualifications"] = min(
            QUALIFICATION_CAP, QUALIFICATION_POINTS * len(candidate.qualifications)
        )
        reasons.append("qualifications: " + "、".join(candidate.qualifications))
    points, reason = evaluation_points(candidate.evaluations, request.work_type, factor)
    if reason:
        # Shown even at 0 points, so a client sees that evaluations exist but are too few to count yet.
        breakdown["evaluations"] = points
        reasons.append(reason)
    return Scored(candidate, sum(breakdown.values()), tuple(reasons), breakdown)


def rank(
    candidates: list[Candidate],
    request: MatchRequest,
    today: date,
    factor: EvaluationFactor = DEFAULT_FACTOR,
) -> list[Scored]:
    """Every candidate scored, best first; deterministic for the same input."""
    scored = [score(candidate, request, today, factor) for candidate in candidates]
    return sorted(scored, key=lambda s: (-s.score, s.candidate.best_level, s.candidate.id))
