"""Anomalies planted at known rates into a synthetic registry, and the truth about them (issue 23 §5).

Each kind the integrity scan reports (registry/integrity.py) is planted `ANOMALY_RATES[kind]` times per 100 000
practitioners, spread evenly over the full blocks; so are the conflict cases the conflict-path benchmark looks
for. Every plant draws from its own stream `{seed}:plant:{kind}:{number}` and uses the people of its block. The
truth (which subjects were planted, with the subject the scan keys a finding on) is collected while the batches
are generated; only the benchmark reads it (bench/integrity_bench.py writes it to var/bench/planted-<size>.json).

What each plant is:
- signed_not_on_site: a completed verification whose signer has no site visit on it → (person, engagement);
- two_places: two completed verifications with site visits of one person in two provinces on one day →
  (person, day);
- overload: one person leading more verifications at once than the threshold → person;
- familiar_pair: three consecutive years (the rotation threshold) of verifications of one client by one
  verification body with a different team each year, or by one verifier through different bodies →
  (verifier, client);
- closed_circle: two verification bodies, three clients and three verifiers kept out of the background, who
  verify only one another's work every year, rotating so that no pair reaches the rotation threshold →
  the circle's organizations;
- conflict cases: a person employed by a plant under a regional subsidiary (a group of two levels), against a
  sibling plant; a person who consulted for a client, against a verification for it.
"""

from __future__ import annotations

import random
from datetime import date, timedelta
from typing import Any

from registry.integrity import THRESHOLDS, circle_subject
from registry.reference import province_of
from registry.rotation import ROTATION_RULE
from seed.distributions import ANOMALY_RATES, BLOCK_SIZE, CONFLICT_CASE_RATES, OCCUPATION_START
from seed.engagements import Ledger, PersonState, build, pick_provider
from seed.numbering import new_id

OVERLOAD_ENGAGEMENTS = THRESHOLDS.overload_max_concurrent + 1
STREAK_YEARS = ROTATION_RULE.warn_at
CIRCLE_PROVIDERS, CIRCLE_CLIENTS, CIRCLE_PEOPLE = 2, 3, 3
PREPARING_KINDS = (
    "accounting",
    "consulting",
    "monitoring",
)  # registry/conflicts.py: work that prepares a claim


def schedule(size: int) -> dict[int, list[tuple[str, int]]]:
    """Block → the plants it holds, (kind, number), spread evenly over the full blocks."""
    full = size // BLOCK_SIZE
    plants: dict[int, list[tuple[str, int]]] = {}
    for kind, rate in (*ANOMALY_RATES.items(), *CONFLICT_CASE_RATES.items()):
        count = round(rate * size / 100_000) if full else 0
        for number in range(count):
            plants.setdefault(min(full - 1, int((number + 0.5) * full / count)), []).append((kind, number))
    return plants


def circle_years(today: date) -> list[tuple[int, date]]:
    """(client number, start) of a circle's engagements: each client verified once a year, all completed."""
    starts = []
    for year in range(OCCUPATION_START.year, today.year + 1):
        first = date(year, 3, 1) if year > OCCUPATION_START.year else date(year, 8, 1)
        for client in range(CIRCLE_CLIENTS):
            start = first + timedelta(days=30 * client)
            if start + timedelta(days=20) < today:
                starts.append((client, start))
    return starts


def engagements_planted(kind: str, today: date) -> int:
    """How many engagements one plant of this kind adds."""
    return {
        "signed_not_on_site": 1, "two_places": 2, "overload": OVERLOAD_ENGAGEMENTS, "familiar_pair": STREAK_YEARS,
        "closed_circle": len(circle_years(today)), "consult_then_verify": 1,
    }.get(kind, 0)  # fmt: skip


