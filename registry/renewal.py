"""Renewal (续期): continuing education within a certificate's validity, then a follow-on certificate.

The brochure publishes no renewal requirement, so every number here is configuration with a neutral default until
one is published: 0 hours of continuing education (继续教育) within the validity, renewal accepted while the
certificate is still valid (no grace after `expires_on`), and a follow-on certificate as long as the one it renews.
The follow-on keeps the work type, level, holder and issuer, and points back to the one it renews, so the chain
certificate → result → application stays readable from any link.
"""

from __future__ import annotations

import math
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, fields, replace
from datetime import date, timedelta
from typing import Any

from registry.applications import RuleRefused
from registry.certificates import CertificateFacts, effective_status, validate_dates
from registry.dates import add_months

SOURCE = (
    "not yet published (the brochure names the certificate's validity, not its renewal); defaults are neutral"
)
MAX_HOURS_PER_RECORD = 200


@dataclass(frozen=True)
class RenewalRule:
    required_hours: float = 0  # continuing-education hours within the validity; 0 until published
    grace_days: int = 0  # days after expires_on a renewal is still accepted
    window_days: int | None = (
        None  # renewal opens this many days before expires_on; None: any time while valid
    )
    term_months: int | None = None  # the follow-on's term; None: as long as the renewed certificate's

    def to_dict(self) -> dict[str, Any]:
        """Return the rule as JSON-ready data, with its source."""
        return {"source": SOURCE, **{f.name: getattr(self, f.name) for f in fields(self)}}


DEFAULT_RENEWAL = RenewalRule()


@dataclass(frozen=True)
class ContinuingEducation:
    hours: float
    completed_on: date


def counted_hours(cert: CertificateFacts, records: Iterable[ContinuingEducation]) -> float:
    """Return the continuing-education hours completed within the certificate's validity (both ends included)."""
    end = cert.expires_on or date.max
    return round(sum(r.hours for r in records if cert.issued_on <= r.completed_on <= end), 2)


def validate_continuing_education(
    cert: CertificateFacts, hours: Any, completed_on: date, today: date
) -> dict[str, list[str]]:
    """Return field errors for a continuing-education record on `cert`; empty means fine."""
    errors: dict[str, list[str]] = {}
    if isinstance(hours, bool) or not isinstance(hours, int | float) or not math.isfinite(hours):
        errors["hours"] = ["hours must be a number"]
    elif not 0 < hours <= MAX_HOURS_PER_RECORD:
        errors["hours"] = [f"hours must be more than 0 and at most {MAX_HOURS_PER_RECORD}"]
    if completed_on > today:
        errors["completed_on"] = ["completed_on must not be in the future"]
    elif completed_on < cert.issued_on or (cert.expires_on is not None and completed_on > cert.expires_on):
        until = cert.expires_on.isoformat() if cert.expires_on else "open"
        errors["completed_on"] = [
            f"completed_on must fall within the certificate's validity ({cert.issued_on.isoformat()} – {until})"
        ]
    return errors


def check_renewal(
    cert: CertificateFacts,
    records: Iterable[ContinuingEducation],
    renewed_by: str | None,
    today: date,
    rule: RenewalRule = DEFAULT_RENEWAL,
) -> float:
    """Check that `cert` may be renewed today; return the hours counted, or raise RuleRefused."""
    extra = {"number": cert.number}
    if renewed_by:
        raise RuleRefused(
            f"certificate {cert.number} was already renewed by {renewed_by}", renewed_by=renewed_by, **extra
        )
    if cert.expires_on is None:
        raise RuleRefused(f"certificate {cert.number} has no expiry date; there is nothing to renew", **extra)
    status = effective_status(cert, today)
    if status in ("suspended", "revoked"):
        raise RuleRefused(
            f"certificate {cert.number} is {status}; only a valid certificate is renewed", **extra
        )
    last_day = cert.expires_on + timedelta(days=rule.grace_days)
    if today > last_day:
        raise RuleRefused(
            f"certificate {cert.number} expired on {cert.expires_on.isoformat()}; renewals were accepted until "
            f"{last_day.isoformat()} — a new application and exam are needed",
            **extra,
        )
    if rule.window_days is not None:
        opens = cert.expires_on - timedelta(days=rule.window_days)
        if today < opens:
            raise RuleRefused(
                f"renewal of certificate {cert.number} opens on {opens.isoformat()}",
                opens_on=opens.isoformat(),
                **extra,
            )
    hours = counted_hours(cert, records)
    if hours < rule.required_hours:
        raise RuleRefused(
            f"certificate {cert.number} has {hours:g} of the {rule.required_hours:g} continuing-education hours "
            "required within its validity",
            hours=hours,
            required_hours=rule.required_hours,
            **extra,
        )
    return hours


def _term(issued_on: date, expires_on: date) -> tuple[int, int]:
    months = (expires_on.year - issued_on.year) * 12 + expires_on.month - issued_on.month
    if add_months(issued_on, months) > expires_on:
        months -= 1
    return months, (expires_on - add_months(issued_on, months)).days


def follow_on_expiry(old: CertificateFacts, issued_on: date, rule: RenewalRule = DEFAULT_RENEWAL) -> date:
    """Return the default expires_on of the certificate renewing `old`, issued on `issued_on`."""
    if rule.term_months is not None:
        return add_months(issued_on, rule.term_months)
    assert old.expires_on is not None
    months, days = _term(old.issued_on, old.expires_on)
    return add_months(issued_on, months) + timedelta(days=days)


def validate_follow_on(
    old: CertificateFacts, issued_on: date, expires_on: date, today: date
) -> dict[str, list[str]]:
    """Return field errors for the follow-on certificate's dates; empty means fine."""
    errors = validate_dates(issued_on, expires_on, today)
    if issued_on < old.issued_on:
        errors.setdefault("issued_on", []).append("issued_on must not be before the renewed certificate's")
    return errors


def renewal_rule_from_mapping(data: Mapping[str, Any]) -> RenewalRule:
    """Return DEFAULT_RENEWAL with the fields in `data` replaced, checked."""
    names = {f.name for f in fields(RenewalRule)}
    if not isinstance(data, Mapping) or set(data) - names:
        raise ValueError(f"renewal rule: only {', '.join(sorted(names))} can be set")
    rule = replace(DEFAULT_RENEWAL, **data)
    if (
        isinstance(rule.required_hours, bool)
        or not isinstance(rule.required_hours, int | float)
        or rule.required_hours < 0
    ):
        raise ValueError("renewal rule: required_hours must be a number, 0 or more")
    for name in ("grace_days", "window_days", "term_months"):
        value = getattr(rule, name)
        if name != "grace_days" and value is None:
            continue
        if (
            isinstance(value, bool)
            or not isinstance(value, int)
            or value < (1 if name == "term_months" else 0)
        ):
            raise ValueError(f"renewal rule: {name} must be a whole number")
    return rule
