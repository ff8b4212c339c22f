"""Deterministic synthetic registries: organizations, practitioners, certificates and engagements.

`generate(size, seed, today)` returns a `SyntheticRegistry` whose content depends only on (size, seed, today).
Organizations are built at once (about size/25 + 40 of them); practitioners are produced lazily, block by
block, so memory stays bounded by one batch even for a million people:

- practitioner `i` draws everything from `random.Random(f"{seed}:p:{i}")` and engagement `e` from
  `random.Random(f"{seed}:e:{e}")`, so no draw depends on how the stream is cut into batches;
- engagements are led by a block of 100 practitioners and staffed from it and the few blocks before it
  (seed/engagements.py), and batches are whole blocks, so an engagement always travels with, or after, its team;
- the market around them (groups of companies, providers, careers: seed/market.py) and the anomalies planted at
  known rates (seed/plants.py, whose truth `truth` holds once the batches have all been generated);
- identifiers that must be unique (ID card, phone, certificate number, USCC) are derived from the index
  through a bijection rather than drawn and checked, since no set of used values can be kept across batches.

All people, companies and numbers are invented; the ID cards and USCCs only satisfy the check-digit rules.
"""

from __future__ import annotations

import random
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from registry.identifiers import make_id_card
from registry.reference import province_of
from seed.distributions import (
    BLOCK_SIZE,
    CERTIFICATE_TERM_YEARS,
    DEGREE_EDUCATION_CHOICE,
    EMPLOYER_KIND_CHOICE,
    ENROLLED_SHARE,
    EXPIRED_STORED_AS_EXPIRED_SHARE,
    EXPIRY_REASON,
    ISSUE_DATE_SKEW,
    MALE_SHARE,
    MAX_CERTIFICATES_PER_PERSON,
    NO_EXPIRY_SHARE,
    OCCUPATION_START,
    OTHER_EDUCATION_CHOICE,
    PROGRESSION_GAP_DAYS,
    PUBLIC_PROFILE_SHARE,
    REVOCATION_REASONS,
    SAME_PROVINCE_EMPLOYER_SHARE,
    STATUS_CHOICE,
    SUSPENSION_REASONS,
    WORK_START_AGE,
    WORK_TYPE_ORDER,
    certificate_plan,
    pick_industries,
    pick_qualifications,
    pick_region,
    pick_specialties,
    write_bio,
)
from seed.engagements import Ledger, block_engagements, engagement_count
from seed.market import Market, build_market, career, roster
from seed.names import pick_name
from seed.numbering import MOBILE_PREFIXES, Bijection, BirthSlots, add_years, new_id
from seed.organizations import make_organization
from seed.plants import Planter, empty_truth, engagements_planted, reserve_circles, schedule

# --- The registry --------------------------------------------------------------------------------------------


@dataclass
class Batch:
    """Consecutive practitioners with their certificates and the engagements their teams worked on."""

    practitioners: list[dict[str, Any]]
    certificates: list[dict[str, Any]]
    engagements: list[dict[str, Any]]


