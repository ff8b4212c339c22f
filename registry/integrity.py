"""The anomaly queue for supervisors (issue 23 §4): finding kinds, thresholds, statuses and scoring, as data.

A scan writes findings `{id, kind, score, status, evidence, created_at}`; a supervisor moves each one
`open → reviewing → confirmed | dismissed` with a reason. Every threshold here is data with the reason beside it;
where no published rule was found the text says so and the finding is a prompt to look, never a sanction.
Scores are in [0, 1]: how far past its threshold a finding lies, so the queue can be read from the top.

Closed circles follow Wachs & Kertész, "A network approach to cartel detection in public auction markets",
Sci. Rep. 9:10818 (2019): detect groups in the network of who worked with whom, then keep those that are both
cohesive (their members are densely tied to one another) and exclusive (their ties stay inside the group).
"""

from __future__ import annotations

import hashlib
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import date, timedelta
from typing import Any

from registry.errors import InvalidTransition, ValidationFailed

WACHS_KERTESZ = (
    "Wachs & Kertész, A network approach to cartel detection in public auction markets, "
    "Sci. Rep. 9:10818 (2019), doi:10.1038/s41598-019-47198-1"
)
ORDER_775 = (
    "《碳排放权交易管理暂行条例》(国务院令第775号, 2024): technical service bodies answer for their reports"
)


@dataclass(frozen=True)
class Kind:
    code: str
    name_zh: str
    name_en: str
    description: str
    source: str

    def to_dict(self) -> dict[str, str]:
        """The kind as a JSON-ready dict."""
        return {
            "code": self.code,
            "name_zh": self.name_zh,
            "name_en": self.name_en,
            "description": self.description,
            "source": self.source,
        }


SIGNED_NOT_ON_SITE = "signed_not_on_site"
TWO_PLACES = "two_places"
OVERLOAD = "overload"
FAMILIAR_PAIR = "familiar_pair"
CLOSED_CIRCLE = "closed_circle"

KINDS: dict[str, Kind] = {
    k.code: k
    for k in (
        Kind(
            SIGNED_NOT_ON_SITE,
            "签字人未到现场",
            "signer never on site",
            "A team member who signed a completed engagement's report has no site visit on that engagement "
            "(挂名: signing for work one did not do).",
            f"{ORDER_775}; 生态环境部 2022 typical cases of verification bodies signing reports for work their "
            "named staff never did; ISO 14065 / ISO 14064-3 (the verifier's own site visit as evidence)",
        ),
        Kind(
            TWO_PLACES,
            "同日两地现场",
            "two provinces on one day",
            "One person recorded on site visits in two or more provinces on the same day.",
            f"{ORDER_775}: a site-visit record that cannot be true is falsified evidence",
        ),
        Kind(
            OVERLOAD,
            "同时承担项目过多",
            "too many engagements at once",
            "More engagements running on one day for one person than the threshold.",
            "No national cap was found; the threshold is the registry's default (docs/integrity.md) and a "
            "province may set its own",
        ),
        Kind(
            FAMILIAR_PAIR,
            "熟面孔",
            "familiar pair",
            "A verifier or verification body that verified the same client past the rotation threshold of "
            "consecutive years.",
            "registry/rotation.py (rotation of verifiers; no national cap was found, the default is a warning)",
        ),
        Kind(
            CLOSED_CIRCLE,
            "封闭圈子",
            "closed circle",
            "A group of verifiers, providers and clients that work almost only with each other, found by "
            "community detection on the verification network and scored by cohesion and exclusivity.",
            WACHS_KERTESZ,
        ),
    )
}
KIND_CODES: tuple[str, ...] = tuple(KINDS)

# --- Statuses and decisions ------------------------------------------------------------------------------------

