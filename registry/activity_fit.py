"""Who fits a public-welfare activity: the hard filters and the documented score behind its suggestions.

Hard filters (every need is optional; docs/activities.md repeats this):
- active, and has not turned off `contact_for_activities` (absent means on);
- holds a certificate valid today of the needed work type (any work type when none is needed), at the needed
  minimum level or higher (any level when none is needed);
- based in the activity's region or one of its cities (anywhere for a national activity);
- has the needed specialty, and declares experience in the needed industry or completed an engagement in it
  (a declared fact hidden from the caller's audience does not count, as in /match);
- has not signed up nor been invited to the activity, and declared no unavailability that overlaps its dates.

Score, every point a checkable fact:

| factor | points |
|---|---|
| best level of the certificates that qualify | level 1: 40 · level 2: 30 · level 3: 20 · level 4: 10 |
| completed engagements in the needed industry | 6 each, at most 30 |
| completed engagements in the activity's region (a province includes its cities) | 3 each, at most 15 |

Ties go to the better level, then the practitioner id, so the same graph and activity give the same order.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from datetime import date
from typing import Any

from registry.activities import OPEN
from registry.matching import (
    INDUSTRY_ENGAGEMENT_CAP,
    INDUSTRY_ENGAGEMENT_POINTS,
    LEVEL_POINTS,
    REGION_ENGAGEMENT_CAP,
    REGION_ENGAGEMENT_POINTS,
)
from registry.taxonomy import LEVEL_BY_RANK, LEVELS, WORK_TYPE_BY_CODE

__all__ = ["INDUSTRY_ENGAGEMENT_CAP", "INDUSTRY_ENGAGEMENT_POINTS", "REGION_ENGAGEMENT_CAP",
           "REGION_ENGAGEMENT_POINTS", "Fit", "Needs", "Suggested", "available", "best_certificate",
           "qualifies", "rank", "score"]  # fmt: skip

ANY_LEVEL = max(level.rank for level in LEVELS)  # 4: no minimum level means any certificate level
SUGGESTED_STATUS = OPEN  # only an open activity is looking for people


@dataclass(frozen=True)
class Needs:
    """What an activity asks for (each need may be None) and where and when it takes place."""

    starts_on: date
    ends_on: date
    region: str | None = None
    work_type: str | None = None
    min_level: int | None = None
    specialty: str | None = None
    industry: str | None = None

    @property
    def level_at_least(self) -> int:
        """The lowest certificate level that qualifies (4 when no level is needed)."""
        return self.min_level if self.min_level is not None else ANY_LEVEL

    @classmethod
    def of(cls, activity: dict[str, Any]) -> Needs:
        """The needs of an activity as stored (docs/activities.md's model: `needs_*` properties)."""
        return cls(
            starts_on=activity["starts_on"],
            ends_on=activity["ends_on"],
            region=activity.get("region"),
            work_type=activity.get("needs_work_type"),
            min_level=activity.get("needs_min_level"),
            specialty=activity.get("needs_specialty"),
            industry=activity.get("needs_industry"),
        )


@dataclass(frozen=True)
class Fit:
    """What the registry knows about one person who passed the hard filters, for their score and reasons."""

    id: str
    best_level: int
    certificate_number: str
    certificate_work_type: str
    certificate_expires_on: date | None
    region_name: str | None = None  # the activity's region, when the person is based in it
    specialty_name: str | None = None  # the needed specialty
    industry_name: str | None = None  # the needed industry
    declared_industry: bool = False
    industry_engagements: int = 0
    region_engagements: int = 0


@dataclass(frozen=True)
class Suggested:
    fit: Fit
    score: int
    reasons: tuple[str, ...]
    breakdown: dict[str, int] = field(default_factory=dict)


def qualifies(certificate: dict[str, Any], needs: Needs) -> bool:
    """Whether a certificate (as a view lists it, valid today or not) meets the activity's work type and level."""
    if certificate["status"] != "valid" or certificate["level"] > needs.level_at_least:
        return False
    return needs.work_type is None or certificate["work_type"] == needs.work_type


def best_certificate(certificates: Iterable[dict[str, Any]], needs: Needs) -> dict[str, Any] | None:
    """The qualifying certificate the reason names: the best level, then valid longest (no expiry first), then
    the work type's code and the number, so the choice is the same every time."""
    held = [c for c in certificates if qualifies(c, needs)]
    if not held:
        return None
    return min(held, key=lambda c: (c["level"], c["expires_on"] is not None,
                                    -(c["expires_on"] or date.min).toordinal(), c["work_type"], c["number"]))  # fmt: skip


def available(periods: Iterable[tuple[date, date]], needs: Needs) -> bool:
    """Whether no declared unavailability (inclusive dates) overlaps the activity's days."""
    return not any(start <= needs.ends_on and needs.starts_on <= end for start, end in periods)


def score(fit: Fit, needs: Needs) -> Suggested:
    """The person's score for the activity, with one reason per need met and per factor that earned points."""
    work = WORK_TYPE_BY_CODE[fit.certificate_work_type].name_zh
    level_zh = LEVEL_BY_RANK[fit.best_level].name_zh
    until = fit.certificate_expires_on.isoformat() if fit.certificate_expires_on else "no expiry"
    breakdown = {"level": LEVEL_POINTS[fit.best_level]}
    reasons = [f"持有{level_zh}{work}证书 {fit.certificate_number} (valid until {until})"]
    if needs.region and fit.region_name:
        reasons.append(f"based in {fit.region_name}")
    if needs.specialty and fit.specialty_name:
        reasons.append(f"specialty: {fit.specialty_name}")
    if needs.industry and fit.declared_industry:
        reasons.append(f"declares experience in {fit.industry_name}")
    if needs.industry and fit.industry_engagements:
        breakdown["industry_engagements"] = min(
            INDUSTRY_ENGAGEMENT_CAP, INDUSTRY_ENGAGEMENT_POINTS * fit.industry_engagements
        )
        reasons.append(f"{fit.industry_engagements} completed engagements in {fit.industry_name}")
    if needs.region and fit.region_engagements:
        breakdown["region_engagements"] = min(
            REGION_ENGAGEMENT_CAP, REGION_ENGAGEMENT_POINTS * fit.region_engagements
        )
        reasons.append(f"{fit.region_engagements} completed engagements in {fit.region_name}")
    days = needs.starts_on.isoformat() + (
        f" to {needs.ends_on.isoformat()}" if needs.ends_on != needs.starts_on else ""
    )
    reasons.append(f"no declared unavailability on {days}")
    return Suggested(fit, sum(breakdown.values()), tuple(reasons), breakdown)


def order_key(suggested: Suggested) -> tuple[int, int, str]:
    """Best first: the higher score, then the better level, then the practitioner id."""
    return -suggested.score, suggested.fit.best_level, suggested.fit.id


def rank(fits: Iterable[Fit], needs: Needs) -> list[Suggested]:
    """Everyone who fits, scored, best first; deterministic for the same input."""
    return sorted((score(fit, needs) for fit in fits), key=order_key)
