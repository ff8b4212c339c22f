"""Pool membership: a valid certificate at a pool's levels puts its holder in that pool."""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date

from registry.certificates import CertificateFacts, is_valid
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