OPEN, REVIEWING, CONFIRMED, DISMISSED = "open", "reviewing", "confirmed", "dismissed"
STATUSES: tuple[str, ...] = (OPEN, REVIEWING, CONFIRMED, DISMISSED)
DECIDED: frozenset[str] = frozenset({CONFIRMED, DISMISSED})
# What a supervisor may move a finding to from each status; confirmed and dismissed are final.
TRANSITIONS: Mapping[str, frozenset[str]] = {
    OPEN: frozenset({REVIEWING, CONFIRMED, DISMISSED}),
    REVIEWING: frozenset({CONFIRMED, DISMISSED}),
    CONFIRMED: frozenset(),
    DISMISSED: frozenset(),
}
DECISIONS: tuple[str, ...] = (REVIEWING, CONFIRMED, DISMISSED)


def next_status(current: str, wanted: str) -> str:
    """The status a decision moves a finding to; InvalidTransition (409) when `current` does not allow it."""
    if wanted not in DECISIONS:
        raise ValidationFailed({"status": [f"Must be one of: {', '.join(DECISIONS)}."]})
    if wanted not in TRANSITIONS[current]:
        if current in DECIDED:
            raise InvalidTransition(f"The finding was {current} already; a decided finding stays decided.")
        raise InvalidTransition(f"A finding that is {current} cannot be moved to {wanted}.")
    return wanted


def misconduct_problems(status: str, wants_record: bool) -> dict[str, list[str]]:
    """Field errors when a decision asks for a misconduct record it may not open (only a confirmation may)."""
    if wants_record and status != CONFIRMED:
        return {"open_misconduct": ["Only a confirmed finding can open a misconduct record."]}
    return {}


# Which misconduct category (registry/misconduct.py) a confirmed finding of each kind opens by default.
MISCONDUCT_CATEGORY: Mapping[str, str] = {
    SIGNED_NOT_ON_SITE: "data_falsification",
    TWO_PLACES: "data_falsification",
    OVERLOAD: "data_falsification",
    FAMILIAR_PAIR: "undisclosed_conflict",
    CLOSED_CIRCLE: "undisclosed_conflict",
}

# --- Thresholds ------------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Thresholds:
    # overload: a finding when more than this many engagements run on one day for one person. A verifier's
    # season (the annual verification of key emitters, spring to mid-year) puts a few engagements side by side;
    # each needs document review and a site visit, so more than 6 at once cannot all have had the person's work.
    overload_max_concurrent: int = 6
    # closed_circle: a detected group is a finding when it holds at least these members and engagements ...
    circle_min_clients: int = 2
    circle_min_verifiers: int = 2
    circle_min_providers: int = 1
    circle_min_engagements: int = 4
    # ... and both measures pass. Cohesion (weighted density) 0.5: half of the possible ties between its
    # members are there at full strength; exclusivity 0.8: four fifths of its members' work stays inside.
    circle_min_cohesion: float = 0.5
    circle_min_exclusivity: float = 0.8
    # The Leiden resolution (constant Potts model on shares of work): groups denser than this come out whole.
    circle_resolution: float = 0.05


THRESHOLDS = Thresholds()

# signed_not_on_site looks at completed engagements of the kinds whose report rests on a site visit: verification
# (核查) under the ETS rules; consulting and footprint work can be done from documents.
SITE_VISIT_KINDS: tuple[str, ...] = ("verification",)
COMPLETED = "completed"

# Engagement statuses that are running today when no end date is known.
RUNNING_STATUSES: frozenset[str] = frozenset({"planned", "active"})

# --- Scoring ---------------------------------------------------------------------------------------------------


def _clip(value: float) -> float:
    return round(max(0.0, min(1.0, value)), 3)


def signed_not_on_site_score(team_visited: bool) -> float:
    """1 when nobody on the team was on site, 0.7 when colleagues were but the signer was not."""
    return 0.7 if team_visited else 1.0


def two_places_score(provinces: int) -> float:
    """0.8 for two provinces on one day, 1 for three or more."""
    return 0.8 if provinces <= 2 else 1.0


def overload_score(peak: int, threshold: int) -> float:
    """Half at one past the threshold, rising to 1 at twice the threshold."""
    return _clip(0.5 + 0.5 * (peak - threshold - 1) / max(1, threshold - 1))


