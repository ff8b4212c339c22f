"""/audit: the tamper-evident trail of every change (admin)."""

from __future__ import annotations

from dataclasses import asdict
from datetime import UTC
from typing import Any

from flask_restx import Namespace, Resource

from api.decorators import paginated, returns
from interface.auth import ADMIN, require
from interface.context import ctx
from interface.schemas.audit import AuditArgs, AuditEntrySchema, ChainCheckSchema
from services import audit
from services.context import Page

ns = Namespace("audit", description="Audit trail: who changed what, when; hash-chained (admin)")


@ns.route("")
class AuditList(Resource):
    @require(ADMIN)
    @paginated(ns, AuditArgs(), AuditEntrySchema())
    def get(self, args: dict[str, Any]) -> Page:
        """Audit entries, newest first, by entity, entity id, actor and time (admin)."""
        for key in ("since", "until"):
            if args.get(key) is not None:
                args[key] = args[key].astimezone(UTC)
        return audit.entries(ctx(), args, args["page"], args["per_page"])


@ns.route("/verify")
class AuditVerify(Resource):
    @require(ADMIN)
    @returns(
        ns, ChainCheckSchema(), description="{verified, entries, first_bad_seq, problem, scope, checkpoint}"
    )
    def get(self) -> dict[str, Any]:
        """Check the chain from its last signed checkpoint (admin): the checkpoint's signature, then every entry
        after it links to the one before and matches its hash, up to the head. The full check from the first
        entry is `flask registry audit verify`."""
        return asdict(audit.verify(ctx()))