def reserve_circles(seed: int, organizations: list[dict[str, Any]], size: int) -> list[dict[str, list[int]]]:
    """The organizations of each planted circle, kept out of the background: verification bodies and clients."""
    count = sum(1 for plants in schedule(size).values() for kind, _ in plants if kind == "closed_circle")
    rng = random.Random(f"{seed}:circles")
    bodies = [p for p, o in enumerate(organizations) if o["kind"] == "verification_body"]
    clients = [p for p, o in enumerate(organizations) if o["kind"] == "enterprise"]
    # Never more than a tenth of either kind: the background needs the rest.
    count = min(count, len(bodies) // (10 * CIRCLE_PROVIDERS), len(clients) // (10 * CIRCLE_CLIENTS))
    picked_bodies = rng.sample(bodies, count * CIRCLE_PROVIDERS)
    picked_clients = rng.sample(clients, count * CIRCLE_CLIENTS)
    return [
        {
            "providers": picked_bodies[n * CIRCLE_PROVIDERS : (n + 1) * CIRCLE_PROVIDERS],
            "clients": picked_clients[n * CIRCLE_CLIENTS : (n + 1) * CIRCLE_CLIENTS],
        }
        for n in range(count)
    ]


def empty_truth() -> dict[str, Any]:
    """The truth file's shape: planted subjects per anomaly kind and conflict cases per rule."""
    return {
        "anomalies": {kind: [] for kind in ANOMALY_RATES},
        "conflicts": {kind: [] for kind in CONFLICT_CASE_RATES},
        "rates_per_100000": {"anomalies": dict(ANOMALY_RATES), "conflicts": dict(CONFLICT_CASE_RATES)},
    }


class Planter:
    """Plants one block's anomalies: `before_background` sets people aside and changes employers, `plant` adds
    the planted engagements once the background of the block is drawn."""

    def __init__(self, registry: Any, ledger: Ledger, block: int, plants: list[tuple[str, int]]) -> None:
        self.registry = registry
        self.ledger = ledger
        self.block = block
        self.plants = plants
        self.used: set[str] = set()
        self.circle_people: dict[int, list[PersonState]] = {}

    @property
    def truth(self) -> dict[str, Any]:
        return self.registry.truth

    def before_background(self) -> None:
        """Circle members leave the background; conflict cases get their employer."""
        for kind, number in self.plants:
            rng = random.Random(f"{self.registry.seed}:plant:{kind}:{number}")
            if kind == "closed_circle" and number < len(self.registry.circles):
                circle = self.registry.circles[number]
                people = [self._person(rng, "verification") for _ in range(CIRCLE_PEOPLE)]
                for n, state in enumerate(people):
                    self.ledger.reserved_people.add(state.person["id"])
                    self._employ(rng, state, circle["providers"][n % CIRCLE_PROVIDERS])
                self.circle_people[number] = people
            elif kind == "group_employment":
                self._group_employment(rng)

    def plant(self) -> list[dict[str, Any]]:
        """The planted engagements of the block, in plan order."""
        planted: list[dict[str, Any]] = []
        for kind, number in self.plants:
            rng = random.Random(f"{self.registry.seed}:plant:{kind}:{number}:work")
            if kind == "signed_not_on_site":
                planted += self._signed_not_on_site(rng)
            elif kind == "two_places":
                planted += self._two_places(rng)
            elif kind == "overload":
                planted += self._overload(rng)
            elif kind == "familiar_pair":
                planted += self._familiar_pair(rng, number)
            elif kind == "closed_circle":
                planted += self._circle(rng, number)
            elif kind == "consult_then_verify":
                planted += self._consult(rng)
        return planted

    # -- people and work ----------------------------------------------------------------------------------------

    def _person(self, rng: random.Random, kind: str) -> PersonState:
        """A person of the block, not yet used by a plant nor set aside, holding `kind` when one can be found."""
        block = [self.ledger.people[p] for p in self.ledger.window[-1]]
        free = [
            s
            for s in block
            if s.person["id"] not in self.used and s.person["id"] not in self.ledger.reserved_people
        ]
        holding = [s for s in free if kind in s.kinds] or free
        state = rng.choice(holding)
        self.used.add(state.person["id"])
        return state

    def _employ(self, rng: random.Random, state: PersonState, organization: int) -> None:
        """Make `organization` the person's current employer (its history closes the one before)."""
        person = state.person
        person["employer_id"] = self.registry.organizations[organization]["id"]
        history = person["employments"]
        since = self.registry.today - timedelta(days=rng.randint(400, 1500))
        kept = [row for row in history if row["since"] < since]
        if kept:
            kept[-1]["until"] = (
                since if kept[-1]["until"] is None or kept[-1]["until"] > since else kept[-1]["until"]
            )
        kept.append(
            {"id": new_id(rng), "organization_id": person["employer_id"], "since": since, "until": None}
        )
        person["employments"] = kept

    def _client(
        self, rng: random.Random, people: list[PersonState], year: int, exclude: set[str] = frozenset()
    ) -> tuple[dict[str, Any], int]:
        """A client no planted person works for, and a provider, both keeping rotation for a verification in
        `year`."""
        for _ in range(200):
            client = self.registry.organizations[rng.choice(self.registry.clients)]
            if client["id"] in exclude or any(s.person.get("employer_id") == client["id"] for s in people):
                continue
            if not all(self.ledger.person_rotates(s.person["id"], client["id"], year) for s in people):
                continue
            provider = pick_provider(
                self.registry,
                self.ledger,
                rng,
                "verification",
                self.registry.position[client["id"]],
                year,
                True,
            )
            if provider is not None:
                return client, provider
        raise RuntimeError("no client keeps rotation for a planted engagement")

    def _work(
        self, rng: random.Random, kind: str, client: dict[str, Any], provider: int, team: list[PersonState],
        start: date, end: date, *, signer_visits: bool = True,
    ) -> dict[str, Any]:  # fmt: skip
        engagement = build(
            self.registry, self.ledger, rng, new_id(rng), kind, client, provider, "completed", start, end, team,
            signer_visits=signer_visits,
        )  # fmt: skip
        self.ledger.record(engagement, provider, self.registry.position[client["id"]], self.registry.today)
        return engagement

    def _past_start(self, rng: random.Random, days: int, earliest: date = OCCUPATION_START) -> date:
        """A start day such that `days` more still end before today."""
        last = self.registry.today - timedelta(days=days + 2)
        return earliest + timedelta(days=rng.randint(0, max(0, (last - earliest).days)))

    # -- the kinds --------------------------------------------------------------------------------------------

    def _signed_not_on_site(self, rng: random.Random) -> list[dict[str, Any]]:
        team = [self._person(rng, "verification")]
        if rng.random() < 0.5:  # a colleague was there, the signer was not
            team.append(self._person(rng, "verification"))
        start = self._past_start(rng, 40)
        client, provider = self._client(rng, team, start.year)
        engagement = self._work(
            rng, "verification", client, provider, team, start, start + timedelta(days=rng.randint(15, 40)),
            signer_visits=False,
        )  # fmt: skip
        signer = next(m["practitioner_id"] for m in engagement["team"] if "signer" in m["roles"])
        self.truth["anomalies"]["signed_not_on_site"].append(
            {"practitioner_id": signer, "engagement_id": engagement["id"]}
        )
        return [engagement]

    def _two_places(self, rng: random.Random) -> list[dict[str, Any]]:
        state = self._person(rng, "verification")
        for _ in range(100):
            day = self._past_start(rng, 30, OCCUPATION_START + timedelta(days=20))
            if day not in state.visits:
                break
        made = []
        provinces: set[str] = set()
        for _ in range(2):
            for _ in range(50):
                client, provider = self._client(rng, [state], day.year)
                if province_of(client["region"]) not in provinces:
                    break
            provinces.add(province_of(client["region"]))
            start = day - timedelta(days=rng.randint(1, 15))
            engagement = build(
                self.registry, self.ledger, rng, new_id(rng), "verification", client, provider, "completed",
                start, day + timedelta(days=rng.randint(1, 15)), [state], signer_visits=False,
            )  # fmt: skip
            engagement["site_visits"] = [
                {
                    "id": new_id(rng),
                    "practitioner_id": state.person["id"],
                    "date": day,
                    "region": client["region"],
                }
            ]
            self.ledger.record(
                engagement, provider, self.registry.position[client["id"]], self.registry.today
            )
            made.append(engagement)
        self.truth["anomalies"]["two_places"].append(
            {"practitioner_id": state.person["id"], "date": day.isoformat()}
        )
        return made

    def _overload(self, rng: random.Random) -> list[dict[str, Any]]:
        state = self._person(rng, "verification")
        base = self._past_start(rng, 60 + OVERLOAD_ENGAGEMENTS)
        made, clients = [], set()
        for n in range(OVERLOAD_ENGAGEMENTS):
            client, provider = self._client(rng, [state], base.year, clients)
            clients.add(client["id"])
            made.append(self._work(rng, "verification", client, provider, [state], base + timedelta(days=n),
                                   base + timedelta(days=45 + n)))  # fmt: skip
        self.truth["anomalies"]["overload"].append({"practitioner_id": state.person["id"]})
        return made

    def _familiar_pair(self, rng: random.Random, number: int) -> list[dict[str, Any]]:
        first = rng.randint(OCCUPATION_START.year + 1, self.registry.today.year - STREAK_YEARS + 1)
        years = range(first, first + STREAK_YEARS)
        made = []
        if number % 2 == 0:  # one verification body, a different team every year
            weighted = self.registry.market.providers["verification_body"]
            while True:
                provider = weighted.pick(rng)
                client = self.registry.organizations[rng.choice(self.registry.clients)]
                position = self.registry.position[client["id"]]
                if (provider, position) not in self.ledger.provider_years:
                    break
            self.ledger.blocked_pairs.add((provider, position))
            for year in years:
                team = [self._person(rng, "verification")]
                if not self.ledger.person_rotates(team[0].person["id"], client["id"], year):
                    team = [self._person(rng, "verification")]
                made.append(
                    self._work(rng, "verification", client, provider, team, *self._in_year(rng, year))
                )
            truth = {"verifier_type": "organization", "verifier_id": self.registry.organizations[provider]["id"],
                     "client_id": client["id"]}  # fmt: skip
        else:  # one verifier, through a different body every year (a career move does not break the tie)
            state = self._person(rng, "verification")
            client, _ = self._client(rng, [state], first)
            for year in years:
                provider = pick_provider(
                    self.registry,
                    self.ledger,
                    rng,
                    "verification",
                    self.registry.position[client["id"]],
                    year,
                    True,
                )
                assert provider is not None
                made.append(
                    self._work(rng, "verification", client, provider, [state], *self._in_year(rng, year))
                )
            state.blocked.add(client["id"])
            truth = {
                "verifier_type": "practitioner",
                "verifier_id": state.person["id"],
                "client_id": client["id"],
            }
        self.truth["anomalies"]["familiar_pair"].append(truth)
        return made

    def _in_year(self, rng: random.Random, year: int) -> tuple[date, date]:
        first = max(date(year, 2, 1), OCCUPATION_START)
        last = min(date(year, 10, 1), self.registry.today - timedelta(days=45))
        start = first + timedelta(days=rng.randint(0, max(0, (last - first).days)))
        return start, start + timedelta(days=rng.randint(15, 40))

    def _circle(self, rng: random.Random, number: int) -> list[dict[str, Any]]:
        people = self.circle_people.get(number)
        if not people:
            return []
        circle = self.registry.circles[number]
        made = []
        for client_number, start in circle_years(self.registry.today):
            year = start.year
            client = self.registry.organizations[circle["clients"][client_number]]
            provider = circle["providers"][(client_number + year) % CIRCLE_PROVIDERS]
            # Two of the three each time, the one left out turning over, so no one reaches three years running.
            team = [s for n, s in enumerate(people) if n != (client_number + year) % CIRCLE_PEOPLE]
            made.append(
                self._work(rng, "verification", client, provider, team, start, start + timedelta(days=20))
            )
        organizations = [
            self.registry.organizations[p]["id"] for p in (*circle["providers"], *circle["clients"])
        ]
        self.truth["anomalies"]["closed_circle"].append({
            "organization_ids": sorted(organizations), "practitioner_ids": sorted(s.person["id"] for s in people),
            "subject": circle_subject(organizations),
        })  # fmt: skip
        return made

    def _consult(self, rng: random.Random) -> list[dict[str, Any]]:
        state = self._person(rng, "verification")
        kind = next((k for k in PREPARING_KINDS if k in state.kinds), None)
        if kind is None:
            kind = rng.choice(PREPARING_KINDS)
            holders = [
                self.ledger.people[p] for p in self.ledger.window[-1]
                if kind in self.ledger.people[p].kinds and p not in self.used and p not in self.ledger.reserved_people
            ]  # fmt: skip
            if holders:
                state = rng.choice(holders)
                self.used.add(state.person["id"])
        start = self.registry.today - timedelta(days=rng.randint(90, 600))
        client, _ = self._client(rng, [state], start.year)
        provider = self.registry.market.providers["consultancy"].pick(rng)
        engagement = self._work(
            rng, kind, client, provider, [state], start, start + timedelta(days=rng.randint(20, 60))
        )
        self.truth["conflicts"]["consult_then_verify"].append({
            "practitioner_id": state.person["id"], "organization_id": client["id"], "engagement_id": engagement["id"],
        })  # fmt: skip
        return [engagement]

    def _group_employment(self, rng: random.Random) -> None:
        market = self.registry.market
        two_level = sorted(p for p, parent in market.parent_of.items() if parent in market.parent_of)
        if not two_level:
            return
        plant = rng.choice(two_level)
        subsidiary = market.parent_of[plant]
        siblings = [p for p, parent in market.parent_of.items() if parent == subsidiary and p != plant]
        target = rng.choice(siblings) if siblings else market.parent_of[subsidiary]
        state = self._person(rng, "verification")
        self._employ(rng, state, plant)
        organizations = self.registry.organizations
        self.truth["conflicts"]["group_employment"].append({
            "practitioner_id": state.person["id"], "organization_id": organizations[target]["id"],
            "employer_id": organizations[plant]["id"], "via": organizations[subsidiary]["id"],
        })  # fmt: skip