def familiar_pair_score(years: int, threshold: int) -> float:
    """Half at the threshold, rising to 1 at twice as many consecutive years."""
    return _clip(0.5 * years / max(1, threshold))


def circle_score(cohesion: float, exclusivity: float) -> float:
    """The geometric mean of cohesion and exclusivity: high only when both are."""
    return _clip((cohesion * exclusivity) ** 0.5)


# --- Overload: engagements running at once -----------------------------------------------------------------------


@dataclass(frozen=True)
class Span:
    engagement_id: str
    start_on: date
    end_on: date


def span_of(
    engagement_id: str, start_on: date | None, end_on: date | None, status: str | None, today: date
) -> Span | None:
    """The days an engagement runs: to its end date, to today while planned or active, else its first day;
    None without a start date."""
    if start_on is None:
        return None
    end = end_on or (max(today, start_on) if status in RUNNING_STATUSES else start_on)
    return Span(engagement_id, start_on, end)


def peak_concurrency(spans: Iterable[Span]) -> tuple[int, date | None, tuple[str, ...]]:
    """The most engagements running on one day, the first such day and those engagements (a sweep over the
    starts and ends; an engagement runs on its first and last day)."""
    events: list[tuple[date, int, Span]] = []
    for span in spans:
        events.append((span.start_on, 0, span))  # starts before ends on the same day: both days count
        events.append((span.end_on + timedelta(days=1), -1, span))
    events.sort(key=lambda event: (event[0], event[1]))
    running: dict[str, Span] = {}
    peak, day, members = 0, None, ()
    for when, kind, span in events:
        if kind == -1:
            running.pop(span.engagement_id, None)
            continue
        running[span.engagement_id] = span
        if len(running) > peak:
            peak, day, members = len(running), when, tuple(sorted(running))
    return peak, day, members


# --- Closed circles: cohesion and exclusivity ----------------------------------------------------------------------


def cohesion(internal_weight: float, possible_pairs: int) -> float:
    """Weighted density: the internal ties' weight (each in [0, 1]) over the pairs that could be tied."""
    return internal_weight / possible_pairs if possible_pairs else 0.0


def exclusivity(internal_strength: float, total_strength: float) -> float:
    """The share of the members' ties (by shared engagements) that stay inside the group."""
    return internal_strength / total_strength if total_strength else 0.0


def possible_pairs(verifiers: int, providers: int, clients: int) -> int:
    """Pairs that can be tied in the verification network: a verifier with a provider or a client, and a
    provider with a client (people are not tied to people, nor clients to clients)."""
    return verifiers * (providers + clients) + providers * clients


def tie_weight(shared: int, engagements_a: int, engagements_b: int) -> float:
    """A tie's weight in [0, 1]: the engagements the two shared over those of the less busy of them."""
    return shared / max(1, min(engagements_a, engagements_b))


@dataclass(frozen=True)
class Circle:
    members: tuple[str, ...]
    verifiers: int
    providers: int
    clients: int
    engagements: int
    cohesion: float
    exclusivity: float


def is_closed_circle(circle: Circle, rules: Thresholds = THRESHOLDS) -> bool:
    """A detected group is a finding when it is big enough and both cohesive and exclusive enough."""
    return (
        circle.verifiers >= rules.circle_min_verifiers
        and circle.providers >= rules.circle_min_providers
        and circle.clients >= rules.circle_min_clients
        and circle.engagements >= rules.circle_min_engagements
        and circle.cohesion >= rules.circle_min_cohesion
        and circle.exclusivity >= rules.circle_min_exclusivity
    )


# --- Keys: one finding per kind and subject ------------------------------------------------------------------------


def finding_key(kind: str, *subject: Any) -> str:
    """The stable key of a finding: its kind and subject, so a re-scan finds the same finding again."""
    return ":".join([kind, *(str(part) for part in subject)])


def circle_subject(organization_ids: Sequence[str]) -> str:
    """A circle's subject: a digest of its organizations, sorted (people come and go; the firms are what it is
    about)."""
    return hashlib.sha256("+".join(sorted(organization_ids)).encode()).hexdigest()[:32]
