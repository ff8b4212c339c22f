"""Identifiers derived from a practitioner's index: bijections, so that unique values need no set of used ones."""

from __future__ import annotations

import bisect
import itertools
import math
import random
import uuid
from datetime import date

from seed.distributions import AGE_WEIGHTS

MOBILE_PREFIXES: tuple[str, ...] = (
    "130", "131", "132", "133", "135", "136", "137", "138", "139", "150", "151", "152", "153", "155", "156",
    "157", "158", "159", "166", "173", "176", "177", "180", "181", "182", "183", "185", "186", "187", "188",
    "189", "198", "199",
)  # fmt: skip


def new_id(rng: random.Random) -> str:
    return str(uuid.UUID(int=rng.getrandbits(128), version=4))


def _coprime_multiplier(modulus: int, fraction: float = 0.6180339887) -> int:
    # A multiplier near modulus/φ spreads consecutive indices evenly over the range (Fibonacci hashing).
    multiplier = max(1, int(modulus * fraction))
    while math.gcd(multiplier, modulus) != 1:
        multiplier += 1
    return multiplier


class Bijection:
    """index → (index * a + b) mod n: a permutation of range(n) that scatters consecutive indices."""

    def __init__(self, modulus: int, offset: int) -> None:
        self.modulus = modulus
        self.multiplier = _coprime_multiplier(modulus)
        self.offset = offset % modulus

    def __call__(self, index: int) -> int:
        return (index * self.multiplier + self.offset) % self.modulus


def add_years(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year + years)
    except ValueError:  # 29 February in a common year
        return day.replace(year=day.year + years, day=28)


# --- Identifiers derived from the index ----------------------------------------------------------------------

_ID_SERIALS_PER_DAY = 500  # ID card sequence numbers 000–999: 500 per gender and birth date


class BirthSlots:
    """A bijection from practitioner index to (age, day of the birth year, serial), shaped by AGE_WEIGHTS.

    Each age owns a share of a slot range proportional to its weight (at most 365 days × 500 serials); an
    index is scattered over the range by a bijection, so two people never share region-independent ID digits.
    """

    def __init__(self, seed: int) -> None:
        heaviest = max(AGE_WEIGHTS.values())
        capacity = 365 * _ID_SERIALS_PER_DAY
        sizes = [(age, round(weight / heaviest * capacity)) for age, weight in sorted(AGE_WEIGHTS.items())]
        self.ages = [age for age, _ in sizes]
        self.starts = [0, *itertools.accumulate(size for _, size in sizes)][:-1]
        self.capacity = sum(size for _, size in sizes)
        self.bijection = Bijection(self.capacity, random.Random(f"{seed}:birth").getrandbits(64))

    def locate(self, index: int) -> tuple[int, int, int]:
        slot = self.bijection(index)
        position = bisect.bisect_right(self.starts, slot) - 1
        within = slot - self.starts[position]
        return self.ages[position], within % 365, within // 365