@dataclass
class SyntheticRegistry:
    """A deterministic synthetic registry: organizations now, practitioners in batches on demand."""

    size: int
    seed: int
    today: date
    organizations: list[dict[str, Any]]
    _births: BirthSlots = field(repr=False)
    _phones: Bijection = field(repr=False)
    _organizations_by_id: dict[str, dict[str, Any]] = field(repr=False)
    # Organization positions by kind, by (kind, province) and, for enterprises, by industry.
    by_kind: dict[str, list[int]] = field(repr=False)
    by_kind_province: dict[tuple[str, str], list[int]] = field(repr=False)
    enterprises_by_industry: dict[str, list[int]] = field(repr=False)
    market: Market = field(repr=False)
    # Planted closed circles' organizations (seed/plants.py); every other enterprise may be a background client.
    circles: list[dict[str, list[int]]] = field(repr=False)
    clients: list[int] = field(repr=False)
    clients_by_industry: dict[str, list[int]] = field(repr=False)
    clients_by_province: dict[str, list[int]] = field(repr=False)
    position: dict[str, int] = field(repr=False)  # organization id → position
    # What was planted (seed/plants.py), complete once batches() has run to the end; only the benchmark reads it.
    truth: dict[str, Any] = field(default_factory=empty_truth, repr=False)
    _rosters: dict[int, dict[str, list[int]]] = field(default_factory=dict, repr=False)
    _counts: dict[str, int] | None = field(default=None, repr=False)

    # -- public ---------------------------------------------------------------------------------------------

    def batches(self, batch_size: int = 5000) -> Iterator[Batch]:
        """Yield the practitioners in order, batch by batch; batch_size is rounded up to a multiple of 100.

        The content (and order) of practitioners, certificates and engagements is the same for any batch size.
        """
        if batch_size < 1:
            raise ValueError("batch_size must be at least 1")
        blocks_per_batch = -(-batch_size // BLOCK_SIZE)
        batch = Batch([], [], [])
        for number, block in enumerate(self._blocks()):
            batch.practitioners.extend(block.practitioners)
            batch.certificates.extend(block.certificates)
            batch.engagements.extend(block.engagements)
            if (number + 1) % blocks_per_batch == 0:
                yield batch
                batch = Batch([], [], [])
        if batch.practitioners:
            yield batch

    def counts(self) -> dict[str, int]:
        """Totals the batches will hold: practitioners, certificates, engagements, organizations.

        Costs about a tenth of a full generation (each person's certificate plan is drawn again); cached.
        """
        if self._counts is None:
            certificates = sum(
                len(certificate_plan(random.Random(f"{self.seed}:p:{index}"), self._births.locate(index)[0]))
                for index in range(self.size)
            )
            engagements = sum(
                engagement_count(self.seed, number, min(BLOCK_SIZE, self.size - start))
                for number, start in enumerate(range(0, self.size, BLOCK_SIZE))
            ) + sum(
                engagements_planted(kind, self.today)
                for plants in schedule(self.size).values()
                for kind, number in plants
                if kind != "closed_circle" or number < len(self.circles)
            )
            self._counts = {
                "practitioners": self.size,
                "certificates": certificates,
                "engagements": engagements,
                "organizations": len(self.organizations),
            }
        return dict(self._counts)

    def key_emitters(self) -> list[dict[str, Any]]:
        """Key emitting units (重点排放单位) listed up to this registry's year: seed/key_emitters.py."""
        from seed.key_emitters import generate_key_emitters  # it builds on this module's tools

        return generate_key_emitters(self.seed, latest_year=self.today.year)

    @property
    def relations(self) -> list[dict[str, Any]]:
        """Control relations of the groups of companies, each child after its parent in `organizations`."""
        return self.market.relations

    def roster_of(self, client: int) -> dict[str, list[int]]:
        """The providers a client (by position) works with, by kind."""
        if client not in self._rosters:
            self._rosters[client] = roster(self.seed, self.market, client)
        return self._rosters[client]

    def employer_uscc(self, employer_id: str | None) -> str | None:
        """The USCC of an organization of this registry, or None."""
        organization = self._organizations_by_id.get(employer_id) if employer_id else None
        return organization["uscc"] if organization else None

    # -- practitioners --------------------------------------------------------------------------------------

    def _blocks(self, *, engagements: bool = True) -> Iterator[Batch]:
        """Blocks of 100 practitioners: each leads its engagements, staffed from it and the blocks before."""
        ledger = Ledger()
        plants = schedule(self.size)
        self.truth = empty_truth()
        for number, start in enumerate(range(0, self.size, BLOCK_SIZE)):
            people, certificates = self._block_people(start, min(start + BLOCK_SIZE, self.size))
            work: list[dict[str, Any]] = []
            if engagements:
                ledger.open_block(number, people, certificates)
                planter = Planter(self, ledger, number, plants.get(number, []))
                planter.before_background()
                work = block_engagements(self, ledger, number)
                work += planter.plant()
            yield Batch(people, certificates, work)

    def _block_people(self, start: int, stop: int) -> tuple[list[dict[str, Any]], list[dict[str, Any]]]:
        people: list[dict[str, Any]] = []
        certificates: list[dict[str, Any]] = []
        for index in range(start, stop):
            person, held = self._practitioner(index)
            people.append(person)
            certificates.extend(held)
        return people, certificates

    def _practitioner(self, index: int) -> tuple[dict[str, Any], list[dict[str, Any]]]:
        rng = random.Random(f"{self.seed}:p:{index}")
        today = self.today
        age, birth_day, serial = self._births.locate(index)
        # The plan comes first so that counts() can replay it without drawing the rest.
        plan = certificate_plan(rng, age)
        practitioner_id = new_id(rng)
        gender = "male" if rng.random() < MALE_SHARE else "female"
        name = pick_name(rng, gender)
        birth = date(today.year - age, 1, 1) + timedelta(days=birth_day)
        region = pick_region(rng)
        id_card = make_id_card(region, birth, serial * 2 + (1 if gender == "male" else 0))

        work_types = sorted({work_type for work_type, _, _ in plan}, key=WORK_TYPE_ORDER.__getitem__)
        needs_degree = any(level <= 3 and (work_type, 4, None) not in plan for work_type, level, _ in plan)
        education = (DEGREE_EDUCATION_CHOICE if needs_degree else OTHER_EDUCATION_CHOICE).pick(rng)
        low, high = WORK_START_AGE[education]
        started = birth.year + rng.randint(low, high)
        if started > today.year:  # still studying full time
            work_start_year, enrolled = None, True
        else:
            share = next(share for limit, share in ENROLLED_SHARE if age < limit)
            work_start_year, enrolled = started, rng.random() < share

        employer_id = self._pick_employer(rng, plan[0][0], region)
        specialties = pick_specialties(rng, work_types)
        best_level = min(level for _, level, _ in plan)
        qualifications = pick_qualifications(rng, work_types, best_level)
        industries = pick_industries(rng, work_types)
        public_profile = rng.random() < PUBLIC_PROFILE_SHARE
        certificates = self._certificates(rng, index, practitioner_id, plan)
        bio = write_bio(rng, work_types, industries, specialties, work_start_year, today)

        person = {
            "id": practitioner_id,
            "name": name,
            "id_card": id_card,
            "gender": gender,
            "education": education,
            "enrolled": enrolled,
            "work_start_year": work_start_year,
            "region": region,
            "employer_id": employer_id,
            "phone": self._phone(index),
            "email": f"u{index}@example.cn",
            "public_profile": public_profile,
            "specialties": specialties,
            "qualifications": qualifications,
            "industries": industries,
            "bio": bio,
        }
        person["employments"] = career(
            self.seed, index, self.organizations, self.market, employer_id, work_start_year, today
        )
        return person, certificates

    def _phone(self, index: int) -> str:
        number = self._phones(index)
        return f"{MOBILE_PREFIXES[number // 100_000_000]}{number % 100_000_000:08d}"

    def _pick_employer(self, rng: random.Random, work_type: str, region: str) -> str | None:
        kind = EMPLOYER_KIND_CHOICE[work_type].pick(rng)
        if kind is None:
            return None
        candidates = self.by_kind[kind]
        if kind == "enterprise" and work_type == "aviation":
            candidates = self.enterprises_by_industry.get("aviation") or candidates
        elif rng.random() < SAME_PROVINCE_EMPLOYER_SHARE:
            candidates = self.by_kind_province.get((kind, province_of(region))) or candidates
        return self.organizations[rng.choice(candidates)]["id"]

    def _certificates(
        self, rng: random.Random, index: int, holder_id: str, plan: list[tuple[str, int, int | None]]
    ) -> list[dict[str, Any]]:
        start, today = OCCUPATION_START.toordinal(), self.today.toordinal()
        # A certificate is good on its expires_on date, so one issued on or after this day is still valid today.
        earliest_current = add_years(self.today, -CERTIFICATE_TERM_YEARS)
        while add_years(earliest_current, CERTIFICATE_TERM_YEARS) < self.today:
            earliest_current += timedelta(days=1)
        latest_expired = earliest_current.toordinal() - 1

        kinds: list[str] = []
        no_expiry: list[bool] = []
        windows: list[list[int]] = []
        for _ in plan:
            kind = STATUS_CHOICE.pick(rng)
            if kind == "expired" and latest_expired < start:
                kind = "valid"  # too early in the occupation's life for anything to have run out
            never = kind != "expired" and rng.random() < NO_EXPIRY_SHARE
            if kind == "expired":
                window = [start, latest_expired]
            elif kind == "valid" and not never:
                window = [max(start, earliest_current.toordinal()), today]
            else:
                window = [start, today]
            kinds.append(kind)
            no_expiry.append(never)
            windows.append(window)
        # A lower certificate must leave room for the higher one a year later; when the windows are too tight
        # it is issued as early as its window allows.
        for position, (_, _, lower) in enumerate(plan):
            if lower is not None:
                low_window, high_end = windows[lower], windows[position][1]
                low_window[1] = max(low_window[0], min(low_window[1], high_end - PROGRESSION_GAP_DAYS))

        issued: list[date] = []
        certificates = []
        for position, (work_type, level, lower) in enumerate(plan):
            first, last = windows[position]
            if lower is not None:
                first = min(max(first, issued[lower].toordinal() + PROGRESSION_GAP_DAYS), last)
            # A power below 1 skews issue dates late a little: more certificates every year as the occupation grows.
            issued_on = date.fromordinal(first + int((last - first + 1) * rng.random() ** ISSUE_DATE_SKEW))
            issued.append(issued_on)
            kind = kinds[position]
            expires_on = None if no_expiry[position] else add_years(issued_on, CERTIFICATE_TERM_YEARS)
            status, reason = kind, None
            if kind == "suspended":
                reason = rng.choice(SUSPENSION_REASONS)
            elif kind == "revoked":
                reason = rng.choice(REVOCATION_REASONS)
            elif kind == "expired":
                if rng.random() < EXPIRED_STORED_AS_EXPIRED_SHARE:
                    reason = EXPIRY_REASON
                else:
                    status = "valid"  # the registry derives the expiry from expires_on
            serial = index * MAX_CERTIFICATES_PER_PERSON + position
            certificates.append(
                {
                    "number": f"CPCIF-{issued_on.year}-{serial:07d}",
                    "practitioner_id": holder_id,
                    "work_type": work_type,
                    "level": level,
                    "issued_on": issued_on,
                    "expires_on": expires_on,
                    "status": status,
                    "status_reason": reason,
                }
            )
        return certificates


# --- Entry points --------------------------------------------------------------------------------------------


def generate(size: int, seed: int = 42, today: date | None = None) -> SyntheticRegistry:
    """Build a synthetic registry of `size` practitioners; the same (size, seed, today) gives the same data."""
    today = today or date.today()
    if size < 0:
        raise ValueError("size must not be negative")
    if today < OCCUPATION_START:
        raise ValueError(
            f"today must not be before {OCCUPATION_START.isoformat()}, when the occupation began"
        )
    births = BirthSlots(seed)
    if size > births.capacity:
        raise ValueError(f"size must be at most {births.capacity} (unique ID card numbers run out beyond)")
    code_rng = random.Random(f"{seed}:uscc")
    codes = (Bijection(10**8, code_rng.getrandbits(64)), Bijection(10**6, code_rng.getrandbits(64)))
    taken: set[str] = set()
    organizations = [make_organization(seed, number, taken, codes) for number in range(size // 25 + 40)]

    by_kind: dict[str, list[int]] = {}
    by_kind_province: dict[tuple[str, str], list[int]] = {}
    by_industry: dict[str, list[int]] = {}
    for position, organization in enumerate(organizations):
        kind = organization["kind"]
        by_kind.setdefault(kind, []).append(position)
        by_kind_province.setdefault((kind, province_of(organization["region"])), []).append(position)
        if kind == "enterprise":
            by_industry.setdefault(organization["industry"], []).append(position)
    phones = Bijection(len(MOBILE_PREFIXES) * 100_000_000, random.Random(f"{seed}:phone").getrandbits(64))
    circles = reserve_circles(seed, organizations, size)
    reserved = {p for circle in circles for group in circle.values() for p in group}
    clients = [p for p in by_kind.get("enterprise", []) if p not in reserved]
    clients_by_industry: dict[str, list[int]] = {}
    clients_by_province: dict[str, list[int]] = {}
    for p in clients:
        clients_by_industry.setdefault(organizations[p]["industry"], []).append(p)
        clients_by_province.setdefault(province_of(organizations[p]["region"]), []).append(p)
    return SyntheticRegistry(
        size=size,
        seed=seed,
        today=today,
        organizations=organizations,
        _births=births,
        _phones=phones,
        _organizations_by_id={organization["id"]: organization for organization in organizations},
        by_kind=by_kind,
        by_kind_province=by_kind_province,
        enterprises_by_industry=by_industry,
        market=build_market(seed, organizations, reserved),
        circles=circles,
        clients=clients,
        clients_by_industry=clients_by_industry,
        clients_by_province=clients_by_province,
        position={organization["id"]: position for position, organization in enumerate(organizations)},
    )
