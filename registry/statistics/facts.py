"""The facts statistics are computed from: plain per-person, per-certificate and per-engagement records."""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import date
from typing import Any

from registry.statistics.periods import province_code
from registry.statistics.tables import _province_or_none

# --- Facts ---------------------------------------------------------------------------------------------------

_SUSPENDED_OR_REVOKED = frozenset({"suspended", "revoked"})


@dataclass(frozen=True, slots=True)
class CertificateRecord:
    """What statistics need of one certificate; `status_changed_on` is the day its stored status was set."""

    work_type: str
    level: int
    status: str
    issued_on: date
    expires_on: date | None = None
    status_changed_on: date | None = None

    def valid_on(self, day: date) -> bool:
        """Whether the certificate was valid on `day`.

        Within its dates, a certificate is valid unless it is suspended or revoked — and a suspension or
        revocation counts from the day it was recorded. Approximation: a suspension later lifted is not kept
        as an interval (the graph keeps the event, not a status per day), so a reinstated certificate counts
        as valid through its suspension; on `day` = today this is exactly `registry.certificates.is_valid`.
        """
        if day < self.issued_on or (self.expires_on is not None and day > self.expires_on):
            return False
        if self.status in _SUSPENDED_OR_REVOKED:
            return self.status_changed_on is not None and self.status_changed_on > day
        return True


@dataclass(frozen=True, slots=True)
class PersonRecord:
    """One practitioner as statistics see them: where, whether active, and their certificates."""

    key: int  # opaque: counts a person once, never shown
    region: str | None
    status: str
    certificates: tuple[CertificateRecord, ...] = ()
    province: str | None = field(default=None)

    def __post_init__(self) -> None:
        if self.province is None and self.region is not None:
            object.__setattr__(self, "province", province_code(self.region))


@dataclass(frozen=True, slots=True)
class StatusEventRecord:
    """A certificate's recorded suspension or revocation (imports of an already suspended one included)."""

    work_type: str
    level: int
    region: str | None
    status: str  # suspended / revoked
    on: date


@dataclass(frozen=True, slots=True)
class MembershipRecord:
    """One spell of pool membership (current MEMBER_OF or past WAS_MEMBER_OF) with its granting certificate."""

    pool: str
    region: str | None
    since: date
    until: date | None  # the day it ended; None while current
    work_type: str | None = None
    level: int | None = None
    # A current spell's valid_until: once past, the spell ended that day (pool rederive will record it), so
    # the facts of a day say so (FactStore.facts); the store itself holds nothing that depends on the day.
    lapses_on: date | None = None

    def on(self, day: date) -> MembershipRecord:
        """The spell as known on `day`: a current one whose certificates lapsed before it ended then."""
        if self.until is None and self.lapses_on is not None and self.lapses_on < day:
            return replace(self, until=self.lapses_on)
        return self


@dataclass(frozen=True, slots=True)
class ExamRecord:
    """One exam sitting; `passed` at the pass mark (brochure: 60 of 100)."""

    work_type: str
    level: int
    region: str | None
    sat_on: date
    passed: bool


@dataclass(frozen=True, slots=True)
class EmitterRecord:
    """A key emitting unit (重点排放单位): where, which sector, the compliance years it is listed for."""

    region: str | None
    industry: str | None
    listed_years: frozenset[int]


@dataclass(frozen=True, slots=True)
class TeamMember:
    person: int  # PersonRecord.key
    province: str | None


@dataclass(frozen=True, slots=True)
class EngagementRecord:
    """One engagement: kind (a work type), where, when, status and its team."""

    kind: str
    region: str | None
    start_on: date | None
    status: str
    team: tuple[TeamMember, ...] = ()


def counts_on(engagement: EngagementRecord, day: date) -> bool:
    """Engagements count once started (start_on ≤ day) and not cancelled; undated ones are left out."""
    return engagement.status != "cancelled" and engagement.start_on is not None and engagement.start_on <= day


