"""Rotation of verifiers (issue 23 part 3): how many consecutive years one verification body, or one verifier, has
verified the same client, and when that earns a warning.

What counts: verification engagements (kind `verification`) that were not cancelled. An engagement counts for the
calendar year of its `start_on`: a verification of the 2025 emissions report done in spring 2026 is 2026's, so one
compliance cycle is one year whatever month the work began. A pair's years are the distinct years it has; a year
without one breaks the run.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import asdict, dataclass
from typing import Any

VERIFICATION_KIND = "verification"
CANCELLED = "cancelled"


@dataclass(frozen=True)
class RotationRule:
    """When a run of consecutive years with one client earns a warning, and when (if ever) it is refused."""

    warn_at: int
    block_at: int | None
    source: str

    def as_dict(self) -> dict[str, Any]:
        """The rule as the API shows it."""
        return asdict(self)


ROTATION_RULE = RotationRule(
    warn_at=3,
    block_at=None,
    source=(
        "No national cap on the consecutive years one verification body or verifier may verify the same key "
        "emitting unit was found: neither the 碳排放权交易管理暂行条例 (State Council order 775, 2024) nor the "
        "企业温室气体排放报告核查指南（试行） (环办气候函〔2021〕130号) sets one; ISO/IEC 17029 and ISO 14065 count "
        "familiarity among the threats to impartiality a body must manage, without a number of years. So the "
        "registry warns from 3 consecutive years (the 'familiar faces' (熟面孔) procurement practice guards "
        "against) and blocks nothing. A province can set its own cap when it procures verification; that cap "
        "would go in block_at."
    ),
)


def counts(kind: str | None, status: str | None) -> bool:
    """Whether an engagement counts towards rotation: a verification that was not cancelled."""
    return kind == VERIFICATION_KIND and status != CANCELLED


def consecutive_years(years: Iterable[int], through: int | None = None) -> int:
    """The length of the run of consecutive years that ends at the latest year (the latest not after `through`
    when given); 0 without years.

    The run ending at the latest year is the pair's tenure now: a longer run in the past that a gap broke is
    history, seen in the years, and earns no warning.
    """
    held = {year for year in years if through is None or year <= through}
    if not held:
        return 0
    year = max(held)
    run = 0
    while year in held:
        run += 1
        year -= 1
    return run


def current_run(years: Iterable[int], year: int) -> int:
    """The run a verification in `year` would continue: the run ending in `year` or the year before; 0 when the
    pair's latest year before then is older (a gap has already broken it)."""
    held = [y for y in years if y <= year]
    if not held or max(held) < year - 1:
        return 0
    return consecutive_years(held)


def warns(run: int, rule: RotationRule = ROTATION_RULE) -> bool:
    """Whether a run of consecutive years earns the rotation warning."""
    return run >= rule.warn_at


def rotation_row(
    verifier: Mapping[str, Any],
    years: Iterable[int],
    rule: RotationRule = ROTATION_RULE,
    through: int | None = None,
) -> dict[str, Any]:
    """One row of a client's independence table: the verifier, its years (ascending, each once), the run of
    consecutive years ending at the latest, and whether that run earns the warning."""
    ordered = sorted(set(years))
    run = consecutive_years(ordered, through)
    return {
        "verifier": dict(verifier),
        "years": ordered,
        "consecutive_years": run,
        "warning": warns(run, rule),
    }


def run_years(years: Iterable[int], through: int | None = None) -> list[int]:
    """The years of the run that ends at the latest year (the latest not after `through`), ascending."""
    held = sorted({year for year in years if through is None or year <= through})
    run = consecutive_years(held)
    return held[len(held) - run :]


def identity_visible(verifier: Mapping[str, Any], role: str) -> bool:
    """Whether this viewer may be told who a verifier is: organizations always; a person unless their record was
    deleted (their identity went with the deletion request; the facts stay as evidence), which admins still see."""
    return verifier.get("type") != "practitioner" or verifier.get("status") != "deleted" or role == "admin"


def shown(verifier: Mapping[str, Any], visible: bool) -> dict[str, Any]:
    """A verifier as a response shows it: `{type, id, name}`, or `{type, hidden: true}` when it may not be seen."""
    if not visible:
        return {"type": verifier["type"], "hidden": True}
    return {"type": verifier["type"], "id": verifier.get("id"), "name": verifier.get("name")}
