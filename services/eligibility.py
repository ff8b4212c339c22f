"""Application eligibility (报考条件): the brochure's table, overridable by a JSON file."""

from __future__ import annotations

import functools
import json
from pathlib import Path
from typing import Any

from registry.eligibility import (
    DEFAULT_RULES,
    Application,
    HeldCertificate,
    LevelRule,
    is_eligible,
    rules_from_mapping,
)
from services.context import Context


@functools.cache
def rules(path: str | None) -> dict[int, LevelRule]:
    """The eligibility table: the brochure's rules, overridden by a JSON file when configured."""
    if not path:
        return DEFAULT_RULES
    return rules_from_mapping(json.loads(Path(path).read_text(encoding="utf-8")))


def check(ctx: Context, data: dict[str, Any]) -> dict[str, Any]:
    """The decision for one application, with every condition and whether it is met."""
    application = Application(
        level=data["level"],
        work_type=data.get("work_type"),
        education=data.get("education"),
        enrolled=data["enrolled"],
        related_work_years=data["related_work_years"],
        certificates=tuple(HeldCertificate(**c) for c in data["certificates"]),
        as_of=data.get("as_of") or ctx.today,
    )
    decision = is_eligible(application, rules(ctx.settings.eligibility_rules_file))
    return decision.to_dict() | {"level": application.level}