@dataclass
class Facts:
    """Everything the statistics read, as one snapshot; `people_in`/`engagements_in` narrow by province first."""

    people: list[PersonRecord]
    status_events: list[StatusEventRecord] = field(default_factory=list)
    memberships: list[MembershipRecord] = field(default_factory=list)
    exams: list[ExamRecord] = field(default_factory=list)
    emitters: list[EmitterRecord] = field(default_factory=list)
    engagements: list[EngagementRecord] = field(default_factory=list)
    region_names: dict[str, str] = field(default_factory=dict)
    _people_by_province: dict[str | None, list[PersonRecord]] = field(default_factory=dict, repr=False)
    _engagements_by_province: dict[str | None, list[EngagementRecord]] = field(
        default_factory=dict, repr=False
    )

    def __post_init__(self) -> None:
        for person in self.people:
            self._people_by_province.setdefault(person.province, []).append(person)
        for engagement in self.engagements:
            self._engagements_by_province.setdefault(_province_or_none(engagement.region), []).append(
                engagement
            )

    def people_in(self, region: str | None) -> list[PersonRecord]:
        """People of the region's province (all without a region); the statistic still applies the filter."""
        return self.people if region is None else self._people_by_province.get(province_code(region), [])

    def engagements_in(self, region: str | None) -> list[EngagementRecord]:
        """Engagements in the region's province (all without a region)."""
        if region is None:
            return self.engagements
        return self._engagements_by_province.get(province_code(region), [])


@dataclass
class FactStore:
    """Facts kept by practitioner and engagement id, so that a refresh replaces only what changed.

    `keys` numbers practitioner ids once and for all (engagement teams refer to the numbers); `read_at` is the
    graph's clock when the facts were read, the point a refresh reads changes from.
    """

    keys: dict[str, int]
    people: dict[str, PersonRecord]
    status_events: dict[str, tuple[StatusEventRecord, ...]]
    memberships: dict[str, tuple[MembershipRecord, ...]]
    exams: dict[str, tuple[ExamRecord, ...]]
    engagements: dict[str, EngagementRecord]
    emitters: list[EmitterRecord]
    region_names: dict[str, str]
    read_at: Any = None

    def key(self, practitioner_id: str) -> int:
        """The number of a practitioner, given on first sight."""
        return self.keys.setdefault(practitioner_id, len(self.keys))

    def updated(
        self,
        people: Mapping[str, PersonRecord],
        status_events: Mapping[str, tuple[StatusEventRecord, ...]],
        memberships: Mapping[str, tuple[MembershipRecord, ...]],
        exams: Mapping[str, tuple[ExamRecord, ...]],
        engagements: Mapping[str, EngagementRecord],
        emitters: list[EmitterRecord],
        read_at: Any,
    ) -> FactStore:
        """A new store with these people's facts (all of them: missing kinds mean none) and these engagements
        replaced; this one is left as it is, since it may still be answering."""
        events, spells, sittings = dict(self.status_events), dict(self.memberships), dict(self.exams)
        for practitioner_id in people:
            events[practitioner_id] = status_events.get(practitioner_id, ())
            spells[practitioner_id] = memberships.get(practitioner_id, ())
            sittings[practitioner_id] = exams.get(practitioner_id, ())
        return FactStore(
            self.keys,
            {**self.people, **people},
            events,
            spells,
            sittings,
            {**self.engagements, **engagements},
            emitters,
            self.region_names,
            read_at,
        )

    def facts(self, day: date) -> Facts:
        """The flat facts the statistics read, as known on `day`."""
        return Facts(
            list(self.people.values()),
            [event for events in self.status_events.values() for event in events],
            [spell.on(day) for spells in self.memberships.values() for spell in spells],
            [exam for exams in self.exams.values() for exam in exams],
            self.emitters,
            list(self.engagements.values()),
            self.region_names,
        )
