"""/eligibility: may this person apply for this level? (报考条件, public)."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

from flask import current_app
from flask_restx import Namespace, Resource

from api.schemas import body, input_model, model
from api.schemas.eligibility import EligibilityRequestSchema, EligibilitySchema
from registry.eligibility import (
    DEFAULT_RULES,
    Application,
    HeldCertificate,
    LevelRule,
    is_eligible,
    rules_from_mapping,
)

ns = Namespace("eligibility", description="Application eligibility (报考条件) for a level")

_REQUEST = EligibilityRequestSchema()
_RESPONSE = EligibilitySchema()


def load_rules(path: str | None) -> dict[int, LevelRule]:
    """The eligibility table: the brochure's rules, overridden by a JSON file when configured."""
    if not path:
        return DEFAULT_RULES
    return rules_from_mapping(json.loads(Path(path).read_text(encoding="utf-8")))


@ns.route("")
class Eligibility(Resource):
    @ns.doc(security=[])
    @ns.expect(input_model(ns, _REQUEST))
    @ns.response(200, "The decision with its reasons", model(ns, _RESPONSE))
    def post(self) -> dict[str, Any]:
        """Check the application conditions for a level; levels 2 and 1 answer null (待定) until defined."""
        data = body(_REQUEST)
        application = Application(
            level=data["level"],
            work_type=data.get("work_type"),
            education=data.get("education"),
            enrolled=data["enrolled"],
            related_work_years=data["related_work_years"],
            certificates=tuple(HeldCertificate(**c) for c in data["certificates"]),
            as_of=data.get("as_of") or date.today(),
        )
        decision = is_eligible(application, current_app.config["ELIGIBILITY_RULES"])
        return _RESPONSE.dump(decision.to_dict() | {"level": application.level})
