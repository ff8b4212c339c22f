"""Pool membership: a valid certificate at a pool's levels puts its holder in that pool.

An active sanction (`registry.misconduct`: `expert_suspension`, `bar`) keeps its holder out of the pools it
names however good the certificates; `exclusions` says why and from when they may return.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass
from datetime import date

from registry.certificates import CertificateFacts, is_valid
from registry.misconduct import Exclusion, Sanction, pool_exclusions
from registry.taxonomy import POOLS

_POOL_BY_LEVEL: dict[int, str] = {level: pool.code for pool in POOLS for level in pool.levels}


def pool_for_level(level: int) -> str:
    """Return the code of the pool a certificate at `level` grants (3, 4 → talent; 1, 2 → expert)."""
    try:
        return _POOL_BY_LEVEL[level]
    except KeyError:
        raise ValueError(f"unknown level {level!r}") from None


def pool_grants(certificates: Iterable[CertificateFacts], today: date) -> dict[str, CertificateFacts]:
    """Return, per pool the holder belongs to, the valid certificate that grants it."""
    grants: dict[str, CertificateFacts] = {}
    for cert in certificates:
        if not is_valid(cert, today):
            continue
        pool = pool_for_level(cert.level)
        held = grants.get(pool)
        # Highest level first (level 1 is the highest, so the smallest number), then oldest, then number,
        # so the same certificates always name the same grant.
        if held is None or (cert.level, cert.issued_on, cert.number) < (
            held.level,
            held.issued_on,
            held.number,
        ):
            grants[pool] = cert
    return grants


def pools_for(certificates: Iterable[CertificateFacts], today: date) -> set[str]:
    """Return the codes of the pools the holder of these certificates belongs to today."""
    return set(pool_grants(certificates, today))


@dataclass(frozen=True)
class Membership:
    """A current pool membership: the certificate that grants it and how long, unchanged, it lasts."""

    pool: str
    via: str  # number of the granting certificate
    valid_until: (
        date | None
    )  # last day some certificate at the pool's levels is still valid; None: open-ended


def memberships(
    certificates: Iterable[CertificateFacts], today: date, sanctions: Iterable[Sanction] = ()
) -> dict[str, Membership]:
    """The holder's memberships today, each with the day it lapses if no status changes before then.

    Storing `valid_until` lets reads drop a lapsed membership before the expiry job has run. A pool an
    active sanction excludes the holder from is left out (see `exclusions`).
    """
    certificates = list(certificates)
    excluded = pool_exclusions(sanctions, today)
    result: dict[str, Membership] = {}
    for pool, grant in pool_grants(certificates, today).items():
        if pool in excluded:
            continue
        ends = [c.expires_on for c in certificates if is_valid(c, today) and pool_for_level(c.level) == pool]
        valid_until = None if any(end is None for end in ends) else max(e for e in ends if e is not None)
        result[pool] = Membership(pool, grant.number, valid_until)
    return result


def exclusions(sanctions: Iterable[Sanction], today: date) -> dict[str, Exclusion]:
    """Per pool, the active sanctions keeping the holder out today and the first day they may return."""
    return pool_exclusions(sanctions, today)


OPEN_ENDED = "9999-12-31"  # the "until" of a key with no end date; ISO dates compare as strings


def certificate_keys(certificates: Iterable[CertificateFacts], today: date) -> list[str]:
    """Search keys `work_type|level|until` for the certificates valid today, `until` the last valid day.

    Stored on the practitioner, they let searches filter, sort and count facets without expanding
    relationships; a key simply stops matching once `until` has passed.
    """
    return sorted(
        f"{c.work_type}|{c.level}|{c.expires_on.isoformat() if c.expires_on else OPEN_ENDED}"
        for c in certificates
        if is_valid(c, today)
    )


def pool_keys(current: dict[str, Membership]) -> list[str]:
    """Search keys `pool|until` for the current memberships."""
    return sorted(
        f"{m.pool}|{m.valid_until.isoformat() if m.valid_until else OPEN_ENDED}" for m in current.values()
    )
